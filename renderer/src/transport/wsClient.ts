import {
  VigilApiError,
  type CommandInput,
  type CommandName,
  type CommandOutput,
  type StreamMessage,
  type StreamName,
  type StreamParams,
} from '../../../shared/api';
import type { WsClientMessage } from '../../../shared/ipc';
import { decodeResult, decodeStreamMessage, toApiError, unavailable } from './decode';
import { createObservable } from './observable';
import type { RendererClient, TransportStatus } from './types';

/**
 * The part of a WebSocket this client uses. Both the browser's WebSocket and the `ws` package's
 * (Node 20 has no global WebSocket: tests pass `ws`) fit it. Event parameters are typed `never`
 * so either implementation's handler types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WsClientOptions {
  /** Defaults to globalThis.WebSocket (the browser's). */
  WebSocket?: WebSocketConstructor;
  /** A call without an answer after this long fails with `unavailable`. */
  callTimeoutMs?: number;
  /** First reconnect delay; doubles per failed attempt up to maxReconnectDelayMs (with jitter). */
  initialReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

const WS_OPEN = 1;
const NORMAL_CLOSURE = 1000;

interface PendingCall {
  name: CommandName;
  frame: string;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (error: VigilApiError) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Subscription {
  name: StreamName;
  frame: string;
  onMessage: (message: never) => void;
  onError: ((error: VigilApiError) => void) | undefined;
}

/** `ws(s)://host/api/ws?token=...` from the page's address. */
export function consoleSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
}

/**
 * VigilClient over the headless server's WebSocket (shared/ipc.ts WsClientMessage/WsServerMessage).
 *
 * - Calls carry ids and a timeout; calls made while the link is down wait for it (until their
 *   timeout). A call already sent when the link drops fails with `unavailable` and is NOT re-sent:
 *   the client cannot know whether the core executed it.
 * - Subscriptions are remembered and re-sent after every reconnect, so a stream survives a
 *   restart of the server or a network blip (samples from the gap are the caller's to refetch).
 * - Reconnects forever with exponential backoff and jitter; `status` tells the UI what is going on.
 */
