import type { z } from 'zod';
import {
  ApiErrorSchema,
  commands,
  streams,
  VigilApiError,
  type ApiError,
  type CommandName,
  type CommandOutput,
  type StreamMessage,
  type StreamName,
} from '../../../shared/api';

/**
 * Everything that reaches the renderer from another process is parsed against the contract
 * here, once, for both transports: a malformed answer becomes a clear error, never a crash
 * deep inside a component.
 */

function describeIssues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** The contract's ApiError from whatever the host sent; an `internal` error if it is not one. */
export function toApiError(raw: unknown): ApiError {
  const parsed = ApiErrorSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  return {
    code: 'internal',
    message: `The core reported an error in an unknown shape: ${safeJson(raw)}`,
    issues: [],
  };
}

export function decodeResult<N extends CommandName>(name: N, raw: unknown): CommandOutput<N> {
  const parsed = commands[name].output.safeParse(raw);
  if (!parsed.success) {
    throw new VigilApiError({
      code: 'internal',
      message: `The core sent a malformed result for ${name}: ${describeIssues(parsed.error)}`,
      issues: [],
    });
  }
  return parsed.data as CommandOutput<N>;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: VigilApiError };

export function decodeStreamMessage<S extends StreamName>(name: S, raw: unknown): Decoded<StreamMessage<S>> {
  const parsed = streams[name].message.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as StreamMessage<S> };
  return {
    ok: false,
    error: new VigilApiError({
      code: 'internal',
      message: `The core sent a malformed ${name} message: ${describeIssues(parsed.error)}`,
      issues: [],
    }),
  };
}

export function unavailable(message: string): VigilApiError {
  return new VigilApiError({ code: 'unavailable', message, issues: [] });
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}
