import type { DetectorOptions } from './options';
import { QuantileSketch } from './quantileSketch';
import { SeasonalMode, SeasonalProfiles } from './seasonal';
import { clamp, growFloat64 } from './stats';

/** Variogram updates are capped at this multiple of the current estimate once SETTLE samples were seen. */
const ROBUST_CAP = 16;
const SETTLE = 20;
/** Calibration samples needed before anything is scored. */
const MIN_CALIBRATION = 20;

/** Upper bound of a calibrated statistic, so arithmetic on it stays finite. */
export const MAX_STAT = 1e12;

/**
 * Per-tag streaming detector, for many tags at once (one slot per tag, state in typed arrays).
 *
 * Model: each tag is a local-level model (a random-walk level plus white noise; Harvey,
 * "Forecasting, Structural Time Series Models and the Kalman Filter", 1989), optionally
 * after removing a learned daily/weekly profile. Its two variances are learned online from
 * the variogram at lags 1 and L: E[(y_t - y_{t-1})^2] = 2 s_n + s_l and
 * E[(y_t - y_{t-L})^2] = 2 s_n + L s_l. The steady-state Kalman gain follows from their
 * ratio, so a tag that wanders (a temperature) is tracked and only sudden changes stand out,
 * while a stationary tag (a flow at its set point) keeps a fixed reference and any shift
 * stands out. The level update is Huber-clipped, so a large anomaly pulls the reference only
 * slowly, and a minimum gain makes every tag follow slow drift eventually.
 *
 * Statistic: the standardized one-step innovation z is smoothed by an EWMA (Roberts 1959;
 * residual control charts for autocorrelated data, Montgomery, "Introduction to Statistical
 * Quality Control", ch. 10), which turns a small persistent shift into a large statistic.
 * Its square is divided by a streaming quantile of its own normal history, so every tag is
 * scored on the same, self-calibrated scale: u = 1 at the tag's 99th percentile.
 */
export class TagModels {
  private capacity = 0;
  private n = new Float64Array(0);
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private level = new Float64Array(0);
  private g1 = new Float64Array(0);
  private gL = new Float64Array(0);
  private n1 = new Float64Array(0);
  private nL = new Float64Array(0);
  private gain = new Float64Array(0);
  private innovSd = new Float64Array(0);
  private noiseVar = new Float64Array(0);
  private ew = new Float64Array(0);
  private ring = new Float64Array(0);
  private ringCount = new Float64Array(0);
  private ringPos = new Float64Array(0);
  private seasonMode = new Float64Array(0);
  /** Latest calibrated statistic per slot (NaN until warmed up). */
  readonly latest: { u: Float64Array; ew: Float64Array } = {
    u: new Float64Array(0),
    ew: new Float64Array(0),
  };
  private readonly sketch: QuantileSketch;
  private readonly seasonal: SeasonalProfiles | null;
  private readonly lag: number;
  private readonly minGain: number;
  /** Samples averaged before the Kalman gain takes over. */
  private readonly initSamples: number;
  /** First sample whose statistic enters the calibration (the EWMA has settled by then). */
  private readonly calibrateFrom: number;
  /** First sample that is scored: the warm-up, but never before the calibration has data. */
  private readonly scoreFrom: number;

  constructor(
    private readonly opts: DetectorOptions,
    utcOffsetMs: number | 'local' = 'local',
  ) {
    this.sketch = new QuantileSketch(opts.calibrationQuantile, opts.calibrationMemory);
    this.seasonal = opts.seasonal ? new SeasonalProfiles(utcOffsetMs) : null;
    this.lag = opts.variogramLag;
    this.minGain = 1 / opts.adaptSamples;
    this.initSamples = Math.max(2, Math.min(opts.initSamples, Math.floor(opts.warmupSamples / 3)));
    this.calibrateFrom = this.initSamples + Math.ceil(2 / opts.smoothing);
    this.scoreFrom = Math.max(opts.warmupSamples, this.calibrateFrom + MIN_CALIBRATION);
  }

