import { EventEmitter } from 'node:events';
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import type { CoreHostMessage, CoreProcessMessage } from '../../../shared/ipc';
import type { CoreProcess } from '../coreHost';
import type { Log } from '../log';

/*
 * Stand-ins for what cannot run here: the Electron binary (its WebContents, frames, ipcMain)
 * and the utility process it would fork. Only tests import this folder.
 */

/** A core process double: records what the host sends; the test plays the core's answers. */
export class FakeCoreProcess extends EventEmitter implements CoreProcess {
  readonly sent: CoreHostMessage[] = [];
  killed = false;

  /** Optional scripted core: called with every message the host sends. */
  constructor(private readonly respond?: (message: CoreHostMessage, proc: FakeCoreProcess) => void) {
    super();
  }

  postMessage(message: CoreHostMessage): void {
    // Like Electron, messages are structured-cloned: functions and the like cannot cross.
    const copy = structuredClone(message);
    this.sent.push(copy);
    this.respond?.(copy, this);
  }

  kill(): boolean {
    if (this.killed) return false;
    this.killed = true;
    // Electron reports the exit asynchronously.
    void Promise.resolve().then(() => this.emit('exit', 15));
    return true;
  }

  reply(message: CoreProcessMessage): void {
    this.emit('message', message);
  }

  crash(code = 1): void {
    this.emit('exit', code);
  }

  /** The last message of a type that the host sent. */
  last<T extends CoreHostMessage['type']>(type: T): Extract<CoreHostMessage, { type: T }> {
    const found = [...this.sent].reverse().find((m) => m.type === type);
    if (!found) throw new Error(`The host sent no ${type} message`);
    return found as Extract<CoreHostMessage, { type: T }>;
  }
}

export interface CapturedLog extends Log {
  lines: { level: 'info' | 'warn' | 'error'; message: string }[];
  text(level?: 'info' | 'warn' | 'error'): string;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    text: (level) =>
      lines
        .filter((l) => !level || l.level === level)
        .map((l) => l.message)
        .join('\n'),
  };
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export function fakeFrame(url: string, parent: FakeFrame | null = null): FakeFrame {
  return { url, parent };
}

let nextContentsId = 1;

/** A WebContents double: an event emitter that records what main sends to the page. */
export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly mainFrame: FakeFrame;

  constructor(url = 'vigil://app/index.html') {
    super();
    this.mainFrame = fakeFrame(url);
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }

  asWebContents(): WebContents {
    return this as unknown as WebContents;
  }
}

/** An IPC event as Electron builds it: the sending WebContents and frame. */
export function ipcEvent(
  contents: FakeWebContents,
  frame: FakeFrame | null = contents.mainFrame,
): IpcMainInvokeEvent & IpcMainEvent {
  return {
    sender: contents.asWebContents(),
    senderFrame: frame as unknown as WebFrameMain | null,
  } as IpcMainInvokeEvent & IpcMainEvent;
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type Listener = (event: IpcMainEvent, ...args: unknown[]) => void;

/** ipcMain double: keeps the registered handlers so a test can play the renderer. */
export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Listener[]>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
    return this;
  }

  removeListener(channel: string, listener: Listener): this {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  invoke(channel: string, event: IpcMainInvokeEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return Promise.resolve(handler(event, ...args));
  }

  emit(channel: string, event: IpcMainEvent, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}

/** Lets pending promise callbacks run (several hops: host -> relay -> test). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
