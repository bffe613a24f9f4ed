import type { ApiError, CallResult } from '../../shared/api';
import type { CoreHostMessage, CoreProcessMessage } from '../../shared/ipc';
import { consoleLog, type Log } from './log';

/**
 * The slice of Electron's UtilityProcess the host uses. Taking a fork function instead of
 * calling utilityProcess.fork here keeps this module free of Electron, so its supervision
 * logic is tested against a fake process.
 */
export interface CoreProcess {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: CoreHostMessage): void;
  kill(): boolean;
}

/**
 * idle: not started yet; starting: the process runs but has not said `ready`; ready: serving;
 * down: it stopped unexpectedly and a restart is scheduled; stopping/stopped: the app is quitting.
 */
export type CoreHostState = 'idle' | 'starting' | 'ready' | 'down' | 'stopping' | 'stopped';

export interface CoreHostStatus {
  state: CoreHostState;
  /** Times the core was started again after it stopped unexpectedly. */
  restarts: number;
  /** Why the core last failed (its fatal startup message or exit code); null if it never failed. */
  lastError: string | null;
  /** Epoch ms when the next restart attempt is due, while down. */
  nextRestartAt: number | null;
}

export interface CoreHostOptions {
  fork: () => CoreProcess;
  log?: Log;
  /** A call or subscription not answered within this time gets an `unavailable` error. */
  callTimeoutMs?: number;
  /** Restart backoff: the first delay, doubled after each failure in a row, capped at max. */
  restartDelayMs?: { initial: number; max: number };
  /** A core that stayed ready this long counts as healthy: the next crash restarts after the initial delay. */
  stableAfterMs?: number;
  /** How long a shutdown may take before the process is killed. */
  shutdownGraceMs?: number;
}

export interface HostSubscription {
  dispose(): void;
}

export type HostSubscribeResult =
  { ok: true; subscription: HostSubscription } | { ok: false; error: ApiError };