  ensure(slots: number): void {
    if (slots <= this.capacity) return;
    const c = Math.max(slots, this.capacity * 2, 16);
    this.n = growFloat64(this.n, c);
    this.mean = growFloat64(this.mean, c);
    this.m2 = growFloat64(this.m2, c);
    this.level = growFloat64(this.level, c);
    this.g1 = growFloat64(this.g1, c);
    this.gL = growFloat64(this.gL, c);
    this.n1 = growFloat64(this.n1, c);
    this.nL = growFloat64(this.nL, c);
    this.gain = growFloat64(this.gain, c);
    this.innovSd = growFloat64(this.innovSd, c);
    this.noiseVar = growFloat64(this.noiseVar, c);
    this.ew = growFloat64(this.ew, c);
    this.ring = growFloat64(this.ring, c * (this.lag + 1));
    this.ringCount = growFloat64(this.ringCount, c);
    this.ringPos = growFloat64(this.ringPos, c);
    this.seasonMode = growFloat64(this.seasonMode, c);
    const u = new Float64Array(c).fill(NaN);
    u.set(this.latest.u);
    (this.latest as { u: Float64Array }).u = u;
    (this.latest as { ew: Float64Array }).ew = this.ew;
    this.sketch.ensure(c);
    this.seasonal?.ensure(c);
    this.capacity = c;
  }

  /** Valid samples seen by a slot. */
  samples(slot: number): number {
    return this.n[slot]!;
  }

  isWarm(slot: number): boolean {
    return this.n[slot]! >= this.scoreFrom;
  }

  /**
   * Feeds one valid sample. `learn` = the sample may update what counts as normal (noise,
   * drift, calibration); the level is tracked either way (clipped). Returns the calibrated
   * statistic u (NaN while warming up).
   */
  update(slot: number, timestamp: number, value: number, learn: boolean): number {
    const seasonal = this.seasonal;
    let offset = 0;
    let profileError = 0;
    if (seasonal) {
      // The profiles learn from every valid sample: what recurs at the same time of day is
      // the pattern, and a one-off deviation moves its bin by a fraction only.
      seasonal.learn(slot, timestamp, value);
      const mode = seasonal.mode(slot);
      if (mode !== this.seasonMode[slot]) {
        // A profile was switched on: the tag now models value - profile, whose noise and
        // drift differ from the raw signal's, so it re-learns them (a fresh warm-up).
        this.seasonMode[slot] = mode;
        this.restart(slot);
      }
      if (mode !== SeasonalMode.None) {
        offset = seasonal.offset(slot, timestamp);
        profileError = seasonal.error(slot, timestamp);
      }
    }
    const n = this.n[slot]!;
    const y = value - offset;
    let u = NaN;
    if (n < this.initSamples) {
      // Start-up: the level is the running mean (a Kalman filter with a diffuse prior).
      const d = y - this.mean[slot]!;
      this.mean[slot]! += d / (n + 1);
      this.m2[slot]! += d * (y - this.mean[slot]!);
      this.level[slot] = this.mean[slot]!;
      learn = true;
    } else {
      const sd = this.innovSd[slot]!;
      const e = y - this.level[slot]!;
      // Where the profile itself is uncertain beyond the noise (a pattern changing inside a
      // bin), the tolerance widens by that excess.
      const excess = profileError > 0 ? profileError - this.noiseVar[slot]! : 0;
      const z = clamp(
        e / (excess > 0 ? Math.sqrt(sd * sd + excess) : sd),
        -this.opts.maxAbsZ,
        this.opts.maxAbsZ,
      );
      const k = this.gain[slot]!;
      this.level[slot]! +=
        (k > this.minGain ? k : this.minGain) * clamp(e, -this.opts.huberClip * sd, this.opts.huberClip * sd);
      const ew = (this.ew[slot]! += this.opts.smoothing * (z - this.ew[slot]!));
      const stat = ew * ew;
      // The first EWMA steps after start-up are not yet representative of normal operation.
      if (learn && n >= this.calibrateFrom) this.sketch.add(slot, stat);
      if (n + 1 >= this.scoreFrom && this.sketch.count(slot) > 0) {
        const scale = this.sketch.value(slot);
        // A tag that never moved has scale 0: any movement is then as surprising as it gets.
        u = scale > 0 ? Math.min(stat / scale, MAX_STAT) : stat > 0 ? MAX_STAT : 0;
      }
    }
    this.n[slot] = n + 1;
    this.latest.u[slot] = u;
    if (learn) this.learnNoise(slot, y);
    return u;
  }

