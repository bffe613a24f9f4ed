import { z } from 'zod';
import { AlarmsConfigSchema } from '../../../shared/alarms';
import { NotificationsConfigSchema } from '../../../shared/notifications';
import { MaintenanceConfigSchema } from '../../../shared/maintenance';
import { TagRulesSchema } from '../validation/rules';
import { DetectorOptionsSchema } from '../detection/options';
import { connectionExtensions, SIMULATOR_CONNECTION_ID } from '../acquisition/connectionSchema';

/** One OPC UA server Vigil reads from. */
export const ConnectionConfigSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/i, 'use letters, digits, - and _ only')
    .describe('Stable id, used in tag ids and logs'),
  name: z.string().optional(),
  endpointUrl: z.string().regex(/^opc\.tcp:\/\/.+/, 'must start with opc.tcp://'),
  /** Browse name path under the Objects folder whose subtree holds the assets; empty = all of Objects. */
  rootPath: z.array(z.string()).default([]),
  /** Requested sampling interval in ms; 0 asks the server for exception-based reporting. */
  samplingIntervalMs: z.number().nonnegative().default(0),
  publishingIntervalMs: z.number().positive().default(100),
  /** Security, identity, tags, subscriptions, backfill, alarms, writes: see acquisition/connectionSchema.ts. */
  ...connectionExtensions,
});
export type ConnectionConfig = z.infer<typeof ConnectionConfigSchema>;

export const SimulatorConfigSchema = z.object({
  /** Start the built-in OPC UA simulator inside the core and connect to it. */
  enabled: z.boolean().default(true),
  /** 0 = pick a free port. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Simulated cycles per second. */
  speed: z.number().positive().max(1000).default(1),
  /**
   * Also take the simulator's own equipment alarms (OPC UA Alarms & Conditions on each engine's
   * T50) into the alarm queue. Off by default: near an engine's end of life they trip on every
   * noisy cycle, which is a good flood test and a poor demo.
   */
  equipmentAlarms: z.boolean().default(false),
});

const DAY_MS = 86_400_000;

/** The local historian (see electron/core/historian). */
export const HistorianConfigSchema = z.object({
  /** Durability bound: a crash loses at most the samples of the last interval. */
  flushIntervalMs: z.number().int().min(50).max(5000).default(500),
  synchronous: z.enum(['full', 'normal']).default('full'),
  /** Samples held in memory while the database cannot be written (about 20 bytes each). */
  maxPendingSamples: z.number().int().min(10_000).default(4_000_000),
  maxDatabaseBytes: z.number().int().positive().nullable().default(null),
  retention: z
    .object({
      /** Raw samples are kept this long (ms); null = forever. */
      raw: z
        .number()
        .positive()
        .nullable()
        .default(30 * DAY_MS),
      /** Per rollup resolution in ms (as a string key): how long it is kept; null = forever. */
      rollups: z.record(z.string(), z.number().positive().nullable()).default({}),
    })
    .prefault({}),
});

export const VigilConfigSchema = z
  .object({
    /** Where Vigil keeps its data (historian, certificates, logs). */
    dataDir: z.string().default('.vigil-data'),
    simulator: SimulatorConfigSchema.prefault({}),
    connections: z.array(ConnectionConfigSchema).default([]),
    /** How often collected samples are handed to the pipeline as one batch. */
    batchIntervalMs: z.number().int().min(1).max(5000).default(50),
    historian: HistorianConfigSchema.prefault({}),
    /** Data-quality rules: defaults for every tag, and per tag id what differs from them. */
    validation: z
      .object({
        defaults: TagRulesSchema.partial().default({}),
        tags: z.record(z.string(), TagRulesSchema.partial()).default({}),
      })
      .prefault({}),
    /** Streaming anomaly detection (one set of defaults for every tag and asset). */
    detection: DetectorOptionsSchema.partial().default({}),
    alarms: AlarmsConfigSchema.prefault({}),
    notifications: NotificationsConfigSchema.prefault({}),
    maintenance: MaintenanceConfigSchema.prefault({}),
    /** Free space on the data dir's disk below which the "disk low" system alarm is raised. */
    minFreeDiskBytes: z
      .number()
      .int()
      .nonnegative()
      .default(2 * 1024 ** 3),
  })
  .superRefine((config, ctx) => {
    // Checked here so a file with a clash fails at load with its path, not later at start.
    const seen = new Set<string>();
    config.connections.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({ code: 'custom', path: ['connections', i, 'id'], message: `"${c.id}" is used twice` });
      seen.add(c.id);
      if (c.id === SIMULATOR_CONNECTION_ID && config.simulator.enabled)
        ctx.addIssue({
          code: 'custom',
          path: ['connections', i, 'id'],
          message: `"${SIMULATOR_CONNECTION_ID}" is the built-in simulator's connection; choose another id or set simulator.enabled: false`,
        });
    });
  });
export type VigilConfig = z.infer<typeof VigilConfigSchema>;
export type VigilConfigInput = z.input<typeof VigilConfigSchema>;

export function parseConfig(input: unknown, source = 'configuration'): VigilConfig {
  const parsed = VigilConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
    throw new Error(`Invalid ${source}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
