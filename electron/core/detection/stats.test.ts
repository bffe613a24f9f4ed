import { describe, expect, it } from 'vitest';
import { chiSquare1UpperQuantile, chiSquareUpperQuantile, normalQuantile } from './stats';

describe('distribution quantiles', () => {
  it('inverts the normal CDF (reference values from standard tables)', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 5);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 4);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(2)).toBeNaN();
  });

  it('gives chi-square upper quantiles (exact for 1 dof, Wilson-Hilferty within about 1% above)', () => {
    expect(chiSquare1UpperQuantile(0.05)).toBeCloseTo(3.841459, 4);
    expect(chiSquare1UpperQuantile(0.001)).toBeCloseTo(10.827566, 3);
    const relativeError = (tail: number, k: number, exact: number): number =>
      Math.abs(chiSquareUpperQuantile(tail, k) / exact - 1);
    expect(relativeError(0.05, 8, 15.507313)).toBeLessThan(0.01);
    expect(relativeError(0.0005, 8, 27.868046)).toBeLessThan(0.015);
    expect(relativeError(0.05, 64, 83.675261)).toBeLessThan(0.01);
  });
});
