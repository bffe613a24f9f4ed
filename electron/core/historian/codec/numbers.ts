import { type ByteReader, type ByteWriter, CorruptBlobError, unzigzag, zigzag } from './bytes';

/**
 * Lossless codec for a column of float64 numbers (values, timestamps, rollup statistics).
 *
 * Most plant values are decimals with a fixed resolution (642.58, 21.5) and most timestamps are
 * whole milliseconds at a steady rate. Both become small integers once scaled by a power of ten:
 * the idea of ALP (Afroozeh, Kuffo, Boncz, "ALP: Adaptive Lossless floating-Point Compression",
 * SIGMOD 2024). The integers are then delta coded (values) or delta-of-delta coded (timestamps,
 * as in Gorilla: Pelkonen et al., VLDB 2015), zigzag varints, with runs of zeros collapsed, so a
 * regular clock or a constant value costs almost nothing. A number that does not survive the
 * scaling exactly (NaN, -0, too many decimals) is stored as an exception, bit for bit. Columns
 * with too many exceptions fall back to raw float32 (when every value is a float32, as from a
 * PLC REAL) or float64. Every path decodes to the identical float64 bit pattern.
 */

const enum Mode {
  Constant = 1,
  Decimal = 2,
  Float32 = 3,
  Float64 = 4,
}

/** 2^51: scaled integers stay well inside the safe range even after delta-of-delta. */
const MAX_SCALED = 2 ** 51;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
const MAX_EXPONENT = 10;
const SAMPLE_SIZE = 32;
/** More exceptions than 1 in 16 values: the decimal scheme is the wrong model for this column. */
const MAX_EXCEPTION_SHARE = 1 / 16;

export interface NumberColumnOptions {
  /** 1 = delta (values), 2 = delta of delta (timestamps). */
  order: 1 | 2;
  /** Largest decimal exponent to try; timestamps use 3 (microseconds) to keep ms*10^e safe. */
  maxExponent?: number;
}

/** The smallest exponent e for which v == round(v * 10^e) / 10^e exactly, or -1. */
function decimalExponent(v: number, maxExponent: number): number {
  if (!Number.isFinite(v)) return -1;
  for (let e = 0; e <= maxExponent; e++) {
    const p = POW10[e]!;
    const k = Math.round(v * p);
    if (Math.abs(k) > MAX_SCALED) return -1;
    if (k / p === v) return e;
  }
  return -1;
}

function allSameBits(src: ArrayLike<number>, start: number, end: number): boolean {
  const first = src[start]!;
  if (Number.isNaN(first)) {
    for (let i = start + 1; i < end; i++) if (!Number.isNaN(src[i]!)) return false;
    return true;
  }
  for (let i = start + 1; i < end; i++) if (!Object.is(src[i], first)) return false;
  return true;
}

function allFloat32(src: ArrayLike<number>, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const v = src[i]!;
    // NaN payloads are not preserved through float32, so NaN forces float64.
    if (Math.fround(v) !== v) return false;
  }
  return true;
}

/** Appends one encoded column of src[start, end) to the writer. */
export function encodeNumbers(
  w: ByteWriter,
  src: ArrayLike<number>,
  start: number,
  end: number,
  options: NumberColumnOptions,
): void {
  const n = end - start;
  if (n <= 0) return;
  if (n > 1 && allSameBits(src, start, end)) {
    w.u8(Mode.Constant);
    w.f64(src[start]!);
    return;
  }
  const rewindTo = w.pos;
  const decimal = tryDecimal(w, src, start, end, options);
  if (!decimal) w.pos = rewindTo;
  else {
    const used = w.pos - rewindTo;
    // A column of wild decimals can cost more than raw floats; keep the smaller encoding.
    if (used <= n * 4 + 16) return;
    if (used <= n * 8 + 16 && !allFloat32(src, start, end)) return;
    w.pos = rewindTo;
  }
  if (allFloat32(src, start, end)) {
    w.u8(Mode.Float32);
    w.reserve(n * 4);
    for (let i = start; i < end; i++) w.f32(src[i]!);
    return;
  }
  w.u8(Mode.Float64);
  w.reserve(n * 8);
  for (let i = start; i < end; i++) w.f64(src[i]!);
}

function tryDecimal(
  w: ByteWriter,
  src: ArrayLike<number>,
  start: number,
  end: number,
  options: NumberColumnOptions,
): boolean {
  const n = end - start;
  const maxExponent = options.maxExponent ?? MAX_EXPONENT;
  // Pick the exponent from a spread sample (an odd stride, so periodic data is not sampled in
  // phase); if that leaves too many exceptions, from every value.
  let exponent = -1;
  const step = Math.max(1, Math.floor(n / SAMPLE_SIZE)) | 1;
  for (let i = start; i < end; i += step) {
    const e = decimalExponent(src[i]!, maxExponent);
    if (e > exponent) exponent = e;
  }
  if (exponent < 0) return false;
  if (scaleAndWrite(w, src, start, end, exponent, options.order)) return true;
  let full = -1;
  for (let i = start; i < end; i++) {
    const e = decimalExponent(src[i]!, maxExponent);
    if (e > full) full = e;
  }
  return full > exponent && scaleAndWrite(w, src, start, end, full, options.order);
}

