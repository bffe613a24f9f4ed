import { describe, expect, it } from 'vitest';
import { SpikeWindows } from './spikeWindows';

describe('SpikeWindows', () => {
  it('keeps the median and MAD of the last W values of each slot, ties included', () => {
    const windows = new SpikeWindows(15);
    windows.ensure(3);
    const history: number[][] = [[], [], []];
    let seed = 1;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 5000; k++) {
      const slot = k % 3;
      // Many repeated values (quantized signals) next to continuous ones.
      const v = random() < 0.3 ? Math.floor(random() * 4) : random() * 10;
      windows.push(slot, v);
      const h = history[slot]!;
      h.push(v);
      if (h.length > 15) h.shift();
      expect(windows.isFull(slot)).toBe(h.length === 15);
      if (h.length < 15) continue;
      const sorted = [...h].sort((a, b) => a - b);
      const median = sorted[7]!;
      const mad = sorted.map((x) => Math.abs(x - median)).sort((a, b) => a - b)[7]!;
      expect(windows.median(slot)).toBe(median);
      expect(windows.mad(slot, median)).toBeCloseTo(mad, 12);
    }
  });

  it('rejects an even or tiny window', () => {
    expect(() => new SpikeWindows(4)).toThrow();
    expect(() => new SpikeWindows(1)).toThrow();
  });
});
