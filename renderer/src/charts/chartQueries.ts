import type { Series } from '../../../shared/domain';
import type { ChartSeries } from '../../../shared/historianApi';
import type { RendererClient } from '../transport/types';
import { chartToSeries } from './m4Data';

/** queryChart takes at most this many tags per call, and this many pixel columns (shared/historianApi.ts). */
export const MAX_CHART_TAGS = 50;
export const MAX_CHART_WIDTH = 8000;

type Caller = Pick<RendererClient, 'call'>;

/** M4 columns of any number of tags: one queryChart per 50 tags, answers in the order asked. */
export async function queryChartColumns(
  client: Caller,
  tagIds: readonly string[],
  from: number,
  to: number,
  width: number,
): Promise<ChartSeries[]> {
  const w = Math.min(MAX_CHART_WIDTH, Math.max(1, Math.round(width)));
  const chunks: string[][] = [];
  for (let i = 0; i < tagIds.length; i += MAX_CHART_TAGS) chunks.push(tagIds.slice(i, i + MAX_CHART_TAGS));
  const answers = await Promise.all(
    chunks.map((ids) => client.call('queryChart', { tagIds: ids, from, to, width: w })),
  );
  return answers.flat();
}

/**
 * History before the live stream: raw samples of measured tags (getRecent), M4 columns of
 * anomaly scores (queryChart at the strips' width). A score is drawn as an overlay at that
 * width, so its M4 points (every one a real sample) look the same as all of its samples, for a
 * fraction of the detector's output rate.
 */
export async function loadRecentWithScores(
  client: Caller,
  request: {
    tagIds: readonly string[];
    sinceMs: number;
    limit: number;
    scoreIds: ReadonlySet<string>;
    width: number;
    now: number;
  },
): Promise<Series[]> {
  const { tagIds, sinceMs, limit, scoreIds, width, now } = request;
  const raw = tagIds.filter((id) => !scoreIds.has(id));
  const scores = tagIds.filter((id) => scoreIds.has(id));
  const [recent, charts] = await Promise.all([
    raw.length ? client.call('getRecent', { tagIds: raw, sinceMs, limit }) : Promise.resolve([]),
    scores.length
      ? queryChartColumns(client, scores, sinceMs, Math.max(now, sinceMs + 1), width)
      : Promise.resolve([]),
  ]);
  return [...recent, ...charts.map(chartToSeries)];
}
