import type { IpcMainEvent } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoreHostMessage } from '../../shared/ipc';
import { IPC_CALL, IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from '../../shared/ipc';
import { createAppUrlMatcher } from './appOrigin';
import { CoreHost } from './coreHost';
import { registerIpcRelay, type IpcRelay } from './ipcRelay';
import {
  captureLog,
  FakeCoreProcess,
  FakeIpcMain,
  fakeFrame,
  FakeWebContents,
  flush,
  ipcEvent,
} from './testing/fakes';

/** A scripted core: echoes calls back, accepts liveSamples for known tags. */
function scriptedCore(message: CoreHostMessage, proc: FakeCoreProcess): void {
  if (message.type === 'call') {
    queueMicrotask(() =>
      proc.reply({
        type: 'result',
        id: message.id,
        ok: true,
        result: { echo: message.name, input: message.input },
      }),
    );
  }
  if (message.type === 'subscribe') {
    const params = message.params as { tagIds: string[] };
    queueMicrotask(() =>
      proc.reply(
        params.tagIds.includes('unknown')
          ? {
              type: 'result',
              id: message.id,
              ok: false,
              error: { code: 'not_found', message: 'Unknown tag(s): unknown', issues: [] },
            }
          : { type: 'result', id: message.id, ok: true, result: null },
      ),
    );
  }
}

function setup(respond: (message: CoreHostMessage, proc: FakeCoreProcess) => void = scriptedCore) {
  const log = captureLog();
  const processes: FakeCoreProcess[] = [];
  const core = new CoreHost({
    fork: () => {
      const proc = new FakeCoreProcess(respond);
      processes.push(proc);
      return proc;
    },
    log,
  });
  core.start();
  processes[0]!.reply({ type: 'ready' });
  const ipcMain = new FakeIpcMain();
  const window = new FakeWebContents('vigil://app/index.html');
  const appContents = new Set<number>([window.id]);
  const relay = registerIpcRelay({
    ipcMain,
    core,
    senderPolicy: {
      isAppWebContents: (contents) => appContents.has(contents.id),
      isAppUrl: createAppUrlMatcher('vigil://app/index.html'),
    },
    log,
  });
  const proc = (): FakeCoreProcess => processes[processes.length - 1]!;
  const callsSeenByCore = (): CoreHostMessage[] => proc().sent.filter((m) => m.type === 'call');
  return { log, core, ipcMain, window, appContents, relay, proc, callsSeenByCore };
}

let relays: IpcRelay[] = [];
function track<T extends { relay: IpcRelay }>(value: T): T {
  relays.push(value.relay);
  return value;
}

afterEach(() => {
  for (const relay of relays) relay.dispose();
  relays = [];
});

describe('IPC relay: calls', () => {
  it('relays a valid call from the app window to the core and returns its result', async () => {
    const { ipcMain, window, callsSeenByCore } = track(setup());
    const result = await ipcMain.invoke(IPC_CALL, ipcEvent(window), 'getRecent', { tagIds: ['pump-1.temp'] });
    // The core gets the parsed input, defaults filled in by the contract.
    expect(result).toEqual({
      ok: true,
      result: { echo: 'getRecent', input: { tagIds: ['pump-1.temp'], limit: 2000 } },
    });
    expect(callsSeenByCore()).toHaveLength(1);
  });

  it.each([
    [
      'a sub-frame of the app window',
      (w: FakeWebContents) => ipcEvent(w, fakeFrame('vigil://app/index.html', w.mainFrame)),
    ],
    [
      'a page of another origin in the app window',
      (w: FakeWebContents) => ipcEvent(w, fakeFrame('https://evil.example/')),
    ],
    [
      'a file:// page in the app window',
      (w: FakeWebContents) => ipcEvent(w, fakeFrame('file:///etc/passwd')),
    ],
    ['a frame that is gone', (w: FakeWebContents) => ipcEvent(w, null)],
    ['a window the app did not create', () => ipcEvent(new FakeWebContents('vigil://app/index.html'))],
  ])('refuses a call from %s with forbidden, before the core sees it', async (_what, makeEvent) => {
    const { ipcMain, window, callsSeenByCore, log } = track(setup());
    const result = await ipcMain.invoke(IPC_CALL, makeEvent(window), 'listAssets', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(callsSeenByCore()).toHaveLength(0);
    expect(log.text('warn')).toContain('Refused the IPC call "listAssets"');
  });

  it('refuses an unknown command name', async () => {
    const { ipcMain, window, callsSeenByCore } = track(setup());
    for (const name of ['deleteEverything', '__proto__', 'constructor', 42, null]) {
      const result = await ipcMain.invoke(IPC_CALL, ipcEvent(window), name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_command' } });
    }
    expect(callsSeenByCore()).toHaveLength(0);
  });

  it('refuses malformed input with invalid_input and field paths, before the core sees it', async () => {
    const { ipcMain, window, callsSeenByCore } = track(setup());
    const cases: unknown[] = [
      undefined,
      'not an object',
      { tagIds: [] },
      { tagIds: ['a'], limit: -5 },
      { tagIds: ['a'], extra: true },
    ];
    for (const input of cases) {
      const result = (await ipcMain.invoke(IPC_CALL, ipcEvent(window), 'getRecent', input)) as {
        ok: boolean;
        error: { code: string; message: string; issues: { path: string }[] };
      };
      expect(result.ok).toBe(false);
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toContain('Invalid input for getRecent');
    }
    const limit = (await ipcMain.invoke(IPC_CALL, ipcEvent(window), 'getRecent', {
      tagIds: ['a'],
      limit: -5,
    })) as {
      error: { issues: { path: string }[] };
    };
    expect(limit.error.issues.map((i) => i.path)).toEqual(['limit']);
    expect(callsSeenByCore()).toHaveLength(0);
  });

  it('answers unavailable while the core is down instead of waiting', async () => {
    const { ipcMain, window, proc } = track(setup());
    proc().crash(1);
    const result = await ipcMain.invoke(IPC_CALL, ipcEvent(window), 'getHealth', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});

describe('IPC relay: streams', () => {
  async function subscribed() {
    const context = track(setup());
    const { ipcMain, window, proc } = context;
    ipcMain.emit(IPC_SUBSCRIBE, ipcEvent(window), 7, 'liveSamples', { tagIds: ['pump-1.temp'] });
    await flush();
    const coreId = proc().last('subscribe').id;
    return { ...context, coreId };
  }

  it('opens the stream in the core and forwards its messages to the page that asked', async () => {
    const { window, proc, coreId, relay } = await subscribed();
    expect(proc().last('subscribe')).toMatchObject({
      name: 'liveSamples',
      params: { tagIds: ['pump-1.temp'] },
    });
    const message = { series: [{ tagId: 'pump-1.temp', t: [1], v: [2], q: [0] }], dropped: 0 };
    proc().reply({ type: 'stream', id: coreId, message });
    expect(window.sent).toEqual([{ channel: IPC_STREAM, args: [7, message] }]);
    expect(relay.streamCount()).toBe(1);
  });

  it('closes the stream in the core when the page unsubscribes', async () => {
    const { ipcMain, window, proc, coreId, relay } = await subscribed();
    ipcMain.emit(IPC_UNSUBSCRIBE, ipcEvent(window), 7);
    expect(proc().last('unsubscribe')).toEqual({ type: 'unsubscribe', id: coreId });
    proc().reply({ type: 'stream', id: coreId, message: 'late' });
    expect(window.sent).toEqual([]);
    expect(relay.streamCount()).toBe(0);
  });

  it('closes every stream of a window when the window is destroyed', async () => {
    const { window, proc, coreId, relay } = await subscribed();
    window.destroy();
    expect(proc().last('unsubscribe')).toEqual({ type: 'unsubscribe', id: coreId });
    expect(relay.streamCount()).toBe(0);
  });

  it('closes the streams of a page that reloads or navigates, not for in-page navigation', async () => {
    const { window, proc, coreId, relay } = await subscribed();
    window.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true });
    expect(relay.streamCount()).toBe(1);
    window.emit('did-start-navigation', { isMainFrame: false, isSameDocument: false });
    expect(relay.streamCount()).toBe(1);
    window.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false });
    expect(proc().last('unsubscribe')).toEqual({ type: 'unsubscribe', id: coreId });
    expect(relay.streamCount()).toBe(0);
  });

  it('replaces a stream when the page reuses its id', async () => {
    const { ipcMain, window, proc, coreId, relay } = await subscribed();
    ipcMain.emit(IPC_SUBSCRIBE, ipcEvent(window), 7, 'liveSamples', { tagIds: ['pump-2.temp'] });
    await flush();
    expect(proc().last('unsubscribe')).toEqual({ type: 'unsubscribe', id: coreId });
    expect(relay.streamCount()).toBe(1);
  });

  it('closes a stream unsubscribed before the core acknowledged it', async () => {
    let hold: (() => void) | null = null;
    const context = track(
      setup((message, proc) => {
        if (message.type === 'subscribe') {
          hold = () => proc.reply({ type: 'result', id: message.id, ok: true, result: null });
        }
      }),
    );
    const { ipcMain, window, proc, relay } = context;
    ipcMain.emit(IPC_SUBSCRIBE, ipcEvent(window), 1, 'liveSamples', { tagIds: ['a'] });
    ipcMain.emit(IPC_UNSUBSCRIBE, ipcEvent(window), 1);
    expect(hold).not.toBeNull();
    hold!();
    await flush();
    expect(proc().last('unsubscribe').id).toBe(proc().last('subscribe').id);
    expect(relay.streamCount()).toBe(0);
  });

  it.each([
    [
      'an untrusted frame',
      (w: FakeWebContents) => [
        ipcEvent(w, fakeFrame('https://evil.example/')),
        1,
        'liveSamples',
        { tagIds: ['a'] },
      ],
    ],
    ['an unknown stream', (w: FakeWebContents) => [ipcEvent(w), 1, 'allSecrets', {}]],
    ['invalid parameters', (w: FakeWebContents) => [ipcEvent(w), 1, 'liveSamples', { tagIds: 'a' }]],
    [
      'an id that is not a positive integer',
      (w: FakeWebContents) => [ipcEvent(w), 'x', 'liveSamples', { tagIds: ['a'] }],
    ],
  ] as const)('refuses a subscription with %s without reaching the core', async (_what, args) => {
    const { ipcMain, window, proc, log, relay } = track(setup());
    const [event, ...rest] = args(window) as unknown as [IpcMainEvent, ...unknown[]];
    ipcMain.emit(IPC_SUBSCRIBE, event, ...rest);
    await flush();
    expect(proc().sent.filter((m) => m.type === 'subscribe')).toHaveLength(0);
    expect(relay.streamCount()).toBe(0);
    expect(log.text('warn')).toContain('subscription');
  });

  it('logs a stream the core refuses and keeps nothing open', async () => {
    const { ipcMain, window, log, relay } = track(setup());
    ipcMain.emit(IPC_SUBSCRIBE, ipcEvent(window), 3, 'liveSamples', { tagIds: ['unknown'] });
    await flush();
    expect(relay.streamCount()).toBe(0);
    expect(log.text('warn')).toContain('Unknown tag(s): unknown');
  });

  it('limits how many streams one window may open', async () => {
    const context = track(setup());
    const ipcMain = new FakeIpcMain();
    const limited = registerIpcRelay({
      ipcMain,
      core: context.core,
      senderPolicy: { isAppWebContents: () => true, isAppUrl: () => true },
      log: context.log,
      maxStreamsPerWindow: 2,
    });
    relays.push(limited);
    for (const id of [1, 2, 3])
      ipcMain.emit(IPC_SUBSCRIBE, ipcEvent(context.window), id, 'liveSamples', { tagIds: ['a'] });
    await flush();
    expect(limited.streamCount()).toBe(2);
    expect(context.log.text('warn')).toContain('already has 2 open streams');
  });

  it('stops answering once disposed', async () => {
    const { ipcMain, relay } = setup();
    relay.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listeners.get(IPC_SUBSCRIBE)).toEqual([]);
    expect(ipcMain.listeners.get(IPC_UNSUBSCRIBE)).toEqual([]);
  });
});