export function createWsClient(url: string, token: string, options: WsClientOptions = {}): RendererClient {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Ctor) throw new Error('No WebSocket implementation: pass options.WebSocket');
  const endpoint = new URL(url); // throws on a malformed address: a programming error, not a retry case
  const where = `${endpoint.origin}${endpoint.pathname}`; // never show the token
  endpoint.searchParams.set('token', token);
  const fullUrl = endpoint.toString();

  const callTimeoutMs = options.callTimeoutMs ?? 15_000;
  const initialDelay = options.initialReconnectDelayMs ?? 250;
  const maxDelay = options.maxReconnectDelayMs ?? 10_000;

  const status = createObservable<TransportStatus>({ state: 'connecting', lastError: null, attempt: 0 });
  const pending = new Map<number, PendingCall>();
  const subscriptions = new Map<number, Subscription>();
  let socket: WebSocketLike | null = null;
  let everOpened = false;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;
  let nextId = 1;

  const isOpen = () => socket !== null && socket.readyState === WS_OPEN;

  function send(frame: string): boolean {
    if (!socket || socket.readyState !== WS_OPEN) return false;
    try {
      socket.send(frame);
      return true;
    } catch {
      return false; // the socket is closing; its close handler takes over
    }
  }

  function connect(): void {
    reconnectTimer = null;
    if (disposed) return;
    let ws: WebSocketLike;
    try {
      ws = new Ctor!(fullUrl);
    } catch (err) {
      scheduleReconnect(`Cannot open a connection to ${where}: ${(err as Error).message}`);
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws || disposed) return;
      everOpened = true;
      attempt = 0;
      // Listeners hear "open" before the subscriptions are re-sent, so a consumer can prepare
      // (e.g. hold live samples back while it refetches the gap) before any stream message arrives.
      status.set({ state: 'open', lastError: null, attempt: 0 });
      for (const sub of subscriptions.values()) send(sub.frame);
      for (const call of pending.values()) if (!call.sent) call.sent = send(call.frame);
    };
    ws.onmessage = (event: { data: unknown }) => {
      if (socket === ws) handleFrame(event.data);
    };
    ws.onerror = () => {
      // Always followed by close, which carries the code and does the bookkeeping.
    };
    ws.onclose = (event: { code?: number; reason?: string }) => {
      if (socket !== ws) return;
      socket = null;
      for (const [id, call] of pending) {
        if (!call.sent) continue;
        pending.delete(id);
        clearTimeout(call.timer);
        call.reject(unavailable(`Connection to the Vigil core was lost before it answered ${call.name}`));
      }
      if (disposed) return;
      const code = event.code ?? 1006;
      const why = event.reason ? `: ${event.reason}` : '';
      scheduleReconnect(
        everOpened
          ? `Connection to the Vigil core lost${why} (code ${code})`
          : `Cannot reach the Vigil core at ${where}${why} (code ${code})`,
      );
    };
  }

  function scheduleReconnect(reason: string): void {
    attempt++;
    const base = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 16));
    // Jitter spreads the reconnects of many consoles after a server restart.
    const delay = base / 2 + Math.random() * (base / 2);
    status.set({ state: 'reconnecting', lastError: reason, attempt });
    reconnectTimer = setTimeout(connect, delay);
  }

  function handleFrame(data: unknown): void {
    if (typeof data !== 'string') {
      console.error('Vigil WebSocket: ignoring a binary frame; the protocol is JSON text');
      return;
    }
    let msg: {
      type?: unknown;
      id?: unknown;
      ok?: unknown;
      result?: unknown;
      error?: unknown;
      message?: unknown;
    };
    try {
      msg = JSON.parse(data) as typeof msg;
    } catch {
      console.error(`Vigil WebSocket: ignoring a frame that is not JSON: ${data.slice(0, 120)}`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') {
      console.error(`Vigil WebSocket: ignoring a frame without an id: ${data.slice(0, 120)}`);
      return;
    }
    const id = msg.id;
    switch (msg.type) {
      case 'result': {
        const call = pending.get(id);
        if (!call) return; // timed out already: its caller has been told
        pending.delete(id);
        clearTimeout(call.timer);
        if (msg.ok === true) {
          try {
            call.resolve(decodeResult(call.name, msg.result));
          } catch (err) {
            call.reject(err as VigilApiError);
          }
        } else {
          call.reject(new VigilApiError(toApiError(msg.error)));
        }
        return;
      }
      case 'stream': {
        const sub = subscriptions.get(id);
        if (!sub) return; // unsubscribed while the message was in flight
        const decoded = decodeStreamMessage(sub.name, msg.message);
        if (decoded.ok) (sub.onMessage as (m: unknown) => void)(decoded.value);
        else reportStreamError(sub, decoded.error);
        return;
      }
      case 'stream_error': {
        const sub = subscriptions.get(id);
        if (!sub) return;
        subscriptions.delete(id); // the host ended it: do not re-subscribe on reconnect
        reportStreamError(sub, new VigilApiError(toApiError(msg.error)));
        return;
      }
      default:
        console.error(`Vigil WebSocket: ignoring a frame of unknown type: ${data.slice(0, 120)}`);
    }
  }

  function reportStreamError(sub: Subscription, error: VigilApiError): void {
    if (sub.onError) sub.onError(error);
    else console.error(`Vigil stream ${sub.name}: ${error.message}`);
  }

  function frameOf(message: WsClientMessage): string {
    return JSON.stringify(message);
  }

  connect();

  return {
    kind: 'websocket',
    status,

    call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      if (disposed) return Promise.reject(unavailable('The Vigil client was closed'));
      const id = nextId++;
      let frame: string;
      try {
        frame = frameOf({ type: 'call', id, name, input });
      } catch (err) {
        return Promise.reject(
          new VigilApiError({
            code: 'invalid_input',
            message: `Cannot send ${name}: ${(err as Error).message}`,
            issues: [],
          }),
        );
      }
      return new Promise<CommandOutput<N>>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (!pending.delete(id)) return;
          reject(
            unavailable(
              isOpen()
                ? `The Vigil core did not answer ${name} within ${callTimeoutMs} ms`
                : `Cannot reach the Vigil core (${name} not sent within ${callTimeoutMs} ms)`,
            ),
          );
        }, callTimeoutMs);
        const call: PendingCall = {
          name,
          frame,
          sent: false,
          resolve: resolve as (value: unknown) => void,
          reject,
          timer,
        };
        pending.set(id, call);
        call.sent = send(frame);
      });
    },

    subscribe<S extends StreamName>(
      name: S,
      params: StreamParams<S>,
      onMessage: (message: StreamMessage<S>) => void,
      onError?: (error: VigilApiError) => void,
    ): () => void {
      if (disposed) {
        onError?.(unavailable('The Vigil client was closed'));
        return () => {};
      }
      const id = nextId++;
      const frame = frameOf({ type: 'subscribe', id, name, params });
      subscriptions.set(id, { name, frame, onMessage: onMessage as (message: never) => void, onError });
      send(frame);
      return () => {
        if (!subscriptions.delete(id)) return;
        send(frameOf({ type: 'unsubscribe', id }));
      };
    },

    dispose(): void {
      if (disposed) return;
      disposed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const call of pending.values()) {
        clearTimeout(call.timer);
        call.reject(unavailable('The Vigil client was closed'));
      }
      pending.clear();
      subscriptions.clear();
      const ws = socket;
      socket = null;
      ws?.close(NORMAL_CLOSURE, 'client closed');
      status.set({ state: 'closed', lastError: null, attempt: 0 });
    },
  };
}
