import { openHistorian } from '../../electron/core/historian';
import { STATUS_BAD } from '../../shared/quality';
import { SampleBatchBuilder } from '../../shared/samples';

/**
 * A year of history for a few tags, written into a data directory's historian before `vigil
 * serve` opens it: the simulator only has data since it started, and a trend that zooms out
 * to a year needs a year to show.
 *
 * One sample a minute for the year (decimated generation: the rollups a year-long chart reads
 * are the same shape as from 1 Hz data), then one a second for the last `denseHours`. The
 * signal has a daily cycle, a slow drift, a few one-sample spikes (M4 must keep them), a
 * `gapDays` hole with no samples, and a day of Bad samples. Scores (tags ending in #anomaly
 * or /anomaly_score) sit near 0.05 with `abnormalEpisodes` six-hour stretches at 0.8.
 */
export interface SeedTag {
  id: string;
  /** Typical value of a measured tag (ignored for scores). */
  level?: number;
}

export interface SeedPlan {
  /** The newest sample is at or before this (epoch ms). */
  until: number;
  spikes: { at: number; value: number; tagId: string }[];
  gap: { from: number; to: number };
  bad: { from: number; to: number };
  abnormal: { from: number; to: number }[];
  samples: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const isScore = (id: string) => id.endsWith('#anomaly') || id.endsWith('/anomaly_score');

export function seedYear(
  dataDir: string,
  tags: readonly SeedTag[],
  options: { now?: number; days?: number; denseHours?: number } = {},
): SeedPlan {
  const until = Math.floor((options.now ?? Date.now()) / 1000) * 1000 - 1000;
  const days = options.days ?? 365;
  const denseFrom = until - (options.denseHours ?? 2) * HOUR;
  const start = Math.floor((until - days * DAY) / MINUTE) * MINUTE;
  const gap = { from: until - 200 * DAY, to: until - 195 * DAY };
  const bad = { from: until - 100 * DAY, to: until - 99 * DAY };
  const abnormal = [60, 150, 300].map((d) => ({ from: until - d * DAY, to: until - d * DAY + 6 * HOUR }));
  const measured = tags.filter((t) => !isScore(t.id));
  const spikes = measured.flatMap((t, i) =>
    [45, 250].map((d) => ({
      at: start + (d * DAY + (i + 1) * 7 * MINUTE),
      value: (t.level ?? 100) * 1.08,
      tagId: t.id,
    })),
  );
  const spikeAt = new Map(spikes.map((s) => [`${s.tagId}@${s.at}`, s.value]));
  const rnd = lcg(7);
  const historian = openHistorian({ dataDir, autoFlush: false, synchronous: 'normal' });
  const builder = new SampleBatchBuilder(64 * 1024);
  let samples = 0;
  const push = (t: number) => {
    if (t >= gap.from && t < gap.to) return;
    const quality = t >= bad.from && t < bad.to ? STATUS_BAD : 0;
    for (const tag of tags) {
      let v: number;
      if (isScore(tag.id)) {
        const inEpisode = abnormal.some((e) => t >= e.from && t < e.to);
        v = inEpisode ? 0.75 + rnd() * 0.15 : 0.03 + rnd() * 0.06;
      } else {
        const level = tag.level ?? 100;
        const daily = Math.sin(((t % DAY) / DAY) * 2 * Math.PI) * level * 0.004;
        // Drifts up by 1 % over the period, ending at `level` (where the simulator carries on).
        const drift = ((t - until) / (days * DAY)) * level * 0.01;
        v = spikeAt.get(`${tag.id}@${t}`) ?? level + daily + drift + (rnd() - 0.5) * level * 0.002;
      }
      builder.push(tag.id, t, Math.round(v * 1000) / 1000, quality);
      samples++;
    }
  };
  let lostSamples: number;
  try {
    let t = start;
    let lastFlush = start;
    while (t <= until) {
      push(t);
      t += t < denseFrom ? MINUTE : 1000;
      if (builder.size >= 50_000) {
        historian.append(builder.take(`seed-${t}`));
        if (t - lastFlush > 30 * DAY || t >= denseFrom) {
          historian.flush();
          lastFlush = t;
        }
      }
    }
    if (builder.size > 0) historian.append(builder.take('seed-last'));
    historian.flush();
  } finally {
    lostSamples = historian.close().lostSamples;
  }
  if (lostSamples > 0) throw new Error(`seeding lost ${lostSamples} samples`);
  return { until, spikes, gap, bad, abnormal, samples };
}
