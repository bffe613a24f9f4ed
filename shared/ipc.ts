/**
 * Channel names and message shapes used between Electron main, the preload and the core
 * utility process. Kept here so every side agrees; none of them is exposed to the page.
 */
export const IPC_CALL = 'vigil:call';
export const IPC_SUBSCRIBE = 'vigil:subscribe';
export const IPC_UNSUBSCRIBE = 'vigil:unsubscribe';
export const IPC_STREAM = 'vigil:stream';

/** Messages between Electron main and the core utility process (both directions). */
export type CoreHostMessage =
  | { type: 'call'; id: number; name: string; input: unknown }
  | { type: 'subscribe'; id: number; name: string; params: unknown }
  | { type: 'unsubscribe'; id: number }
  | { type: 'shutdown' };

export type CoreProcessMessage =
  | { type: 'ready'; url?: string }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: unknown }
  | { type: 'stream'; id: number; message: unknown }
  | { type: 'fatal'; message: string };

/** Headless WebSocket protocol: the same calls and streams as JSON frames. */
export type WsClientMessage =
  | { type: 'call'; id: number; name: string; input: unknown }
  | { type: 'subscribe'; id: number; name: string; params: unknown }
  | { type: 'unsubscribe'; id: number };

export type WsServerMessage =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: unknown }
  | { type: 'stream'; id: number; message: unknown }
  | { type: 'stream_error'; id: number; error: unknown };
