import { type Buckets } from '../buckets';
import { ByteReader, type ByteWriter, CorruptBlobError } from './bytes';
import { decodeRuns, encodeRuns } from './chunk';
import { decodeNumbers, encodeNumbers } from './numbers';

/**
 * A rollup block: the buckets of one tag at one resolution inside one epoch-aligned window,
 * packed as one BLOB, one column after the other:
 *   u8 version | uvarint n | bucket index | count | vcount
 *   | first, tFirst (buckets with vcount >= 1)
 *   | min, max, sum, last, tLast, tMin, tMax (buckets with vcount >= 2) | worst status runs
 * Bucket times are stored as offsets from the bucket start. A bucket holding a single value
 * (a 1 Hz tag at 1 s resolution) stores just that value and its time, so fine rollups of slow
 * tags cost about as much as the raw samples, not six times more.
 */

const FORMAT_VERSION = 1;
const INDEX_COLUMN = { order: 2 } as const;
const INT_COLUMN = { order: 1 } as const;
const VALUE_COLUMN = { order: 1 } as const;
const OFFSET_COLUMN = { order: 1, maxExponent: 3 } as const;

export function encodeRollupBlock(
  w: ByteWriter,
  b: Buckets,
  from: number,
  to: number,
  blockStart: number,
  res: number,
): Buffer {
  w.reset();
  const n = to - from;
  w.u8(FORMAT_VERSION);
  w.uvarint(n);
  const scratch = new Float64Array(n);
  for (let i = 0; i < n; i++) scratch[i] = Math.round((b.start[from + i]! - blockStart) / res);
  encodeNumbers(w, scratch, 0, n, INDEX_COLUMN);
  encodeNumbers(w, b.count, from, to, INT_COLUMN);
  encodeNumbers(w, b.vcount, from, to, INT_COLUMN);

  const gather = (pick: (i: number) => number, minVcount: number): number => {
    let k = 0;
    for (let i = from; i < to; i++) if (b.vcount[i]! >= minVcount) scratch[k++] = pick(i);
    return k;
  };
  let k = gather((i) => b.first[i]!, 1);
  encodeNumbers(w, scratch, 0, k, VALUE_COLUMN);
  k = gather((i) => b.tFirst[i]! - b.start[i]!, 1);
  encodeNumbers(w, scratch, 0, k, OFFSET_COLUMN);
  for (const [column, kind] of [
    [b.min, VALUE_COLUMN],
    [b.max, VALUE_COLUMN],
    [b.sum, VALUE_COLUMN],
    [b.last, VALUE_COLUMN],
  ] as const) {
    k = gather((i) => column[i]!, 2);
    encodeNumbers(w, scratch, 0, k, kind);
  }
  for (const column of [b.tLast, b.tMin, b.tMax]) {
    k = gather((i) => column[i]! - b.start[i]!, 2);
    encodeNumbers(w, scratch, 0, k, OFFSET_COLUMN);
  }
  encodeRuns(w, b.worst, from, to);
  return w.toBuffer();
}

/** Appends the buckets stored in a block to `out`. Returns how many were appended. */
export function decodeRollupBlock(data: Uint8Array, blockStart: number, res: number, out: Buckets): number {
  const r = new ByteReader(data);
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw new CorruptBlobError(`unknown rollup format ${version}`);
  const n = r.uvarint();
  out.reserve(n);
  const base = out.length;
  const scratch = new Float64Array(n);
  decodeNumbers(r, n, scratch, 0, INDEX_COLUMN);
  for (let i = 0; i < n; i++) {
    out.start[base + i] = blockStart + scratch[i]! * res;
    out.clear(base + i);
  }
  decodeNumbers(r, n, out.count, base, INT_COLUMN);
  decodeNumbers(r, n, out.vcount, base, INT_COLUMN);
  let withValue = 0;
  let withSpread = 0;
  for (let i = base; i < base + n; i++) {
    const vc = out.vcount[i]!;
    if (vc >= 1) withValue++;
    if (vc >= 2) withSpread++;
  }

  const scatter = (k: number, minVcount: number, put: (i: number, x: number) => void): void => {
    let j = 0;
    for (let i = base; i < base + n; i++) if (out.vcount[i]! >= minVcount) put(i, scratch[j++]!);
    if (j !== k) throw new CorruptBlobError('rollup column length mismatch');
  };
  decodeNumbers(r, withValue, scratch, 0, VALUE_COLUMN);
  scatter(withValue, 1, (i, x) => {
    out.first[i] = x;
    out.min[i] = x;
    out.max[i] = x;
    out.sum[i] = x;
    out.last[i] = x;
  });
  decodeNumbers(r, withValue, scratch, 0, OFFSET_COLUMN);
  scatter(withValue, 1, (i, x) => {
    const t = out.start[i]! + x;
    out.tFirst[i] = t;
    out.tLast[i] = t;
    out.tMin[i] = t;
    out.tMax[i] = t;
  });
  for (const column of [out.min, out.max, out.sum, out.last]) {
    decodeNumbers(r, withSpread, scratch, 0, VALUE_COLUMN);
    scatter(withSpread, 2, (i, x) => (column[i] = x));
  }
  for (const column of [out.tLast, out.tMin, out.tMax]) {
    decodeNumbers(r, withSpread, scratch, 0, OFFSET_COLUMN);
    scatter(withSpread, 2, (i, x) => (column[i] = out.start[i]! + x));
  }
  decodeRuns(r, n, out.worst, base);
  if (r.remaining !== 0) throw new CorruptBlobError(`${r.remaining} trailing bytes in rollup block`);
  out.length = base + n;
  return n;
}
