import {
  VigilApiError,
  type CallResult,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type StreamMessage,
  type StreamName,
  type StreamParams,
  type VigilBridge,
} from '../../../shared/api';
import { decodeResult, decodeStreamMessage, toApiError, unavailable } from './decode';
import { createObservable } from './observable';
import type { RendererClient, TransportStatus } from './types';

type AnyCommand = (input: unknown) => Promise<CallResult<unknown>>;
type AnySubscribe = (params: unknown, onMessage: (message: unknown) => void) => () => void;

function subscribeKey(name: StreamName): string {
  return `subscribe${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/**
 * VigilClient over Electron's preload bridge (`window.vigil`): one named function per command
 * and per stream, as shared/api.ts VigilBridge declares. Results are parsed against the contract
 * like the WebSocket client's, so the UI sees the same types and the same errors on both.
 * IPC to a local process has no link to lose: the status is `open` until disposed; a dead core
 * shows up as failing calls (getHealth polling).
 */
export function createBridgeClient(bridge: VigilBridge): RendererClient {
  const status = createObservable<TransportStatus>({ state: 'open', lastError: null, attempt: 0 });
  const unsubscribers = new Set<() => void>();
  let disposed = false;

  return {
    kind: 'electron',
    status,

    async call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      if (disposed) throw unavailable('The Vigil client was closed');
      const command = (bridge as unknown as Record<string, AnyCommand | undefined>)[name];
      if (typeof command !== 'function') {
        throw new VigilApiError({
          code: 'unknown_command',
          message: `The Electron bridge does not offer ${name}`,
          issues: [],
        });
      }
      let answer: CallResult<unknown>;
      try {
        answer = await command(input);
      } catch (err) {
        throw unavailable(`The Electron bridge failed to deliver ${name}: ${(err as Error).message}`);
      }
      if (!answer || typeof answer !== 'object') {
        throw new VigilApiError({
          code: 'internal',
          message: `The Electron bridge answered ${name} with something that is not a result`,
          issues: [],
        });
      }
      if (answer.ok) return decodeResult(name, answer.result);
      throw new VigilApiError(toApiError(answer.error));
    },

    subscribe<S extends StreamName>(
      name: S,
      params: StreamParams<S>,
      onMessage: (message: StreamMessage<S>) => void,
      onError?: (error: VigilApiError) => void,
    ): () => void {
      const fail = (error: VigilApiError) => {
        if (onError) onError(error);
        else console.error(`Vigil stream ${name}: ${error.message}`);
      };
      if (disposed) {
        fail(unavailable('The Vigil client was closed'));
        return () => {};
      }
      const subscribe = (bridge as unknown as Record<string, AnySubscribe | undefined>)[subscribeKey(name)];
      if (typeof subscribe !== 'function') {
        fail(
          new VigilApiError({
            code: 'unknown_command',
            message: `The Electron bridge does not offer the ${name} stream`,
            issues: [],
          }),
        );
        return () => {};
      }
      let active = true;
      let release: () => void;
      try {
        release = subscribe(params, (raw) => {
          if (!active) return;
          const decoded = decodeStreamMessage(name, raw);
          if (decoded.ok) onMessage(decoded.value);
          else fail(decoded.error);
        });
      } catch (err) {
        fail(unavailable(`The Electron bridge refused the ${name} stream: ${(err as Error).message}`));
        return () => {};
      }
      const unsubscribe = () => {
        if (!active) return;
        active = false;
        unsubscribers.delete(unsubscribe);
        release();
      };
      unsubscribers.add(unsubscribe);
      return unsubscribe;
    },

    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const unsubscribe of [...unsubscribers]) unsubscribe();
      status.set({ state: 'closed', lastError: null, attempt: 0 });
    },
  };
}
