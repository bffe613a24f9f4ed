import type { ApiError, CallResult, Permission } from '../../../shared/api';
import type { Disposable } from './disposable';
import type { EventBus } from './eventBus';
import type { VigilConfig } from './config';

/** Who is calling, so the core can check permissions on every command whatever the UI shows. */
export interface CallContext {
  user: string;
  permissions: readonly Permission[];
}

export type SubscribeResult = { ok: true; subscription: Disposable } | { ok: false; error: ApiError };

/**
 * The core's API as every host sees it: untyped input in (it arrives from another process),
 * parsed against the shared contract inside, typed result or contract error out. Never throws.
 */
export interface CoreApi {
  call(name: string, input: unknown, context?: CallContext): Promise<CallResult<unknown>>;
  subscribe(
    name: string,
    params: unknown,
    onMessage: (message: unknown) => void,
    context?: CallContext,
  ): SubscribeResult;
}

export interface Core {
  readonly api: CoreApi;
  readonly events: EventBus;
  readonly config: VigilConfig;
  /** Connects sources (and starts the built-in simulator when configured). */
  start(): Promise<void>;
  /** Stops sources, flushes what is buffered, releases everything, in order. */
  dispose(): Promise<void>;
}
