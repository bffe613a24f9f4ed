import { describe, expect, it } from 'vitest';
import { Buckets, bucketize } from '../buckets';
import { ByteReader, ByteWriter, CorruptBlobError, unzigzag, zigzag } from './bytes';
import { decodeChunk, encodeChunk } from './chunk';
import { decodeNumbers, encodeNumbers, type NumberColumnOptions } from './numbers';
import { decodeRollupBlock, encodeRollupBlock } from './rollupBlock';

/** Compares float64 arrays bit for bit (NaN payloads, -0 included). */
function expectSameBits(actual: Float64Array, expected: ArrayLike<number>): void {
  const e = Float64Array.from(expected);
  expect(actual.length).toBe(e.length);
  const a64 = new BigUint64Array(actual.buffer, actual.byteOffset, actual.length);
  const e64 = new BigUint64Array(e.buffer, e.byteOffset, e.length);
  for (let i = 0; i < e.length; i++) {
    if (a64[i] !== e64[i]) throw new Error(`value ${i}: got ${actual[i]} expected ${e[i]}`);
  }
}

function roundTrip(
  values: ArrayLike<number>,
  options: NumberColumnOptions,
): { decoded: Float64Array; bytes: number } {
  const w = new ByteWriter(16);
  encodeNumbers(w, values, 0, values.length, options);
  const bytes = w.pos;
  const decoded = new Float64Array(values.length);
  const r = new ByteReader(w.written());
  decodeNumbers(r, values.length, decoded, 0, options);
  expect(r.remaining).toBe(0);
  return { decoded, bytes };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('varints and zigzag', () => {
  it('round-trips integers across the 32-bit boundary (unsigned to 2^53, signed to 2^52)', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, 2 ** 52];
    const w = new ByteWriter(4);
    for (const v of values) {
      w.uvarint(v);
      w.svarint(-v);
      w.svarint(v);
    }
    w.uvarint(2 ** 53 - 1);
    const r = new ByteReader(w.written());
    for (const v of values) {
      expect(r.uvarint()).toBe(v);
      expect(r.svarint()).toBe(-v || 0);
      expect(r.svarint()).toBe(v);
    }
    expect(r.uvarint()).toBe(2 ** 53 - 1);
    for (const v of [-(2 ** 40), -1, 0, 5, 2 ** 45]) expect(unzigzag(zigzag(v))).toBe(v);
  });

  it('reports truncated data as corruption instead of reading garbage', () => {
    const w = new ByteWriter();
    w.uvarint(2 ** 50);
    const cut = w.written().subarray(0, 3);
    expect(() => new ByteReader(cut).uvarint()).toThrow(CorruptBlobError);
  });
});

describe('number columns', () => {
  const value: NumberColumnOptions = { order: 1 };
  const time: NumberColumnOptions = { order: 2, maxExponent: 3 };

  it('stores two-decimal sensor values in about a byte each, exactly', () => {
    const r = rng(1);
    let level = 642.5;
    const values = Array.from(
      { length: 5000 },
      () => (level = Math.round((level + (r() - 0.5) * 0.3) * 100) / 100),
    );
    const { decoded, bytes } = roundTrip(values, value);
    expectSameBits(decoded, values);
    expect(bytes / values.length).toBeLessThan(1.6);
  });

  it('stores a regular clock in a few bytes in total', () => {
    const start = Date.UTC(2024, 5, 1, 12);
    const t = Array.from({ length: 4096 }, (_, i) => start + i * 1000);
    const { decoded, bytes } = roundTrip(t, time);
    expectSameBits(decoded, t);
    expect(bytes).toBeLessThan(24);
  });

  it('keeps fractional milliseconds and jitter exactly', () => {
    const r = rng(2);
    const start = 1_717_243_200_123.5;
    const t = Array.from({ length: 1000 }, (_, i) => start + i * 100 + Math.floor(r() * 7) * 0.25);
    const { decoded } = roundTrip(t, time);
    expectSameBits(decoded, t);
  });

  it('keeps NaN, infinities and -0 as exceptions without losing the scheme', () => {
    const values = Array.from({ length: 400 }, (_, i) => i / 4);
    values[3] = NaN;
    values[50] = -0;
    values[51] = Infinity;
    values[399] = -Infinity;
    const { decoded, bytes } = roundTrip(values, value);
    expectSameBits(decoded, values);
    expect(bytes).toBeLessThan(400 * 2);
  });

  it('falls back to float32 for PLC REAL values and float64 for arbitrary doubles', () => {
    const r = rng(3);
    const reals = Array.from({ length: 1000 }, () => Math.fround(r() * 1000));
    const f32 = roundTrip(reals, value);
    expectSameBits(f32.decoded, reals);
    expect(f32.bytes).toBeLessThanOrEqual(1000 * 4 + 16);
    const doubles = Array.from({ length: 1000 }, () => r() * 1e6 - 5e5);
    const f64 = roundTrip(doubles, value);
    expectSameBits(f64.decoded, doubles);
    expect(f64.bytes).toBeLessThanOrEqual(1000 * 8 + 16);
  });

  it('handles constant columns, NaN-only columns, single values and huge magnitudes', () => {
    for (const values of [
      new Array(100).fill(42.125),
      new Array(10).fill(NaN),
      [7],
      [1e300, -1e300, 5e-324, 2 ** 60, -(2 ** 60)],
      [2 ** 50, -(2 ** 50), 2 ** 50, -(2 ** 50), 3],
      [-0, 0, -0, 1.5],
      [0.1, 0.2, 0.30000000000000004],
    ]) {
      expectSameBits(roundTrip(values, value).decoded, values);
      expectSameBits(
        roundTrip(
          values.map((v) => (Number.isFinite(v) ? v : 0)),
          time,
        ).decoded,
        values.map((v) => (Number.isFinite(v) ? v : 0)),
      );
    }
  });
});

