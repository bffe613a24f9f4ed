import type { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { commandNames, streamNames } from '../../shared/api';
import { IPC_CALL, IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE } from '../../shared/ipc';

/*
 * The preload runs against a mocked 'electron' (no binary here). What matters is what the page
 * gets on window.vigil: exactly the contract's named operations, and nothing that reaches IPC
 * generically.
 */

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  return {
    exposed,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: null as unknown as {
      invoke: ReturnType<typeof vi.fn>;
      send: ReturnType<typeof vi.fn>;
      on: (channel: string, listener: (...args: unknown[]) => void) => void;
      emit: (channel: string, ...args: unknown[]) => boolean;
    },
  };
});

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const { vi: vitest } = await import('vitest');
  const ipcRenderer = Object.assign(new Emitter(), {
    invoke: vitest.fn(async (_channel: string, name: string) => ({ ok: true, result: `answer to ${name}` })),
    send: vitest.fn(),
  });
  electron.ipcRenderer = ipcRenderer;
  return { contextBridge: electron.contextBridge, ipcRenderer };
});

type Bridge = Record<string, (...args: unknown[]) => unknown>;
let vigil: Bridge;

beforeAll(async () => {
  await import('./index');
  vigil = electron.exposed.get('vigil') as Bridge;
});

const capitalize = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

describe('preload bridge', () => {
  it('exposes window.vigil and nothing else', () => {
    expect([...electron.exposed.keys()]).toEqual(['vigil']);
  });

  it('offers exactly one function per command and per stream of the contract', () => {
    const expected = [...commandNames, ...streamNames.map((s) => `subscribe${capitalize(s)}`)].sort();
    expect(Object.keys(vigil).sort()).toEqual(expected);
    for (const value of Object.values(vigil)) expect(typeof value).toBe('function');
  });

  it('gives the page no IPC object and no generic entry point', () => {
    for (const value of Object.values(vigil)) {
      expect(value).not.toBe(electron.ipcRenderer);
      expect(value).not.toBe(electron.ipcRenderer.invoke);
      expect(value).not.toBe(electron.ipcRenderer.send);
    }
    for (const generic of ['invoke', 'send', 'on', 'call', 'subscribe', 'ipcRenderer', 'emit']) {
      expect(vigil).not.toHaveProperty(generic);
    }
  });

  it('sends each command under its own name over the call channel and returns the result', async () => {
    await expect(vigil.getHealth!({})).resolves.toEqual({ ok: true, result: 'answer to getHealth' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_CALL, 'getHealth', {});
    await vigil.listTags!({ assetId: 'pump-1' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith(IPC_CALL, 'listTags', { assetId: 'pump-1' });
  });

  it('subscribes to live samples, delivers only its own messages and unsubscribes once', () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = vigil.subscribeLiveSamples!({ tagIds: ['a'] }, (m: unknown) =>
      first.push(m),
    ) as () => void;
    const [, firstId, name, params] = electron.ipcRenderer.send.mock.lastCall!;
    expect(electron.ipcRenderer.send).toHaveBeenLastCalledWith(IPC_SUBSCRIBE, firstId, 'liveSamples', {
      tagIds: ['a'],
    });
    expect([name, params]).toEqual(['liveSamples', { tagIds: ['a'] }]);
    const stopSecond = vigil.subscribeLiveSamples!({ tagIds: ['b'] }, (m: unknown) =>
      second.push(m),
    ) as () => void;
    const secondId = electron.ipcRenderer.send.mock.lastCall![1];
    expect(secondId).not.toBe(firstId);

    const event = {};
    electron.ipcRenderer.emit(IPC_STREAM, event, firstId, { series: [], dropped: 0 });
    electron.ipcRenderer.emit(IPC_STREAM, event, secondId, { series: [], dropped: 1 });
    electron.ipcRenderer.emit(IPC_STREAM, event, 'not-an-id', { series: [], dropped: 9 });
    expect(first).toEqual([{ series: [], dropped: 0 }]);
    expect(second).toEqual([{ series: [], dropped: 1 }]);

    stopFirst();
    expect(electron.ipcRenderer.send).toHaveBeenLastCalledWith(IPC_UNSUBSCRIBE, firstId);
    const sends = electron.ipcRenderer.send.mock.calls.length;
    stopFirst();
    expect(electron.ipcRenderer.send.mock.calls.length).toBe(sends);
    electron.ipcRenderer.emit(IPC_STREAM, event, firstId, { series: [], dropped: 2 });
    expect(first).toHaveLength(1);
    stopSecond();
  });

  it('registers a single stream listener however many subscriptions there are', () => {
    expect((electron.ipcRenderer as unknown as EventEmitter).listenerCount(IPC_STREAM)).toBe(1);
  });
});
