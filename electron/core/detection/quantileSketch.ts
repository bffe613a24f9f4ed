import { growFloat32, growFloat64 } from './stats';

/** Log-spaced histogram bins: BINS_PER_DECADE per factor of ten between 10^MIN_EXP and 10^MAX_EXP. */
const MIN_EXP = -8;
const MAX_EXP = 6;
const BINS_PER_DECADE = 16;
const BINS = (MAX_EXP - MIN_EXP) * BINS_PER_DECADE + 2; // + underflow and overflow bins

/**
 * Streaming upper-quantile estimates of non-negative statistics, one histogram per slot,
 * stored side by side in one typed array (no allocation per sample). Bins are log-spaced,
 * so the estimate has a bounded relative error (about 7% between bins, less after the
 * log-linear interpolation) whatever the scale of the statistic.
 *
 * Forgetting: when a slot's count reaches `memory`, all its bins are halved, so the
 * estimate follows slow changes with a memory between `memory`/2 and `memory` samples.
 * The quantile is recomputed every `refreshEvery` additions, which keeps the cost per
 * sample constant.
 */
export class QuantileSketch {
  private bins = new Float32Array(0);
  private totals = new Float64Array(0);
  private sinceRefresh = new Float64Array(0);
  private cached = new Float64Array(0);
  /** Highest non-empty bin per slot: the quantile search starts there, not at the top. */
  private maxBin = new Float64Array(0);
  private capacity = 0;

  constructor(
    private readonly quantile: number,
    private readonly memory: number,
    private readonly refreshEvery = 16,
  ) {}

  ensure(slots: number): void {
    if (slots <= this.capacity) return;
    const capacity = Math.max(slots, this.capacity * 2, 16);
    this.bins = growFloat32(this.bins, capacity * BINS);
    this.totals = growFloat64(this.totals, capacity);
    this.sinceRefresh = growFloat64(this.sinceRefresh, capacity);
    this.cached = growFloat64(this.cached, capacity);
    this.maxBin = growFloat64(this.maxBin, capacity);
    this.capacity = capacity;
  }

  count(slot: number): number {
    return this.totals[slot]!;
  }

  add(slot: number, value: number): void {
    const base = slot * BINS;
    const bin = binOf(value);
    this.bins[base + bin]! += 1;
    if (bin > this.maxBin[slot]!) this.maxBin[slot] = bin;
    const total = (this.totals[slot]! += 1);
    if (total >= this.memory) {
      for (let b = 0; b < BINS; b++) this.bins[base + b]! *= 0.5;
      this.totals[slot] = total * 0.5;
    }
    if ((this.sinceRefresh[slot]! += 1) >= this.refreshEvery) this.refresh(slot);
  }

  /** The current estimate of the quantile, 0 when nothing was added yet. */
  value(slot: number): number {
    if (this.sinceRefresh[slot]! > 0 && this.cached[slot] === 0) this.refresh(slot);
    return this.cached[slot]!;
  }

  reset(slot: number): void {
    this.bins.fill(0, slot * BINS, (slot + 1) * BINS);
    this.totals[slot] = 0;
    this.sinceRefresh[slot] = 0;
    this.cached[slot] = 0;
    this.maxBin[slot] = 0;
  }

  private refresh(slot: number): void {
    this.sinceRefresh[slot] = 0;
    const total = this.totals[slot]!;
    if (total <= 0) return;
    const base = slot * BINS;
    // Walk down from the top: the upper quantile needs only the tail.
    const above = total * (1 - this.quantile);
    let seen = 0;
    for (let b = this.maxBin[slot]!; b >= 0; b--) {
      const c = this.bins[base + b]!;
      if (seen + c >= above) {
        // Log-linear interpolation inside the bin.
        const frac = c > 0 ? (above - seen) / c : 0;
        this.cached[slot] = binUpper(b) * Math.pow(binUpper(b - 1) / binUpper(b), frac);
        return;
      }
      seen += c;
    }
    this.cached[slot] = binUpper(0);
  }
}

function binOf(value: number): number {
  if (!(value > 0)) return 0;
  const e = Math.log10(value);
  if (e < MIN_EXP) return 0;
  if (e >= MAX_EXP) return BINS - 1;
  return 1 + Math.floor((e - MIN_EXP) * BINS_PER_DECADE);
}

/** Upper edge of bin b (bin 0 = underflow up to 10^MIN_EXP). */
function binUpper(b: number): number {
  if (b < 0) return 0;
  if (b >= BINS - 1) return Math.pow(10, MAX_EXP);
  return Math.pow(10, MIN_EXP + b / BINS_PER_DECADE);
}
