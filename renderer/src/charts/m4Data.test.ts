import { describe, expect, it } from 'vitest';
import type { ChartSeries } from '../../../shared/historianApi';
import { STATUS_BAD, STATUS_UNCERTAIN } from '../../../shared/quality';
import { chartToSeries, chartToStripData, columnPoints, columnPointsBuffer } from './m4Data';
import { MARKER_Y } from './stripData';

interface Column {
  /** Pixel column index. */
  i: number;
  count?: number;
  first?: [t: number, v: number | null];
  min?: [t: number, v: number | null];
  max?: [t: number, v: number | null];
  last?: [t: number, v: number | null];
  quality?: number;
}

/** A chart answer as the core sends it: only non-empty columns, NaN as null. */
function chart(columns: Column[], { from = 1000, columnMs = 100, width = 10 } = {}): ChartSeries {
  const c: ChartSeries['columns'] = {
    t: [],
    count: [],
    validCount: [],
    min: [],
    max: [],
    mean: [],
    first: [],
    last: [],
    quality: [],
    tFirst: [],
    tLast: [],
    tMin: [],
    tMax: [],
  };
  for (const col of columns) {
    const valid = col.first && col.first[1] !== null;
    c.t.push(from + col.i * columnMs);
    c.count.push(col.count ?? 4);
    c.validCount.push(valid ? (col.count ?? 4) : 0);
    c.first.push(col.first?.[1] ?? null);
    c.tFirst.push(valid ? col.first![0] : null);
    c.min.push(col.min?.[1] ?? null);
    c.tMin.push(col.min && col.min[1] !== null ? col.min[0] : null);
    c.max.push(col.max?.[1] ?? null);
    c.tMax.push(col.max && col.max[1] !== null ? col.max[0] : null);
    c.last.push(col.last?.[1] ?? null);
    c.tLast.push(col.last && col.last[1] !== null ? col.last[0] : null);
    c.mean.push(null);
    c.quality.push(col.quality ?? 0);
  }
  return {
    tagId: 'tag',
    from,
    to: from + width * columnMs,
    width,
    columnMs,
    resolutionMs: 60_000,
    sources: [],
    columns: c,
  };
}

/** A column whose first/min/max/last are at the given offsets into it. */
function col(i: number, first: number, min: number, max: number, last: number, extra: Partial<Column> = {}) {
  const t0 = 1000 + i * 100;
  return {
    i,
    first: [t0 + 5, first],
    min: [t0 + 40, min],
    max: [t0 + 20, max],
    last: [t0 + 90, last],
    ...extra,
  } satisfies Column;
}

describe('columnPoints', () => {
  it('puts first, min, max and last in time order and drops repeats', () => {
    const out = columnPointsBuffer();
    const answer = chart([col(0, 5, 1, 9, 4)]);
    expect(columnPoints(answer.columns, 0, out)).toBe(4);
    // max (t=1020) comes before min (t=1040) in time.
    expect([...out.t]).toEqual([1005, 1020, 1040, 1090]);
    expect([...out.v]).toEqual([5, 9, 1, 4]);

    // One sample in the column: first = min = max = last, one point.
    const single = chart([
      { i: 0, count: 1, first: [1050, 7], min: [1050, 7], max: [1050, 7], last: [1050, 7] },
    ]);
    expect(columnPoints(single.columns, 0, out)).toBe(1);
    expect([out.t[0], out.v[0]]).toEqual([1050, 7]);
  });

  it('has no points for a column without a usable value', () => {
    const out = columnPointsBuffer();
    const bad = chart([{ i: 0, count: 3, first: [0, null], quality: STATUS_BAD }]);
    expect(columnPoints(bad.columns, 0, out)).toBe(0);
  });
});

