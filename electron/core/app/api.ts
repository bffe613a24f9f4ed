import {
  commands,
  invalidInput,
  isCommandName,
  isStreamName,
  streams,
  type ApiError,
  type CallResult,
  type CommandName,
  type CommandOutput,
  type CommandParsedInput,
  type Permission,
  type StreamMessage,
  type StreamName,
  type VigilApiError,
} from '../../../shared/api';
import type { z } from 'zod';
import type { Disposable } from './disposable';
import type { CallContext, CoreApi, SubscribeResult } from './types';

export type CommandHandlers = {
  [N in CommandName]: (
    input: CommandParsedInput<N>,
    context: CallContext,
  ) => Promise<CommandOutput<N>> | CommandOutput<N>;
};

export type StreamHandlers = {
  [S in StreamName]: (
    params: z.output<(typeof streams)[S]['params']>,
    send: (message: StreamMessage<S>) => void,
    context: CallContext,
  ) => Disposable;
};

/** Until accounts exist (a later issue), the local operator may do everything. */
export const LOCAL_OPERATOR: CallContext = {
  user: 'local-operator',
  permissions: ['view', 'operate', 'configure', 'admin'],
};

/**
 * The only way into the core from outside: checks the name against the contract, parses the input
 * with its schema, checks the permission, runs the handler, and turns every failure into the
 * contract's error shape. It never throws, so no malformed message can crash a host.
 */
export function createCoreApi(
  handlers: CommandHandlers,
  streamHandlers: StreamHandlers,
  log: (msg: string, err: unknown) => void,
  /** Turns errors of a module (historian, ...) into the contract's errors; null = not mine. */
  mapError: (err: unknown) => CoreError | null = () => null,
): CoreApi {
  return {
    async call(name, input, context = LOCAL_OPERATOR): Promise<CallResult<unknown>> {
      const checked = admit('command', isCommandName(name) ? commands[name] : null, name, input, context);
      if (!checked.ok) return checked;
      try {
        const handler = handlers[name as CommandName] as (i: unknown, c: CallContext) => unknown;
        return { ok: true, result: await handler(checked.input, context) };
      } catch (err) {
        return fail(toApiError(name, mapError(err) ?? err, log));
      }
    },

    subscribe(name, params, onMessage, context = LOCAL_OPERATOR): SubscribeResult {
      const spec = isStreamName(name)
        ? { input: streams[name].params, permission: streams[name].permission }
        : null;
      const checked = admit('stream', spec, name, params, context);
      if (!checked.ok) return checked;
      try {
        const handler = streamHandlers[name as StreamName] as (
          p: unknown,
          send: (m: unknown) => void,
          c: CallContext,
        ) => Disposable;
        return { ok: true, subscription: handler(checked.input, onMessage, context) };
      } catch (err) {
        return fail(toApiError(name, mapError(err) ?? err, log));
      }
    },
  };
}

/** The checks every request passes, in order: known name, valid input, permission. */
function admit(
  what: 'command' | 'stream',
  spec: { input: z.ZodType; permission: Permission } | null,
  name: string,
  input: unknown,
  context: CallContext,
): { ok: true; input: unknown } | { ok: false; error: ApiError } {
  if (!spec)
    return fail({ code: 'unknown_command', message: `Unknown ${what} "${String(name)}"`, issues: [] });
  const parsed = spec.input.safeParse(input ?? {});
  if (!parsed.success) return fail(invalidInput(name, parsed.error));
  if (!context.permissions.includes(spec.permission)) {
    return fail({
      code: 'forbidden',
      message: `${name} needs the "${spec.permission}" permission`,
      issues: [],
    });
  }
  return { ok: true, input: parsed.data };
}

function fail(error: ApiError): { ok: false; error: ApiError } {
  return { ok: false, error };
}

/** Errors a handler throws on purpose carry a code; anything else is internal and logged. */
export class CoreError extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
  ) {
    super(message);
  }
}

function toApiError(name: string, err: unknown, log: (msg: string, err: unknown) => void): ApiError {
  if (err instanceof CoreError) return { code: err.code, message: err.message, issues: [] };
  if (err && typeof err === 'object' && 'error' in err && (err as VigilApiError).name === 'VigilApiError') {
    return (err as VigilApiError).error;
  }
  log(`command ${name} failed`, err);
  return {
    code: 'internal',
    message: `${name} failed: ${err instanceof Error ? err.message : String(err)}`,
    issues: [],
  };
}
