import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import type { ConnectionConfig } from '../app/config';
import type {
  AssetConfig,
  DeadbandConfig,
  IdentityConfig,
  SecurityConfig,
  TagConfig,
} from './connectionSchema';

/** A connection's configuration with every default applied (see connectionSchema.ts). */
export interface ConnectionSettings {
  id: string;
  endpointUrl: string;
  security: SecurityConfig;
  identity: IdentityConfig;
  discover: boolean;
  rootPath: readonly string[];
  assets: readonly AssetConfig[];
  tags: readonly TagConfig[];
  publishingIntervalMs: number;
  monitoring: MonitoringParameters;
  maxItemsPerSubscription: number;
  maxKeepAliveCount: number;
  /** Silence after which a subscription counts as stalled. */
  stallTimeoutMs: number;
  backfill: { enabled: boolean; maxLookbackMs: number; maxValuesPerTag: number };
  alarms: { enabled: boolean; notifiers: readonly string[] };
  allowWrites: boolean;
}

export interface MonitoringParameters {
  samplingIntervalMs: number;
  queueSize: number;
  deadband: DeadbandConfig | null;
}

export const DEFAULT_MAX_ITEMS_PER_SUBSCRIPTION = 1000;
/**
 * Values the server may queue per item between publishes. At 100 ms publishing an exception-based item
 * can change hundreds of times per interval in bulk tests; 100 keeps a 1 kHz signal lossless.
 */
export const DEFAULT_QUEUE_SIZE = 100;
const DEFAULT_MAX_KEEP_ALIVE_COUNT = 10;
const MIN_STALL_TIMEOUT_MS = 5000;
const DAY_MS = 24 * 3600_000;

export function resolveSettings(config: ConnectionConfig): ConnectionSettings {
  const maxKeepAliveCount = config.subscriptions?.maxKeepAliveCount ?? DEFAULT_MAX_KEEP_ALIVE_COUNT;
  const keepAlivePeriodMs = config.publishingIntervalMs * maxKeepAliveCount;
  return {
    id: config.id,
    endpointUrl: config.endpointUrl,
    security: config.security ?? { mode: 'None', policy: 'None' },
    identity: config.identity ?? { type: 'anonymous' },
    discover: config.discover ?? true,
    rootPath: config.rootPath,
    assets: config.assets ?? [],
    tags: config.tags ?? [],
    publishingIntervalMs: config.publishingIntervalMs,
    monitoring: {
      samplingIntervalMs: config.samplingIntervalMs,
      queueSize: config.queueSize ?? DEFAULT_QUEUE_SIZE,
      deadband: config.deadband ?? null,
    },
    maxItemsPerSubscription:
      config.subscriptions?.maxItemsPerSubscription ?? DEFAULT_MAX_ITEMS_PER_SUBSCRIPTION,
    maxKeepAliveCount,
    stallTimeoutMs:
      config.subscriptions?.stallTimeoutMs ?? Math.max(MIN_STALL_TIMEOUT_MS, 3 * keepAlivePeriodMs),
    backfill: {
      enabled: config.backfill?.enabled ?? true,
      maxLookbackMs: config.backfill?.maxLookbackMs ?? DAY_MS,
      maxValuesPerTag: config.backfill?.maxValuesPerTag ?? 100_000,
    },
    alarms: {
      enabled: config.alarms?.enabled ?? false,
      notifiers: config.alarms?.notifiers ?? ['i=2253'],
    },
    allowWrites: config.allowWrites ?? false,
  };
}

/** A tag's own monitoring parameters over the connection's defaults. */
export function monitoringFor(
  tag: Partial<TagConfig> | undefined,
  defaults: MonitoringParameters,
): MonitoringParameters {
  return {
    samplingIntervalMs: tag?.samplingIntervalMs ?? defaults.samplingIntervalMs,
    queueSize: tag?.queueSize ?? defaults.queueSize,
    deadband: tag?.deadband === undefined ? defaults.deadband : tag.deadband,
  };
}

export function toMessageSecurityMode(mode: SecurityConfig['mode']): MessageSecurityMode {
  return MessageSecurityMode[mode];
}

export function toSecurityPolicy(policy: SecurityConfig['policy']): SecurityPolicy {
  return SecurityPolicy[policy];
}

/** "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256" -> "Basic256Sha256". */
export function policyName(uri: string): string {
  const hash = uri.lastIndexOf('#');
  return hash >= 0 ? uri.slice(hash + 1) : uri;
}
