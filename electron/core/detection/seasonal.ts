import { growFloat32, growFloat64 } from './stats';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Profile resolution: 15-minute bins, so a shift change at 06:10 costs minutes, not an hour. */
const BIN_MS = 15 * 60_000;
const DAY_BINS = DAY_MS / BIN_MS;
const WEEK_BINS = 7 * DAY_BINS;
/** A profile is used once every one of its bins was seen on this many separate days (weeks). */
const MIN_VISITS = 2;
/** Profiles average the last few cycles, so they follow a pattern that changes slowly. */
const MEMORY_CYCLES = 4;
/** The baseline the profile is measured from: a mean over about a day. */
const BASELINE_MS = DAY_MS;

/** Which profile a slot uses. */
export const SeasonalMode = { None: 0, Daily: 1, Weekly: 2 } as const;

/**
 * Daily and weekly profiles per slot: the mean deviation of a tag from its one-day moving
 * mean in each quarter hour of the day and of the week (local time), in the spirit of the
 * seasonal component of Holt-Winters (Winters 1960) but keyed by the clock rather than by
 * sample index, so irregular sampling is fine. The daily profile is used once every quarter
 * hour of the day was seen on two days; the weekly one supersedes it once every quarter hour
 * of the week was seen in two weeks. Data spanning less than two days never activates them.
 * The profiles learn from every valid sample: what recurs at the same time is the pattern,
 * and a one-off deviation moves its bin by a fraction only.
 */
export class SeasonalProfiles {
  private capacity = 0;
  // Profiles in single precision: 4 x 768 bins per tag add up for thousands of tags.
  private day = new Float32Array(0);
  private dayErr = new Float32Array(0);
  private dayVisits = new Float32Array(0);
  private week = new Float32Array(0);
  private weekErr = new Float32Array(0);
  private weekVisits = new Float32Array(0);
  /** Bins with at least MIN_VISITS visits, per slot, to know when a profile is complete. */
  private dayReady = new Float64Array(0);
  private weekReady = new Float64Array(0);
  private baseline = new Float64Array(0);
  private lastT = new Float64Array(0);
  private visitBin = new Float64Array(0);
  private visitSum = new Float64Array(0);
  private visitCount = new Float64Array(0);
  private visitSumSq = new Float64Array(0);
  private cachedHour = NaN;
  private cachedOffsetMs = 0;

  constructor(private readonly utcOffsetMs: number | 'local' = 'local') {}

  ensure(slots: number): void {
    if (slots <= this.capacity) return;
    const c = Math.max(slots, this.capacity * 2, 16);
    this.day = growFloat32(this.day, c * DAY_BINS);
    this.dayErr = growFloat32(this.dayErr, c * DAY_BINS);
    this.dayVisits = growFloat32(this.dayVisits, c * DAY_BINS);
    this.week = growFloat32(this.week, c * WEEK_BINS);
    this.weekErr = growFloat32(this.weekErr, c * WEEK_BINS);
    this.weekVisits = growFloat32(this.weekVisits, c * WEEK_BINS);
    this.dayReady = growFloat64(this.dayReady, c);
    this.weekReady = growFloat64(this.weekReady, c);
    this.baseline = growFloat64(this.baseline, c);
    this.lastT = growFloat64(this.lastT, c, NaN);
    this.visitBin = growFloat64(this.visitBin, c, -1);
    this.visitSum = growFloat64(this.visitSum, c);
    this.visitCount = growFloat64(this.visitCount, c);
    this.visitSumSq = growFloat64(this.visitSumSq, c);
    this.capacity = c;
  }

  /** The profile in use: weekly once complete, else daily once complete, else none. */
  mode(slot: number): number {
    if (this.weekReady[slot] === WEEK_BINS) return SeasonalMode.Weekly;
    if (this.dayReady[slot] === DAY_BINS) return SeasonalMode.Daily;
    return SeasonalMode.None;
  }

  /** The expected deviation from the tag's daily mean at this time (0 without a profile). */
  offset(slot: number, timestamp: number): number {
    const mode = this.mode(slot);
    if (mode === SeasonalMode.None) return 0;
    const bin = this.binOfWeek(timestamp);
    if (bin < 0) return 0;
    return mode === SeasonalMode.Weekly
      ? this.week[slot * WEEK_BINS + bin]!
      : this.day[slot * DAY_BINS + (bin % DAY_BINS)]!;
  }

