import { describe, expect, it } from 'vitest';
import { euRangeOf } from './euRange';

describe('euRangeOf', () => {
  it('widens min/max by 10% of the span and rounds outward', () => {
    expect(euRangeOf([641.27, 644.53])).toEqual({ low: 640.9, high: 644.9 });
    expect(euRangeOf([1, 2, 3], [0.5])).toEqual({ low: 0.2, high: 3.3 });
  });

  it('does not cross zero where the data does not', () => {
    expect(euRangeOf([3.8, 76.6])).toEqual({ low: 0, high: 84 });
    expect(euRangeOf([-10, -2])).toEqual({ low: -10.8, high: -1.2 });
    expect(euRangeOf([-10, -0.5])).toEqual({ low: -11, high: 0 });
    expect(euRangeOf([-1, 1])).toEqual({ low: -1.2, high: 1.2 });
  });

  it('gives a constant signal a range around it, low < high', () => {
    expect(euRangeOf([518.67, 518.67])).toEqual({ low: 490, high: 550 });
    expect(euRangeOf([0])).toEqual({ low: 0, high: 1 });
  });

  it('rejects empty input', () => {
    expect(() => euRangeOf([])).toThrow(/at least one finite value/);
  });
});
