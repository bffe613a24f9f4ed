/**
 * Byte-level writer and reader for the historian's blob formats: unsigned LEB128 varints,
 * zigzag signed integers and little-endian floats. Integers go up to 2^53 (safe integers);
 * the 32-bit fast path uses bit operations, larger values fall back to arithmetic.
 */

const TWO_32 = 4294967296;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `bytes` more bytes, so callers can reserve once per column. */
  reserve(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    let capacity = this.buf.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.pos++] = value;
  }

  /** Unsigned varint; `value` must be a non-negative safe integer. The caller reserved 8 bytes. */
  uvarintUnchecked(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (value < TWO_32) {
      let v = value >>> 0;
      while (v >= 0x80) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
    } else {
      let v = value;
      while (v >= 0x80) {
        buf[pos++] = (v % 128) | 0x80;
        v = Math.floor(v / 128);
      }
      buf[pos++] = v;
    }
    this.pos = pos;
  }

  uvarint(value: number): void {
    this.reserve(8);
    this.uvarintUnchecked(value);
  }

  /** Signed varint (zigzag), for any safe integer. */
  svarint(value: number): void {
    this.reserve(8);
    this.uvarintUnchecked(zigzag(value));
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  f32(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** The written bytes as a view (no copy); valid until the next write. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of the written bytes as a Buffer, the type better-sqlite3 binds as a BLOB. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  reset(): void {
    this.pos = 0;
  }
}

export class ByteReader {
  private readonly view: DataView;
  pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  u8(): number {
    if (this.pos >= this.end) throw new CorruptBlobError('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let byte = buf[pos++]!;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let result = byte & 0x7f;
    let shift = 7;
    // Up to 28 bits with bit operations, then arithmetic (values up to 2^53).
    while (shift < 28) {
      byte = buf[pos++]!;
      result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        if (pos > this.end) throw new CorruptBlobError('varint runs past the end of data');
        this.pos = pos;
        return result >>> 0;
      }
      shift += 7;
    }
    let value = result >>> 0;
    let mul = 2 ** 28;
    for (;;) {
      if (pos >= this.end) throw new CorruptBlobError('varint runs past the end of data');
      byte = buf[pos++]!;
      value += (byte & 0x7f) * mul;
      if (byte < 0x80) break;
      mul *= 128;
      if (mul > 2 ** 56) throw new CorruptBlobError('varint too long');
    }
    this.pos = pos;
    return value;
  }

  svarint(): number {
    return unzigzag(this.uvarint());
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw new CorruptBlobError('unexpected end of data');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  f32(): number {
    if (this.pos + 4 > this.end) throw new CorruptBlobError('unexpected end of data');
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
}

/** Maps signed to unsigned so small magnitudes stay small: 0,-1,1,-2,2 -> 0,1,2,3,4. */
export function zigzag(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return ((value << 1) ^ (value >> 31)) >>> 0;
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function unzigzag(value: number): number {
  if (value < TWO_32) return (value >>> 1) ^ -(value & 1);
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** A stored blob that cannot be decoded: reported as database corruption, never ignored. */
export class CorruptBlobError extends Error {
  constructor(message: string) {
    super(`Corrupt historian data: ${message}`);
    this.name = 'CorruptBlobError';
  }
}
