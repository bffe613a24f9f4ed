import { QuantileSketch } from './quantileSketch';
import { MAX_STAT } from './tagModel';

/**
 * Shrinkage of the covariance towards its diagonal, p / n (tags over samples learned) within
 * [1%, 50%]: what keeps the inverse stable with few samples, fading as the estimate firms
 * up (the ratio that governs its error; Ledoit & Wolf, J. Multivariate Anal. 2004).
 */
const MIN_SHRINKAGE = 0.01;
const MAX_SHRINKAGE = 0.5;
/** The Cholesky factor is refreshed after this many covariance updates (and at every early one). */
const REFACTOR_EVERY = 25;

/**
 * The multivariate statistic of one asset: the Mahalanobis distance of the vector of its
 * tags' smoothed innovations from zero, under their learned (exponentially weighted,
 * shrunk) covariance. It is the MEWMA chart of Lowry et al. (Technometrics 1992) applied to
 * the innovations of the per-tag models, so it sees what no single tag shows: tags whose
 * innovations normally move together (a pump's current and flow) moving apart. Like the
 * per-tag statistics it is calibrated by a streaming quantile of its own normal history.
 */
export class MultivariateModel {
  readonly size: number;
  private readonly cov: Float64Array;
  private readonly chol: Float64Array;
  private readonly x: Float64Array;
  private readonly w: Float64Array;
  private updates = 0;
  private sinceFactor = 0;
  private factored = false;
  private readonly sketch: QuantileSketch;
  /** Contribution of each member to the latest distance (sums to the distance), for "top tags". */
  readonly contributions: Float64Array;

  constructor(
    /** Slots of the member tags, in a fixed order. */
    readonly slots: Int32Array,
    private readonly memory: number,
    quantile: number,
    calibrationMemory: number,
  ) {
    const p = slots.length;
    this.size = p;
    this.cov = new Float64Array(p * p);
    this.chol = new Float64Array(p * p);
    this.x = new Float64Array(p);
    this.w = new Float64Array(p);
    this.contributions = new Float64Array(p);
    this.sketch = new QuantileSketch(quantile, calibrationMemory);
    this.sketch.ensure(1);
  }

  /** Samples needed before the statistic is issued: enough for a covariance and a quantile. */
  get ready(): boolean {
    return this.factored && this.updates >= Math.max(50, 5 * this.size) && this.sketch.count(0) >= 50;
  }

  /**
   * Evaluates the members' current smoothed innovations `ew` (indexed by slot). Returns the
   * calibrated statistic (1 = the calibration quantile) or NaN before it is ready. With
   * `learn`, the vector also updates the covariance and the calibration.
   */
  evaluate(ew: Float64Array, learn: boolean): number {
    const p = this.size;
    const x = this.x;
    for (let a = 0; a < p; a++) x[a] = ew[this.slots[a]!]!;
    let d2 = NaN;
    if (this.factored) d2 = this.distance();
    if (learn) {
      this.learn();
      if (d2 === d2 && this.updates > Math.max(50, 5 * p) / 2) this.sketch.add(0, d2);
    }
    if (!this.ready || d2 !== d2) return NaN;
    const scale = this.sketch.value(0);
    return scale > 0 ? Math.min(d2 / scale, MAX_STAT) : d2 > 0 ? MAX_STAT : 0;
  }

  /** d2 = x' S^-1 x through the Cholesky factor L (S = L L'): solve L w = x, d2 = |w|^2. */
  private distance(): number {
    const p = this.size;
    const L = this.chol;
    const x = this.x;
    const w = this.w;
    let d2 = 0;
    for (let i = 0; i < p; i++) {
      let s = x[i]!;
      for (let k = 0; k < i; k++) s -= L[i * p + k]! * w[k]!;
      const v = s / L[i * p + i]!;
      w[i] = v;
      d2 += v * v;
    }
    // Contributions x_i (S^-1 x)_i: solve L' v = w in place of w to get S^-1 x.
    for (let i = p - 1; i >= 0; i--) {
      let s = w[i]!;
      for (let k = i + 1; k < p; k++) s -= L[k * p + i]! * w[k]!;
      w[i] = s / L[i * p + i]!;
    }
    for (let i = 0; i < p; i++) this.contributions[i] = x[i]! * w[i]!;
    return d2;
  }

  private learn(): void {
    const p = this.size;
    const x = this.x;
    const a = Math.max(1 / (this.updates + 1), 1 / this.memory);
    this.updates++;
    const c = this.cov;
    for (let i = 0; i < p; i++) {
      const xi = x[i]!;
      for (let j = 0; j <= i; j++) c[i * p + j]! += a * (xi * x[j]! - c[i * p + j]!);
    }
    if (++this.sinceFactor >= REFACTOR_EVERY || this.updates < 2 * REFACTOR_EVERY) this.factor();
  }

  /** Cholesky factor of the shrunk covariance (lower triangle of cov is the source). */
  private factor(): void {
    this.sinceFactor = 0;
    const p = this.size;
    const c = this.cov;
    const L = this.chol;
    // A small ridge keeps a member that never moved (variance 0) from breaking the factorization.
    let trace = 0;
    for (let i = 0; i < p; i++) trace += c[i * p + i]!;
    const ridge = 1e-6 * (trace / p) + 1e-300;
    const shrinkage = Math.min(MAX_SHRINKAGE, Math.max(MIN_SHRINKAGE, p / Math.max(1, this.updates)));
    for (let i = 0; i < p; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? c[i * p + i]! + ridge : (1 - shrinkage) * c[i * p + j]!;
        for (let k = 0; k < j; k++) s -= L[i * p + k]! * L[j * p + k]!;
        if (i === j) {
          if (!(s > 0)) {
            this.factored = false;
            return;
          }
          L[i * p + i] = Math.sqrt(s);
        } else {
          L[i * p + j] = s / L[j * p + j]!;
        }
      }
    }
    this.factored = true;
  }
}
