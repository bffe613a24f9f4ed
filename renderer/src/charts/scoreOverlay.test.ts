import { describe, expect, it } from 'vitest';
import type { ChartSeries } from '../../../shared/historianApi';
import { STATUS_BAD } from '../../../shared/quality';
import { SampleRingBuffer } from './ringBuffer';
import { LiveScoreTrack, MAX_SCORE_STEP_MS, scoreTrackFromChart } from './scoreOverlay';

/** A score's chart answer: one column per entry, `max` also used as first/last/min. */
function scoreChart(columns: { i: number; max: number | null }[], columnMs = 1000): ChartSeries {
  const from = 0;
  const pick = (f: (c: { i: number; max: number | null }) => number | null) => columns.map(f);
  const tOf = (c: { i: number; max: number | null }) => (c.max === null ? null : c.i * columnMs + 10);
  return {
    tagId: 'a#anomaly',
    from,
    to: 20 * columnMs,
    width: 20,
    columnMs,
    resolutionMs: 0,
    sources: [],
    columns: {
      t: columns.map((c) => c.i * columnMs),
      count: columns.map(() => 3),
      validCount: columns.map((c) => (c.max === null ? 0 : 3)),
      min: pick((c) => c.max),
      max: pick((c) => c.max),
      mean: pick((c) => c.max),
      first: pick((c) => c.max),
      last: pick((c) => c.max),
      quality: columns.map(() => 0),
      tFirst: pick(tOf),
      tLast: pick(tOf),
      tMin: pick(tOf),
      tMax: pick(tOf),
    },
  };
}

describe('scoreTrackFromChart', () => {
  it('shades every column whose maximum is above 0.5, merging neighbours', () => {
    const track = scoreTrackFromChart(
      scoreChart([
        { i: 0, max: 0.1 },
        { i: 1, max: 0.7 },
        { i: 2, max: 0.9 },
        { i: 3, max: 0.5 }, // at the threshold is not above it
        { i: 6, max: 0.6 },
      ]),
    );
    expect(track.spans).toEqual([1000, 3000, 6000, 7000]);
    expect(track.peak).toBe(0.9);
  });

  it('breaks the score line over empty columns and columns without a value', () => {
    const track = scoreTrackFromChart(
      scoreChart([
        { i: 0, max: 0.1 },
        { i: 1, max: null },
        { i: 2, max: 0.2 },
        { i: 5, max: 0.3 },
      ]),
    );
    const v = Array.from(track.v).slice(0, track.n);
    expect(v.filter((x) => Number.isNaN(x))).toHaveLength(2);
    expect(v.filter((x) => !Number.isNaN(x))).toEqual([0.1, 0.2, 0.3]);
    expect(track.spans).toEqual([]);
  });
});

describe('LiveScoreTrack', () => {
  function buffer(samples: [t: number, v: number, q?: number][]) {
    const b = new SampleRingBuffer(16);
    for (const [t, v, q] of samples) b.push(t, v, q ?? 0);
    return b;
  }

  it('shades from each score above 0.5 to the next one, the newest to the window end', () => {
    const b = buffer([
      [1000, 0.2],
      [2000, 0.8],
      [3000, 0.9],
      [4000, 0.1],
      [5000, 0.7],
    ]);
    const track = new LiveScoreTrack(16).build(b, 0, 5500);
    expect(track.spans).toEqual([2000, 4000, 5000, 5500]);
    expect(track.peak).toBe(0.9);
    expect(Array.from(track.v).slice(0, track.n)).toEqual([0.2, 0.8, 0.9, 0.1, 0.7]);
  });

  it('ignores Bad scores, and does not join scores further apart than the detector step', () => {
    const far = 2000 + MAX_SCORE_STEP_MS + 1;
    const b = buffer([
      [1000, 0.9, STATUS_BAD],
      [2000, 0.8],
      [far, 0.3],
    ]);
    const track = new LiveScoreTrack(16).build(b, 0, far);
    expect(track.spans).toEqual([2000, 2000 + MAX_SCORE_STEP_MS]);
    const v = Array.from(track.v).slice(0, track.n);
    // The Bad score is a break, and so is the silence before `far`.
    expect(v.filter((x) => Number.isNaN(x))).toHaveLength(2);
    expect(track.peak).toBe(0.8);
  });

  it('reuses its arrays and is empty for an empty buffer', () => {
    const builder = new LiveScoreTrack(16);
    const empty = builder.build(new SampleRingBuffer(16), 0, 1000);
    expect([empty.n, empty.spans.length]).toEqual([0, 0]);
    expect(Number.isNaN(empty.peak)).toBe(true);
    const again = builder.build(buffer([[10, 0.9]]), 0, 1000);
    expect(again.t).toBe(empty.t);
    expect(again.spans).toEqual([10, 1000]);
  });
});