/** Writes the column as scaled decimals; false (nothing written) when the scheme does not fit. */
function scaleAndWrite(
  w: ByteWriter,
  src: ArrayLike<number>,
  start: number,
  end: number,
  exponent: number,
  order: 1 | 2,
): boolean {
  const n = end - start;
  const p = POW10[exponent]!;

  // First pass: scale, and note the exceptions (values the scaling does not reproduce bit for
  // bit). Exceptions repeat the previous integer, a zero delta.
  const ks = scratchFor(n);
  let exceptions: number[] | null = null;
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const v = src[start + i]!;
    const k = Math.round(v * p);
    if (k / p === v && k <= MAX_SCALED && k >= -MAX_SCALED && (v !== 0 || 1 / v > 0)) {
      ks[i] = k;
      previous = k;
    } else {
      (exceptions ??= []).push(i);
      ks[i] = previous;
    }
  }
  const exceptionCount = exceptions?.length ?? 0;
  if (exceptionCount > n * MAX_EXCEPTION_SHARE + 1) return false;

  const rewindTo = w.pos;
  w.u8(Mode.Decimal);
  w.u8(exponent);
  w.uvarint(exceptionCount);
  if (exceptions) {
    let last = 0;
    for (const index of exceptions) {
      w.uvarint(index - last);
      w.f64(src[start + index]!);
      last = index;
    }
  }
  if (writeIntStream(w, ks, n, order)) return true;
  w.pos = rewindTo;
  return false;
}

let scratch = new Float64Array(4096);
function scratchFor(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/** Tokens beyond this lose precision once zigzagged (2 * 2^52 = 2^53). */
const MAX_TOKEN = 2 ** 52;

/**
 * Integers as zigzag varints of their deltas (order 1) or deltas of deltas (order 2), zero runs
 * collapsed. False when a token is too large to store exactly (wildly jumping values).
 */
function writeIntStream(w: ByteWriter, ks: Float64Array, n: number, order: 1 | 2): boolean {
  w.reserve(n * 8 + 16);
  w.uvarintUnchecked(zigzag(ks[0]!));
  let previousK = ks[0]!;
  let previousDelta = 0;
  let zeroRun = 0;
  for (let i = 1; i < n; i++) {
    const k = ks[i]!;
    const delta = k - previousK;
    const token = order === 1 || i === 1 ? delta : delta - previousDelta;
    previousDelta = delta;
    previousK = k;
    if (token === 0) {
      zeroRun++;
      continue;
    }
    if (zeroRun > 0) {
      w.uvarintUnchecked(0);
      w.uvarintUnchecked(zeroRun - 1);
      zeroRun = 0;
    }
    if (token > MAX_TOKEN || token < -MAX_TOKEN) return false;
    w.uvarintUnchecked(zigzag(token));
  }
  if (zeroRun > 0) {
    w.uvarintUnchecked(0);
    w.uvarintUnchecked(zeroRun - 1);
  }
  return true;
}

/** Reads one column of n numbers into out[outStart, outStart + n). */
export function decodeNumbers(
  r: ByteReader,
  n: number,
  out: Float64Array,
  outStart: number,
  options: NumberColumnOptions,
): void {
  if (n <= 0) return;
  const mode = r.u8();
  switch (mode) {
    case Mode.Constant: {
      out.fill(r.f64(), outStart, outStart + n);
      return;
    }
    case Mode.Float32: {
      for (let i = 0; i < n; i++) out[outStart + i] = r.f32();
      return;
    }
    case Mode.Float64: {
      for (let i = 0; i < n; i++) out[outStart + i] = r.f64();
      return;
    }
    case Mode.Decimal:
      decodeDecimal(r, n, out, outStart, options.order);
      return;
    default:
      throw new CorruptBlobError(`unknown number column mode ${mode}`);
  }
}

function decodeDecimal(r: ByteReader, n: number, out: Float64Array, outStart: number, order: 1 | 2): void {
  const exponent = r.u8();
  const p = POW10[exponent];
  if (p === undefined) throw new CorruptBlobError(`bad decimal exponent ${exponent}`);
  const exceptionCount = r.uvarint();
  if (exceptionCount > n) throw new CorruptBlobError('more exceptions than values');
  const exceptionIndex: number[] = [];
  const exceptionValue: number[] = [];
  let index = 0;
  for (let j = 0; j < exceptionCount; j++) {
    index += r.uvarint();
    exceptionIndex.push(index);
    exceptionValue.push(r.f64());
  }
  let k = 0;
  let delta = 0;
  let i = 0;
  while (i < n) {
    const z = r.uvarint();
    if (z === 0 && i > 0) {
      const run = r.uvarint() + 1;
      if (i + run > n) throw new CorruptBlobError('zero run past the end of the column');
      for (let j = 0; j < run; j++) {
        if (order === 2) k += delta;
        out[outStart + i] = k / p;
        i++;
      }
      continue;
    }
    const token = unzigzag(z);
    if (i === 0) {
      k = token;
    } else if (order === 1) {
      k += token;
    } else {
      delta = i === 1 ? token : delta + token;
      k += delta;
    }
    out[outStart + i] = k / p;
    i++;
  }
  for (let j = 0; j < exceptionCount; j++) {
    const at = exceptionIndex[j]!;
    if (at >= n) throw new CorruptBlobError('exception index out of range');
    out[outStart + at] = exceptionValue[j]!;
  }
}
