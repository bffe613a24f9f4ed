/**
 * Fixed-capacity ring buffer of one tag's samples, in typed arrays so the live firehose
 * allocates nothing per sample and never enters React state.
 *
 * Samples are kept in ascending time order: a sample not newer than the last one is refused
 * (counted in `refused`). That is what lets history (getRecent) and live updates overlap
 * without duplicating points, and what uPlot needs (ascending x values).
 */
export interface SampleColumns {
  t: Float64Array;
  v: Float64Array;
  q: Uint32Array;
}

export class SampleRingBuffer {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private readonly qualities: Uint32Array;
  /** Index of the oldest sample. */
  private head = 0;
  private count = 0;
  private refusedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Ring buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.qualities = new Uint32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Samples refused because they were not newer than the newest one held. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Time of the newest sample, NaN when empty. */
  get lastTime(): number {
    return this.count === 0 ? NaN : this.times[this.physical(this.count - 1)]!;
  }

  get lastValue(): number {
    return this.count === 0 ? NaN : this.values[this.physical(this.count - 1)]!;
  }

  get lastQuality(): number {
    return this.count === 0 ? 0 : this.qualities[this.physical(this.count - 1)]!;
  }

  /** Appends a sample, overwriting the oldest when full. Returns false (and counts it) when out of order. */
  push(t: number, v: number, q: number): boolean {
    if (!Number.isFinite(t) || (this.count > 0 && t <= this.lastTime)) {
      this.refusedCount++;
      return false;
    }
    let slot: number;
    if (this.count < this.capacity) {
      slot = this.physical(this.count);
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.times[slot] = t;
    this.values[slot] = v;
    this.qualities[slot] = q >>> 0;
    return true;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  /** Time of the sample at a logical index (0 = oldest). */
  timeAt(index: number): number {
    if (index < 0 || index >= this.count) throw new RangeError(`No sample at index ${index}`);
    return this.times[this.physical(index)]!;
  }

  /** Logical index (0 = oldest) of the first sample with time >= sinceT; `length` if none. */
  indexSince(sinceT: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[this.physical(mid)]! < sinceT) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Copies the samples with time >= sinceT, oldest first, into `out` (which must hold `capacity`
   * samples, so it can be reused frame after frame) and returns how many were copied.
   */
  copyInto(out: SampleColumns, sinceT = -Infinity): number {
    if (out.t.length < this.count || out.v.length < this.count || out.q.length < this.count) {
      throw new RangeError('Output columns are smaller than the buffer');
    }
    const from = this.indexSince(sinceT);
    const n = this.count - from;
    if (n === 0) return 0;
    const start = this.physical(from);
    // At most two contiguous segments: start..end of the arrays, then 0..rest.
    const first = Math.min(n, this.capacity - start);
    out.t.set(this.times.subarray(start, start + first), 0);
    out.v.set(this.values.subarray(start, start + first), 0);
    out.q.set(this.qualities.subarray(start, start + first), 0);
    const rest = n - first;
    if (rest > 0) {
      out.t.set(this.times.subarray(0, rest), first);
      out.v.set(this.values.subarray(0, rest), first);
      out.q.set(this.qualities.subarray(0, rest), first);
    }
    return n;
  }

  /** Convenience read-out in fresh arrays, oldest first (tests, one-off use). */
  toColumns(sinceT = -Infinity): SampleColumns {
    const out = allocateColumns(this.count);
    const n = this.copyInto(out, sinceT);
    return { t: out.t.subarray(0, n), v: out.v.subarray(0, n), q: out.q.subarray(0, n) };
  }

  private physical(logical: number): number {
    return (this.head + logical) % this.capacity;
  }
}

export function allocateColumns(size: number): SampleColumns {
  return { t: new Float64Array(size), v: new Float64Array(size), q: new Uint32Array(size) };
}
