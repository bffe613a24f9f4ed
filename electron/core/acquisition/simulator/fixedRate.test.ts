import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../app/clock';
import { startFixedRate } from './fixedRate';

function recorder(clock: ManualClock, periodMs: number, maxCatchUp = 100) {
  const ticks: { index: number; dueAt: number; ranAt: number }[] = [];
  const timer = startFixedRate({
    clock,
    periodMs,
    maxCatchUp,
    onTick: (index, dueAt) => ticks.push({ index, dueAt, ranAt: clock.now() }),
  });
  return { ticks, timer };
}

describe('startFixedRate', () => {
  it('runs tick 0 at once, then one tick per period with its due time', () => {
    const clock = new ManualClock(1_000);
    const { ticks, timer } = recorder(clock, 100);
    expect(ticks).toEqual([{ index: 0, dueAt: 1_000, ranAt: 1_000 }]);
    clock.advance(350);
    expect(ticks.map((t) => t.index)).toEqual([0, 1, 2, 3]);
    expect(ticks.map((t) => t.dueAt)).toEqual([1_000, 1_100, 1_200, 1_300]);
    expect(ticks.every((t) => t.ranAt >= t.dueAt)).toBe(true);
    timer.dispose();
  });

  it('keeps whole-millisecond, strictly increasing due times for a fractional period', () => {
    const clock = new ManualClock(0);
    const { ticks, timer } = recorder(clock, 1000 / 3);
    clock.advance(3_000);
    expect(ticks).toHaveLength(10);
    expect(ticks.map((t) => t.dueAt)).toEqual([0, 333, 666, 1000, 1333, 1666, 2000, 2333, 2666, 3000]);
    timer.dispose();
  });

  it('does not drift: the tenth tick is due at ten periods however the timer was late', () => {
    const clock = new ManualClock(0);
    const { ticks, timer } = recorder(clock, 7);
    for (let i = 0; i < 70; i++) clock.advance(1);
    expect(ticks.at(-1)).toMatchObject({ index: 10, dueAt: 70 });
    timer.dispose();
  });

  it('replays overdue ticks after a stall, up to maxCatchUp, and reports the rest as skipped', () => {
    // A clock whose timer fires only when told: time can jump as it does when the event loop is blocked.
    let now = 0;
    let pending: (() => void) | null = null;
    const stalling: Clock = {
      now: () => now,
      setTimeout: (fn) => {
        pending = fn;
        return {
          dispose: () => {
            pending = null;
          },
        };
      },
      setInterval: () => ({ dispose: () => {} }),
    };
    const ticks: number[] = [];
    const skips: number[] = [];
    const timer = startFixedRate({
      clock: stalling,
      periodMs: 10,
      maxCatchUp: 5,
      onTick: (index) => ticks.push(index),
      onSkip: (n) => skips.push(n),
    });
    now = 100; // ticks 1..10 are due, the timer fires only now
    pending!();
    expect(skips).toEqual([5]);
    expect(ticks).toEqual([0, 6, 7, 8, 9, 10]);
    now = 110;
    pending!();
    expect(ticks.at(-1)).toBe(11);
    timer.dispose();
    expect(pending).toBeNull();
  });

  it('stops after dispose', () => {
    const clock = new ManualClock(0);
    const { ticks, timer } = recorder(clock, 10);
    clock.advance(25);
    timer.dispose();
    clock.advance(100);
    expect(ticks).toHaveLength(3);
  });

  it('reports a failing tick and keeps ticking', () => {
    const clock = new ManualClock(0);
    const errors: unknown[] = [];
    let calls = 0;
    const timer = startFixedRate({
      clock,
      periodMs: 10,
      maxCatchUp: 10,
      onTick: () => {
        calls++;
        if (calls === 2) throw new Error('write failed');
      },
      onError: (err) => errors.push(err),
    });
    clock.advance(30);
    expect(calls).toBe(4);
    expect(errors).toHaveLength(1);
    timer.dispose();
  });

  it('rejects a period under 1 ms', () => {
    expect(() =>
      startFixedRate({ clock: new ManualClock(), periodMs: 0.5, maxCatchUp: 1, onTick: () => {} }),
    ).toThrow(/at least 1 ms/);
  });
});
