import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { StallWatchdog } from './watchdog';

describe('StallWatchdog', () => {
  it('reports the first subscription that stays silent past its timeout, once', () => {
    const clock = new ManualClock(0);
    const stalls: [number, number][] = [];
    const watchdog = new StallWatchdog(clock, (i, silent) => stalls.push([i, silent]), 100);
    watchdog.watch([1000, 1000, 1000]);
    for (let t = 0; t < 3000; t += 200) {
      clock.advance(200);
      watchdog.heard(0);
      watchdog.heard(2);
    }
    expect(stalls).toHaveLength(1);
    expect(stalls[0]![0]).toBe(1);
    expect(stalls[0]![1]).toBeGreaterThan(1000);
    expect(stalls[0]![1]).toBeLessThanOrEqual(1100);
    watchdog.dispose();
  });

  it('ignores silence while paused and starts counting afresh on resume', () => {
    const clock = new ManualClock(0);
    const stalls: number[] = [];
    const watchdog = new StallWatchdog(clock, (i) => stalls.push(i), 100);
    watchdog.watch([500]);
    watchdog.pause();
    clock.advance(5000);
    expect(stalls).toEqual([]);
    expect(watchdog.longestSilenceMs()).toBe(0);
    watchdog.resume();
    clock.advance(400);
    expect(stalls).toEqual([]);
    expect(watchdog.longestSilenceMs()).toBe(400);
    clock.advance(200);
    expect(stalls).toEqual([0]);
    watchdog.dispose();
  });
});
