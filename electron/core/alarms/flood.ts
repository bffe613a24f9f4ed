/**
 * Alarm flood tracking over a sliding window of annunciated activations.
 *
 * ANSI/ISA-18.2-2009 Table 5 defines a flood as starting when the rate exceeds 10 alarms per
 * 10 minutes and ending when it drops below 5 per 10 minutes; both thresholds are configurable.
 * The same class serves the live engine (driven by the injected clock) and the KPI computation
 * (replaying the journal), so both agree on when a flood started and ended.
 */
export class FloodTracker {
  /** Activation times in the window, ascending. A plain array with a moving head: O(1) amortized. */
  private times: number[] = [];
  private head = 0;
  private floodStart: number | null = null;

  constructor(
    readonly windowMs: number,
    readonly enterAbove: number,
    readonly exitBelow: number,
  ) {}

  get inFlood(): boolean {
    return this.floodStart !== null;
  }

  get startedAt(): number | null {
    return this.floodStart;
  }

  /** Activations in the window as of the last call. */
  get count(): number {
    return this.times.length - this.head;
  }

  /**
   * Lets time pass up to `t` (activations older than the window drop out). Returns the exact time
   * the flood ended if it ended on the way, else null.
   */
  advanceTo(t: number): number | null {
    let ended: number | null = null;
    while (this.head < this.times.length && this.times[this.head]! + this.windowMs <= t) {
      const expiredAt = this.times[this.head]! + this.windowMs;
      this.head++;
      if (this.floodStart !== null && this.count < this.exitBelow) {
        this.floodStart = null;
        ended = expiredAt;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return ended;
  }

  /** Records an activation at `t` (not earlier than the last one). Returns true if a flood starts. */
  add(t: number): boolean {
    this.advanceTo(t);
    this.times.push(t);
    if (this.floodStart === null && this.count > this.enterAbove) {
      this.floodStart = t;
      return true;
    }
    return false;
  }

  /** When the flood will end if no further alarm comes; null when not in flood. */
  nextExitAt(): number | null {
    if (this.floodStart === null || this.count < this.exitBelow) return null;
    // The count falls below exitBelow after (count - exitBelow + 1) expirations.
    const index = this.head + this.count - this.exitBelow;
    const t = this.times[index];
    return t === undefined ? null : t + this.windowMs;
  }

  /** Times of the activations currently in the window, oldest first. */
  windowTimes(): number[] {
    return this.times.slice(this.head);
  }
}

/**
 * Chattering: an alarm that activates `threshold` or more times within `windowMs` (e.g. 3 in a
 * minute). Keeps only the last `threshold` activation times per alarm.
 */
export class ChatterTracker {
  private readonly recent: number[] = [];

  constructor(
    readonly windowMs: number,
    readonly threshold: number,
  ) {}

  /** Records an activation; returns true if the alarm became chattering with it. */
  add(t: number): boolean {
    const before = this.isChattering(t);
    this.recent.push(t);
    if (this.recent.length > this.threshold) this.recent.shift();
    return !before && this.isChattering(t);
  }

  isChattering(now: number): boolean {
    if (this.recent.length < this.threshold) return false;
    return now - this.recent[0]! < this.windowMs;
  }

  /** When the alarm stops chattering unless it activates again (-Infinity when it is not chattering). */
  chatteringUntil(): number {
    if (this.recent.length < this.threshold) return -Infinity;
    return this.recent[0]! + this.windowMs;
  }

  /** Activations within the window ending at `now`. */
  countInWindow(now: number): number {
    let n = 0;
    for (const t of this.recent) if (now - t < this.windowMs) n++;
    return n;
  }
}
