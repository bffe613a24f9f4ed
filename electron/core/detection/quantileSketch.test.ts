import { describe, expect, it } from 'vitest';
import { QuantileSketch } from './quantileSketch';

describe('QuantileSketch', () => {
  it('estimates an upper quantile within a few percent, per slot, whatever the scale', () => {
    const sketch = new QuantileSketch(0.95, 1e9);
    sketch.ensure(2);
    // Exponential(1) has q95 = ln 20 = 2.9957; slot 1 holds the same values times 1e-4.
    let seed = 3;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20000; i++) {
      const x = -Math.log(random());
      sketch.add(0, x);
      sketch.add(1, x * 1e-4);
    }
    expect(sketch.value(0) / Math.log(20)).toBeCloseTo(1, 1);
    expect(sketch.value(1) / (1e-4 * Math.log(20))).toBeCloseTo(1, 1);
    expect(sketch.count(0)).toBe(20000);
  });

  it('forgets old values: after a change of scale the estimate follows within its memory', () => {
    const sketch = new QuantileSketch(0.95, 1000);
    sketch.ensure(1);
    for (let i = 0; i < 5000; i++) sketch.add(0, (i % 100) / 100);
    expect(sketch.value(0)).toBeGreaterThan(0.85);
    expect(sketch.value(0)).toBeLessThan(1.05);
    for (let i = 0; i < 5000; i++) sketch.add(0, (10 * (i % 100)) / 100);
    expect(sketch.value(0)).toBeGreaterThan(8.5);
    expect(sketch.value(0)).toBeLessThan(10.5);
  });

  it('is 0 for a slot that only ever saw zeros or nothing', () => {
    const sketch = new QuantileSketch(0.95, 1000);
    sketch.ensure(2);
    for (let i = 0; i < 100; i++) sketch.add(0, 0);
    expect(sketch.value(0)).toBe(0);
    expect(sketch.value(1)).toBe(0);
  });
});
