/**
 * Fetches for a view that keeps changing (zooming, panning): requests are debounced, at most
 * one is in flight (the core answers in order anyway; piling up requests only delays the one
 * that matters), and every request carries a sequence number so an answer that became stale
 * (the operator went back to live, or chose another asset) is dropped, never drawn.
 *
 * What to fetch is asked (`plan()`) only when a request is about to start, so the request made
 * after a burst of changes is for the latest view, and a plan already answered is not repeated.
 */
export interface LoaderTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

const browserTimers: LoaderTimers = {
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export interface SequencedLoaderOptions<P, R> {
  /** What to fetch now; null when everything wanted is already there. */
  plan(): P | null;
  fetch(plan: P): Promise<R>;
  onResult(result: R, plan: P, seq: number): void;
  onError(error: Error, plan: P, seq: number): void;
  /** True once a request has been running for loadingDelayMs; false when none is. */
  onLoading?(loading: boolean): void;
  /** Quiet time after the last schedule() before a request starts (default 120 ms). */
  debounceMs?: number;
  /**
   * Longest wait while schedule() keeps being called (default 300 ms): a long continuous zoom
   * still fetches a few times on the way, so the data follows the gesture.
   */
  maxWaitMs?: number;
  /** A request shorter than this shows no loading indicator (default 250 ms): no flicker. */
  loadingDelayMs?: number;
  timers?: LoaderTimers;
}

export class SequencedLoader<P, R> {
  private seq = 0;
  /** Answers to requests numbered below this are dropped (see cancel()). */
  private acceptFrom = 1;
  private inFlight = false;
  private again = false;
  private debounce: unknown = null;
  /** When the pending debounced request was first asked for (timers' clock: Date.now). */
  private pendingSince: number | null = null;
  private loadingTimer: unknown = null;
  private loadingShown = false;
  private disposed = false;
  private readonly timers: LoaderTimers;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly loadingDelayMs: number;

  constructor(private readonly o: SequencedLoaderOptions<P, R>) {
    this.timers = o.timers ?? browserTimers;
    this.debounceMs = o.debounceMs ?? 120;
    this.maxWaitMs = o.maxWaitMs ?? 300;
    this.loadingDelayMs = o.loadingDelayMs ?? 250;
  }

  /** Number of the latest request started (0 before the first). */
  get latestSeq(): number {
    return this.seq;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  /**
   * Asks for a fetch of the current plan: after the debounce, or at once when `immediate` (a
   * discrete choice such as a preset button, where waiting only adds latency).
   */
  schedule(immediate = false): void {
    if (this.disposed) return;
    if (this.debounce !== null) this.timers.clearTimeout(this.debounce);
    this.debounce = null;
    if (immediate) {
      this.pendingSince = null;
      this.run();
      return;
    }
    const now = this.timers.now();
    this.pendingSince ??= now;
    const wait = Math.max(0, Math.min(this.debounceMs, this.pendingSince + this.maxWaitMs - now));
    this.debounce = this.timers.setTimeout(() => {
      this.debounce = null;
      this.pendingSince = null;
      this.run();
    }, wait);
  }

  /** Drops the answers of every request started so far and any scheduled request. */
  cancel(): void {
    this.acceptFrom = this.seq + 1;
    this.again = false;
    if (this.debounce !== null) this.timers.clearTimeout(this.debounce);
    this.debounce = null;
    this.pendingSince = null;
    this.setLoading(false);
  }

  dispose(): void {
    this.cancel();
    this.disposed = true;
  }

  private run(): void {
    if (this.disposed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const plan = this.o.plan();
    if (plan === null) return;
    const seq = ++this.seq;
    this.inFlight = true;
    this.loadingTimer = this.timers.setTimeout(() => {
      this.loadingTimer = null;
      if (this.inFlight && seq >= this.acceptFrom) this.setLoading(true);
    }, this.loadingDelayMs);
    let settled: Promise<void>;
    try {
      settled = this.o.fetch(plan).then(
        (result) => this.settle(seq, () => this.o.onResult(result, plan, seq)),
        (err: unknown) =>
          this.settle(seq, () =>
            this.o.onError(err instanceof Error ? err : new Error(String(err)), plan, seq),
          ),
      );
    } catch (err) {
      settled = Promise.resolve().then(() =>
        this.settle(seq, () =>
          this.o.onError(err instanceof Error ? err : new Error(String(err)), plan, seq),
        ),
      );
    }
    void settled;
  }

  private settle(seq: number, deliver: () => void): void {
    this.inFlight = false;
    if (this.loadingTimer !== null) this.timers.clearTimeout(this.loadingTimer);
    this.loadingTimer = null;
    if (this.disposed) return;
    try {
      if (seq >= this.acceptFrom) deliver();
    } finally {
      // A throwing handler must not stall the loader: the latest view is still fetched.
      if (this.again) {
        this.again = false;
        this.run();
      }
      if (!this.inFlight) this.setLoading(false);
    }
  }

  private setLoading(loading: boolean): void {
    if (loading === this.loadingShown) return;
    this.loadingShown = loading;
    this.o.onLoading?.(loading);
  }
}
