import { z } from 'zod';
import { ConnectionStatusSchema, TagSchema } from './domain';
import type { Permission } from './api';

/*
 * Commands the OPC UA client offers, for the lead to add to `commands` in shared/api.ts (this file
 * imports only zod and shared/, so it can move there as it is). acquisitionHandlers.ts implements
 * every one of them against an AcquisitionService.
 */

const connectionId = z.string().min(1);
const nodeId = z.string().min(1).max(4096);
const thumbprint = z.string().min(40).max(60);

/** A value sent to the equipment: a number, a boolean, a string, or an array of them. */
const PlainValueSchema = z.union([
  z.number(),
  z.boolean(),
  z.string(),
  z.array(z.union([z.number(), z.boolean(), z.string()])).max(100_000),
]);

export const CertificateInfoSchema = z.object({
  thumbprint: z.string(),
  subject: z.string(),
  issuer: z.string(),
  notBefore: z.number(),
  notAfter: z.number(),
  selfSigned: z.boolean(),
  applicationUri: z.string().nullable(),
  dnsNames: z.array(z.string()),
  ipAddresses: z.array(z.string()),
  serialNumber: z.string(),
});

export const StoredCertificateSchema = CertificateInfoSchema.extend({
  state: z.enum(['trusted', 'pending', 'rejected']),
  firstSeenAt: z.number().nullable(),
  decidedAt: z.number().nullable(),
});

export const CertificateListSchema = z.object({
  /** Vigil's own application instance certificate (servers must trust it for secure connections). */
  own: CertificateInfoSchema,
  /** Trusted first, then the review queue (pending), then rejected. */
  servers: z.array(StoredCertificateSchema),
  /** Expiry warnings (own certificate and trusted ones, within 30 days or expired). */
  warnings: z.array(z.string()),
});

export const EndpointInfoSchema = z.object({
  endpointUrl: z.string(),
  securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']),
  securityPolicy: z.string(),
  securityLevel: z.number(),
  userTokens: z.array(z.enum(['anonymous', 'username', 'certificate', 'issued'])),
  serverCertificate: CertificateInfoSchema.extend({
    state: z.enum(['trusted', 'pending', 'rejected', 'unknown']),
  }).nullable(),
});

export const BrowseEntrySchema = z.object({
  nodeId: z.string(),
  browseName: z.string(),
  displayName: z.string(),
  nodeClass: z.string(),
  hasChildren: z.boolean(),
  variable: z
    .object({
      dataType: z.string(),
      valueRank: z.number(),
      arrayDimensions: z.array(z.number()).nullable(),
      access: z.object({ read: z.boolean(), write: z.boolean(), history: z.boolean() }),
      historizing: z.boolean(),
      description: z.string(),
      unit: z.string(),
      range: z.object({ low: z.number(), high: z.number() }).nullable(),
      trendable: z.boolean(),
    })
    .nullable(),
});

export const BrowsePageSchema = z.object({
  nodeId: z.string(),
  entries: z.array(BrowseEntrySchema),
  total: z.number().int().nonnegative(),
});

const DeadbandSchema = z.object({ type: z.enum(['absolute', 'percent']), value: z.number().nonnegative() });

export const NewTagSchema = z
  .object({
    nodeId,
    /** Default: "<asset id>/<slug of name>". */
    id: z.string().min(1).optional(),
    /** Default: the node's display name. */
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    unit: z.string().optional(),
    range: z.object({ low: z.number(), high: z.number() }).nullable().optional(),
    samplingIntervalMs: z.number().nonnegative().optional(),
    queueSize: z.number().int().min(1).max(100_000).optional(),
    deadband: DeadbandSchema.nullable().optional(),
    sampleRateHz: z.number().positive().optional(),
  })
  .strict();

