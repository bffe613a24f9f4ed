import type { SampleColumns } from './codec/chunk';

/** Small helpers for columnar samples (t, v, q typed arrays). */

export function allocColumns(n: number): SampleColumns {
  return { t: new Float64Array(n), v: new Float64Array(n), q: new Uint32Array(n) };
}

export function isSortedByTime(t: Float64Array, start: number, end: number): boolean {
  for (let i = start + 1; i < end; i++) if (t[i]! < t[i - 1]!) return false;
  return true;
}

/**
 * Sorts cols[start, end) by time in place, stable: samples with equal timestamps keep their
 * arrival order (the later one is the newer value).
 */
export function sortByTime(cols: SampleColumns, start: number, end: number): void {
  const n = end - start;
  if (n < 2 || isSortedByTime(cols.t, start, end)) return;
  const order = Array.from({ length: n }, (_, i) => i);
  const t = cols.t;
  order.sort((a, b) => t[start + a]! - t[start + b]! || a - b);
  const tc = cols.t.slice(start, end);
  const vc = cols.v.slice(start, end);
  const qc = cols.q.slice(start, end);
  for (let i = 0; i < n; i++) {
    const from = order[i]!;
    cols.t[start + i] = tc[from]!;
    cols.v[start + i] = vc[from]!;
    cols.q[start + i] = qc[from]!;
  }
}

export function copyColumns(
  src: SampleColumns,
  from: number,
  to: number,
  dst: SampleColumns,
  at: number,
): void {
  dst.t.set(src.t.subarray(from, to), at);
  dst.v.set(src.v.subarray(from, to), at);
  dst.q.set(src.q.subarray(from, to), at);
}

/** First index in sorted t[start, end) with t >= x. */
export function lowerBound(t: Float64Array, start: number, end: number, x: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted t[start, end) with t > x. */
export function upperBound(t: Float64Array, start: number, end: number, x: number): number {
  let lo = start;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
