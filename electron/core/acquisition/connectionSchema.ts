import { z } from 'zod';
import { SECURITY_MODES, SECURITY_POLICIES } from '../../../shared/acquisitionApi';

/*
 * The OPC UA parts of a connection's configuration, added to ConnectionConfigSchema (app/config.ts).
 * Every field is optional and its default keeps the behaviour Vigil had before it existed (security
 * None, anonymous, the whole address space discovered, one value stream per numeric variable), so a
 * configuration written for an older Vigil still means the same thing. settings.ts applies the defaults.
 * The security modes and policies come from the shared contract, so what the console offers and what
 * the file accepts cannot drift apart.
 */

/** The built-in simulator's connection: started by the core, never in the configuration file. */
export const SIMULATOR_CONNECTION_ID = 'sim';

export const SecurityConfigSchema = z
  .object({
    mode: z.enum(SECURITY_MODES).default('None'),
    policy: z.enum(SECURITY_POLICIES).default('None'),
  })
  .refine((s) => (s.mode === 'None') === (s.policy === 'None'), {
    message:
      'security mode None goes with policy None, and Sign / SignAndEncrypt need a policy other than None',
  });
export type SecurityConfig = z.infer<typeof SecurityConfigSchema>;

export const IdentityConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('anonymous') }),
  z
    .object({
      type: z.literal('username'),
      userName: z.string().min(1),
      /** Kept in the configuration file; prefer passwordEnv so the file holds no secret. */
      password: z.string().optional(),
      /** Name of an environment variable that holds the password. */
      passwordEnv: z.string().min(1).optional(),
    })
    .refine((u) => u.password !== undefined || u.passwordEnv !== undefined, {
      message: 'a username identity needs password or passwordEnv',
    }),
  z.object({
    type: z.literal('certificate'),
    /** PEM or DER file of the user's X.509 certificate. */
    certificateFile: z.string().min(1),
    /** PEM file of its private key. */
    privateKeyFile: z.string().min(1),
  }),
]);
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;

export const DeadbandConfigSchema = z.object({
  type: z.enum(['absolute', 'percent']),
  /** Absolute: in engineering units. Percent: of the variable's EURange (0-100). */
  value: z.number().nonnegative(),
});
export type DeadbandConfig = z.infer<typeof DeadbandConfigSchema>;

/** How one tag is sampled; unset fields take the connection's defaults. */
export const MonitoringConfigSchema = z.object({
  /** 0 = exception-based (every change); node-opcua servers never sample faster than 50 ms. */
  samplingIntervalMs: z.number().nonnegative().optional(),
  /** Values the server keeps per item between two publishes; too small loses changes of fast tags. */
  queueSize: z.number().int().min(1).max(100_000).optional(),
  deadband: DeadbandConfigSchema.nullable().optional(),
});

export const TagConfigSchema = MonitoringConfigSchema.extend({
  id: z.string().min(1),
  nodeId: z.string().min(1),
  assetId: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  unit: z.string().optional(),
  range: z.object({ low: z.number(), high: z.number() }).nullable().optional(),
  /** For array (waveform) tags: samples per second of the array, when the server does not say. */
  sampleRateHz: z.number().positive().optional(),
});
export type TagConfig = z.infer<typeof TagConfigSchema>;

export const AssetConfigSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  parentId: z.string().min(1).nullable().optional(),
  kind: z.enum(['site', 'area', 'asset']).optional(),
  description: z.string().optional(),
});
export type AssetConfig = z.infer<typeof AssetConfigSchema>;

/** The fields ConnectionConfigSchema gains (spread into it in app/config.ts). */
export const connectionExtensions = {
  security: SecurityConfigSchema.optional(),
  identity: IdentityConfigSchema.optional(),
  /** Build the asset model from the server's address space (default true, as before). */
  discover: z.boolean().optional(),
  /** Assets and tags the operator added by browsing; persisted by tagModelStore. */
  assets: z.array(AssetConfigSchema).optional(),
  tags: z.array(TagConfigSchema).optional(),
  /** Defaults for every tag of this connection. */
  queueSize: z.number().int().min(1).max(100_000).optional(),
  deadband: DeadbandConfigSchema.nullable().optional(),
  subscriptions: z
    .object({
      /** At most this many monitored items per subscription (default 1000). */
      maxItemsPerSubscription: z.number().int().min(1).max(100_000).optional(),
      /** Publishing intervals without data before the server sends a keep-alive (default 10). */
      maxKeepAliveCount: z.number().int().min(1).max(1000).optional(),
      /** Silence after which a subscription counts as stalled; default 3 keep-alive periods, at least 5 s. */
      stallTimeoutMs: z.number().int().min(200).max(600_000).optional(),
    })
    .optional(),
  backfill: z
    .object({
      /** Read the gap from the server's history after a reconnection (default true). */
      enabled: z.boolean().optional(),
      /** Look back at most this far (default 24 h). */
      maxLookbackMs: z.number().int().positive().optional(),
      /** Values read per tag and outage at most (default 100,000). */
      maxValuesPerTag: z.number().int().positive().optional(),
    })
    .optional(),
  alarms: z
    .object({
      /** Subscribe to the server's Alarms & Conditions events (default false). */
      enabled: z.boolean().optional(),
      /** Event notifiers to subscribe to (default the Server object, i=2253). */
      notifiers: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  /** Allow writeValue and callMethod on this connection (default false). */
  allowWrites: z.boolean().optional(),
};