export const DataGapSchema = z.object({
  id: z.number(),
  connectionId: z.string(),
  from: z.number(),
  to: z.number(),
  cause: z.enum(['connection lost', 'stalled', 'reconnected']),
  recovery: z.enum(['republished', 'history', 'partial', 'none']),
  backfilled: z.boolean(),
  valuesBackfilled: z.number(),
  tagsBackfilled: z.number(),
  tagsNotBackfilled: z.number(),
  unfilledTagIds: z.array(z.string()),
  errors: z.array(z.string()),
});

const TagStatusSchema = z.object({
  tagId: z.string(),
  nodeId: z.string(),
  error: z.string().nullable(),
  history: z.boolean(),
  array: z.boolean(),
  overflows: z.number(),
});

/** Security modes and the policies OPC UA 1.05 still recommends (Basic128Rsa15 and Basic256 are deprecated, Part 7). */
export const SECURITY_MODES = ['None', 'Sign', 'SignAndEncrypt'] as const;
export const SECURITY_POLICIES = [
  'None',
  'Basic256Sha256',
  'Aes128_Sha256_RsaOaep',
  'Aes256_Sha256_RsaPss',
] as const;

/**
 * A connection as the operator sets it up in the console (addConnection / updateConnection). It is
 * written to the configuration file, so it survives a restart; the password is kept there too (file
 * mode 0600), since the core must log in again unattended after a restart.
 */
export const ConnectionSettingsSchema = z
  .object({
    /** Stable id used in tag ids; default: a slug of the name. Cannot change once tags use it. */
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'use letters, digits, - and _ only (at most 63)')
      .optional(),
    name: z.string().trim().min(1, 'a name is needed').max(200),
    endpointUrl: z
      .string()
      .trim()
      .regex(/^opc\.tcp:\/\/.+/, 'must start with opc.tcp://'),
    security: z
      .object({ mode: z.enum(SECURITY_MODES), policy: z.enum(SECURITY_POLICIES) })
      .strict()
      .refine((s) => (s.mode === 'None') === (s.policy === 'None'), {
        message:
          'security mode None goes with policy None, and Sign / SignAndEncrypt need a policy other than None',
      }),
    identity: z.discriminatedUnion('type', [
      z.object({ type: z.literal('anonymous') }).strict(),
      z
        .object({
          type: z.literal('username'),
          userName: z.string().min(1),
          /** Omitted on updateConnection: keep the stored password. */
          password: z.string().optional(),
        })
        .strict(),
      z
        .object({
          type: z.literal('certificate'),
          /** Paths on the machine running the core: PEM or DER certificate, PEM private key. */
          certificateFile: z.string().min(1),
          privateKeyFile: z.string().min(1),
        })
        .strict(),
    ]),
    /** Import every numeric variable of the address space as tags (default false: only tags added by browsing). */
    discover: z.boolean().default(false),
    /** Subscribe to the server's Alarms & Conditions events. */
    alarms: z.boolean().default(false),
    /** 0 = exception-based (every change). */
    samplingIntervalMs: z.number().nonnegative().max(3_600_000).default(0),
    publishingIntervalMs: z.number().positive().max(3_600_000).default(100),
  })
  .strict();
export type ConnectionSettings = z.output<typeof ConnectionSettingsSchema>;

/**
 * A connection's saved settings as getConnectionDetails reports them, for the edit form: the
 * password itself never leaves the core, only whether one is saved.
 */
export const SavedConnectionSettingsSchema = z.object({
  id: z.string(),
  name: z.string(),
  endpointUrl: z.string(),
  security: z.object({ mode: z.enum(SECURITY_MODES), policy: z.enum(SECURITY_POLICIES) }),
  identity: z.discriminatedUnion('type', [
    z.object({ type: z.literal('anonymous') }),
    z.object({ type: z.literal('username'), userName: z.string(), passwordSaved: z.boolean() }),
    z.object({ type: z.literal('certificate'), certificateFile: z.string(), privateKeyFile: z.string() }),
  ]),
  discover: z.boolean(),
  alarms: z.boolean(),
  samplingIntervalMs: z.number(),
  publishingIntervalMs: z.number(),
});
export type SavedConnectionSettings = z.output<typeof SavedConnectionSettingsSchema>;