describe('number columns under random mixes', () => {
  it('decodes every generated column to the same bits', () => {
    const r = rng(9);
    const generators: (() => number)[] = [
      () => Math.round(r() * 1e6) / 1000,
      () => Math.floor(r() * 2 ** 40) - 2 ** 39,
      () => Math.fround(r() * 100),
      () => r() * 1e9,
      () => [NaN, Infinity, -Infinity, -0, 0][Math.floor(r() * 5)]!,
      () => 1e15 + Math.floor(r() * 1000) / 8,
      () => -Math.round(r() * 100) / 10,
    ];
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(r() * 300);
      const picks = generators.filter(() => r() < 0.5);
      const gens = picks.length ? picks : [generators[0]!];
      const values = Array.from({ length: n }, () => gens[Math.floor(r() * gens.length)]!());
      expectSameBits(roundTrip(values, { order: 1 }).decoded, values);
      const finite = values.map((v) => (Number.isFinite(v) ? v : 1));
      expectSameBits(roundTrip(finite, { order: 2, maxExponent: 3 }).decoded, finite);
    }
  });
});

describe('raw chunks', () => {
  it('round-trips samples with quality runs and rejects damaged blobs', () => {
    const n = 3000;
    const cols = {
      t: Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 250),
      v: Float64Array.from({ length: n }, (_, i) => Math.round(Math.sin(i / 50) * 1e4) / 100),
      q: Uint32Array.from({ length: n }, (_, i) =>
        i > 1000 && i < 1100 ? 0x80000000 : i % 700 === 0 ? 0x40000000 : 0,
      ),
    };
    const w = new ByteWriter();
    const blob = encodeChunk(w, cols, 100, n);
    const back = decodeChunk(blob);
    expectSameBits(back.t, cols.t.subarray(100));
    expectSameBits(back.v, cols.v.subarray(100));
    expect(Array.from(back.q)).toEqual(Array.from(cols.q.subarray(100)));
    expect(blob.length / (n - 100)).toBeLessThan(2.5);

    expect(() => decodeChunk(blob.subarray(0, blob.length - 3))).toThrow(CorruptBlobError);
    const wrongVersion = Buffer.from(blob);
    wrongVersion[0] = 99;
    expect(() => decodeChunk(wrongVersion)).toThrow(/unknown chunk format/);
  });
});

describe('rollup blocks', () => {
  it('round-trips buckets with empty, single and many usable values bit for bit', () => {
    const r = rng(5);
    const n = 5000;
    const cols = {
      t: new Float64Array(n),
      v: new Float64Array(n),
      q: new Uint32Array(n),
    };
    let t = 1_700_000_000_000;
    for (let i = 0; i < n; i++) {
      t += r() < 0.1 ? 3000 : Math.floor(r() * 400);
      cols.t[i] = t;
      cols.v[i] = r() < 0.02 ? NaN : Math.round(r() * 10000) / 100;
      cols.q[i] = r() < 0.05 ? 0x80320000 : r() < 0.05 ? 0x40000000 : 0;
    }
    const buckets = new Buckets();
    bucketize(cols, 0, n, 1000, buckets);
    const block = Math.floor(buckets.start[0]! / 256_000) * 256_000;
    const end = buckets.start.findIndex((s, i) => i >= buckets.length || s >= block + 256_000);
    const to = end === -1 ? buckets.length : end;
    const w = new ByteWriter();
    const blob = encodeRollupBlock(w, buckets, 0, to, block, 1000);
    const back = new Buckets();
    expect(decodeRollupBlock(blob, block, 1000, back)).toBe(to);
    for (const key of [
      'start',
      'count',
      'vcount',
      'min',
      'max',
      'sum',
      'first',
      'last',
      'tFirst',
      'tLast',
      'tMin',
      'tMax',
    ] as const) {
      expectSameBits(back[key].subarray(0, to), buckets[key].subarray(0, to));
    }
    expect(Array.from(back.worst.subarray(0, to))).toEqual(Array.from(buckets.worst.subarray(0, to)));
  });
});
