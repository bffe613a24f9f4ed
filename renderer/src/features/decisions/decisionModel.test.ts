import { describe, expect, it } from 'vitest';
import type { Recommendation, WorkOrder } from '../../../../shared/maintenance';
import {
  decisionQueue,
  dueIn,
  formatScore,
  fromLocalInput,
  openRecommendationCount,
  sortedWorkOrders,
  toLocalInput,
} from './decisionModel';

const T = new Date(2026, 2, 14, 9, 30).getTime();

function rec(id: string, over: Partial<Recommendation> = {}): Recommendation {
  return {
    id,
    assetId: 'e1',
    ruleId: 'r',
    kind: 'rul_below',
    finding: '',
    evidence: { tags: [], scores: [], models: [], correlationIds: [], relatedAlarms: [] },
    urgency: 'medium',
    suggestedAction: '',
    dueDate: T,
    status: 'proposed',
    createdAt: T,
    updatedAt: T,
    correlationId: 'c',
    decision: null,
    workOrderId: null,
    history: [],
    ...over,
  };
}

const decision = (at: number, deferredUntil: number | null = null) => ({
  by: 'op',
  at,
  comment: '',
  reason: null,
  label: null,
  deferredUntil,
  urgency: 'medium' as const,
});

describe('decision queue model', () => {
  it('splits open, deferred and decided recommendations, each in a useful order', () => {
    const recs = Object.fromEntries(
      [
        rec('late', { urgency: 'high', dueDate: T + 5 }),
        rec('soon', { urgency: 'high', dueDate: T + 1 }),
        rec('now', { urgency: 'immediate', dueDate: T + 9 }),
        rec('d2', { status: 'deferred', decision: decision(T, T + 200) }),
        rec('d1', { status: 'deferred', decision: decision(T, T + 100) }),
        rec('old', { status: 'approved', decision: decision(T) }),
        rec('new', { status: 'rejected', decision: decision(T + 50) }),
      ].map((r) => [r.id, r]),
    );
    const q = decisionQueue(recs);
    expect(q.open.map((r) => r.id)).toEqual(['now', 'soon', 'late']);
    expect(q.deferred.map((r) => r.id)).toEqual(['d1', 'd2']);
    expect(q.decided.map((r) => r.id)).toEqual(['new', 'old']);
    expect(openRecommendationCount(recs)).toBe(3);
  });

  it('orders work orders: in progress, open, done; earliest due first', () => {
    const wo = (id: string, status: WorkOrder['status'], dueDate: number) =>
      ({ id, status, dueDate }) as WorkOrder;
    const orders = Object.fromEntries(
      [wo('a', 'done', T), wo('b', 'open', T + 2), wo('c', 'in_progress', T + 9), wo('d', 'open', T + 1)].map(
        (w) => [w.id, w],
      ),
    );
    expect(sortedWorkOrders(orders).map((w) => w.id)).toEqual(['c', 'd', 'b', 'a']);
  });

  it('converts datetime-local values both ways and refuses impossible dates', () => {
    expect(toLocalInput(T)).toBe('2026-03-14T09:30');
    expect(fromLocalInput('2026-03-14T09:30')).toBe(T);
    expect(fromLocalInput('2026-03-14T09:30:15')).toBe(T + 15_000);
    expect(fromLocalInput('2026-02-31T10:00')).toBeNaN();
    expect(fromLocalInput('')).toBeNaN();
    expect(fromLocalInput('tomorrow')).toBeNaN();
  });

  it('says how far away a due date is, and when it is overdue', () => {
    expect(dueIn(T + 3 * 86_400_000, T)).toEqual({ text: 'in 3 d', overdue: false });
    expect(dueIn(T + 5 * 3_600_000, T)).toEqual({ text: 'in 5 h', overdue: false });
    expect(dueIn(T - 2 * 86_400_000, T)).toEqual({ text: '2 d overdue', overdue: true });
    expect(dueIn(T + 10_000, T)).toEqual({ text: 'in 1 min', overdue: false });
  });

  it('writes scores with a few significant digits', () => {
    expect(formatScore(0.5)).toBe('0.5');
    expect(formatScore(0.123456)).toBe('0.123');
    expect(formatScore(12)).toBe('12');
    expect(formatScore(1234.56)).toBe('1235');
    expect(formatScore(0)).toBe('0');
    expect(formatScore(NaN)).toBe('—');
  });
});
