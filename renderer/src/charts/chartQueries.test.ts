import { describe, expect, it } from 'vitest';
import type { CommandInput, CommandName } from '../../../shared/api';
import type { ChartSeries } from '../../../shared/historianApi';
import { loadRecentWithScores, MAX_CHART_TAGS, queryChartColumns } from './chartQueries';

/** Records the calls and answers each like the core would (one series per tag asked). */
function recordingClient() {
  const calls: { name: CommandName; input: unknown }[] = [];
  const client = {
    call: (async (name: CommandName, input: CommandInput<'queryChart'> & CommandInput<'getRecent'>) => {
      calls.push({ name, input });
      if (name === 'getRecent')
        return input.tagIds.map((tagId) => ({ tagId, t: [1, 2], v: [10, 20], q: [0, 0] }));
      return input.tagIds.map((tagId): ChartSeries => ({
        tagId,
        from: input.from,
        to: input.to,
        width: input.width,
        columnMs: (input.to - input.from) / input.width,
        resolutionMs: 0,
        sources: [],
        columns: {
          t: [input.from],
          count: [1],
          validCount: [1],
          min: [0.7],
          max: [0.7],
          mean: [0.7],
          first: [0.7],
          last: [0.7],
          quality: [0],
          tFirst: [input.from + 5],
          tLast: [input.from + 5],
          tMin: [input.from + 5],
          tMax: [input.from + 5],
        },
      }));
    }) as never,
  };
  return { client, calls };
}

describe('queryChartColumns', () => {
  it('splits more tags than one call takes and keeps the answers in order', async () => {
    const { client, calls } = recordingClient();
    const ids = Array.from({ length: MAX_CHART_TAGS * 2 + 3 }, (_, i) => `tag${i}`);
    const series = await queryChartColumns(client, ids, 0, 1000, 640.4);
    expect(calls.map((c) => (c.input as { tagIds: string[] }).tagIds.length)).toEqual([50, 50, 3]);
    expect(series.map((s) => s.tagId)).toEqual(ids);
    // Whole pixels, within what the contract accepts.
    expect((calls[0]!.input as { width: number }).width).toBe(640);
    await queryChartColumns(client, ['a'], 0, 1000, 20_000);
    expect((calls.at(-1)!.input as { width: number }).width).toBe(8000);
  });
});

describe('loadRecentWithScores', () => {
  it('asks raw samples for measured tags and M4 columns for scores, as one list of series', async () => {
    const { client, calls } = recordingClient();
    const series = await loadRecentWithScores(client, {
      tagIds: ['t24', 't24#anomaly', 'asset/anomaly_score'],
      sinceMs: 1000,
      limit: 8192,
      scoreIds: new Set(['t24#anomaly']),
      width: 500,
      now: 301_000,
    });
    expect(calls).toEqual([
      { name: 'getRecent', input: { tagIds: ['t24', 'asset/anomaly_score'], sinceMs: 1000, limit: 8192 } },
      { name: 'queryChart', input: { tagIds: ['t24#anomaly'], from: 1000, to: 301_000, width: 500 } },
    ]);
    expect(series.map((s) => s.tagId)).toEqual(['t24', 'asset/anomaly_score', 't24#anomaly']);
    // The score's M4 point became a sample.
    expect(series[2]).toEqual({ tagId: 't24#anomaly', t: [1005], v: [0.7], q: [0] });
  });
});