export const ConnectionDetailsSchema = z.object({
  status: ConnectionStatusSchema,
  /** The configured display name (the id when none). */
  name: z.string(),
  /**
   * Whether the connection is in the configuration file, so it can be edited, removed and given
   * tags by browsing (the built-in simulator's connection is not: its tags come from its address space).
   */
  configured: z.boolean(),
  /** The settings as saved in the configuration file; null when the connection is not in it. */
  settings: SavedConnectionSettingsSchema.nullable(),
  security: z.object({ mode: z.string(), policy: z.string() }),
  identity: z.string(),
  serverCertificate: CertificateInfoSchema.extend({ state: z.string() }).nullable(),
  limits: z.record(z.string(), z.number()).nullable(),
  subscriptions: z.array(
    z.object({
      subscriptionId: z.number(),
      items: z.number(),
      publishingIntervalMs: z.number(),
      keepAliveMs: z.number(),
    }),
  ),
  monitoredItems: z.number(),
  createCalls: z.number(),
  tagErrors: z.array(TagStatusSchema),
  reconnects: z.number(),
  stalls: z.array(z.object({ at: z.number(), subscription: z.number(), silentForMs: z.number() })),
  gaps: z.array(DataGapSchema),
  duplicatesDropped: z.number(),
  valuesBackfilled: z.number(),
  serverQueueOverflows: z.number(),
  alarms: z.object({
    enabled: z.boolean(),
    conditions: z.number(),
    lastEventAt: z.number().nullable(),
    error: z.string().nullable(),
  }),
  writesAllowed: z.boolean(),
  timings: z.object({
    connectMs: z.number(),
    discoverMs: z.number(),
    inspectMs: z.number(),
    subscribeMs: z.number(),
  }),
  warnings: z.array(z.string()),
});

export const ExternalConditionSchema = z.object({
  connectionId: z.string(),
  conditionId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  sourceNodeId: z.string().nullable(),
  assetId: z.string().nullable(),
  sourceName: z.string(),
  conditionName: z.string(),
  message: z.string(),
  severity: z.number(),
  priority: z.enum(['critical', 'high', 'medium', 'low']),
  active: z.boolean(),
  acknowledged: z.boolean(),
  confirmed: z.boolean().nullable(),
  retain: z.boolean(),
  comment: z.string(),
  user: z.string().nullable(),
  time: z.number(),
  receivedAt: z.number(),
  refresh: z.boolean(),
  correlationId: z.string(),
});

const conditionAction = z
  .object({
    connectionId,
    conditionId: nodeId,
    /** The EventId (hex) of the event being answered, as listExternalConditions gives it. */
    eventId: z.string().regex(/^[0-9a-fA-F]+$/, 'hex digits'),
    comment: z.string().max(2000).default(''),
  })
  .strict();