  /**
   * Mean squared error of the profile in this bin (deviation from the profile, within and
   * between visits). Where a pattern changes inside a bin (a shift starting at 06:10 in the
   * 06:00-06:15 bin), this is large, and the detector widens its tolerance there instead of
   * alarming every day.
   */
  error(slot: number, timestamp: number): number {
    const mode = this.mode(slot);
    if (mode === SeasonalMode.None) return 0;
    const bin = this.binOfWeek(timestamp);
    if (bin < 0) return 0;
    return mode === SeasonalMode.Weekly
      ? this.weekErr[slot * WEEK_BINS + bin]!
      : this.dayErr[slot * DAY_BINS + (bin % DAY_BINS)]!;
  }

  /** Learns from one valid sample. Each bin's visit is averaged and folded in when the bin changes. */
  learn(slot: number, timestamp: number, value: number): void {
    const bin = this.binOfWeek(timestamp);
    if (bin < 0) return;
    const last = this.lastT[slot]!;
    let base = this.baseline[slot]!;
    if (last !== last) {
      base = value;
    } else if (timestamp > last) {
      const x = (timestamp - last) / BASELINE_MS;
      base += (x < 1e-3 ? x : 1 - Math.exp(-x)) * (value - base); // 1 - e^-x ~ x for small steps
    }
    this.baseline[slot] = base;
    this.lastT[slot] = timestamp;
    const current = this.visitBin[slot]!;
    if (current !== bin) {
      if (current >= 0 && this.visitCount[slot]! > 0) this.closeVisit(slot, current);
      this.visitBin[slot] = bin;
      this.visitSum[slot] = 0;
      this.visitSumSq[slot] = 0;
      this.visitCount[slot] = 0;
    }
    const d = value - base;
    this.visitSum[slot]! += d;
    this.visitSumSq[slot]! += d * d;
    this.visitCount[slot]! += 1;
  }

  reset(slot: number): void {
    for (const a of [this.day, this.dayErr, this.dayVisits])
      a.fill(0, slot * DAY_BINS, (slot + 1) * DAY_BINS);
    for (const a of [this.week, this.weekErr, this.weekVisits])
      a.fill(0, slot * WEEK_BINS, (slot + 1) * WEEK_BINS);
    this.dayReady[slot] = 0;
    this.weekReady[slot] = 0;
    this.baseline[slot] = 0;
    this.lastT[slot] = NaN;
    this.visitBin[slot] = -1;
    this.visitSum[slot] = 0;
    this.visitSumSq[slot] = 0;
    this.visitCount[slot] = 0;
  }

  private closeVisit(slot: number, bin: number): void {
    const count = this.visitCount[slot]!;
    const mean = this.visitSum[slot]! / count;
    const meanSq = this.visitSumSq[slot]! / count;
    const w = slot * WEEK_BINS + bin;
    const wv = (this.weekVisits[w]! += 1);
    if (wv === MIN_VISITS) this.weekReady[slot]! += 1;
    fold(this.week, this.weekErr, w, wv, mean, meanSq);
    const d = slot * DAY_BINS + (bin % DAY_BINS);
    const dv = (this.dayVisits[d]! += 1);
    if (dv === MIN_VISITS) this.dayReady[slot]! += 1;
    fold(this.day, this.dayErr, d, dv, mean, meanSq);
  }

  /** Quarter hour of the week, 0 = Monday 00:00-00:15 local time; -1 for a time that is not finite. */
  private binOfWeek(timestamp: number): number {
    if (!Number.isFinite(timestamp)) return -1;
    const hour = Math.floor(timestamp / HOUR_MS);
    if (hour !== this.cachedHour) {
      this.cachedHour = hour;
      this.cachedOffsetMs =
        this.utcOffsetMs === 'local' ? -new Date(timestamp).getTimezoneOffset() * 60_000 : this.utcOffsetMs;
    }
    // 1970-01-01 was a Thursday: three days after Monday 00:00.
    const local = Math.floor((timestamp + this.cachedOffsetMs) / BIN_MS) + 3 * DAY_BINS;
    return ((local % WEEK_BINS) + WEEK_BINS) % WEEK_BINS;
  }
}

/**
 * Folds one visit (mean and mean square of the deviations) into a bin: the profile moves
 * towards the visit's mean, and the error towards the visit's mean squared deviation from
 * the profile as it was (within-visit spread plus day-to-day change).
 */
function fold(
  profile: Float32Array,
  error: Float32Array,
  i: number,
  visits: number,
  mean: number,
  meanSq: number,
): void {
  const rate = Math.max(1 / visits, 1 / MEMORY_CYCLES);
  const old = visits > 1 ? profile[i]! : mean;
  const err = Math.max(0, meanSq - 2 * mean * old + old * old);
  error[i] = visits > 1 ? error[i]! + rate * (err - error[i]!) : err;
  profile[i] = old + rate * (mean - old);
}
