import { z } from 'zod';
import type { Clock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';

/** Playback steps have whole-millisecond timestamps that must increase, hence at most 1000 steps/s. */
export const MAX_SPEED = 1000;
export const MAX_BULK_TAGS = 100_000;
export const MAX_BULK_RATE_HZ = 1000;

export const SimulatorOptionsSchema = z.object({
  /** TCP port; 0 = any free port. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Interface to listen on; the default keeps the simulator private to this machine. */
  host: z.string().min(1).default('127.0.0.1'),
  /** C-MAPSS cycles (and AI4I rows) per second. */
  speed: z.number().positive().max(MAX_SPEED).default(1),
  /**
   * A synthetic asset with `tags` plain Double variables (no EU properties, so 10,000 of them start
   * in about a second), all updated `rateHz` times a second from one timer.
   */
  bulk: z
    .object({
      tags: z.number().int().min(1).max(MAX_BULK_TAGS),
      rateHz: z.number().positive().max(MAX_BULK_RATE_HZ),
    })
    .optional(),
  /** Folder with the playback CSVs (or a resources/ folder holding simulator/); searched for when absent. */
  resourcesDir: z.string().min(1).optional(),
  /** Where the server keeps its certificate and key; a folder under the OS temp dir when absent. */
  pkiDir: z.string().min(1).optional(),
});

export type SimulatorOptions = z.input<typeof SimulatorOptionsSchema> & {
  /** Time source of the playback timers and timestamps (tests may pass a ManualClock). */
  clock?: Clock;
};

export class SimulatorOptionsError extends Error {
  override name = 'SimulatorOptionsError';
}

export interface SimulatorTagInfo {
  browseName: string;
  /** e.g. "ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T24" */
  nodeId: string;
  description: string;
  /** Display symbol of the EngineeringUnits ('' when the value has no unit). */
  unit: string;
  /** EURange; null for the synthetic load-test signals, which are plain Double variables. */
  range: { low: number; high: number } | null;
}

export interface SimulatorAssetInfo {
  site: string;
  area: string;
  asset: string;
  /** Node id of the asset Object. */
  nodeId: string;
  description: string;
  /** Where the values come from; absent for the synthetic load-test asset. */
  source?: { dataset: string; unit?: number; rows: number };
  tags: SimulatorTagInfo[];
}

export interface SimulatorStats {
  /** Playback steps done (one C-MAPSS cycle per engine and one AI4I row each). */
  steps: number;
  /** Values set on the server, playback and bulk together. */
  valuesWritten: number;
  /** Bulk updates done (each sets every bulk tag). */
  bulkTicks: number;
  /** Steps or bulk ticks dropped because the event loop was blocked for too long to catch up. */
  skipped: number;
  /** The last error raised while writing values, if any. */
  lastError: string | null;
}

export interface Simulator extends Disposable {
  endpointUrl: string;
  port: number;
  /** Namespace of the simulator's nodes; resolve its index from the server's NamespaceArray. */
  namespaceUri: string;
  assets: SimulatorAssetInfo[];
  stats(): SimulatorStats;
  dispose(): Promise<void>;
}
