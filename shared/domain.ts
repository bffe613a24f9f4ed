import { z } from 'zod';

/** A measured or derived signal of an asset, e.g. one turbofan sensor. */
export const TagSchema = z.object({
  id: z.string().min(1),
  assetId: z.string().min(1),
  name: z.string(),
  description: z.string().default(''),
  unit: z.string().default(''),
  range: z.object({ low: z.number(), high: z.number() }).nullable().default(null),
  /** Where the value comes from: the connection id and the OPC UA node id on that server. */
  source: z.object({ connectionId: z.string(), nodeId: z.string() }).nullable().default(null),
  /**
   * Absent or measured: read from equipment. anomaly: an anomaly score in [0, 1] computed by
   * Vigil, for the tag named in `derivedFrom` or, when that is absent, for the whole asset.
   */
  kind: z.enum(['measured', 'anomaly']).optional(),
  derivedFrom: z.string().optional(),
});
export type Tag = z.infer<typeof TagSchema>;

export const AssetKindSchema = z.enum(['site', 'area', 'asset']);
export type AssetKind = z.infer<typeof AssetKindSchema>;

/** A node of the site / area / asset hierarchy. Only `asset` nodes own tags. */
export const AssetSchema = z.object({
  id: z.string().min(1),
  parentId: z.string().nullable(),
  kind: AssetKindSchema,
  name: z.string(),
  description: z.string().default(''),
  connectionId: z.string().nullable().default(null),
});
export type Asset = z.infer<typeof AssetSchema>;

export const ConnectionStateSchema = z.enum([
  'disconnected',
  'connecting',
  'connected',
  'reconnecting',
  'failed',
]);
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

export const ConnectionStatusSchema = z.object({
  id: z.string(),
  endpointUrl: z.string(),
  state: ConnectionStateSchema,
  /** Human-readable cause of the last failure, null when healthy. */
  lastError: z.string().nullable(),
  tagCount: z.number().int().nonnegative(),
  /** Epoch ms of the last data change received, null if none yet. */
  lastValueAt: z.number().nullable(),
  valuesReceived: z.number().int().nonnegative(),
});
export type ConnectionStatus = z.infer<typeof ConnectionStatusSchema>;

/**
 * A sample value. A sensor can deliver no number (NaN, flagged by its quality); JSON has no NaN
 * and sends null, Electron's IPC keeps NaN: both read back as NaN.
 */
export const SampleValueSchema = z
  .union([z.number(), z.nan(), z.null()])
  .transform((v) => (v === null ? Number.NaN : v));

/** A time series for one tag, as plain arrays (JSON-friendly for the wire). */
export const SeriesSchema = z.object({
  tagId: z.string(),
  /** Epoch milliseconds, ascending. */
  t: z.array(z.number()),
  v: z.array(SampleValueSchema),
  /** OPC UA StatusCode per sample. */
  q: z.array(z.number()),
});
export type Series = z.infer<typeof SeriesSchema>;
