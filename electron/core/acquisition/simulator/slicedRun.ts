/** How long one slice may hold the event loop before yielding (setImmediate lets I/O in between). */
export const DEFAULT_SLICE_BUDGET_MS = 8;

export interface SlicedRunResult {
  /** From the first item to the last, including the turns other work ran in between. */
  wallMs: number;
  /** Time spent inside `work`, summed over slices. */
  busyMs: number;
  /** The longest slice. */
  maxSliceMs: number;
  slices: number;
}

export interface SlicedRunOptions {
  count: number;
  /** Handles items [from, to); called with consecutive ranges covering [0, count). */
  work: (from: number, to: number) => void;
  budgetMs?: number;
  /** Checked between slices: true stops the run (its promise then resolves with what was done). */
  cancelled?: () => boolean;
  now?: () => number;
}

/** Items handled between two looks at the clock. */
const CHUNK = 32;

/**
 * Runs `work` over `count` items in slices of about `budgetMs`, yielding to the event loop
 * between slices, so that updating 50,000 variables never holds the server's sockets for more
 * than a few milliseconds at a time.
 */
export function runSliced(options: SlicedRunOptions): Promise<SlicedRunResult> {
  const { count, work } = options;
  const budget = options.budgetMs ?? DEFAULT_SLICE_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const result: SlicedRunResult = { wallMs: 0, busyMs: 0, maxSliceMs: 0, slices: 0 };
  let next = 0;
  return new Promise((resolve, reject) => {
    const slice = () => {
      try {
        if (options.cancelled?.()) {
          result.wallMs = now() - started;
          resolve(result);
          return;
        }
        const sliceStart = now();
        let elapsed = 0;
        while (next < count) {
          const to = Math.min(count, next + CHUNK);
          work(next, to);
          next = to;
          elapsed = now() - sliceStart;
          if (elapsed >= budget) break;
        }
        result.slices++;
        result.busyMs += elapsed;
        result.maxSliceMs = Math.max(result.maxSliceMs, elapsed);
        if (next < count) {
          setImmediate(slice);
          return;
        }
        result.wallMs = now() - started;
        resolve(result);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    slice();
  });
}
