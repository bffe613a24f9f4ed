import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../../../shared/api';
import type { CoreProcessMessage } from '../../../shared/ipc';
import type { Disposable } from './disposable';
import type { CoreApi } from './types';
import {
  configPathFrom,
  createCoreMessageHandler,
  describeStartupError,
  loadUtilityConfig,
  runUtilityProcess,
} from './utilityEntry';

/** A small Core double: records the order of what happens to it. */
function fakeCore(overrides: Partial<CoreApi> = {}) {
  const events: string[] = [];
  const listeners = new Map<string, (message: unknown) => void>();
  const api: CoreApi = {
    call: async (name, input): Promise<CallResult<unknown>> => {
      events.push(`call ${name}`);
      if (name === 'getHealth') return { ok: true, result: { status: 'ok', input } };
      return {
        ok: false,
        error: { code: 'unknown_command', message: `Unknown command ${name}`, issues: [] },
      };
    },
    subscribe: (name, params, onMessage) => {
      const tagIds = (params as { tagIds: string[] }).tagIds;
      if (tagIds.includes('missing')) {
        return { ok: false, error: { code: 'not_found', message: 'Unknown tag(s): missing', issues: [] } };
      }
      // Like the stream hub, a first snapshot may be sent from inside subscribe().
      onMessage({ snapshot: tagIds });
      listeners.set(tagIds.join(','), onMessage);
      const subscription: Disposable = {
        dispose: () => {
          events.push(`unsubscribe ${tagIds.join(',')}`);
          listeners.delete(tagIds.join(','));
        },
      };
      return { ok: true, subscription };
    },
    ...overrides,
  };
  return {
    core: {
      api,
      dispose: vi.fn(async () => {
        events.push('dispose');
      }),
    },
    events,
    listeners,
  };
}

function harness(overrides: Partial<CoreApi> = {}) {
  const fake = fakeCore(overrides);
  const posted: CoreProcessMessage[] = [];
  const errors: string[] = [];
  const onShutdown = vi.fn();
  const handler = createCoreMessageHandler(fake.core, (m) => posted.push(structuredClone(m)), {
    onShutdown,
    logError: (message) => errors.push(message),
  });
  return { ...fake, posted, errors, onShutdown, handler };
}