interface PendingRequest {
  resolve(result: CallResult<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

interface HostStream {
  name: string;
  params: unknown;
  onMessage(message: unknown): void;
  onError?: (error: ApiError) => void;
  /** Id of the subscription inside the current core process; null while the core is down. */
  processId: number | null;
  /** Acknowledged once: it is re-established after a core restart. */
  active: boolean;
  closed: boolean;
}

export function unavailableError(message: string): ApiError {
  return { code: 'unavailable', message, issues: [] };
}

/**
 * Starts the core in its own process, relays calls and streams to it with request ids and
 * timeouts, and restarts it with backoff when it dies. While the core is down every call is
 * answered at once with `unavailable` (never left hanging), and live streams are re-subscribed
 * when it is back, so trends resume by themselves after a crash.
 */
export class CoreHost {
  private readonly log: Log;
  private readonly callTimeoutMs: number;
  private readonly restartDelayMs: { initial: number; max: number };
  private readonly stableAfterMs: number;
  private readonly shutdownGraceMs: number;

  private state: CoreHostState = 'idle';
  private process: CoreProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly streams = new Set<HostStream>();
  private readonly streamsByProcessId = new Map<number, HostStream>();
  private readonly statusListeners = new Set<(status: CoreHostStatus) => void>();

  private restarts = 0;
  private failuresInARow = 0;
  private lastError: string | null = null;
  private fatalMessage: string | null = null;
  private readyAt: number | null = null;
  private nextRestartAt: number | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;

  constructor(private readonly options: CoreHostOptions) {
    this.log = options.log ?? consoleLog;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.restartDelayMs = options.restartDelayMs ?? { initial: 500, max: 30_000 };
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  }

  get status(): CoreHostStatus {
    return {
      state: this.state,
      restarts: this.restarts,
      lastError: this.lastError,
      nextRestartAt: this.nextRestartAt,
    };
  }

  onStatusChange(listener: (status: CoreHostStatus) => void): { dispose(): void } {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`The core host was already started (state: ${this.state})`);
    this.spawn();
  }

  call(name: string, input: unknown): Promise<CallResult<unknown>> {
    const proc = this.liveProcess();
    if (!proc) return Promise.resolve({ ok: false, error: unavailableError(this.describeUnavailable()) });
    return this.request(proc, (id) => ({ type: 'call', id, name, input }), `the command ${name}`);
  }

  /**
   * Opens a stream in the core. Resolves once the core accepted (or refused) the parameters;
   * messages may arrive before that. `onError` hears about a stream the core refused to re-open
   * after a restart.
   */
  async subscribe(
    name: string,
    params: unknown,
    onMessage: (message: unknown) => void,
    onError?: (error: ApiError) => void,
  ): Promise<HostSubscribeResult> {
    const proc = this.liveProcess();
    if (!proc) return { ok: false, error: unavailableError(this.describeUnavailable()) };
    const stream: HostStream = {
      name,
      params,
      onMessage,
      onError,
      processId: null,
      active: false,
      closed: false,
    };
    this.streams.add(stream);
    const result = await this.attach(proc, stream);
    if (!result.ok) {
      this.streams.delete(stream);
      return { ok: false, error: result.error };
    }
    stream.active = true;
    return { ok: true, subscription: { dispose: () => this.closeStream(stream) } };
  }

  /** Asks the core to shut down in order (flushing what it buffers); kills it if it takes too long. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.nextRestartAt = null;
    for (const stream of this.streams) stream.closed = true;
    this.streams.clear();
    this.streamsByProcessId.clear();

    const proc = this.process;
    if (!proc) {
      this.setState('stopped');
      this.stopped = Promise.resolve();
      return this.stopped;
    }
    this.setState('stopping');
    this.stopped = new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => {
        this.log.warn(`The core did not stop within ${this.shutdownGraceMs} ms; killing it`);
        proc.kill();
        this.finishStop();
      }, this.shutdownGraceMs);
      this.resolveStopped = () => {
        clearTimeout(killTimer);
        resolve();
      };
    });
    try {
      proc.postMessage({ type: 'shutdown' });
    } catch (err) {
      this.log.warn('Could not ask the core to shut down; killing it', err);
      proc.kill();
    }
    return this.stopped;
  }

  private liveProcess(): CoreProcess | null {
    return this.state === 'ready' || this.state === 'starting' ? this.process : null;
  }

  private describeUnavailable(): string {
    switch (this.state) {
      case 'down': {
        const inS = Math.max(0, Math.ceil(((this.nextRestartAt ?? Date.now()) - Date.now()) / 1000));
        return `The Vigil core is not running (${this.lastError ?? 'it stopped'}); restarting it in ${inS} s.`;
      }
      case 'stopping':
      case 'stopped':
        return 'The Vigil core is shutting down.';
      default:
        return 'The Vigil core has not been started.';
    }
  }

  private spawn(): void {
    this.restartTimer = null;
    this.nextRestartAt = null;
    this.fatalMessage = null;
    this.readyAt = null;
    let proc: CoreProcess;
    try {
      proc = this.options.fork();
    } catch (err) {
      this.log.error('Could not start the core process', err);
      this.lastError = `could not start the core process: ${err instanceof Error ? err.message : String(err)}`;
      this.scheduleRestart();
      return;
    }
    this.process = proc;
    this.setState('starting');
    // Events of a process that was replaced are ignored: only the current one may change state.
    proc.on('message', (message) => {
      if (this.process === proc) this.onMessage(proc, message);
    });
    proc.on('exit', (code) => {
      if (this.process === proc) this.onExit(code);
    });
  }

  private onMessage(proc: CoreProcess, raw: unknown): void {
    const message = raw as CoreProcessMessage;
    switch (typeof raw === 'object' && raw !== null ? message.type : undefined) {
      case 'ready':
        this.readyAt = Date.now();
        this.setState('ready');
        this.reattachStreams(proc);
        return;
      case 'fatal': {
        const text = (message as { message?: unknown }).message;
        this.fatalMessage = typeof text === 'string' && text ? text : 'the core failed to start';
        this.log.error(`The core reported a fatal error: ${this.fatalMessage}`);
        // Its exit event restarts it (with backoff) or completes a shutdown.
        proc.kill();
        return;
      }
      case 'result': {
        const result = message as Extract<CoreProcessMessage, { type: 'result' }>;
        const pending = this.pending.get(result.id);
        if (!pending) return; // Already timed out: the caller was answered.
        this.pending.delete(result.id);
        clearTimeout(pending.timer);
        pending.resolve(
          result.ok === true
            ? { ok: true, result: result.result }
            : { ok: false, error: asApiError((result as { error?: unknown }).error) },
        );
        return;
      }
      case 'stream': {
        const streamMessage = message as Extract<CoreProcessMessage, { type: 'stream' }>;
        const stream = this.streamsByProcessId.get(streamMessage.id);
        if (!stream || stream.closed) return;
        try {
          stream.onMessage(streamMessage.message);
        } catch (err) {
          this.log.error(`A listener of the ${stream.name} stream failed`, err);
        }
        return;
      }
      default:
        this.log.warn('Ignored a malformed message from the core process', raw);
    }
  }

  private onExit(code: number): void {
    this.process = null;
    const exitText = `the core process exited with code ${code}`;
    this.failPending(
      this.state === 'stopping' ? 'The Vigil core shut down.' : `The Vigil core stopped: ${exitText}.`,
    );
    for (const stream of this.streams) stream.processId = null;
    this.streamsByProcessId.clear();

    if (this.state === 'stopping') {
      this.finishStop();
      return;
    }
    const wasStable = this.readyAt !== null && Date.now() - this.readyAt >= this.stableAfterMs;
    if (wasStable) this.failuresInARow = 0;
    this.lastError = this.fatalMessage ?? exitText;
    this.log.error(`The core stopped unexpectedly: ${this.lastError}`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    this.process = null;
    this.failuresInARow += 1;
    const delay = Math.min(
      this.restartDelayMs.max,
      this.restartDelayMs.initial * 2 ** Math.min(30, this.failuresInARow - 1),
    );
    this.nextRestartAt = Date.now() + delay;
    this.setState('down');
    this.log.info(`Restarting the core in ${delay} ms (failure ${this.failuresInARow} in a row)`);
    this.restartTimer = setTimeout(() => {
      this.restarts += 1;
      this.spawn();
    }, delay);
  }

  private finishStop(): void {
    this.process = null;
    this.failPending('The Vigil core shut down.');
    if (this.state !== 'stopped') this.setState('stopped');
    const resolve = this.resolveStopped;
    this.resolveStopped = null;
    resolve?.();
  }

  private request(
    proc: CoreProcess,
    build: (id: number) => CoreHostMessage,
    what: string,
    beforeSend?: (id: number) => void,
  ): Promise<CallResult<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({
          ok: false,
          error: unavailableError(
            `The Vigil core did not answer ${what} within ${this.callTimeoutMs / 1000} s.`,
          ),
        });
      }, this.callTimeoutMs);
      this.pending.set(id, { resolve, timer });
      beforeSend?.(id);
      try {
        proc.postMessage(build(id));
      } catch (err) {
        // Typically a value that cannot be cloned to another process.
        this.pending.delete(id);
        clearTimeout(timer);
        resolve({
          ok: false,
          error: {
            code: 'internal',
            message: `Could not send ${what} to the core: ${err instanceof Error ? err.message : String(err)}`,
            issues: [],
          },
        });
      }
    });
  }

  private async attach(proc: CoreProcess, stream: HostStream): Promise<CallResult<unknown>> {
    const result = await this.request(
      proc,
      (id) => ({ type: 'subscribe', id, name: stream.name, params: stream.params }),
      `the subscription to ${stream.name}`,
      (id) => {
        // Registered before sending: the core may deliver a first message before its answer.
        stream.processId = id;
        this.streamsByProcessId.set(id, stream);
      },
    );
    if (!result.ok && stream.processId !== null) {
      this.streamsByProcessId.delete(stream.processId);
      stream.processId = null;
    }
    return result;
  }

  private reattachStreams(proc: CoreProcess): void {
    for (const stream of this.streams) {
      if (!stream.active || stream.closed || stream.processId !== null) continue;
      void this.attach(proc, stream).then((result) => {
        if (result.ok || stream.closed) return;
        this.streams.delete(stream);
        this.log.warn(`Could not re-open the ${stream.name} stream after a core restart`, result.error);
        stream.onError?.(result.error);
      });
    }
  }

  private closeStream(stream: HostStream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream);
    const id = stream.processId;
    if (id === null) return;
    this.streamsByProcessId.delete(id);
    stream.processId = null;
    const proc = this.liveProcess();
    if (!proc) return;
    try {
      proc.postMessage({ type: 'unsubscribe', id });
    } catch (err) {
      this.log.warn(`Could not close the ${stream.name} stream in the core`, err);
    }
  }

  private failPending(message: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve({ ok: false, error: unavailableError(message) });
    }
  }

  private setState(state: CoreHostState): void {
    if (this.state === state) return;
    this.state = state;
    if (state === 'ready') this.log.info('The core is ready');
    const status = this.status;
    for (const listener of this.statusListeners) {
      try {
        listener(status);
      } catch (err) {
        this.log.error('A core status listener failed', err);
      }
    }
  }
}

const apiErrorCodes = new Set<ApiError['code']>([
  'invalid_input',
  'unknown_command',
  'forbidden',
  'not_found',
  'unavailable',
  'internal',
]);

/** The core answers with contract errors; anything else it sends is reported as internal, not passed on raw. */
function asApiError(value: unknown): ApiError {
  const candidate = value as Partial<ApiError> | null;
  if (
    candidate &&
    typeof candidate === 'object' &&
    typeof candidate.message === 'string' &&
    apiErrorCodes.has(candidate.code as ApiError['code'])
  ) {
    return {
      code: candidate.code as ApiError['code'],
      message: candidate.message,
      issues: Array.isArray(candidate.issues) ? candidate.issues : [],
    };
  }
  return { code: 'internal', message: 'The core answered with an unreadable error.', issues: [] };
}
