import { DataType, DataValue, ReadRawModifiedDetails, StatusCodes, Variant } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { RingHistorian } from './history';

const MIN_DATE = new Date(Date.UTC(1601, 0, 1)); // DateTime.MinValue as node-opcua encodes "unspecified"

function filled(capacity: number, times: number[]): RingHistorian {
  const h = new RingHistorian(capacity);
  for (const t of times) h.record(t / 10, t, StatusCodes.Good);
  return h;
}

function extract(
  h: RingHistorian,
  details: { start?: number; end?: number },
  max = 0,
  isReversed = false,
  reverseDataValue = false,
): number[] {
  let out: DataValue[] = [];
  h.extractDataValues(
    new ReadRawModifiedDetails({
      startTime: details.start === undefined ? MIN_DATE : new Date(details.start),
      endTime: details.end === undefined ? MIN_DATE : new Date(details.end),
    }),
    max,
    isReversed,
    reverseDataValue,
    (err, values) => {
      if (err) throw err;
      out = values!;
    },
  );
  return out.map((dv) => dv.sourceTimestamp!.getTime());
}

describe('RingHistorian', () => {
  it('returns values from startTime (included) to endTime (excluded), oldest first', () => {
    const h = filled(100, [1000, 2000, 3000, 4000, 5000]);
    expect(extract(h, { start: 2000, end: 4000 })).toEqual([2000, 3000]);
    expect(extract(h, { start: 1500, end: 9000 })).toEqual([2000, 3000, 4000, 5000]);
    expect(extract(h, { start: 3000, end: 3000 })).toEqual([3000]); // one instant
  });

  it('answers a backward request (swapped by node-opcua) with the later bound included', () => {
    const h = filled(100, [1000, 2000, 3000, 4000]);
    // The client asked startTime 4000, endTime 2000: node-opcua passes them swapped with reverseDataValue.
    expect(extract(h, { start: 2000, end: 4000 }, 0, false, true)).toEqual([4000, 3000]);
  });

  it('reads backward from endTime when only endTime and numValuesPerNode are given', () => {
    const h = filled(100, [1000, 2000, 3000, 4000]);
    expect(extract(h, { end: 3000 }, 2, true)).toEqual([3000, 2000]);
  });

  it('stops at maxNumberToExtract going forward', () => {
    const h = filled(100, [1000, 2000, 3000, 4000]);
    expect(extract(h, { start: 1000 }, 3)).toEqual([1000, 2000, 3000]);
  });

  it('keeps only the newest `capacity` values, growing its arrays as values arrive', () => {
    const h = filled(
      100,
      Array.from({ length: 250 }, (_, i) => (i + 1) * 10),
    );
    expect(h.size).toBe(100);
    expect(h.span()).toEqual({ first: 1510, last: 2500 });
    const all = extract(h, { start: 0, end: 1e9 });
    expect(all).toHaveLength(100);
    expect(all[0]).toBe(1510);
    expect(all.at(-1)).toBe(2500);
  });

  it('keeps value, status and timestamp of what node-opcua pushes, and ignores a Null value', async () => {
    const h = new RingHistorian(10);
    await h.push(new DataValue({ value: new Variant({ dataType: DataType.Null }) }));
    await h.push(
      new DataValue({
        value: new Variant({ dataType: DataType.Double, value: 42.5 }),
        statusCode: StatusCodes.BadSensorFailure,
        sourceTimestamp: new Date(7000),
      }),
    );
    expect(h.size).toBe(1);
    let out: DataValue[] = [];
    h.extractDataValues(
      new ReadRawModifiedDetails({ startTime: new Date(0), endTime: new Date(10_000) }),
      0,
      false,
      false,
      (_err, values) => (out = values!),
    );
    expect(out[0]!.value.value).toBe(42.5);
    expect(out[0]!.statusCode).toBe(StatusCodes.BadSensorFailure);
    expect(out[0]!.sourceTimestamp!.getTime()).toBe(7000);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new RingHistorian(0)).toThrow(/capacity/);
  });
});