describe('chartToStripData', () => {
  it('draws each column as its M4 points with the column min..max as the band', () => {
    const data = chartToStripData(chart([col(0, 5, 1, 9, 4), col(1, 4, 3, 6, 6)]));
    const [x, line, uncertain, bad, low, high] = data.plot;
    expect([...x]).toEqual([1005, 1020, 1040, 1090, 1105, 1120, 1140, 1190]);
    expect(line).toEqual([5, 9, 1, 4, 4, 6, 3, 6]);
    // The peak (9) and the dip (1) are both on the line: no peak is lost to decimation.
    expect(Math.max(...(line as number[]))).toBe(9);
    expect(low).toEqual([1, 1, 1, 1, 3, 3, 3, 3]);
    expect(high).toEqual([9, 9, 9, 9, 6, 6, 6, 6]);
    expect(uncertain.every((v) => v === null)).toBe(true);
    expect(bad.every((v) => v === null)).toBe(true);
    expect(data).toMatchObject({ columns: 2, gaps: 0, resolutionMs: 60_000, columnMs: 100 });
  });

  it('breaks the line and the band where columns are empty (count 0)', () => {
    // Columns 0 and 1 have samples, 2..4 none (the core leaves them out), 5 has.
    const data = chartToStripData(chart([col(0, 1, 1, 1, 1), col(1, 2, 2, 2, 2), col(5, 3, 3, 3, 3)]));
    const [x, line, , , low, high] = data.plot;
    expect(data.gaps).toBe(1);
    expect(data.columns).toBe(3);
    // A null point at the start of the first empty column (t = 1000 + 2 * 100).
    const gapAt = [...x].indexOf(1200);
    expect(gapAt).toBeGreaterThan(0);
    expect([line[gapAt], low[gapAt], high[gapAt]]).toEqual([null, null, null]);
    // No null anywhere else: adjacent columns stay joined.
    expect(line.filter((v) => v === null)).toHaveLength(1);
  });

  it('gaps the line at a column with samples but no usable value, and marks its quality', () => {
    const data = chartToStripData(
      chart([
        col(0, 1, 1, 2, 2),
        { i: 1, count: 5, first: [0, null], quality: STATUS_BAD },
        col(2, 3, 3, 3, 3, { quality: STATUS_UNCERTAIN }),
      ]),
    );
    const [x, line, uncertain, bad, low, high] = data.plot;
    // The Bad column: one point in its middle, no value, a red marker.
    const badAt = [...x].indexOf(1150);
    expect(line[badAt]).toBeNull();
    expect([low[badAt], high[badAt]]).toEqual([null, null]);
    expect(bad[badAt]).toBe(MARKER_Y);
    // The Uncertain column keeps its values and gets an amber marker on its first point.
    const firstOfUncertain = [...x].indexOf(1205);
    expect(line[firstOfUncertain]).toBe(3);
    expect(uncertain[firstOfUncertain]).toBe(MARKER_Y);
    expect(data).toMatchObject({ badColumns: 1, uncertainColumns: 1, gaps: 0 });
    // Nothing but the Bad column breaks the line; x stays ascending.
    expect(line.filter((v) => v === null)).toHaveLength(1);
    for (let i = 1; i < x.length; i++) expect(x[i]!).toBeGreaterThanOrEqual(x[i - 1]!);
  });

  it('copes with an empty answer and with a NaN that slipped through', () => {
    const empty = chartToStripData(chart([]));
    expect(empty.plot.map((a) => a.length)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(empty.columns).toBe(0);
    const withNaN = chart([col(0, 1, 1, 2, 2)]);
    withNaN.columns.last[0] = NaN;
    const [x, line] = chartToStripData(withNaN).plot;
    expect(line.every((v) => v === null || Number.isFinite(v))).toBe(true);
    expect(x.length).toBe(3); // first, max, min; the NaN last is dropped
  });

  it('holds the newest Good value to the right edge of a view ending at now, never a Bad one', () => {
    // A steady tag reporting by exception: one sample, then nothing.
    const steady = chart([
      { i: 1, count: 1, first: [1150, 7], min: [1150, 7], max: [1150, 7], last: [1150, 7] },
    ]);
    const held = chartToStripData(steady, { holdUntil: 2000 });
    expect(held.heldPoint).toBe(true);
    const [x, line, , , low] = held.plot;
    expect([...x]).toEqual([1150, 2000]);
    expect(line).toEqual([7, 7]);
    expect(low).toEqual([7, null]); // the held stretch is no column of its own: no band
    // Without holdUntil (a view in the past) the silence after it stays empty.
    expect([...chartToStripData(steady).plot[0]]).toEqual([1150]);
    expect(chartToStripData(steady).heldPoint).toBe(false);
    // A column whose worst sample was Bad is not held.
    const lastBad = chart([col(0, 1, 1, 1, 1, { quality: STATUS_BAD })]);
    expect(chartToStripData(lastBad, { holdUntil: 2000 }).plot[0].at(-1)).toBe(1090);
  });

  it('keeps x ascending when a rollup bucket straddles a column boundary', () => {
    // Column 0's last sample lies past column 1's first (a coarse bucket assigned by its start).
    const answer = chart([col(0, 1, 1, 2, 2), col(1, 3, 3, 3, 3)]);
    answer.columns.tLast[0] = 1110;
    const [x] = chartToStripData(answer).plot;
    for (let i = 1; i < x.length; i++) expect(x[i]!).toBeGreaterThanOrEqual(x[i - 1]!);
  });
});

describe('chartToSeries', () => {
  it('turns M4 points into strictly increasing samples for a ring buffer', () => {
    const answer = chart([
      col(0, 5, 1, 9, 4),
      { i: 1, count: 1, first: [1190, 8], min: [1190, 8], max: [1190, 8], last: [1190, 8] },
      col(3, 2, 2, 2, 2, { quality: STATUS_BAD }),
    ]);
    const s = chartToSeries(answer);
    expect(s.tagId).toBe('tag');
    expect(s.t).toEqual([1005, 1020, 1040, 1090, 1190, 1305, 1320, 1340, 1390]);
    expect(s.v).toEqual([5, 9, 1, 4, 8, 2, 2, 2, 2]);
    // Values from a column with Bad samples are usable ones, flagged Uncertain, never Good.
    expect(s.q).toEqual([0, 0, 0, 0, 0, ...Array<number>(4).fill(STATUS_UNCERTAIN)]);
  });
});
