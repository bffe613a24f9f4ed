import type { SampleColumns } from './codec/chunk';

/**
 * Aggregates of samples over time buckets, columnar. Used for stored rollups (1 s, 1 min, 1 h
 * buckets), for the pixel columns of a chart (M4) and for report intervals.
 *
 * Definitions (kept identical everywhere, so a rollup equals the aggregate of its raw samples):
 * - `count` counts every sample, `worst` is the worst OPC UA status among them (Bad > Uncertain >
 *   Good by the top two bits; the first such code is kept).
 * - The value statistics (min, max, sum, first, last and their times) use only the samples whose
 *   value is finite and whose status is not Bad: `vcount` of them. A disconnected sensor's
 *   placeholder value must not drag a trend or a report mean. With vcount = 0 they are NaN.
 * - Ties: first/min/max keep the earliest sample, last keeps the latest (in time, then arrival).
 */
export class Buckets {
  length = 0;
  start: Float64Array;
  count: Float64Array;
  vcount: Float64Array;
  min: Float64Array;
  max: Float64Array;
  sum: Float64Array;
  first: Float64Array;
  last: Float64Array;
  tFirst: Float64Array;
  tLast: Float64Array;
  tMin: Float64Array;
  tMax: Float64Array;
  worst: Uint32Array;

  constructor(capacity = 16) {
    const c = Math.max(1, capacity);
    this.start = new Float64Array(c);
    this.count = new Float64Array(c);
    this.vcount = new Float64Array(c);
    this.min = new Float64Array(c);
    this.max = new Float64Array(c);
    this.sum = new Float64Array(c);
    this.first = new Float64Array(c);
    this.last = new Float64Array(c);
    this.tFirst = new Float64Array(c);
    this.tLast = new Float64Array(c);
    this.tMin = new Float64Array(c);
    this.tMax = new Float64Array(c);
    this.worst = new Uint32Array(c);
  }

  get capacity(): number {
    return this.start.length;
  }

  /** Makes room for `extra` more buckets. */
  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.capacity) return;
    let c = this.capacity * 2;
    while (c < needed) c *= 2;
    const grow = (a: Float64Array): Float64Array => {
      const next = new Float64Array(c);
      next.set(a.subarray(0, this.length));
      return next;
    };
    this.start = grow(this.start);
    this.count = grow(this.count);
    this.vcount = grow(this.vcount);
    this.min = grow(this.min);
    this.max = grow(this.max);
    this.sum = grow(this.sum);
    this.first = grow(this.first);
    this.last = grow(this.last);
    this.tFirst = grow(this.tFirst);
    this.tLast = grow(this.tLast);
    this.tMin = grow(this.tMin);
    this.tMax = grow(this.tMax);
    const worst = new Uint32Array(c);
    worst.set(this.worst.subarray(0, this.length));
    this.worst = worst;
  }

  /** Appends an empty bucket (count 0) starting at `start`; returns its index. */
  pushEmpty(start: number): number {
    this.reserve(1);
    const i = this.length++;
    this.start[i] = start;
    this.clear(i);
    return i;
  }

  clear(i: number): void {
    this.count[i] = 0;
    this.vcount[i] = 0;
    this.min[i] = NaN;
    this.max[i] = NaN;
    this.sum[i] = 0;
    this.first[i] = NaN;
    this.last[i] = NaN;
    this.tFirst[i] = NaN;
    this.tLast[i] = NaN;
    this.tMin[i] = NaN;
    this.tMax[i] = NaN;
    this.worst[i] = 0;
  }

  /** Copies bucket j of `src` to the end of this set. */
  pushFrom(src: Buckets, j: number): void {
    this.reserve(1);
    const i = this.length++;
    this.start[i] = src.start[j]!;
    this.count[i] = src.count[j]!;
    this.vcount[i] = src.vcount[j]!;
    this.min[i] = src.min[j]!;
    this.max[i] = src.max[j]!;
    this.sum[i] = src.sum[j]!;
    this.first[i] = src.first[j]!;
    this.last[i] = src.last[j]!;
    this.tFirst[i] = src.tFirst[j]!;
    this.tLast[i] = src.tLast[j]!;
    this.tMin[i] = src.tMin[j]!;
    this.tMax[i] = src.tMax[j]!;
    this.worst[i] = src.worst[j]!;
  }

  /** Folds one sample into bucket i. Samples of a bucket must arrive in time order. */
  addSample(i: number, t: number, v: number, q: number): void {
    this.count[i]!++;
    if (isWorse(q, this.worst[i]!, this.count[i] === 1)) this.worst[i] = q;
    if (!isUsable(v, q)) return;
    if (this.vcount[i] === 0) {
      this.vcount[i] = 1;
      this.min[i] = v;
      this.max[i] = v;
      this.sum[i] = v;
      this.first[i] = v;
      this.last[i] = v;
      this.tFirst[i] = t;
      this.tLast[i] = t;
      this.tMin[i] = t;
      this.tMax[i] = t;
      return;
    }
    this.vcount[i]!++;
    this.sum[i]! += v;
    if (v < this.min[i]!) {
      this.min[i] = v;
      this.tMin[i] = t;
    }
    if (v > this.max[i]!) {
      this.max[i] = v;
      this.tMax[i] = t;
    }
    if (t < this.tFirst[i]!) {
      this.first[i] = v;
      this.tFirst[i] = t;
    }
    if (t >= this.tLast[i]!) {
      this.last[i] = v;
      this.tLast[i] = t;
    }
  }

  /** Folds bucket j of `src` (newer data) into bucket i of this set (older data). */
  addBucket(i: number, src: Buckets, j: number): void {
    const count = src.count[j]!;
    if (count === 0) return;
    const wasEmpty = this.count[i] === 0;
    this.count[i]! += count;
    if (isWorse(src.worst[j]!, this.worst[i]!, wasEmpty)) this.worst[i] = src.worst[j]!;
    const vcount = src.vcount[j]!;
    if (vcount === 0) return;
    if (this.vcount[i] === 0) {
      this.vcount[i] = vcount;
      this.min[i] = src.min[j]!;
      this.max[i] = src.max[j]!;
      this.sum[i] = src.sum[j]!;
      this.first[i] = src.first[j]!;
      this.last[i] = src.last[j]!;
      this.tFirst[i] = src.tFirst[j]!;
      this.tLast[i] = src.tLast[j]!;
      this.tMin[i] = src.tMin[j]!;
      this.tMax[i] = src.tMax[j]!;
      return;
    }
    this.vcount[i]! += vcount;
    this.sum[i]! += src.sum[j]!;
    if (src.min[j]! < this.min[i]!) {
      this.min[i] = src.min[j]!;
      this.tMin[i] = src.tMin[j]!;
    }
    if (src.max[j]! > this.max[i]!) {
      this.max[i] = src.max[j]!;
      this.tMax[i] = src.tMax[j]!;
    }
    if (src.tFirst[j]! < this.tFirst[i]!) {
      this.first[i] = src.first[j]!;
      this.tFirst[i] = src.tFirst[j]!;
    }
    if (src.tLast[j]! >= this.tLast[i]!) {
      this.last[i] = src.last[j]!;
      this.tLast[i] = src.tLast[j]!;
    }
  }
}

