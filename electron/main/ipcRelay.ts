import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import {
  commands,
  invalidInput,
  isCommandName,
  isStreamName,
  streams,
  type ApiError,
  type CallResult,
} from '../../shared/api';
import { IPC_CALL, IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from '../../shared/ipc';
import type { CoreHost, HostSubscription } from './coreHost';
import type { Log } from './log';
import { whyUntrusted, type SenderPolicy } from './senderPolicy';

export type RelayTarget = Pick<CoreHost, 'call' | 'subscribe'>;

/** The part of Electron's ipcMain the relay uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
  removeHandler(channel: string): void;
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
}

export interface IpcRelayOptions {
  ipcMain: IpcMainLike;
  core: RelayTarget;
  senderPolicy: SenderPolicy;
  log: Log;
  /** Streams one window may hold open at once; a runaway page cannot exhaust the core. */
  maxStreamsPerWindow?: number;
}

export interface IpcRelay {
  /** Open streams across all windows. */
  streamCount(): number;
  dispose(): void;
}

interface RelayStream {
  closed: boolean;
  subscription: HostSubscription | null;
}

interface WindowStreams {
  contents: WebContents;
  streams: Map<number, RelayStream>;
}

const forbidden: ApiError = {
  code: 'forbidden',
  message: 'This page is not allowed to call the Vigil core.',
  issues: [],
};

/** Renderer-supplied names end up in log lines: keep them short and printable. */
function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : `(${typeof value})`;
}

function isStreamId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function closeStream(stream: RelayStream): void {
  stream.closed = true;
  stream.subscription?.dispose();
  stream.subscription = null;
}

/**
 * The main process's only IPC surface: checks who is asking, checks the name and parses the
 * input against the shared contract, and only then relays to the core host. No domain logic
 * here. Malformed or untrusted messages are answered with a contract error (calls) or logged
 * and dropped (stream messages); nothing a page sends can throw in the main process.
 */
export function registerIpcRelay(options: IpcRelayOptions): IpcRelay {
  const { ipcMain, core, senderPolicy, log } = options;
  const maxStreams = options.maxStreamsPerWindow ?? 256;
  const windows = new Map<number, WindowStreams>();

  function closeWindowStreams(entry: WindowStreams): void {
    for (const stream of entry.streams.values()) closeStream(stream);
    entry.streams.clear();
  }

  function windowStreams(contents: WebContents): WindowStreams {
    let entry = windows.get(contents.id);
    if (entry) return entry;
    const created: WindowStreams = { contents, streams: new Map() };
    windows.set(contents.id, created);
    contents.once('destroyed', () => {
      closeWindowStreams(created);
      windows.delete(created.contents.id);
    });
    // A reload or navigation replaces the page: its streams must not outlive it.
    contents.on('did-start-navigation', (event) => {
      if (event.isMainFrame && !event.isSameDocument) closeWindowStreams(created);
    });
    contents.on('render-process-gone', () => closeWindowStreams(created));
    entry = created;
    return entry;
  }

  async function handleCall(
    event: IpcMainInvokeEvent,
    name: unknown,
    input: unknown,
  ): Promise<CallResult<unknown>> {
    const refusal = whyUntrusted(event, senderPolicy);
    if (refusal) {
      log.warn(`Refused the IPC call ${describe(name)}: ${refusal}`);
      return { ok: false, error: forbidden };
    }
    if (!isCommandName(name)) {
      return {
        ok: false,
        error: { code: 'unknown_command', message: `Unknown command ${describe(name)}.`, issues: [] },
      };
    }
    const schema: z.ZodType = commands[name].input;
    const parsed = schema.safeParse(input);
    if (!parsed.success) return { ok: false, error: invalidInput(name, parsed.error) };
    try {
      return await core.call(name, parsed.data);
    } catch (err) {
      log.error(`Relaying the command ${name} failed`, err);
      return { ok: false, error: { code: 'internal', message: `The command ${name} failed.`, issues: [] } };
    }
  }

  async function handleSubscribe(
    event: IpcMainEvent,
    id: unknown,
    name: unknown,
    params: unknown,
  ): Promise<void> {
    const refusal = whyUntrusted(event, senderPolicy);
    if (refusal) {
      log.warn(`Refused the subscription ${describe(name)}: ${refusal}`);
      return;
    }
    if (!isStreamId(id)) {
      log.warn(`Refused the subscription ${describe(name)}: its id is not a positive integer`);
      return;
    }
    if (!isStreamName(name)) {
      log.warn(`Refused a subscription to the unknown stream ${describe(name)}`);
      return;
    }
    const schema: z.ZodType = streams[name].params;
    const parsed = schema.safeParse(params);
    if (!parsed.success) {
      log.warn(`Refused the subscription: ${invalidInput(name, parsed.error).message}`);
      return;
    }

    const contents = event.sender;
    const entry = windowStreams(contents);
    const previous = entry.streams.get(id);
    if (previous) {
      // The page reused an id (it was reloaded): the new subscription replaces the old one.
      closeStream(previous);
      entry.streams.delete(id);
    }
    if (entry.streams.size >= maxStreams) {
      log.warn(`Refused the subscription to ${name}: the window already has ${maxStreams} open streams`);
      return;
    }
    const stream: RelayStream = { closed: false, subscription: null };
    entry.streams.set(id, stream);
    const forget = (): void => {
      if (entry.streams.get(id) === stream) entry.streams.delete(id);
    };

    const result = await core.subscribe(
      name,
      parsed.data,
      (message) => {
        if (stream.closed || contents.isDestroyed()) return;
        contents.send(IPC_STREAM, id, message);
      },
      (error) => {
        log.warn(`The ${name} stream ended: ${error.message}`);
        stream.closed = true;
        forget();
      },
    );
    if (!result.ok) {
      log.warn(`The core refused the ${name} stream: ${result.error.message}`);
      stream.closed = true;
      forget();
      return;
    }
    if (stream.closed) {
      // Unsubscribed, replaced or its window went away while the core was answering.
      result.subscription.dispose();
      return;
    }
    stream.subscription = result.subscription;
  }

  function handleUnsubscribe(event: IpcMainEvent, id: unknown): void {
    const refusal = whyUntrusted(event, senderPolicy);
    if (refusal) {
      log.warn(`Refused an unsubscribe: ${refusal}`);
      return;
    }
    if (!isStreamId(id)) return;
    const entry = windows.get(event.sender.id);
    const stream = entry?.streams.get(id);
    if (!entry || !stream) return;
    closeStream(stream);
    entry.streams.delete(id);
  }

  const onSubscribe = (event: IpcMainEvent, id: unknown, name: unknown, params: unknown): void => {
    handleSubscribe(event, id, name, params).catch((err: unknown) =>
      log.error('Opening a stream failed', err),
    );
  };

  ipcMain.handle(IPC_CALL, handleCall);
  ipcMain.on(IPC_SUBSCRIBE, onSubscribe);
  ipcMain.on(IPC_UNSUBSCRIBE, handleUnsubscribe);

  return {
    streamCount: () => [...windows.values()].reduce((sum, entry) => sum + entry.streams.size, 0),
    dispose() {
      ipcMain.removeHandler(IPC_CALL);
      ipcMain.removeListener(IPC_SUBSCRIBE, onSubscribe);
      ipcMain.removeListener(IPC_UNSUBSCRIBE, handleUnsubscribe);
      for (const entry of windows.values()) closeWindowStreams(entry);
      windows.clear();
    },
  };
}
