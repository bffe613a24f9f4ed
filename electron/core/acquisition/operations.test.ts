import { DataType, VariantArrayType } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { OperationError, toVariant } from './operations';

describe('toVariant', () => {
  it('builds variants of the declared type', () => {
    expect(toVariant(1.5, DataType.Double, 'v')).toMatchObject({ dataType: DataType.Double, value: 1.5 });
    expect(toVariant(true, DataType.Boolean, 'v').value).toBe(true);
    expect(toVariant(-5, DataType.Int16, 'v').value).toBe(-5);
    expect(toVariant('on', DataType.String, 'v').value).toBe('on');
    expect(toVariant(4294967297, DataType.UInt64, 'v').value).toEqual([1, 1]);
    const array = toVariant([1, 2], DataType.Float, 'v');
    expect(array.arrayType).toBe(VariantArrayType.Array);
    expect(Array.from(array.value as ArrayLike<number>)).toEqual([1, 2]);
  });

  it('refuses what does not fit, naming the value and the type', () => {
    expect(() => toVariant(300, DataType.Byte, 'Speed')).toThrow(
      new OperationError('Speed: 300 does not fit data type Byte'),
    );
    expect(() => toVariant(1.5, DataType.Int32, 'Mode')).toThrow('Mode: 1.5 does not fit data type Int32');
    expect(() => toVariant('1', DataType.Double, 'x')).toThrow('x: "1" does not fit data type Double');
    expect(() => toVariant(1, DataType.Boolean, 'x')).toThrow('x: 1 does not fit data type Boolean');
    expect(() => toVariant([1, 'a'], DataType.Double, 'w')).toThrow(
      'w[1]: "a" does not fit data type Double',
    );
    expect(() => toVariant(1, DataType.DateTime, 'd')).toThrow(
      'd: data type DateTime cannot be written from Vigil',
    );
  });
});