/** Severity rank from the top two bits of the StatusCode: 0 Good, 1 Uncertain, 2 Bad. */
export function qualityRank(q: number): number {
  const top = q >>> 30;
  return top >= 2 ? 2 : top;
}

/** A value counts in the statistics when it is a number and its status is not Bad. */
export function isUsable(v: number, q: number): boolean {
  return q >>> 30 < 2 && Number.isFinite(v);
}

function isWorse(candidate: number, current: number, isFirst: boolean): boolean {
  return isFirst || qualityRank(candidate) > qualityRank(current);
}

/**
 * Appends the buckets of width `res` (ms, aligned to the epoch) of the samples
 * cols[start, end), which must be sorted by time.
 */
export function bucketize(cols: SampleColumns, start: number, end: number, res: number, out: Buckets): void {
  const { t, v, q } = cols;
  let i = start;
  while (i < end) {
    const bucketStart = Math.floor(t[i]! / res) * res;
    const bucketEnd = bucketStart + res;
    const b = out.pushEmpty(bucketStart);
    while (i < end && t[i]! < bucketEnd) {
      out.addSample(b, t[i]!, v[i]!, q[i]!);
      i++;
    }
  }
}

/** Re-buckets sorted buckets into coarser buckets of width `res` (a multiple of theirs). */
export function coarsen(src: Buckets, res: number, out: Buckets): void {
  let j = 0;
  while (j < src.length) {
    const bucketStart = Math.floor(src.start[j]! / res) * res;
    const bucketEnd = bucketStart + res;
    const b = out.pushEmpty(bucketStart);
    while (j < src.length && src.start[j]! < bucketEnd) {
      out.addBucket(b, src, j);
      j++;
    }
  }
}

/**
 * Merges `older` with newer[from, to), both sorted by start; buckets with equal starts combine
 * (the newer one folded into the older one). Writes into `out` (cleared) when given.
 */
export function mergeBuckets(
  older: Buckets,
  newer: Buckets,
  from = 0,
  to = newer.length,
  into?: Buckets,
): Buckets {
  const out = into ?? new Buckets(older.length + (to - from));
  out.length = 0;
  let a = 0;
  let b = from;
  while (a < older.length || b < to) {
    const sa = a < older.length ? older.start[a]! : Infinity;
    const sb = b < to ? newer.start[b]! : Infinity;
    if (sa < sb) out.pushFrom(older, a++);
    else if (sb < sa) out.pushFrom(newer, b++);
    else {
      out.pushFrom(older, a++);
      out.addBucket(out.length - 1, newer, b++);
    }
  }
  return out;
}