  /** Forgets everything learned for a slot (e.g. after the tag was reconfigured). */
  reset(slot: number): void {
    this.restart(slot);
    this.seasonMode[slot] = SeasonalMode.None;
    this.seasonal?.reset(slot);
  }

  /** Forgets the level, noise and calibration of a slot (not its profiles). */
  private restart(slot: number): void {
    this.n[slot] = 0;
    this.mean[slot] = 0;
    this.m2[slot] = 0;
    this.level[slot] = 0;
    this.g1[slot] = 0;
    this.gL[slot] = 0;
    this.n1[slot] = 0;
    this.nL[slot] = 0;
    this.gain[slot] = 0;
    this.innovSd[slot] = 0;
    this.noiseVar[slot] = 0;
    this.ew[slot] = 0;
    this.ringCount[slot] = 0;
    this.ringPos[slot] = 0;
    this.latest.u[slot] = NaN;
    this.sketch.reset(slot);
  }

  /** Updates the variogram with y and derives the Kalman gain and innovation scale. */
  private learnNoise(slot: number, y: number): void {
    const size = this.lag + 1;
    const base = slot * size;
    const count = this.ringCount[slot]!;
    const pos = this.ringPos[slot]!;
    const memory = this.opts.memorySamples;
    // Squared differences are capped at ROBUST_CAP times the current estimate (once it has
    // settled): a mean of squares is not robust, and one wild step the gate let through would
    // otherwise inflate the noise scale for thousands of samples. Genuine growth still gets
    // through at up to ROBUST_CAP per step.
    if (count >= 1) {
      const prev = this.ring[base + ((pos + size - 1) % size)]!;
      const d = y - prev;
      const n1 = (this.n1[slot]! += 1);
      const g = this.g1[slot]!;
      const sq = n1 > SETTLE && d * d > ROBUST_CAP * g ? ROBUST_CAP * g : d * d;
      this.g1[slot] = g + Math.max(1 / n1, 1 / memory) * (sq - g);
    }
    if (count >= this.lag) {
      const old = this.ring[base + ((pos + size - this.lag) % size)]!;
      const d = y - old;
      const nL = (this.nL[slot]! += 1);
      const g = this.gL[slot]!;
      const sq = nL > SETTLE && d * d > ROBUST_CAP * g ? ROBUST_CAP * g : d * d;
      this.gL[slot] = g + Math.max(1 / nL, 1 / memory) * (sq - g);
    }
    this.ring[base + pos] = y;
    this.ringPos[slot] = (pos + 1) % size;
    if (count < size) this.ringCount[slot] = count + 1;

    // Level drift counts only where the lag-L variogram exceeds the lag-1 one by more than
    // three standard errors of their ratio (about sqrt(2/n) each): for white noise the two
    // agree up to estimation noise, and taking that noise for drift would let the level
    // chase every persistent shift away within tens of samples.
    const g1 = this.g1[slot]!;
    const nL = this.nL[slot]!;
    const effective = Math.min(nL, 2 * memory);
    const levelVar =
      nL > 0 ? Math.max(0, (this.gL[slot]! - g1 * (1 + 3 * Math.sqrt(2 / effective))) / (this.lag - 1)) : 0;
    // A floor keeps a perfectly constant signal finite: any change of it is then far out.
    const floor = 1e-18 + 1e-24 * y * y;
    const noiseVar = Math.max((g1 - levelVar) / 2, floor);
    const q = levelVar / noiseVar;
    const p = (q + Math.sqrt(q * q + 4 * q)) / 2; // steady-state prior variance / noise variance
    this.gain[slot] = p / (p + 1);
    this.innovSd[slot] = Math.sqrt(noiseVar * (p + 1));
    this.noiseVar[slot] = noiseVar;
  }
}
