import { z } from 'zod';
import { AssetSchema, ConnectionStatusSchema, SeriesSchema, TagSchema } from './domain';
import { alarmCommands, alarmStreams } from './alarmsApi';
import { historianCommands } from './historianApi';
import { acquisitionCommands } from './acquisitionApi';

/**
 * The one typed contract between the core and every host (Electron main relay,
 * preload bridge, headless HTTP/WebSocket server, renderer client, CLI).
 * Every command: name -> input schema, output schema, permission it needs.
 * Every input crossing a process boundary is parsed with its schema before the core sees it.
 */

export const PermissionSchema = z.enum(['view', 'operate', 'configure', 'admin']);
export type Permission = z.infer<typeof PermissionSchema>;

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded', 'starting']),
  /** What is wrong, one line each; empty when status is ok. */
  problems: z.array(z.string()),
  version: z.string(),
  startedAt: z.number(),
  uptimeS: z.number(),
  connections: z.array(ConnectionStatusSchema),
});
export type Health = z.infer<typeof HealthSchema>;

const tagIdList = z.array(z.string().min(1)).min(1).max(1000);

/** Validation results of one tag: samples flagged per rule since the core started. */
export const DataQualitySchema = z.object({
  tagId: z.string(),
  stale: z.boolean(),
  flagged: z.record(z.string(), z.number().int().nonnegative()),
});
export type DataQuality = z.infer<typeof DataQualitySchema>;

const coreCommands = {
  listAssets: {
    input: z.object({}).strict(),
    output: z.array(AssetSchema),
    permission: 'view',
  },
  listTags: {
    input: z.object({ assetId: z.string().min(1).optional() }).strict(),
    output: z.array(TagSchema),
    permission: 'view',
  },
  getRecent: {
    input: z
      .object({
        tagIds: tagIdList,
        /** Only samples newer than this epoch ms. */
        sinceMs: z.number().finite().optional(),
        /** At most this many of the newest samples per tag. */
        limit: z.number().int().positive().max(100_000).default(2000),
      })
      .strict(),
    output: z.array(SeriesSchema),
    permission: 'view',
  },
  getHealth: {
    input: z.object({}).strict(),
    output: HealthSchema,
    permission: 'view',
  },
  getDataQuality: {
    input: z.object({ tagIds: tagIdList.optional() }).strict(),
    output: z.array(DataQualitySchema),
    permission: 'view',
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType; permission: Permission }>;

/** Every command of the core, by area. */
export const commands = {
  ...coreCommands,
  ...acquisitionCommands,
  ...historianCommands,
  ...alarmCommands,
} as const;

export type CommandName = keyof typeof commands;
export type CommandInput<N extends CommandName> = z.input<(typeof commands)[N]['input']>;
export type CommandParsedInput<N extends CommandName> = z.output<(typeof commands)[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<(typeof commands)[N]['output']>;
export const commandNames = Object.keys(commands) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

/** Live sample updates for a set of tags, batched and limited to screen rate per subscriber. */
export const LiveSamplesMessageSchema = z.object({
  series: z.array(SeriesSchema),
  /** Samples the subscriber missed because it fell behind (never silently: counted here). */
  dropped: z.number().int().nonnegative(),
});
export type LiveSamplesMessage = z.infer<typeof LiveSamplesMessageSchema>;

export const MAX_STREAM_UPDATES_PER_S = 30;

const coreStreams = {
  liveSamples: {
    params: z.object({ tagIds: tagIdList }).strict(),
    message: LiveSamplesMessageSchema,
    permission: 'view',
  },
} as const satisfies Record<string, { params: z.ZodType; message: z.ZodType; permission: Permission }>;

/** Every stream of the core, by area. */
export const streams = { ...coreStreams, ...alarmStreams } as const;

export type StreamName = keyof typeof streams;
export type StreamParams<S extends StreamName> = z.input<(typeof streams)[S]['params']>;
export type StreamMessage<S extends StreamName> = z.output<(typeof streams)[S]['message']>;
export const streamNames = Object.keys(streams) as StreamName[];

export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(streams, name);
}

/** Errors every host reports in the same shape. */
export const ApiErrorSchema = z.object({
  code: z.enum(['invalid_input', 'unknown_command', 'forbidden', 'not_found', 'unavailable', 'internal']),
  message: z.string(),
  /** Field-level problems for invalid_input. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).default([]),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type CallResult<T> = { ok: true; result: T } | { ok: false; error: ApiError };

export class VigilApiError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'VigilApiError';
  }
}

/** Turns a zod error into the contract's invalid_input error with readable field paths. */
export function invalidInput(what: string, err: z.ZodError): ApiError {
  const issues = err.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : '(root)',
    message: i.message,
  }));
  return {
    code: 'invalid_input',
    message: `Invalid input for ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  };
}

/**
 * The client surface every transport implements (WebSocket for the headless console,
 * the preload bridge in Electron). Renderer code depends only on this.
 */
export interface VigilClient {
  call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  subscribe<S extends StreamName>(
    name: S,
    params: StreamParams<S>,
    onMessage: (message: StreamMessage<S>) => void,
  ): () => void;
}

/**
 * What the Electron preload puts on `window.vigil`: one named function per command and
 * per stream, nothing generic. Built from the contract so a new command cannot be forgotten.
 */
export type VigilBridge = {
  [N in CommandName]: (input: CommandInput<N>) => Promise<CallResult<CommandOutput<N>>>;
} & {
  [S in StreamName as `subscribe${Capitalize<S>}`]: (
    params: StreamParams<S>,
    onMessage: (message: StreamMessage<S>) => void,
  ) => () => void;
};
