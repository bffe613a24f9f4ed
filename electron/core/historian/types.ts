import type { Clock } from '../app/clock';
import type { SynchronousMode } from './database';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** How long each resolution is kept, in ms; null keeps it forever. */
export interface RetentionPolicy {
  raw: number | null;
  /** Keyed by resolution in ms. A resolution missing here is kept forever. */
  rollups: Record<number, number | null>;
}

export interface HistorianOptions {
  /** Directory of the database file (created when missing). */
  dataDir: string;
  /** Default historian.db. */
  fileName?: string;
  clock?: Clock;
  /** better_sqlite3.node built for the running ABI (Electron); default: the one next to the package. */
  nativeBinding?: string;
  /** WAL sync mode (see database.ts for the trade-off); default 'full'. */
  synchronous?: SynchronousMode;
  /**
   * How often pending samples are committed (ms, default 500). This is the durability bound:
   * a crash loses at most the samples received in the last flushIntervalMs plus the flush
   * being written; everything acknowledged by onCommitted survives.
   */
  flushIntervalMs?: number;
  /** Run the flush / retry / retention timers (default true; false = call flush() yourself). */
  autoFlush?: boolean;
  /** While faulted, how often to retry the database (ms, default 2000). */
  retryIntervalMs?: number;
  /** Samples per sealed chunk (default 4096). */
  chunkSamples?: number;
  /** Largest time span of one chunk (ms, default 1 day); range queries read at most this much extra. */
  maxChunkSpanMs?: number;
  /** Seal the open chunk of a tag idle this long (ms, default 15 min) so its rollups are stored. */
  sealIdleMs?: number;
  /**
   * Slow tags' samples are written to a shared journal row at each flush and moved to their own
   * rows after this long (ms, default 30 s); a larger value means fewer, bigger writes.
   */
  promoteAfterMs?: number;
  /** Samples held in memory while the database cannot be written (default 4,000,000 = ~80 MB). */
  maxPendingSamples?: number;
  /** Rollup resolutions in ms, ascending, each a multiple of the previous (default 1 s, 1 min, 1 h). */
  resolutions?: number[];
  /** Buckets per stored rollup block (default 256). */
  blockBuckets?: number;
  retention?: Partial<RetentionPolicy>;
  /** How often retention runs (ms, default 60 s); each step deletes at most retentionBatchRows rows. */
  retentionIntervalMs?: number;
  retentionBatchRows?: number;
  /** Disk budget for the database file (bytes); reaching it is reported as disk_full. */
  maxDatabaseBytes?: number | null;
  /** PRAGMA quick_check when opening (default true). */
  integrityCheck?: boolean;
  /** Raw-sample budget of a chart query before it switches to rollups (default max(20000, 64 * width)). */
  chartRawBudget?: number;
}

export const DEFAULT_RESOLUTIONS = [SECOND, MINUTE, HOUR];

export const DEFAULT_RETENTION: RetentionPolicy = {
  raw: 30 * DAY,
  rollups: { [SECOND]: 90 * DAY, [MINUTE]: 2 * 365 * DAY, [HOUR]: 10 * 365 * DAY },
};

/** Raw samples of one tag, ascending by time. */
export interface RawSeries {
  tagId: string;
  t: Float64Array;
  v: Float64Array;
  q: Uint32Array;
  /** True when `limit` cut the series short (the oldest samples are returned). */
  truncated: boolean;
}

export interface LastValue {
  tagId: string;
  t: number;
  v: number;
  q: number;
}

/** Which stored resolution answered which part of a query (0 = raw samples). */
export interface SourcePart {
  resolutionMs: number;
  from: number;
  to: number;
}

/**
 * Aggregates per pixel column or per interval. Index i of every array is one column; times are
 * epoch ms. Value statistics use samples with a finite value and a non-Bad status (see
 * buckets.ts); `count` counts every sample; `quality` is the worst status in the column.
 */
export interface ColumnStats {
  /** Column (or interval) start. */
  t: Float64Array;
  count: Float64Array;
  validCount: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
  first: Float64Array;
  last: Float64Array;
  tFirst: Float64Array;
  tLast: Float64Array;
  tMin: Float64Array;
  tMax: Float64Array;
  quality: Uint32Array;
}

export interface ChartQuery {
  tagIds: readonly string[];
  /**
   * Range [from, to): pixel column i covers [from + i * w, from + (i + 1) * w). A rollup bucket
   * that straddles `from` is drawn whole in the first column (no gap at the left edge).
   */
  from: number;
  to: number;
  /** Pixel columns (1..20000). */
  width: number;
}

/**
 * M4 (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014):
 * first, last, min and max with their times per pixel column, so a line drawn through them is
 * the same picture as the line through every raw sample. Only non-empty columns are listed.
 */
export interface ChartSeries {
  tagId: string;
  from: number;
  to: number;
  width: number;
  /** Width of one pixel column in ms. */
  columnMs: number;
  /** Finest source used (0 = raw). */
  resolutionMs: number;
  sources: SourcePart[];
  columns: ColumnStats;
}

export interface AggregateQuery {
  tagIds: readonly string[];
  /** Interval grid start (inclusive) and end (exclusive). */
  from: number;
  to: number;
  intervalMs: number;
}

/** One row per interval of the grid, empty ones included (count 0, statistics NaN). */
export interface AggregateSeries {
  tagId: string;
  intervalMs: number;
  resolutionMs: number;
  sources: SourcePart[];
  columns: ColumnStats;
}

export interface SourceStats {
  /** 0 = raw samples. */
  resolutionMs: number;
  label: string;
  rows: number;
  /** Bytes of stored payload (chunk or block BLOBs). */
  bytes: number;
  /** Samples (raw) or buckets (rollups). */
  items: number;
  /** Oldest and newest timestamp stored, null when empty. */
  oldest: number | null;
  newest: number | null;
  retentionMs: number | null;
  /** Data at or after this time is complete for this source (older data may be expired). */
  horizon: number | null;
}

export interface IngestStats {
  /** Samples committed since this historian was opened. */
  acknowledged: number;
  /** Samples received and not yet committed. */
  pending: number;
  /** Samples refused because the pending queue was full. Never silent: also a fault. */
  dropped: number;
  /** Samples refused because their timestamp was not a finite number. */
  rejected: number;
  lastCommitAt: number | null;
  lastFlushMs: number | null;
}

export interface HistorianStats {
  file: string;
  schemaVersion: number;
  /** Database + WAL file size on disk. */
  fileBytes: number;
  walBytes: number;
  pageSize: number;
  freePages: number;
  /** Free space on the file system holding the data directory. */
  diskFreeBytes: number | null;
  maxDatabaseBytes: number | null;
  tags: number;
  sources: SourceStats[];
  ingest: IngestStats;
}
