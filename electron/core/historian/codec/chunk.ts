import { ByteReader, type ByteWriter, CorruptBlobError } from './bytes';
import { decodeNumbers, encodeNumbers } from './numbers';

/**
 * A raw chunk: consecutive samples of one tag packed as one BLOB.
 *   u8 format version | uvarint n | timestamps column | values column | quality runs
 * Timestamps use delta-of-delta, values delta coding (see numbers.ts); quality is run-length
 * coded because a status code rarely changes between samples.
 */

const FORMAT_VERSION = 1;
export const TIMESTAMP_COLUMN = { order: 2, maxExponent: 3 } as const;
export const VALUE_COLUMN = { order: 1 } as const;

export interface SampleColumns {
  t: Float64Array;
  v: Float64Array;
  q: Uint32Array;
}

export function encodeChunk(w: ByteWriter, cols: SampleColumns, start: number, end: number): Buffer {
  w.reset();
  const n = end - start;
  w.u8(FORMAT_VERSION);
  w.uvarint(n);
  encodeNumbers(w, cols.t, start, end, TIMESTAMP_COLUMN);
  encodeNumbers(w, cols.v, start, end, VALUE_COLUMN);
  encodeRuns(w, cols.q, start, end);
  return w.toBuffer();
}

/** The sample count stored in a chunk header, without decoding the columns. */
export function chunkLength(data: Uint8Array): number {
  const r = new ByteReader(data);
  readVersion(r);
  return r.uvarint();
}

/** Decodes a chunk into out[at, at + n); the arrays must have room. Returns n. */
export function decodeChunkInto(data: Uint8Array, out: SampleColumns, at: number): number {
  const r = new ByteReader(data);
  readVersion(r);
  const n = r.uvarint();
  if (at + n > out.t.length) throw new RangeError('decodeChunkInto: output too small');
  decodeNumbers(r, n, out.t, at, TIMESTAMP_COLUMN);
  decodeNumbers(r, n, out.v, at, VALUE_COLUMN);
  decodeRuns(r, n, out.q, at);
  if (r.remaining !== 0) throw new CorruptBlobError(`${r.remaining} trailing bytes in chunk`);
  return n;
}

export function decodeChunk(data: Uint8Array): SampleColumns {
  const n = chunkLength(data);
  const out: SampleColumns = {
    t: new Float64Array(n),
    v: new Float64Array(n),
    q: new Uint32Array(n),
  };
  decodeChunkInto(data, out, 0);
  return out;
}

function readVersion(r: ByteReader): void {
  const version = r.u8();
  if (version !== FORMAT_VERSION) throw new CorruptBlobError(`unknown chunk format ${version}`);
}

/** Run-length coding of an unsigned 32-bit column: runs, then (value, length) pairs. */
export function encodeRuns(w: ByteWriter, src: ArrayLike<number>, start: number, end: number): void {
  let runs = 0;
  for (let i = start; i < end; i++) if (i === start || src[i] !== src[i - 1]) runs++;
  w.uvarint(runs);
  let i = start;
  while (i < end) {
    const value = src[i]!;
    let j = i + 1;
    while (j < end && src[j] === value) j++;
    w.uvarint(value);
    w.uvarint(j - i);
    i = j;
  }
}

export function decodeRuns(r: ByteReader, n: number, out: Uint32Array, at: number): void {
  const runs = r.uvarint();
  let i = 0;
  for (let k = 0; k < runs; k++) {
    const value = r.uvarint();
    const length = r.uvarint();
    if (i + length > n) throw new CorruptBlobError('quality runs longer than the chunk');
    out.fill(value, at + i, at + i + length);
    i += length;
  }
  if (i !== n) throw new CorruptBlobError('quality runs shorter than the chunk');
}