describe('core message handler', () => {
  it('answers a call with the core result under the same id', async () => {
    const { handler, posted } = harness();
    await handler.handle({ type: 'call', id: 4, name: 'getHealth', input: {} });
    await handler.handle({ type: 'call', id: 5, name: 'nope', input: {} });
    expect(posted).toEqual([
      { type: 'result', id: 4, ok: true, result: { status: 'ok', input: {} } },
      {
        type: 'result',
        id: 5,
        ok: false,
        error: { code: 'unknown_command', message: 'Unknown command nope', issues: [] },
      },
    ]);
  });

  it('still answers when the core throws', async () => {
    const { handler, posted, errors } = harness({
      call: async () => {
        throw new Error('disk on fire');
      },
    });
    await handler.handle({ type: 'call', id: 1, name: 'getHealth', input: {} });
    expect(posted).toEqual([
      {
        type: 'result',
        id: 1,
        ok: false,
        error: { code: 'internal', message: 'The command getHealth failed: disk on fire', issues: [] },
      },
    ]);
    expect(errors.join()).toContain('getHealth threw');
  });

  it('answers with internal when the result cannot be sent to the host', async () => {
    const { handler, posted } = harness({
      call: async () => ({ ok: true, result: { callback: () => 1 } }),
    });
    await handler.handle({ type: 'call', id: 9, name: 'getHealth', input: {} });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ type: 'result', id: 9, ok: false, error: { code: 'internal' } });
  });

  it('opens a stream, relays its messages (even the first, sent during subscribe) and acknowledges', async () => {
    const { handler, posted, listeners } = harness();
    await handler.handle({ type: 'subscribe', id: 2, name: 'liveSamples', params: { tagIds: ['a'] } });
    listeners.get('a')!({ n: 1 });
    expect(posted).toEqual([
      { type: 'stream', id: 2, message: { snapshot: ['a'] } },
      { type: 'result', id: 2, ok: true, result: null },
      { type: 'stream', id: 2, message: { n: 1 } },
    ]);
    expect(handler.openStreams).toBe(1);
  });

  it('reports a refused stream and keeps nothing open', async () => {
    const { handler, posted } = harness();
    await handler.handle({ type: 'subscribe', id: 3, name: 'liveSamples', params: { tagIds: ['missing'] } });
    expect(posted).toEqual([
      {
        type: 'result',
        id: 3,
        ok: false,
        error: { code: 'not_found', message: 'Unknown tag(s): missing', issues: [] },
      },
    ]);
    expect(handler.openStreams).toBe(0);
  });

  it('closes a stream on unsubscribe, even one sent right after subscribe', async () => {
    const { handler, posted, listeners, events } = harness();
    const subscribing = handler.handle({
      type: 'subscribe',
      id: 2,
      name: 'liveSamples',
      params: { tagIds: ['a'] },
    });
    const unsubscribing = handler.handle({ type: 'unsubscribe', id: 2 });
    await Promise.all([subscribing, unsubscribing]);
    expect(events).toContain('unsubscribe a');
    expect(listeners.size).toBe(0);
    expect(handler.openStreams).toBe(0);
    const count = posted.length;
    await handler.handle({ type: 'unsubscribe', id: 2 }); // twice is harmless
    expect(posted).toHaveLength(count);
  });

  it('shuts down in order: streams closed, then the core disposed, then the process may exit', async () => {
    const { handler, events, onShutdown, posted } = harness();
    await handler.handle({ type: 'subscribe', id: 1, name: 'liveSamples', params: { tagIds: ['a'] } });
    await handler.handle({ type: 'subscribe', id: 2, name: 'liveSamples', params: { tagIds: ['b'] } });
    await handler.handle({ type: 'shutdown' });
    expect(events).toEqual(['unsubscribe a', 'unsubscribe b', 'dispose']);
    expect(onShutdown).toHaveBeenCalledWith();

    posted.length = 0;
    await handler.handle({ type: 'call', id: 7, name: 'getHealth', input: {} });
    expect(posted).toEqual([
      {
        type: 'result',
        id: 7,
        ok: false,
        error: { code: 'unavailable', message: 'The Vigil core is shutting down.', issues: [] },
      },
    ]);
  });

  it('reports a core that fails to dispose', async () => {
    const { handler, core, onShutdown, errors } = harness();
    const failure = new Error('flush failed');
    core.dispose.mockRejectedValueOnce(failure);
    await handler.handle({ type: 'shutdown' });
    expect(onShutdown).toHaveBeenCalledWith(failure);
    expect(errors.join()).toContain('did not shut down cleanly');
  });

  it('ignores malformed messages and answers unknown types that carry an id', async () => {
    const { handler, posted, errors } = harness();
    for (const message of [
      null,
      'call',
      42,
      {},
      { type: 'call', name: 'getHealth' },
      { type: 'call', id: 'x' },
    ]) {
      await handler.handle(message);
    }
    expect(posted).toEqual([]);
    expect(errors).toHaveLength(6);
    await handler.handle({ type: 'explode', id: 11 });
    expect(posted).toEqual([
      { type: 'result', id: 11, ok: false, error: expect.objectContaining({ code: 'internal' }) },
    ]);
  });
});

