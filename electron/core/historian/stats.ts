import fs from 'node:fs';
import path from 'node:path';
import { Buckets } from './buckets';
import { decodeRollupBlock } from './codec/rollupBlock';
import type { HistorianStore } from './store';
import type { HistorianStats, IngestStats, RetentionPolicy, SourceStats } from './types';

/** Human label of a resolution: 0 -> raw, 1000 -> 1s, 60000 -> 1min, 3600000 -> 1h. */
export function resolutionLabel(res: number): string {
  if (res === 0) return 'raw';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [ms, unit] of units) if (res % ms === 0) return `${res / ms}${unit}`;
  return `${res}ms`;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function edgeTimes(store: HistorianStore, res: number): { oldest: number | null; newest: number | null } {
  const edges = store.edgeBlocks(res);
  const scan = (rows: { block: number; data: Buffer }[], pick: 'min' | 'max'): number | null => {
    let best: number | null = null;
    for (const row of rows) {
      const b = new Buckets(store.layout.blockBuckets);
      decodeRollupBlock(row.data, row.block, res, b);
      if (b.length === 0) continue;
      const value = pick === 'min' ? b.start[0]! : b.start[b.length - 1]!;
      if (best === null || (pick === 'min' ? value < best : value > best)) best = value;
    }
    return best;
  };
  return { oldest: scan(edges.oldest, 'min'), newest: scan(edges.newest, 'max') };
}

export function collectStats(
  store: HistorianStore,
  file: string,
  policy: RetentionPolicy,
  ingest: IngestStats,
  maxDatabaseBytes: number | null,
): HistorianStats {
  const db = store.db;
  const usage = store.usage();
  const horizonOrNull = (res: number): number | null => {
    const h = store.horizon(res);
    return Number.isFinite(h) ? h : null;
  };
  const sources: SourceStats[] = [];
  const rawUsage = usage.get(0) ?? { rows: 0, bytes: 0, items: 0 };
  sources.push({
    resolutionMs: 0,
    label: 'raw',
    ...rawUsage,
    ...store.rawTimeRange(),
    retentionMs: policy.raw,
    horizon: horizonOrNull(0),
  });
  for (const res of store.layout.resolutions) {
    const u = usage.get(res) ?? { rows: 0, bytes: 0, items: 0 };
    sources.push({
      resolutionMs: res,
      label: resolutionLabel(res),
      ...u,
      ...edgeTimes(store, res),
      retentionMs: policy.rollups[res] ?? null,
      horizon: horizonOrNull(res),
    });
  }
  let diskFreeBytes: number | null;
  try {
    const st = fs.statfsSync(path.dirname(file));
    diskFreeBytes = st.bavail * st.bsize;
  } catch {
    diskFreeBytes = null;
  }
  const walBytes = fileSize(`${file}-wal`);
  return {
    file,
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    fileBytes: fileSize(file) + walBytes,
    walBytes,
    pageSize: db.pragma('page_size', { simple: true }) as number,
    freePages: db.pragma('freelist_count', { simple: true }) as number,
    diskFreeBytes,
    maxDatabaseBytes,
    tags: store.tagCount(),
    sources,
    ingest,
  };
}
