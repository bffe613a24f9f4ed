import type { Clock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';

export interface FixedRateOptions {
  clock: Clock;
  /** Time between ticks; fractional values are fine (speed 3 = 333.33 ms). */
  periodMs: number;
  /**
   * How many overdue ticks are replayed at once after the event loop was blocked. Ticks beyond
   * that are skipped (and reported) instead of bursting: a stall of minutes must not freeze the
   * process while it catches up.
   */
  maxCatchUp: number;
  /** Tick `index` (0 = the start) with the time it was due, in epoch ms (whole ms, increasing). */
  onTick: (index: number, dueAt: number) => void;
  onSkip?: (skipped: number) => void;
  onError?: (err: unknown) => void;
}

/**
 * Runs `onTick` at a fixed rate anchored to the start time, on one timer whatever the rate: each
 * tick is scheduled for its due time, so delays do not accumulate into drift. Tick 0 runs
 * synchronously here, so callers have data before the first period has passed.
 */
export function startFixedRate(options: FixedRateOptions): Disposable {
  const { clock, periodMs, maxCatchUp } = options;
  if (!(periodMs >= 1)) throw new RangeError(`period must be at least 1 ms, got ${periodMs}`);
  const start = clock.now();
  const dueAt = (index: number) => Math.floor(start + index * periodMs);
  let next = 0;
  let timer: Disposable | null = null;
  let disposed = false;

  const run = (index: number) => {
    try {
      options.onTick(index, dueAt(index));
    } catch (err) {
      options.onError?.(err);
    }
  };

  const fire = () => {
    timer = null;
    if (disposed) return;
    const now = clock.now();
    const latestDue = Math.floor((now - start) / periodMs);
    if (latestDue - next + 1 > maxCatchUp) {
      const skipped = latestDue - next + 1 - maxCatchUp;
      next += skipped;
      options.onSkip?.(skipped);
    }
    while (next <= latestDue && !disposed) run(next++);
    schedule();
  };

  const schedule = () => {
    if (disposed) return;
    // Wake at the first whole millisecond at or after the due time, never in the same one again.
    timer = clock.setTimeout(fire, Math.max(1, Math.ceil(start + next * periodMs) - clock.now()));
  };

  run(next++);
  schedule();
  return {
    dispose() {
      disposed = true;
      timer?.dispose();
      timer = null;
    },
  };
}
