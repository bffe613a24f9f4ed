import { describe, expect, it } from 'vitest';
import { planSubscriptions, type PlanLimits } from './subscriptionPlan';

const limits = (over: Partial<PlanLimits> = {}): PlanLimits => ({
  maxItemsPerSubscription: 1000,
  maxSubscriptions: 0,
  maxItemsPerCall: 10_000,
  serverMaxItemsPerSubscription: 0,
  ...over,
});

function flatten(plan: ReturnType<typeof planSubscriptions>): number[] {
  return plan.subscriptions.flatMap((s) => s.calls.flat()).sort((a, b) => a - b);
}

describe('planSubscriptions', () => {
  it('spreads 10,000 items over ten subscriptions of 1,000, in calls within MaxMonitoredItemsPerCall', () => {
    const plan = planSubscriptions(Array(10_000).fill('p'), limits({ maxItemsPerCall: 300 }));
    expect(plan.subscriptions).toHaveLength(10);
    for (const s of plan.subscriptions) {
      expect(s.size).toBe(1000);
      expect(s.calls.map((c) => c.length)).toEqual([300, 300, 300, 100]);
    }
    expect(flatten(plan)).toEqual([...Array(10_000).keys()]);
  });

  it('balances sizes when the count does not divide evenly', () => {
    const plan = planSubscriptions(Array(2500).fill('p'), limits());
    expect(plan.subscriptions.map((s) => s.size)).toEqual([833, 833, 834]);
  });

  it('grows subscriptions instead of exceeding the subscriptions a session may have', () => {
    const plan = planSubscriptions(Array(50_000).fill('p'), limits({ maxSubscriptions: 10 }));
    expect(plan.subscriptions).toHaveLength(10);
    expect(plan.subscriptions.every((s) => s.size === 5000)).toBe(true);
  });

  it('refuses a plan that cannot fit the server limits, naming them', () => {
    expect(() =>
      planSubscriptions(
        Array(5000).fill('p'),
        limits({ maxSubscriptions: 2, serverMaxItemsPerSubscription: 1000 }),
      ),
    ).toThrow(/5000 monitored items do not fit in 2 subscriptions of at most 1000 items/);
  });

  it('puts items with other monitoring parameters in calls of their own', () => {
    const keys = ['a', 'b', 'a', 'b', 'a', 'c'];
    const plan = planSubscriptions(keys, limits());
    const calls = plan.subscriptions[0]!.calls;
    expect(calls).toEqual([[0, 2, 4], [1, 3], [5]]);
    for (const call of calls) expect(new Set(call.map((i) => keys[i])).size).toBe(1);
  });

  it('plans nothing for no items', () => {
    expect(planSubscriptions([], limits())).toEqual({ subscriptions: [] });
  });
});
