import type { Range } from './euRange';

/**
 * N synthetic signals for load tests: a sine per tag with its own offset, amplitude, frequency and
 * phase, plus a little noise, all kept in typed arrays so one tick over 10,000 tags allocates
 * nothing but the values handed to the server.
 */
export class BulkSignals {
  readonly count: number;
  private readonly offset: Float64Array;
  private readonly amplitude: Float64Array;
  private readonly omega: Float64Array;
  private readonly phase: Float64Array;
  private readonly noise: Float64Array;
  private seed: number;

  constructor(count: number, seed = 0x5eed) {
    this.count = count;
    this.offset = new Float64Array(count);
    this.amplitude = new Float64Array(count);
    this.omega = new Float64Array(count);
    this.phase = new Float64Array(count);
    this.noise = new Float64Array(count);
    this.seed = seed >>> 0 || 1;
    for (let i = 0; i < count; i++) {
      // Spread over coprime-ish cycles so no two tags share all parameters.
      this.offset[i] = 10 * (i % 100);
      this.amplitude[i] = 1 + (i % 7);
      this.omega[i] = 2 * Math.PI * (0.05 + 0.01 * (i % 53)); // 0.05 .. 0.57 Hz
      this.phase[i] = (2 * Math.PI * ((i * 0.618033988749895) % 1)) % (2 * Math.PI);
      this.noise[i] = 0.02 * this.amplitude[i]!;
    }
  }

  /** The value of tag `index` at `tSeconds` since the start. */
  valueAt(index: number, tSeconds: number): number {
    const sine = Math.sin(this.omega[index]! * tSeconds + this.phase[index]!);
    return this.offset[index]! + this.amplitude[index]! * sine + this.noise[index]! * (2 * this.random() - 1);
  }

  /** Every value stays inside this range: offset +- (amplitude + noise), with a margin. */
  rangeOf(index: number): Range {
    const reach = (this.amplitude[index]! + this.noise[index]!) * 1.1;
    return { low: this.offset[index]! - reach, high: this.offset[index]! + reach };
  }

  /** xorshift32: fast, deterministic for a seed, good enough for measurement noise. */
  private random(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 4294967296;
  }
}
