import { describe, expect, it } from 'vitest';
import { allocateColumns, SampleRingBuffer } from './ringBuffer';

function fill(buffer: SampleRingBuffer, times: number[]) {
  for (const t of times) buffer.push(t, t * 10, t % 2 === 0 ? 0 : 0x80000000);
}

describe('SampleRingBuffer', () => {
  it('reads out in time order before it is full', () => {
    const b = new SampleRingBuffer(5);
    fill(b, [1, 2, 3]);
    const out = b.toColumns();
    expect([...out.t]).toEqual([1, 2, 3]);
    expect([...out.v]).toEqual([10, 20, 30]);
    expect([...out.q]).toEqual([0x80000000, 0, 0x80000000]); // odd times are Bad
    expect(b.length).toBe(3);
  });

  it('overwrites the oldest samples after wrapping and still reads out oldest first', () => {
    const b = new SampleRingBuffer(4);
    fill(b, [1, 2, 3, 4, 5, 6, 7]);
    expect(b.length).toBe(4);
    const out = b.toColumns();
    expect([...out.t]).toEqual([4, 5, 6, 7]);
    expect([...out.v]).toEqual([40, 50, 60, 70]);
    expect(b.lastTime).toBe(7);
    expect(b.lastValue).toBe(70);
    expect(b.lastQuality).toBe(0x80000000);
  });

  it('wraps many times over without losing order', () => {
    const b = new SampleRingBuffer(7);
    const times = Array.from({ length: 100 }, (_, i) => i + 1);
    fill(b, times);
    expect([...b.toColumns().t]).toEqual([94, 95, 96, 97, 98, 99, 100]);
  });

  it('reads only the samples since a time, across the wrap point', () => {
    const b = new SampleRingBuffer(5);
    fill(b, [10, 20, 30, 40, 50, 60, 70]); // holds 30..70, physically wrapped
    expect([...b.toColumns(45).t]).toEqual([50, 60, 70]);
    expect([...b.toColumns(30).t]).toEqual([30, 40, 50, 60, 70]);
    expect([...b.toColumns(71).t]).toEqual([]);
    expect([...b.toColumns(-Infinity).t]).toEqual([30, 40, 50, 60, 70]);
  });

  it('copies into reusable columns and returns the count', () => {
    const b = new SampleRingBuffer(3);
    const out = allocateColumns(3);
    fill(b, [1, 2, 3, 4]);
    expect(b.copyInto(out)).toBe(3);
    expect([...out.t]).toEqual([2, 3, 4]);
    fill(b, [5]);
    expect(b.copyInto(out, 4)).toBe(2);
    expect([...out.t.subarray(0, 2)]).toEqual([4, 5]);
    expect(() => b.copyInto(allocateColumns(2))).toThrow(RangeError);
  });

  it('refuses samples that are not newer than the newest one, and counts them', () => {
    const b = new SampleRingBuffer(4);
    expect(b.push(5, 1, 0)).toBe(true);
    expect(b.push(5, 2, 0)).toBe(false); // duplicate timestamp
    expect(b.push(3, 3, 0)).toBe(false); // out of order
    expect(b.push(NaN, 3, 0)).toBe(false);
    expect(b.push(6, 4, 0)).toBe(true);
    expect(b.refused).toBe(3);
    expect([...b.toColumns().v]).toEqual([1, 4]);
  });

  it('is empty after clear and reports NaN for the newest time when empty', () => {
    const b = new SampleRingBuffer(2);
    expect(b.lastTime).toBeNaN();
    fill(b, [1, 2, 3]);
    b.clear();
    expect(b.length).toBe(0);
    expect(b.lastTime).toBeNaN();
    fill(b, [1]);
    expect([...b.toColumns().t]).toEqual([1]);
  });

  it('tells the time at a logical index, oldest first, across the wrap point', () => {
    const b = new SampleRingBuffer(3);
    fill(b, [1, 2, 3, 4]);
    expect([b.timeAt(0), b.timeAt(1), b.timeAt(2)]).toEqual([2, 3, 4]);
    expect(() => b.timeAt(3)).toThrow(RangeError);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new SampleRingBuffer(0)).toThrow(RangeError);
    expect(() => new SampleRingBuffer(2.5)).toThrow(RangeError);
  });
});
