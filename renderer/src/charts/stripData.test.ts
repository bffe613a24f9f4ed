import { describe, expect, it } from 'vitest';
import { STATUS_BAD, STATUS_UNCERTAIN } from '../../../shared/quality';
import { SampleRingBuffer } from './ringBuffer';
import { MARKER_Y, StripDataBuilder, yRange } from './stripData';

function buffer(samples: [t: number, v: number, q?: number][], capacity = 8): SampleRingBuffer {
  const b = new SampleRingBuffer(capacity);
  for (const [t, v, q] of samples) b.push(t, v, q ?? 0);
  return b;
}

describe('StripDataBuilder', () => {
  it('gaps the line at samples that are not Good and marks them along the bottom', () => {
    const b = buffer([
      [10, 1],
      [20, 999, STATUS_BAD],
      [30, 3, STATUS_UNCERTAIN],
      [40, 4],
    ]);
    const [x, good, uncertain, bad] = new StripDataBuilder(8).build(b, 0, 40);
    expect([...x]).toEqual([10, 20, 30, 40]);
    expect(good).toEqual([1, null, null, 4]); // the Bad 999 never reaches the y scale
    expect(uncertain).toEqual([null, null, MARKER_Y, null]);
    expect(bad).toEqual([null, MARKER_Y, null, null]);
  });

  it('draws a steady tag across the whole window: the sample before it, held to the right edge', () => {
    // Report by exception: one sample long ago, nothing since.
    const b = buffer([
      [5, 518.67],
      [100, 518.7],
    ]);
    const builder = new StripDataBuilder(8);
    const [x, good] = builder.build(b, 200, 500);
    expect([...x]).toEqual([100, 500]);
    expect(good).toEqual([518.7, 518.7]);
    expect(builder.heldPoint).toBe(true);
  });

  it('does not hold a value whose newest sample is not Good', () => {
    const b = buffer([
      [100, 1],
      [150, 0, STATUS_BAD],
    ]);
    const builder = new StripDataBuilder(8);
    const [x, good, , bad] = builder.build(b, 120, 500);
    expect(builder.heldPoint).toBe(false);
    expect([...x]).toEqual([100, 150]);
    expect(good).toEqual([1, null]);
    expect(bad).toEqual([null, MARKER_Y]);
  });

  it('reuses its arrays and copes with an empty or a full, wrapped buffer', () => {
    const builder = new StripDataBuilder(4);
    expect(builder.build(new SampleRingBuffer(4), 0, 10).map((a) => a.length)).toEqual([0, 0, 0, 0, 0, 0]);
    const full = buffer(
      [
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 6],
      ],
      4,
    );
    const [x, good, , , low, high] = builder.build(full, 0, 10);
    expect([...x]).toEqual([3, 4, 5, 6, 10]);
    expect(good).toEqual([3, 4, 5, 6, 6]);
    // Live samples have no min/max band: its edges are empty, as long as x (uPlot's aligned data).
    expect(low).toEqual([null, null, null, null, null]);
    expect(high).toBe(low);
  });
});

describe('yRange', () => {
  it('pads a varying signal by 5 % of its span', () => {
    expect(yRange(100, 200, null)).toEqual([95, 205]);
  });
  it('centres a steady tag in its configured range, or gives it a 1 % margin', () => {
    expect(yRange(518.67, 518.67, { low: 490, high: 550 })).toEqual([490, 550]);
    expect(yRange(600, 600, { low: 490, high: 550 })).toEqual([594, 606]);
    expect(yRange(0, 0, null)).toEqual([-1, 1]);
  });
  it('shows the configured range, or 0..1, when there is nothing to draw', () => {
    expect(yRange(null, null, { low: 13, high: 16 })).toEqual([13, 16]);
    expect(yRange(null, null, null)).toEqual([0, 1]);
  });
});