describe('utility process startup', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-utility-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fakePort() {
    let listener: ((event: { data: unknown }) => void) | null = null;
    const posted: CoreProcessMessage[] = [];
    return {
      posted,
      port: {
        on: (_event: 'message', l: (event: { data: unknown }) => void) => (listener = l),
        postMessage: (m: unknown) => posted.push(m as CoreProcessMessage),
      },
      send: (data: unknown) => listener!({ data }),
    };
  }

  it('creates and starts the core, answers messages sent before it existed, then posts ready', async () => {
    const { port, posted, send } = fakePort();
    const fake = fakeCore();
    let releaseStart!: () => void;
    const start = vi.fn(() => new Promise<void>((resolve) => (releaseStart = resolve)));
    let receivedDataDir = '';
    let receivedConfigFile = '';
    const running = runUtilityProcess(
      port,
      [],
      { VIGIL_DATA_DIR: join(dir, 'data') },
      vi.fn(),
      (config, file) => {
        receivedDataDir = config.dataDir;
        receivedConfigFile = file;
        send({ type: 'call', id: 1, name: 'getHealth', input: {} }); // arrives while the core is being created
        return { ...fake.core, start };
      },
    );
    await vi.waitFor(() => expect(start).toHaveBeenCalled());
    await vi.waitFor(() =>
      expect(posted).toContainEqual(expect.objectContaining({ type: 'result', id: 1, ok: true })),
    );
    expect(posted.some((m) => m.type === 'ready')).toBe(false);
    releaseStart();
    await running;
    expect(posted[posted.length - 1]).toEqual({ type: 'ready' });
    expect(receivedDataDir).toBe(join(dir, 'data'));
    expect(receivedConfigFile).toBe(join(dir, 'data', 'vigil.config.json'));
  });

  it('posts a readable fatal message when the configuration is wrong, and exits', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify({ batchIntervalMs: 0 }));
      const { port, posted } = fakePort();
      const exit = vi.fn();
      const create = vi.fn();
      await runUtilityProcess(port, ['--config', file], {}, exit, create);
      expect(create).not.toHaveBeenCalled();
      expect(posted).toHaveLength(1);
      expect(posted[0]!.type).toBe('fatal');
      const message = (posted[0] as { message: string }).message;
      expect(message).toContain(file);
      expect(message).toContain('batchIntervalMs');
      expect(exit).not.toHaveBeenCalled();
      vi.advanceTimersByTime(2000);
      expect(exit).toHaveBeenCalledWith(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('disposes a core whose start failed and says why', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { port, posted } = fakePort();
      const fake = fakeCore();
      const start = vi.fn(async () => {
        throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:4840');
      });
      await runUtilityProcess(port, [], { VIGIL_DATA_DIR: join(dir, 'data') }, vi.fn(), () => ({
        ...fake.core,
        start,
      }));
      expect(fake.core.dispose).toHaveBeenCalled();
      expect(posted).toEqual([
        { type: 'fatal', message: 'listen EADDRINUSE: address already in use 127.0.0.1:4840' },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('releases the core without starting it when shutdown arrives during creation', async () => {
    const { port, posted, send } = fakePort();
    const fake = fakeCore();
    const start = vi.fn(async () => {});
    const exit = vi.fn();
    await runUtilityProcess(port, [], {}, exit, () => {
      send({ type: 'shutdown' });
      return { ...fake.core, start };
    });
    expect(start).not.toHaveBeenCalled();
    expect(fake.core.dispose).toHaveBeenCalled();
    expect(exit).toHaveBeenCalledWith(0);
    expect(posted).toEqual([]);
  });

  it('explains a native module built for another runtime', () => {
    const text = describeStartupError(
      new Error(
        "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 145.",
      ),
    );
    expect(text).toContain('NODE_MODULE_VERSION 115');
    expect(text).toContain('npx electron-builder install-app-deps');
  });
});

describe('utility process configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the configuration file on the command line or in VIGIL_CONFIG', () => {
    expect(configPathFrom(['node', 'core.js', '--config', '/a.json'], {})).toBe('/a.json');
    expect(configPathFrom(['--config=/b.json'], { VIGIL_CONFIG: '/c.json' })).toBe('/b.json');
    expect(configPathFrom([], { VIGIL_CONFIG: '/c.json' })).toBe('/c.json');
    expect(configPathFrom(['--config'], {})).toBeNull();
  });

  it('uses the defaults with VIGIL_DATA_DIR when no file is given, saving changes in <dataDir>/vigil.config.json', () => {
    const { config, configFile } = loadUtilityConfig([], { VIGIL_DATA_DIR: '/var/lib/vigil' });
    expect(config.dataDir).toBe('/var/lib/vigil');
    expect(config.simulator.enabled).toBe(true);
    expect(configFile).toBe('/var/lib/vigil/vigil.config.json');
  });

  it('reads <VIGIL_DATA_DIR>/vigil.config.json when it exists', () => {
    const dataDir = join(dir, 'per-user');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'vigil.config.json'), JSON.stringify({ simulator: { enabled: false } }));
    const { config, configFile } = loadUtilityConfig([], { VIGIL_DATA_DIR: dataDir });
    expect(config.simulator.enabled).toBe(false);
    expect(config.dataDir).toBe(dataDir);
    expect(configFile).toBe(join(dataDir, 'vigil.config.json'));
  });

  it('reads a file and takes its relative dataDir relative to the file', () => {
    const file = join(dir, 'plant.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'plant-data', simulator: { enabled: false } }));
    const { config, configFile } = loadUtilityConfig(['--config', file], { VIGIL_DATA_DIR: '/ignored' });
    expect(config.dataDir).toBe(join(dir, 'plant-data'));
    expect(config.simulator.enabled).toBe(false);
    expect(configFile).toBe(file);
  });

  it('names the file when it is missing or not JSON', () => {
    expect(() => loadUtilityConfig(['--config', join(dir, 'absent.json')], {})).toThrow(/absent\.json/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "dataDir": ');
    expect(() => loadUtilityConfig([`--config=${broken}`], {})).toThrow(/broken\.json is not valid JSON/);
  });
});
