import { describe, expect, it } from 'vitest';
import type { SampleBatch } from '../../../shared/samples';
import { SampleCollector } from './collector';

function setup() {
  const batches: SampleBatch[] = [];
  let n = 0;
  const collector = new SampleCollector(
    (b) => batches.push(b),
    () => `c${++n}`,
  );
  const rows = () =>
    batches.flatMap((b) =>
      Array.from({ length: b.length }, (_, i) => [
        b.tagIds[b.tagIndex[i]!],
        b.timestamps[i],
        b.values[i],
        b.quality[i],
      ]),
    );
  return { collector, batches, rows };
}

describe('SampleCollector', () => {
  it('batches values per flush, each with its own correlation id', () => {
    const { collector, batches, rows } = setup();
    const a = collector.slotOf('a');
    const b = collector.slotOf('b');
    collector.push(a, 1, 10, 0);
    collector.push(b, 1, 20, 0x40000000);
    collector.flush();
    collector.push(a, 2, 11, 0);
    collector.flush();
    collector.flush();
    expect(batches.map((x) => x.correlationId)).toEqual(['c1', 'c2']);
    expect(rows()).toEqual([
      ['a', 1, 10, 0],
      ['b', 1, 20, 0x40000000],
      ['a', 2, 11, 0],
    ]);
  });

  it('drops an exact repeat of the last sample (a re-sent initial value) and counts it', () => {
    const { collector, rows } = setup();
    const a = collector.slotOf('a');
    expect(collector.push(a, 5, 1, 0)).toBe(true);
    expect(collector.push(a, 5, 1, 0)).toBe(false);
    expect(collector.push(a, 5, 2, 0)).toBe(true); // same time, other value: kept
    expect(collector.push(a, 6, Number.NaN, 0x80000000)).toBe(true);
    expect(collector.push(a, 6, Number.NaN, 0x80000000)).toBe(false);
    collector.flush();
    expect(rows()).toHaveLength(3);
    expect(collector.stats.duplicates).toBe(2);
  });

  it('emits backfilled values of the gap before what arrived live during the outage, in time order', () => {
    const { collector, batches, rows } = setup();
    const a = collector.slotOf('a');
    const b = collector.slotOf('b');
    collector.push(a, 100, 1, 0);
    collector.push(b, 100, 1, 0);
    collector.hold();
    collector.push(a, 500, 5, 0); // first live value after the loss
    collector.flush(); // nothing while holding
    expect(batches).toHaveLength(1);
    expect(collector.gapOf(a)).toEqual({ after: 100, before: 500 });
    expect(collector.gapOf(b)).toEqual({ after: 100, before: Infinity });
    const emitted = collector.emitBackfill(
      new Map([
        [
          a,
          [
            { t: 100, v: 1, q: 0 },
            { t: 300, v: 3, q: 0 },
            { t: 200, v: 2, q: 0 },
            { t: 500, v: 5, q: 0 },
          ],
        ],
        [b, [{ t: 250, v: 2.5, q: 0 }]],
      ]),
    );
    expect(emitted).toBe(3);
    collector.release();
    expect(rows()).toEqual([
      ['a', 100, 1, 0],
      ['b', 100, 1, 0],
      ['a', 200, 2, 0],
      ['b', 250, 2.5, 0],
      ['a', 300, 3, 0],
      ['a', 500, 5, 0],
    ]);
    expect(collector.lastTimestamp(b)).toBe(250);
    expect(collector.stats.backfilled).toBe(3);
  });

  it('sends an array value as one batch of its own, and drops an array re-sent with the same start', () => {
    const { collector, batches } = setup();
    const s = collector.slotOf('scalar');
    const w = collector.slotOf('wave');
    collector.push(s, 1, 1, 0);
    expect(collector.pushArray(w, 1000, [1, 2, 3, 4], 0, 0.5)).toBe(true);
    expect(collector.pushArray(w, 1000, [1, 2, 3, 4], 0, 0.5)).toBe(false);
    expect(batches).toHaveLength(2);
    expect(batches[0]!.tagIds).toEqual(['scalar']);
    expect(batches[1]!.tagIds).toEqual(['wave']);
    expect(Array.from(batches[1]!.timestamps)).toEqual([1000, 1000.5, 1001, 1001.5]);
    collector.hold();
    collector.pushArray(w, 2000, [5, 6], 0, 1);
    expect(batches).toHaveLength(2);
    collector.release();
    expect(batches).toHaveLength(3);
    expect(batches[2]!.length).toBe(2);
  });
});
