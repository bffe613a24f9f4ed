import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SampleBatch } from '../../../../shared/samples';
import { isUsable, qualityRank } from '../buckets';

/**
 * Helpers shared by the historian's unit and integration tests: batch builders, a seeded
 * random generator, and a plain reference aggregator written from the definitions in
 * buckets.ts, against which the stored rollups are checked.
 */

export interface Sample {
  tagId: string;
  t: number;
  v: number;
  q: number;
}

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function batchOf(samples: readonly Sample[], correlationId = 'test'): SampleBatch {
  const dictionary = new Map<string, number>();
  const tagIds: string[] = [];
  const n = samples.length;
  const batch = {
    tagIndex: new Uint32Array(n),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    quality: new Uint32Array(n),
    tagIds,
    correlationId,
    length: n,
  };
  samples.forEach((s, i) => {
    let k = dictionary.get(s.tagId);
    if (k === undefined) {
      k = tagIds.length;
      tagIds.push(s.tagId);
      dictionary.set(s.tagId, k);
    }
    batch.tagIndex[i] = k;
    batch.timestamps[i] = s.t;
    batch.values[i] = s.v;
    batch.quality[i] = s.q;
  });
  return batch;
}

export function tempDataDir(prefix = 'vigil-historian-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The samples of one tag sorted by time, ties kept in arrival order (what the historian returns). */
export function expectedSeries(
  samples: readonly Sample[],
  tagId: string,
  from = -Infinity,
  to = Infinity,
): Sample[] {
  return samples
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.tagId === tagId && s.t >= from && s.t <= to)
    .sort((a, b) => a.s.t - b.s.t || a.i - b.i)
    .map(({ s }) => s);
}

export interface ReferenceBucket {
  start: number;
  count: number;
  validCount: number;
  min: number;
  max: number;
  mean: number;
  first: number;
  last: number;
  tFirst: number;
  tLast: number;
  quality: number;
}

/** Aggregates of sorted samples over [from, to) in intervals, straight from the definitions. */
export function referenceAggregate(
  series: readonly Sample[],
  from: number,
  to: number,
  interval: number,
): ReferenceBucket[] {
  const count = Math.ceil((to - from) / interval);
  const out: ReferenceBucket[] = Array.from({ length: count }, (_, i) => ({
    start: from + i * interval,
    count: 0,
    validCount: 0,
    min: NaN,
    max: NaN,
    mean: NaN,
    first: NaN,
    last: NaN,
    tFirst: NaN,
    tLast: NaN,
    quality: 0,
  }));
  const sums = new Array<number>(count).fill(0);
  for (const s of series) {
    if (s.t < from || s.t >= to) continue;
    const b = out[Math.floor((s.t - from) / interval)]!;
    const i = Math.floor((s.t - from) / interval);
    b.count++;
    if (b.count === 1 || qualityRank(s.q) > qualityRank(b.quality)) b.quality = s.q;
    if (!isUsable(s.v, s.q)) continue;
    if (b.validCount === 0) {
      b.min = s.v;
      b.max = s.v;
      b.first = s.v;
      b.tFirst = s.t;
    }
    b.validCount++;
    sums[i]! += s.v;
    b.min = Math.min(b.min, s.v);
    b.max = Math.max(b.max, s.v);
    b.last = s.v;
    b.tLast = s.t;
  }
  out.forEach((b, i) => (b.mean = b.validCount > 0 ? sums[i]! / b.validCount : NaN));
  return out;
}
