import { describe, expect, it } from 'vitest';
import { VigilApiError, type Health } from '../../../shared/api';
import type { Asset, Tag } from '../../../shared/domain';
import { createAppStore, modelSignature } from './appStore';
import {
  CANNOT_REACH_CORE,
  MAX_TREND_TAGS,
  selectCoreLink,
  selectTrendBadge,
  selectTrendTags,
  selectVisibleTreeItems,
} from './selectors';

/** Answers each call when the test resolves it, so races between selections can be staged. */
function scriptedClient() {
  const calls: { name: string; input: unknown; resolve: (v: unknown) => void; reject: (e: Error) => void }[] =
    [];
  const client = {
    call: ((name: string, input: unknown) =>
      new Promise((resolve, reject) => calls.push({ name, input, resolve, reject }))) as never,
  };
  const next = (name: string) => {
    const i = calls.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`no pending ${name} call`);
    return calls.splice(i, 1)[0]!;
  };
  return { client, calls, next };
}

const a = (id: string, parentId: string | null, kind: Asset['kind'], name = id): Asset => ({
  id,
  parentId,
  kind,
  name,
  description: '',
  connectionId: null,
});
const tag = (id: string, assetId: string): Tag => ({
  id,
  assetId,
  name: id,
  description: '',
  unit: 'rpm',
  range: null,
  source: null,
});
const assets = [
  a('s', null, 'site'),
  a('ar', 's', 'area'),
  a('e1', 'ar', 'asset', 'Engine 1'),
  a('e2', 'ar', 'asset', 'Engine 2'),
];
const flush = () => new Promise((r) => setTimeout(r, 0));
const unavailable = new VigilApiError({
  code: 'unavailable',
  message: 'Cannot reach the Vigil core',
  issues: [],
});

describe('app store', () => {
  it('loads the assets, then selects the first asset and loads its tags', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client);
    const loading = store.getState().loadAssets();
    expect(store.getState().assets.status).toBe('loading');
    next('listAssets').resolve(assets);
    await flush();
    expect(store.getState().selectedAssetId).toBe('e1');
    const listTags = next('listTags');
    expect(listTags.input).toEqual({ assetId: 'e1' });
    listTags.resolve([tag('t1', 'e1')]);
    await loading;
    const s = store.getState();
    expect(s.tags).toEqual({ status: 'ready', data: [tag('t1', 'e1')], error: null, assetId: 'e1' });
    expect(selectTrendTags(s).tags.map((t) => t.id)).toEqual(['t1']);
    expect(selectVisibleTreeItems(s).map((i) => i.name)).toEqual(['s', 'ar', 'Engine 1', 'Engine 2']);
  });

  it('keeps only the latest selection when tag answers come back out of order', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client);
    const load = store.getState().loadAssets();
    next('listAssets').resolve(assets);
    await flush();
    const first = next('listTags'); // e1, selected automatically
    const second = store.getState().selectAsset('e2');
    next('listTags').resolve([tag('t2', 'e2')]);
    await second;
    first.resolve([tag('t1', 'e1')]); // late answer for the previous selection
    await load;
    expect(store.getState().selectedAssetId).toBe('e2');
    expect(store.getState().tags.data.map((t) => t.id)).toEqual(['t2']);
  });

  it('shows a failed asset load as an error and retries it when the link comes back', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client, { transport: { state: 'connecting', lastError: null, attempt: 0 } });
    const load = store.getState().loadAssets();
    next('listAssets').reject(unavailable);
    await load;
    expect(store.getState().assets).toMatchObject({ status: 'error', error: 'Cannot reach the Vigil core' });

    store.getState().setTransport({ state: 'reconnecting', lastError: 'code 1006', attempt: 1 });
    expect(selectCoreLink(store.getState())).toEqual({
      level: 'down',
      text: CANNOT_REACH_CORE,
      detail: 'code 1006',
    });
    store.getState().setTransport({ state: 'open', lastError: null, attempt: 0 });
    next('getHealth'); // refreshed at once
    next('listAssets').resolve(assets); // retried
    await flush();
    expect(store.getState().assets.status).toBe('ready');
  });

  it('summarises the core health for the header, keeping the last report when the core stops answering', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client, { now: () => 5 });
    const health: Health = {
      status: 'degraded',
      problems: ['Connection plc1 failed: ECONNREFUSED'],
      version: '0.1.0',
      startedAt: 0,
      uptimeS: 10,
      connections: [],
    };
    const first = store.getState().refreshHealth();
    next('getHealth').resolve(health);
    await first;
    expect(selectCoreLink(store.getState())).toEqual({
      level: 'warning',
      text: 'Core degraded',
      detail: 'Connection plc1 failed: ECONNREFUSED',
    });
    const second = store.getState().refreshHealth();
    next('getHealth').reject(unavailable);
    await second;
    expect(store.getState().health).toMatchObject({ reachable: false, value: health, checkedAt: 5 });
    expect(selectCoreLink(store.getState()).text).toBe(CANNOT_REACH_CORE);
  });

  it('unfolds the ancestors of a selected asset and caps the trend at MAX_TREND_TAGS', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client);
    const load = store.getState().loadAssets();
    next('listAssets').resolve(assets);
    await flush();
    next('listTags').resolve([]);
    await load;
    store.getState().setExpanded('ar', false);
    expect(selectVisibleTreeItems(store.getState()).map((i) => i.id)).toEqual(['s', 'ar']);
    const select = store.getState().selectAsset('e2');
    expect(selectVisibleTreeItems(store.getState()).map((i) => i.id)).toContain('e2');
    const many = Array.from({ length: MAX_TREND_TAGS + 2 }, (_, i) => tag(`t${i}`, 'e2'));
    next('listTags').resolve(many);
    await select;
    expect(selectTrendTags(store.getState()).tags).toHaveLength(MAX_TREND_TAGS);
    expect(selectTrendTags(store.getState()).hidden).toBe(2);
  });
});

