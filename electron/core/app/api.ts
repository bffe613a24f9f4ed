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
): CoreApi {
  return {
    async call(name, input, context = LOCAL_OPERATOR): Promise<CallResult<unknown>> {
      if (!isCommandName(name)) {
        return fail({ code: 'unknown_command', message: `Unknown command "${String(name)}"`, issues: [] });
      }
      const spec = commands[name];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) return fail(invalidInput(name, parsed.error));
      if (!context.permissions.includes(spec.permission)) {
        return fail({
          code: 'forbidden',
          message: `${name} needs the "${spec.permission}" permission`,
          issues: [],
        });
      }
      try {
        const handler = handlers[name] as (i: unknown, c: CallContext) => unknown;
        return { ok: true, result: await handler(parsed.data, context) };
      } catch (err) {
        return fail(toApiError(name, err, log));
      }
    },

    subscribe(name, params, onMessage, context = LOCAL_OPERATOR): SubscribeResult {
      if (!isStreamName(name)) {
        return fail({ code: 'unknown_command', message: `Unknown stream "${String(name)}"`, issues: [] });
      }
      const spec = streams[name];
      const parsed = spec.params.safeParse(params ?? {});
      if (!parsed.success) return fail(invalidInput(name, parsed.error));
      if (!context.permissions.includes(spec.permission)) {
        return fail({
          code: 'forbidden',
          message: `${name} needs the "${spec.permission}" permission`,
          issues: [],
        });
      }
      try {
        const subscription = streamHandlers[name](parsed.data, onMessage, context);
        return { ok: true, subscription };
      } catch (err) {
        return fail(toApiError(name, err, log));
      }
    },
  };
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
