import { DataType, DataValue, StatusCodes, Variant, VariantArrayType } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  hasOverflowBit,
  qualityOf,
  STATUS_BAD_TYPE_MISMATCH,
  timestampOf,
  toNumber,
} from './values';

describe('value decoding', () => {
  it('turns every numeric OPC UA scalar into a number', () => {
    expect(toNumber(3.5)).toBe(3.5);
    expect(toNumber(true)).toBe(1);
    expect(toNumber(false)).toBe(0);
    expect(toNumber(10n)).toBe(10);
    // node-opcua's Int64 / UInt64: [high, low] 32-bit words.
    expect(toNumber([0, 5])).toBe(5);
    expect(toNumber([1, 0])).toBe(4294967296);
    expect(toNumber([-1, 0xffffffff])).toBe(-1);
    expect(toNumber('12')).toBeNaN();
    expect(toNumber(null)).toBeNaN();
  });

  it('keeps the status code with its sub-status, and marks a non-number behind a Good status as BadTypeMismatch', () => {
    const uncertain = StatusCodes.UncertainLastUsableValue.value;
    expect(qualityOf(uncertain, 1, 1)).toBe(uncertain >>> 0);
    const bad = StatusCodes.BadSensorFailure.value;
    expect(qualityOf(bad, Number.NaN, null)).toBe(bad >>> 0);
    expect(qualityOf(0, Number.NaN, 'text')).toBe(STATUS_BAD_TYPE_MISMATCH);
    expect(qualityOf(0, Number.NaN, Number.NaN)).toBe(0);
  });

  it('sees the Overflow bit of a DataValue status (Part 4, 7.39.1)', () => {
    expect(hasOverflowBit(0x00000480)).toBe(true);
    expect(hasOverflowBit(0x00000400)).toBe(false);
    expect(hasOverflowBit(0x00000080)).toBe(false);
    expect(hasOverflowBit(0)).toBe(false);
  });

  it('takes the source time, then the server time, then the fallback', () => {
    const both = new DataValue({ sourceTimestamp: new Date(1000), serverTimestamp: new Date(2000) });
    expect(timestampOf(both, 3000)).toBe(1000);
    expect(timestampOf(new DataValue({ serverTimestamp: new Date(2000) }), 3000)).toBe(2000);
    expect(timestampOf(new DataValue({}), 3000)).toBe(3000);
  });

  it('reads one-dimensional numeric arrays and nothing else', () => {
    const waveform = new DataValue({
      value: new Variant({
        dataType: DataType.Double,
        arrayType: VariantArrayType.Array,
        value: new Float64Array([1, 2, 3]),
      }),
    });
    expect(Array.from(arrayOf(waveform)!)).toEqual([1, 2, 3]);
    const ints = new DataValue({
      value: new Variant({ dataType: DataType.Int32, arrayType: VariantArrayType.Array, value: [4, 5] }),
    });
    expect(Array.from(arrayOf(ints)!)).toEqual([4, 5]);
    expect(
      arrayOf(new DataValue({ value: new Variant({ dataType: DataType.Double, value: 1 }) })),
    ).toBeNull();
  });
});