describe('asset model follows the connections', () => {
  const health = (connections: [string, number][]): Health => ({
    status: 'ok',
    problems: [],
    version: '0.1.0',
    startedAt: 0,
    uptimeS: 1,
    connections: connections.map(([id, tagCount]) => ({
      id,
      endpointUrl: `opc.tcp://127.0.0.1:4840/${id}`,
      state: 'connected',
      lastError: null,
      tagCount,
      lastValueAt: null,
      valuesReceived: 0,
    })),
  });

  it('signs the model by connection ids and tag counts only, in any order', () => {
    const a = health([
      ['sim', 10],
      ['plc', 2],
    ]).connections;
    const b = health([
      ['plc', 2],
      ['sim', 10],
    ]).connections.map((c) => ({ ...c, state: 'failed' as const, valuesReceived: 99 }));
    expect(modelSignature(a)).toBe(modelSignature(b));
    expect(modelSignature(a)).not.toBe(modelSignature(health([['sim', 10]]).connections));
    expect(modelSignature(a)).not.toBe(
      modelSignature(
        health([
          ['sim', 11],
          ['plc', 2],
        ]).connections,
      ),
    );
  });

  it('reloads the asset tree and the selected asset’s tags when a connection or its tag count changes', async () => {
    const { client, calls, next } = scriptedClient();
    const store = createAppStore(client);
    const load = store.getState().loadAssets();
    next('listAssets').resolve(assets);
    await flush();
    next('listTags').resolve([tag('t1', 'e1')]);
    await load;
    const tagsBefore = store.getState().tags.data;

    const report = async (h: Health) => {
      const r = store.getState().refreshHealth();
      next('getHealth').resolve(h);
      await r;
    };
    await report(health([['sim', 1]])); // the first report: what the initial load saw
    await report(health([['sim', 1]]));
    expect(calls.map((c) => c.name)).toEqual([]);

    // Tags added to the simulator's model: the tree and the selected asset's tags come again.
    await report(health([['sim', 2]]));
    const withNewAsset = [...assets, a('e3', 'ar', 'asset', 'Engine 3')];
    next('listAssets').resolve(withNewAsset);
    await flush();
    next('listTags').resolve([tag('t1', 'e1'), tag('t2', 'e1')]);
    await flush();
    expect(store.getState().selectedAssetId).toBe('e1');
    expect(selectVisibleTreeItems(store.getState()).map((i) => i.name)).toContain('Engine 3');
    expect(store.getState().tags.data.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(store.getState().tags.data).not.toBe(tagsBefore);

    // A connection added with no new tag on the selected asset: the same tag list stays as it was.
    const tagsNow = store.getState().tags.data;
    await report(
      health([
        ['sim', 2],
        ['plc', 0],
      ]),
    );
    next('listAssets').resolve(withNewAsset);
    await flush();
    next('listTags').resolve([tag('t1', 'e1'), tag('t2', 'e1')]);
    await flush();
    expect(store.getState().tags.data).toBe(tagsNow);
    expect(calls).toEqual([]);
  });

  it('keeps the newest asset list when a reload overtakes an earlier load', async () => {
    const { client, next } = scriptedClient();
    const store = createAppStore(client);
    const first = store.getState().loadAssets();
    const firstCall = next('listAssets');
    const second = store.getState().loadAssets();
    next('listAssets').resolve(assets);
    await flush();
    next('listTags').resolve([]);
    await second;
    firstCall.resolve([a('old', null, 'site')]); // the late answer of the first load
    await first;
    expect(store.getState().assets.data.map((x) => x.id)).toEqual(['s', 'ar', 'e1', 'e2']);
  });
});

describe('selectors', () => {
  it('return the same object for the same state (zustand needs stable snapshots)', () => {
    const store = createAppStore(scriptedClient().client);
    const s = store.getState();
    expect(selectTrendTags(s)).toBe(selectTrendTags(s));
    expect(selectVisibleTreeItems(s)).toBe(selectVisibleTreeItems(s));
    expect(selectCoreLink(s)).toBe(selectCoreLink(s));
  });

  it('never shows a live trend over a dead link', () => {
    const store = createAppStore(scriptedClient().client);
    store.getState().setTrendStatus({ state: 'live', message: null });
    expect(selectTrendBadge(store.getState())).toEqual({ state: 'live', text: 'Live' });
    store.getState().setTransport({ state: 'reconnecting', lastError: 'lost', attempt: 1 });
    expect(selectTrendBadge(store.getState())).toEqual({ state: 'paused', text: 'Paused: no link' });
    store.getState().setTrendStatus({ state: 'failed', message: 'Live updates stopped: forbidden' });
    expect(selectTrendBadge(store.getState()).state).toBe('failed');
  });
});

describe('trendOrder', () => {
  it('draws the asset anomaly score first and leaves per-tag scores out', async () => {
    const { trendOrder } = await import('./selectors');
    const base = { assetId: 'e1', description: '', unit: '', range: null, source: null };
    const tags = [
      { ...base, id: 'e1/t24', name: 'T24' },
      { ...base, id: 'e1/t24#anomaly', name: 'T24 anomaly', kind: 'anomaly' as const, derivedFrom: 'e1/t24' },
      { ...base, id: 'e1/anomaly_score', name: 'Anomaly score', kind: 'anomaly' as const },
      { ...base, id: 'e1/t30', name: 'T30', kind: 'measured' as const },
    ];
    expect(trendOrder(tags).map((t) => t.id)).toEqual(['e1/anomaly_score', 'e1/t24', 'e1/t30']);
  });
});