export const acquisitionCommands = {
  /** Endpoints of a server (security modes, policies, identity types, certificate) to choose from. */
  discoverEndpoints: {
    input: z
      .object({ endpointUrl: z.string().regex(/^opc\.tcp:\/\/.+/, 'must start with opc.tcp://') })
      .strict(),
    output: z.array(EndpointInfoSchema),
    permission: 'configure',
  },
  listCertificates: {
    input: z.object({}).strict(),
    output: CertificateListSchema,
    permission: 'view',
  },
  /** Trusts a server certificate from the review queue (or a rejected one); waiting connections retry. */
  trustCertificate: {
    input: z.object({ thumbprint }).strict(),
    output: StoredCertificateSchema,
    permission: 'admin',
  },
  rejectCertificate: {
    input: z.object({ thumbprint }).strict(),
    output: StoredCertificateSchema,
    permission: 'admin',
  },
  /** One level of a server's address space (lazy tree), paged. */
  browseNode: {
    input: z
      .object({
        connectionId,
        /** Default: the Objects folder. */
        nodeId: nodeId.optional(),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    output: BrowsePageSchema,
    permission: 'configure',
  },
  /** Adds variables as tags of an asset (created when new) and persists them in the configuration. */
  addTags: {
    input: z
      .object({
        connectionId,
        assetId: z.string().min(1),
        /** Creates the asset when it does not exist yet. */
        asset: z
          .object({
            name: z.string().min(1),
            parentId: z.string().min(1).nullable().optional(),
            kind: z.enum(['site', 'area', 'asset']).optional(),
            description: z.string().optional(),
          })
          .strict()
          .optional(),
        tags: z.array(NewTagSchema).min(1).max(10_000),
      })
      .strict(),
    output: z.array(TagSchema),
    permission: 'configure',
  },
  removeTags: {
    input: z.object({ connectionId, tagIds: z.array(z.string().min(1)).min(1).max(10_000) }).strict(),
    output: z.object({ removed: z.number().int() }),
    permission: 'configure',
  },
  getConnectionDetails: {
    input: z.object({ connectionId: connectionId.optional() }).strict(),
    output: z.array(ConnectionDetailsSchema),
    permission: 'view',
  },
  listDataGaps: {
    input: z.object({ connectionId: connectionId.optional(), sinceMs: z.number().optional() }).strict(),
    output: z.array(DataGapSchema),
    permission: 'view',
  },
  /** Adds a connection, persists it in the configuration file and starts connecting (state is reported as it goes). */
  addConnection: {
    input: ConnectionSettingsSchema,
    output: ConnectionStatusSchema,
    permission: 'configure',
  },
  /** Replaces a configured connection's settings (its tags and assets stay) and reconnects with them. */
  updateConnection: {
    input: ConnectionSettingsSchema.extend({ id: connectionId }),
    output: ConnectionStatusSchema,
    permission: 'configure',
  },
  /** Disconnects and removes a configured connection and its tag model; the history already recorded stays. */
  removeConnection: {
    input: z.object({ connectionId }).strict(),
    output: z.object({ removed: z.literal(true) }),
    permission: 'configure',
  },
  /** Connects again now (after fixing a password on the server, trusting Vigil there, ...). */
  reconnectConnection: {
    input: z.object({ connectionId }).strict(),
    output: ConnectionStatusSchema,
    permission: 'configure',
  },
  /** Off unless the connection sets allowWrites: true (until users and roles exist). */
  writeValue: {
    input: z.object({ connectionId, nodeId, value: PlainValueSchema }).strict(),
    output: z.object({ ok: z.literal(true) }),
    permission: 'operate',
  },
  /** Off unless the connection sets allowWrites: true. */
  callMethod: {
    input: z
      .object({
        connectionId,
        objectId: nodeId,
        methodId: nodeId,
        inputArguments: z.array(PlainValueSchema).max(100).default([]),
      })
      .strict(),
    output: z.object({ outputArguments: z.array(z.unknown()) }),
    permission: 'operate',
  },
  /** Conditions the servers currently retain (connections with alarms.enabled). */
  listExternalConditions: {
    input: z.object({ connectionId: connectionId.optional() }).strict(),
    output: z.array(ExternalConditionSchema),
    permission: 'view',
  },
  /** Acknowledge at the equipment (the alarm engine does this for alarms in the queue). */
  acknowledgeCondition: {
    input: conditionAction,
    output: z.object({ ok: z.literal(true) }),
    permission: 'operate',
  },
  confirmCondition: {
    input: conditionAction,
    output: z.object({ ok: z.literal(true) }),
    permission: 'operate',
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType; permission: Permission }>;

export type AcquisitionCommandName = keyof typeof acquisitionCommands;
export type AcquisitionInput<N extends AcquisitionCommandName> = z.output<
  (typeof acquisitionCommands)[N]['input']
>;
export type AcquisitionOutput<N extends AcquisitionCommandName> = z.output<
  (typeof acquisitionCommands)[N]['output']
>;
