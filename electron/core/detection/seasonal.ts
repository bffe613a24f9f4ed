import { growFloat64 } from './stats';

const HOUR_MS = 3_600_000;
const DAY_BINS = 24;
const WEEK_BINS = 168;
/** A profile is used once its bin was seen on this many separate days (weeks). */
const MIN_VISITS = 2;
/** Profiles average the last few cycles, so they follow a pattern that changes slowly. */
const MEMORY_CYCLES = 4;

/**
 * Daily and weekly profiles per slot: the mean deviation of a tag from its level for each
 * hour of the day and each hour of the week (local time), in the spirit of the seasonal
 * component of Holt-Winters (Winters 1960), but keyed by the clock rather than by sample
 * index, so it works for irregular sampling. The weekly profile supersedes the daily one
 * once each of its hours was seen twice; before that the daily profile is used once each
 * hour of the day was seen on two days. Data spanning less than two days never activates
 * them, so short recordings are unaffected.
 */
export class SeasonalProfiles {
  private capacity = 0;
  private day = new Float64Array(0);
  private dayVisits = new Float64Array(0);
  private week = new Float64Array(0);
  private weekVisits = new Float64Array(0);
  private visitBin = new Float64Array(0);
  private visitSum = new Float64Array(0);
  private visitCount = new Float64Array(0);
  private cachedHour = NaN;
  private cachedOffsetMs = 0;

  constructor(private readonly utcOffsetMs: number | 'local' = 'local') {}

  ensure(slots: number): void {
    if (slots <= this.capacity) return;
    const c = Math.max(slots, this.capacity * 2, 16);
    this.day = growFloat64(this.day, c * DAY_BINS);
    this.dayVisits = growFloat64(this.dayVisits, c * DAY_BINS);
    this.week = growFloat64(this.week, c * WEEK_BINS);
    this.weekVisits = growFloat64(this.weekVisits, c * WEEK_BINS);
    const bins = new Float64Array(c).fill(-1);
    bins.set(this.visitBin);
    this.visitBin = bins;
    this.visitSum = growFloat64(this.visitSum, c);
    this.visitCount = growFloat64(this.visitCount, c);
    this.capacity = c;
  }

  /** The expected deviation from the level at this time, 0 until a profile is established. */
  offset(slot: number, timestamp: number): number {
    const hw = this.hourOfWeek(timestamp);
    if (hw < 0) return 0;
    const w = slot * WEEK_BINS + hw;
    if (this.weekVisits[w]! >= MIN_VISITS) return this.week[w]!;
    const d = slot * DAY_BINS + (hw % DAY_BINS);
    if (this.dayVisits[d]! >= MIN_VISITS) return this.day[d]!;
    return 0;
  }

  /**
   * Learns from one normal sample: `deviation` = value - level (before any profile). Each
   * hour's visit is averaged and folded into the profiles when the hour changes.
   */
  learn(slot: number, timestamp: number, deviation: number): void {
    const hw = this.hourOfWeek(timestamp);
    if (hw < 0) return;
    const current = this.visitBin[slot]!;
    if (current !== hw) {
      if (current >= 0 && this.visitCount[slot]! > 0) this.closeVisit(slot, current);
      this.visitBin[slot] = hw;
      this.visitSum[slot] = 0;
      this.visitCount[slot] = 0;
    }
    this.visitSum[slot]! += deviation;
    this.visitCount[slot]! += 1;
  }

  reset(slot: number): void {
    this.day.fill(0, slot * DAY_BINS, (slot + 1) * DAY_BINS);
    this.dayVisits.fill(0, slot * DAY_BINS, (slot + 1) * DAY_BINS);
    this.week.fill(0, slot * WEEK_BINS, (slot + 1) * WEEK_BINS);
    this.weekVisits.fill(0, slot * WEEK_BINS, (slot + 1) * WEEK_BINS);
    this.visitBin[slot] = -1;
    this.visitSum[slot] = 0;
    this.visitCount[slot] = 0;
  }

  private closeVisit(slot: number, hw: number): void {
    const mean = this.visitSum[slot]! / this.visitCount[slot]!;
    const w = slot * WEEK_BINS + hw;
    const wv = (this.weekVisits[w]! += 1);
    this.week[w]! += Math.max(1 / wv, 1 / MEMORY_CYCLES) * (mean - this.week[w]!);
    const d = slot * DAY_BINS + (hw % DAY_BINS);
    const dv = (this.dayVisits[d]! += 1);
    this.day[d]! += Math.max(1 / dv, 1 / MEMORY_CYCLES) * (mean - this.day[d]!);
  }

  /** Hour of the week, 0 = Monday 00:00-01:00 local time; -1 for a timestamp that is not finite. */
  private hourOfWeek(timestamp: number): number {
    if (!Number.isFinite(timestamp)) return -1;
    const hour = Math.floor(timestamp / HOUR_MS);
    if (hour !== this.cachedHour) {
      this.cachedHour = hour;
      this.cachedOffsetMs =
        this.utcOffsetMs === 'local' ? -new Date(timestamp).getTimezoneOffset() * 60_000 : this.utcOffsetMs;
    }
    // 1970-01-01 was a Thursday: 72 hours after Monday 00:00.
    const local = Math.floor((timestamp + this.cachedOffsetMs) / HOUR_MS) + 72;
    return ((local % WEEK_BINS) + WEEK_BINS) % WEEK_BINS;
  }
}
