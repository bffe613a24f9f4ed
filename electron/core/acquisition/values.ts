import { StatusCodes, VariantArrayType, type DataValue } from 'node-opcua';

/** StatusCode for a value Vigil cannot trend (a string where a number was expected). */
export const STATUS_BAD_TYPE_MISMATCH = StatusCodes.BadTypeMismatch.value >>> 0;

/**
 * A number from an OPC UA scalar, NaN when there is none. node-opcua gives Int64 / UInt64 as
 * [high, low] 32-bit words; booleans trend as 0 / 1.
 */
export function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'bigint') return Number(raw);
  if (Array.isArray(raw) && raw.length === 2 && typeof raw[0] === 'number' && typeof raw[1] === 'number') {
    const high = raw[0];
    // Int64 high words are signed; UInt64 ones are not, but their top bit is only set past 2^63.
    return (high | 0) * 4294967296 + (raw[1] >>> 0);
  }
  return Number.NaN;
}

/**
 * The sample's StatusCode as it came (Good / Uncertain / Bad with sub-status and info bits), except
 * that a Good status on a value that is not a number becomes BadTypeMismatch: the sample is kept,
 * visibly bad, instead of being dropped without trace.
 */
export function qualityOf(statusCode: number, value: number, raw: unknown): number {
  const code = statusCode >>> 0;
  if (Number.isNaN(value) && code >>> 30 === 0 && typeof raw !== 'number') return STATUS_BAD_TYPE_MISMATCH;
  return code;
}

/**
 * The server's monitored-item queue overflowed before this value: older values were discarded
 * (InfoType DataValue with the Overflow bit, OPC UA Part 4, 7.39.1).
 */
export function hasOverflowBit(statusCode: number): boolean {
  return (statusCode & 0xc00) === 0x400 && (statusCode & 0x80) !== 0;
}

/** Source time when the server gives one, else server time, else `fallback` (epoch ms). */
export function timestampOf(dataValue: DataValue, fallback: number): number {
  const source = dataValue.sourceTimestamp;
  if (source) return source.getTime();
  const server = dataValue.serverTimestamp;
  return server ? server.getTime() : fallback;
}

/** The elements of a one-dimensional numeric array value, or null when the value is not one. */
export function arrayOf(dataValue: DataValue): ArrayLike<number> | null {
  const variant = dataValue.value;
  if (!variant || variant.arrayType !== VariantArrayType.Array) return null;
  const raw = variant.value as unknown;
  if (ArrayBuffer.isView(raw) && !(raw instanceof DataView)) return raw as unknown as ArrayLike<number>;
  if (Array.isArray(raw)) return raw.map(toNumber);
  return null;
}
