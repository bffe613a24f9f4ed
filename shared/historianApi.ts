import { z } from 'zod';
import type { Permission } from './api';
import { SeriesSchema } from './domain';

/**
 * Historian commands: raw ranges, M4 chart columns per pixel, aggregates per interval, last
 * values, storage statistics, CSV export, backup and restore. NaN (a sensor with no number, or
 * an empty interval) travels as null.
 */

const epochMs = z.number().finite();
const nullableNumbers = z.array(z.number().nullable());
const timeRange = { from: epochMs, to: epochMs };
const toAfterFrom = (q: { from: number; to: number }) => q.to > q.from;
const toAfterFromMessage = { message: 'to must be after from', path: ['to'] };

export const SourcePartSchema = z.object({ resolutionMs: z.number(), from: z.number(), to: z.number() });

const columnsShape = {
  t: z.array(z.number()),
  count: z.array(z.number()),
  validCount: z.array(z.number()),
  min: nullableNumbers,
  max: nullableNumbers,
  mean: nullableNumbers,
  first: nullableNumbers,
  last: nullableNumbers,
  /** Worst OPC UA status code in the column. */
  quality: z.array(z.number()),
};

/** M4 columns (Jugel et al., VLDB 2014): per pixel column first, last, min and max with their times. */
export const ChartSeriesSchema = z.object({
  tagId: z.string(),
  from: z.number(),
  to: z.number(),
  width: z.number().int(),
  columnMs: z.number(),
  /** Finest source used: 0 = raw samples, else the rollup resolution in ms. */
  resolutionMs: z.number(),
  sources: z.array(SourcePartSchema),
  columns: z.object({
    ...columnsShape,
    tFirst: nullableNumbers,
    tLast: nullableNumbers,
    tMin: nullableNumbers,
    tMax: nullableNumbers,
  }),
});
export type ChartSeries = z.infer<typeof ChartSeriesSchema>;

export const AggregateSeriesSchema = z.object({
  tagId: z.string(),
  intervalMs: z.number(),
  resolutionMs: z.number(),
  sources: z.array(SourcePartSchema),
  columns: z.object(columnsShape),
});
export type AggregateSeries = z.infer<typeof AggregateSeriesSchema>;

export const HistorianStatsSchema = z.object({
  file: z.string(),
  schemaVersion: z.number(),
  fileBytes: z.number(),
  walBytes: z.number(),
  pageSize: z.number(),
  freePages: z.number(),
  diskFreeBytes: z.number().nullable(),
  maxDatabaseBytes: z.number().nullable(),
  tags: z.number(),
  sources: z.array(
    z.object({
      resolutionMs: z.number(),
      label: z.string(),
      rows: z.number(),
      bytes: z.number(),
      items: z.number(),
      oldest: z.number().nullable(),
      newest: z.number().nullable(),
      retentionMs: z.number().nullable(),
      horizon: z.number().nullable(),
    }),
  ),
  ingest: z.object({
    acknowledged: z.number(),
    pending: z.number(),
    dropped: z.number(),
    rejected: z.number(),
    lastCommitAt: z.number().nullable(),
    lastFlushMs: z.number().nullable(),
  }),
});
export type HistorianStats = z.infer<typeof HistorianStatsSchema>;

/** A backup is named, never given as a path: a remote UI must not write anywhere the core can. */
const backupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'use letters, digits, _ . - only');
const tagIds = (max: number) => z.array(z.string().min(1)).min(1).max(max);

export const historianCommands = {
  queryRaw: {
    input: z
      .object({
        tagId: z.string().min(1),
        ...timeRange,
        limit: z.number().int().positive().max(1_000_000).default(100_000),
      })
      .strict()
      .refine(toAfterFrom, toAfterFromMessage),
    output: SeriesSchema.extend({ truncated: z.boolean() }),
    permission: 'view',
  },
  queryChart: {
    input: z
      .object({ tagIds: tagIds(50), ...timeRange, width: z.number().int().min(1).max(8000) })
      .strict()
      .refine(toAfterFrom, toAfterFromMessage),
    output: z.array(ChartSeriesSchema),
    permission: 'view',
  },
  queryAggregates: {
    input: z
      .object({ tagIds: tagIds(200), ...timeRange, intervalMs: z.number().int().min(1000) })
      .strict()
      .refine(toAfterFrom, toAfterFromMessage),
    output: z.array(AggregateSeriesSchema),
    permission: 'view',
  },
  lastValues: {
    input: z.object({ tagIds: tagIds(1000) }).strict(),
    output: z.array(
      z.object({ tagId: z.string(), t: z.number(), v: z.number().nullable(), q: z.number() }).nullable(),
    ),
    permission: 'view',
  },
  historianStats: { input: z.object({}).strict(), output: HistorianStatsSchema, permission: 'view' },
  exportCsv: {
    input: z
      .object({ tagIds: tagIds(200), ...timeRange })
      .strict()
      .refine(toAfterFrom, toAfterFromMessage),
    /** Written to <dataDir>/exports/; the host offers it as a download. */
    output: z.object({ file: z.string(), rows: z.number(), bytes: z.number() }),
    permission: 'operate',
  },
  backupHistorian: {
    input: z.object({ name: backupName }).strict(),
    output: z.object({
      file: z.string(),
      bytes: z.number(),
      durationMs: z.number(),
      schemaVersion: z.number(),
    }),
    permission: 'admin',
  },
  listBackups: {
    input: z.object({}).strict(),
    output: z.array(z.object({ name: z.string(), bytes: z.number(), modifiedAt: z.number() })),
    permission: 'admin',
  },
  restoreHistorian: {
    input: z.object({ name: backupName }).strict(),
    output: z.object({ movedAside: z.string().nullable(), schemaVersion: z.number(), tags: z.number() }),
    permission: 'admin',
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType; permission: Permission }>;
