import type { ApiError, CallResult } from '../../../shared/api';
import type { CoreProcessMessage } from '../../../shared/ipc';
import type { VigilConfig } from './config';
import { loadHostConfig, type HostConfig } from './hostConfig';
import type { Disposable } from './disposable';
import type { Core } from './types';

/*
 * Entry of the core inside Electron's utilityProcess: plain Node, never imports 'electron'
 * (the parent port is reached through `process.parentPort`, typed locally below). Electron
 * main forks it, sends CoreHostMessage values and gets CoreProcessMessage values back.
 */

/** The part of Electron's `process.parentPort` used here (Electron docs: parent-port). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export type PostToHost = (message: CoreProcessMessage) => void;

export interface CoreMessageHandler {
  /** Handles one message from the host; never throws, answers every request that has an id. */
  handle(message: unknown): Promise<void>;
  /** Streams currently open for the host. */
  readonly openStreams: number;
}

export interface CoreMessageHandlerOptions {
  /** Called once the core is disposed after a `shutdown` message (error set if disposing failed). */
  onShutdown(error?: unknown): void;
  logError?: (message: string, err?: unknown) => void;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function internalError(message: string): ApiError {
  return { code: 'internal', message, issues: [] };
}

function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

interface OpenStream {
  closed: boolean;
  subscription: Disposable | null;
}

/**
 * Answers the host's messages with the core's API. Kept apart from process startup so it can
 * be tested with a small fake Core. Calls run concurrently; each answer carries its request id.
 * Stream bookkeeping is synchronous, so an `unsubscribe` right after a `subscribe` always finds it.
 */
export function createCoreMessageHandler(
  core: Pick<Core, 'api' | 'dispose'>,
  post: PostToHost,
  options: CoreMessageHandlerOptions,
): CoreMessageHandler {
  const logError =
    options.logError ?? ((message, err) => console.error(`[vigil core] ${message}`, err ?? ''));
  const streams = new Map<number, OpenStream>();
  let shuttingDown = false;

  /** Posts a message; a value that cannot be cloned to the host becomes an internal error for that id. */
  function send(message: CoreProcessMessage): void {
    try {
      post(message);
    } catch (err) {
      logError(`Could not send a ${message.type} message to the host`, err);
      if (message.type !== 'result' && message.type !== 'stream') return;
      try {
        post({
          type: 'result',
          id: message.id,
          ok: false,
          error: internalError(`The core could not send its answer: ${errorText(err)}`),
        });
      } catch (again) {
        logError('Could not report the failure to the host', again);
      }
    }
  }

  function answer(id: number, result: CallResult<unknown>): void {
    send(
      result.ok
        ? { type: 'result', id, ok: true, result: result.result }
        : { type: 'result', id, ok: false, error: result.error },
    );
  }

  async function closeStream(id: number): Promise<void> {
    const stream = streams.get(id);
    if (!stream) return;
    streams.delete(id);
    stream.closed = true;
    try {
      await stream.subscription?.dispose();
    } catch (err) {
      logError(`Closing stream ${id} failed`, err);
    }
  }

  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    // Streams first so nothing is pushed while the core stops, then the core disposes in order.
    for (const id of [...streams.keys()]) await closeStream(id);
    try {
      await core.dispose();
    } catch (err) {
      logError('The core did not shut down cleanly', err);
      options.onShutdown(err);
      return;
    }
    options.onShutdown();
  }

  function subscribe(id: number, name: string, params: unknown): void {
    // The host never reuses an id; if it did, the old stream must not leak.
    void closeStream(id);
    const stream: OpenStream = { closed: false, subscription: null };
    streams.set(id, stream);
    let result: ReturnType<Core['api']['subscribe']>;
    try {
      // The core may deliver a first message from inside subscribe(): `stream` is already registered.
      result = core.api.subscribe(name, params, (message) => {
        if (!stream.closed) send({ type: 'stream', id, message });
      });
    } catch (err) {
      logError(`Subscribing to ${name} threw`, err);
      result = { ok: false, error: internalError(`The stream ${name} failed: ${errorText(err)}`) };
    }
    if (!result.ok) {
      stream.closed = true;
      if (streams.get(id) === stream) streams.delete(id);
      answer(id, { ok: false, error: result.error });
      return;
    }
    stream.subscription = result.subscription;
    answer(id, { ok: true, result: null });
  }

  async function call(id: number, name: string, input: unknown): Promise<void> {
    let result: CallResult<unknown>;
    try {
      result = await core.api.call(name, input);
    } catch (err) {
      // CoreApi promises never to throw; if it does, the host still gets an answer.
      logError(`The command ${name} threw`, err);
      result = { ok: false, error: internalError(`The command ${name} failed: ${errorText(err)}`) };
    }
    answer(id, result);
  }

