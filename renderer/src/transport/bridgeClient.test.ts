import { describe, expect, it } from 'vitest';
import { VigilApiError, type LiveSamplesMessage, type VigilBridge } from '../../../shared/api';
import { createBridgeClient } from './bridgeClient';

/**
 * The preload's window.vigil cannot run without the Electron binary; this object has its exact
 * shape (VigilBridge), answering the way the IPC relay does: CallResult values, never throws.
 */
function bridge(overrides: Partial<Record<keyof VigilBridge, unknown>> = {}) {
  const listeners = new Set<(m: unknown) => void>();
  const b = {
    listAssets: async () => ({
      ok: true,
      result: [{ id: 'e1', parentId: null, kind: 'asset', name: 'Engine 1' }],
    }),
    listTags: async () => ({
      ok: false,
      error: { code: 'not_found', message: 'No asset "x"', issues: [] },
    }),
    getRecent: async () => ({ ok: true, result: 'not a list' }),
    getHealth: async () => {
      throw new Error('Render frame was disposed');
    },
    subscribeLiveSamples: (_params: unknown, onMessage: (m: unknown) => void) => {
      listeners.add(onMessage);
      return () => listeners.delete(onMessage);
    },
    ...overrides,
  } as unknown as VigilBridge;
  return { b, emit: (m: unknown) => listeners.forEach((l) => l(m)), listeners };
}

describe('createBridgeClient', () => {
  it('resolves calls with results parsed against the contract', async () => {
    const c = createBridgeClient(bridge().b);
    await expect(c.call('listAssets', {})).resolves.toEqual([
      { id: 'e1', parentId: null, kind: 'asset', name: 'Engine 1', description: '', connectionId: null },
    ]);
    expect(c.status.get().state).toBe('open');
    expect(c.kind).toBe('electron');
  });

  it('turns error results, malformed results and IPC failures into VigilApiError', async () => {
    const c = createBridgeClient(bridge().b);
    const notFound = await c.call('listTags', { assetId: 'x' }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(VigilApiError);
    expect((notFound as VigilApiError).error).toEqual({
      code: 'not_found',
      message: 'No asset "x"',
      issues: [],
    });
    const malformed = await c.call('getRecent', { tagIds: ['a'] }).catch((e: unknown) => e);
    expect((malformed as VigilApiError).error.code).toBe('internal');
    const ipc = await c.call('getHealth', {}).catch((e: unknown) => e);
    expect((ipc as VigilApiError).error.code).toBe('unavailable');
    expect((ipc as VigilApiError).message).toMatch(/Render frame was disposed/);
  });

  it('relays stream messages until unsubscribed, and reports malformed ones', () => {
    const { b, emit, listeners } = bridge();
    const c = createBridgeClient(b);
    const got: LiveSamplesMessage[] = [];
    const errors: VigilApiError[] = [];
    const off = c.subscribe(
      'liveSamples',
      { tagIds: ['t'] },
      (m) => got.push(m),
      (e) => errors.push(e),
    );
    const message = { series: [{ tagId: 't', t: [1], v: [2], q: [0] }], dropped: 0 };
    emit(message);
    emit({ series: 5 });
    expect(got).toEqual([message]);
    expect(errors.map((e) => e.error.code)).toEqual(['internal']);
    off();
    expect(listeners.size).toBe(0);
    emit(message);
    expect(got).toHaveLength(1);
  });

  it('releases every stream when disposed', () => {
    const { b, listeners } = bridge();
    const c = createBridgeClient(b);
    c.subscribe('liveSamples', { tagIds: ['t'] }, () => {});
    c.subscribe('liveSamples', { tagIds: ['u'] }, () => {});
    expect(listeners.size).toBe(2);
    c.dispose();
    expect(listeners.size).toBe(0);
    expect(c.status.get().state).toBe('closed');
  });
});