  async function handle(raw: unknown): Promise<void> {
    const message = raw as {
      type?: unknown;
      id?: unknown;
      name?: unknown;
      input?: unknown;
      params?: unknown;
    };
    if (typeof raw !== 'object' || raw === null || typeof message.type !== 'string') {
      logError('Ignored a malformed message from the host', raw);
      return;
    }
    if (message.type === 'shutdown') return shutdown();
    if (!isRequestId(message.id)) {
      logError(`Ignored a ${message.type} message without a valid id`);
      return;
    }
    const id = message.id;
    if (message.type === 'unsubscribe') return closeStream(id);
    if (shuttingDown) {
      answer(id, {
        ok: false,
        error: { code: 'unavailable', message: 'The Vigil core is shutting down.', issues: [] },
      });
      return;
    }
    if (message.type === 'call') return call(id, String(message.name), message.input);
    if (message.type === 'subscribe') return subscribe(id, String(message.name), message.params);
    logError(`Ignored a message of unknown type ${JSON.stringify(message.type.slice(0, 40))}`);
    answer(id, { ok: false, error: internalError(`Unknown message type ${message.type.slice(0, 40)}`) });
  }

  return {
    handle: (raw) => handle(raw).catch((err: unknown) => logError('Handling a host message failed', err)),
    get openStreams() {
      return streams.size;
    },
  };
}

/** `--config <file>` / `--config=<file>` on the command line, else VIGIL_CONFIG, else none. */
export function configPathFrom(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' && argv[i + 1]) return argv[i + 1]!;
    if (arg.startsWith('--config=') && arg.length > '--config='.length) return arg.slice('--config='.length);
  }
  return env.VIGIL_CONFIG || null;
}

/**
 * The configuration (hostConfig.ts): the JSON file when one is given, with a relative dataDir taken
 * relative to that file (the working directory of a desktop app means nothing); else
 * `<dataDir>/vigil.config.json` when it exists, with dataDir from VIGIL_DATA_DIR (Electron main sets
 * it to the per-user data folder). `configFile` is where the core saves connections and tags.
 */
export function loadUtilityConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): HostConfig {
  const file = configPathFrom(argv, env);
  return loadHostConfig({
    configFile: file,
    dataDir: file ? null : env.VIGIL_DATA_DIR || null,
    relativeDataDir: 'file',
  });
}

/** A startup failure as one readable line, with the fix when it is a known one. */
export function describeStartupError(err: unknown): string {
  const text = errorText(err);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(text)) {
    return (
      `${text}\nA native module (usually better-sqlite3) was built for another runtime. ` +
      'Rebuild it for Electron with `npx electron-builder install-app-deps` (see build/README.md).'
    );
  }
  return text;
}

type CreatedCore = Pick<Core, 'api' | 'dispose' | 'start'>;

type CreateCoreFn = (config: VigilConfig, configFile: string) => Promise<CreatedCore> | CreatedCore;

async function loadCreateCore(): Promise<CreateCoreFn> {
  const [{ createCore }, { createLogger }] = await Promise.all([import('./createCore'), import('./logger')]);
  const logger = createLogger('vigil-core');
  // Connections and tags added in the console are saved into the configuration file.
  return (config, configFile) => createCore(config, { logger, configFile });
}

/** Runs the core for the host: load config, create and start the core, then serve messages. */
export async function runUtilityProcess(
  port: ParentPort,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  exit: (code: number) => void,
  createCoreFn?: CreateCoreFn,
): Promise<void> {
  const post: PostToHost = (message) => port.postMessage(message);
  // Messages that arrive before the core exists wait here and are handled in order afterwards.
  const early: unknown[] = [];
  let shutdownRequested = false;
  let handler: CoreMessageHandler | null = null;
  port.on('message', (event) => {
    if (handler) void handler.handle(event.data);
    else if ((event.data as { type?: unknown } | null)?.type === 'shutdown') shutdownRequested = true;
    else early.push(event.data);
  });

  let core: CreatedCore | null = null;
  try {
    const { config, configFile } = loadUtilityConfig(argv, env);
    // Imported lazily so that a native module that fails to load (wrong ABI) becomes a
    // readable fatal message instead of a crash before anything is reported.
    const create = createCoreFn ?? (await loadCreateCore());
    core = await create(config, configFile);
    handler = createCoreMessageHandler(core, post, {
      onShutdown: (error) => exit(error ? 1 : 0),
    });
    if (shutdownRequested) {
      // The app quit while the core was being created: release it without starting sources.
      await handler.handle({ type: 'shutdown' });
      return;
    }
    for (const message of early.splice(0)) void handler.handle(message);
    await core.start();
    post({ type: 'ready' });
  } catch (err) {
    console.error('[vigil core] Startup failed', err);
    try {
      post({ type: 'fatal', message: describeStartupError(err) });
    } finally {
      try {
        await core?.dispose();
      } catch (disposeErr) {
        console.error('[vigil core] Cleaning up after the failed start failed', disposeErr);
      }
      // The host kills the process when it reads `fatal`; exit anyway if it does not.
      setTimeout(() => exit(1), 2000);
    }
  }
}

const parentPort = (process as { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  process.on('uncaughtException', (err) => {
    console.error('[vigil core] Uncaught exception', err);
    try {
      parentPort.postMessage({ type: 'fatal', message: `The core crashed: ${errorText(err)}` });
    } finally {
      // Let the message leave before exiting; the host restarts the core.
      setTimeout(() => process.exit(1), 100);
    }
  });
  void runUtilityProcess(parentPort, process.argv, process.env, (code) => process.exit(code));
}
