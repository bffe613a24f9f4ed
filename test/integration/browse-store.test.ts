import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilApiError, type CommandInput, type CommandName, type CommandOutput } from '../../shared/api';
import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import type { Core } from '../../electron/core/app/types';
import { decodeResult, toApiError } from '../../renderer/src/transport/decode';
import { createBrowseStore, type BrowseClient, type BrowseStore } from '../../renderer/src/store/browseStore';
import {
  OBJECTS_FOLDER,
  rowKey,
  visibleRows,
  type BrowseRow,
  type NodeRow,
  type StatusRow,
} from '../../renderer/src/features/browse/browseModel';
import { startTestServer, TestProcess, type TestServer } from './fixtures/opcuaTestServer';
import { waitFor } from '../helpers/wait';

/**
 * The browse panel's store on the real core (contract parsing, acquisition, tag model file) and a
 * real OPC UA server on loopback whose Pump has more variables than one page: what the panel does
 * when an engineer browses, pages, selects, adds tags, meets the core's refusals and removes tags.
 */

const TAGS = 1_200;
const PAGE = 500;

describe('browse store against the real core and an OPC UA server', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-browse-store-'));
  const configFile = path.join(work, 'vigil.json');
  const process = new TestProcess(TAGS, 1000);
  let server: TestServer;
  let core: Core;
  let client: BrowseClient;
  const changed: number[] = [];
  let store: BrowseStore;
  let stop: () => void;

  beforeAll(async () => {
    process.start();
    server = await startTestServer({ pkiDir: path.join(work, 'server'), process, extras: true });
    const config = {
      dataDir: path.join(work, 'data'),
      simulator: { enabled: false },
      connections: [{ id: 'plc', name: 'PLC', endpointUrl: server.endpointUrl, discover: false }],
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    core = createCore(parseConfig(config), { configFile });
    await core.start();
    client = {
      // The renderer's own decoding of answers and errors; only the wire is left out.
      async call<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
        const result = await core.api.call(name, input);
        if (!result.ok) throw new VigilApiError(toApiError(result.error));
        return decodeResult(name, result.result);
      },
    } as BrowseClient;
    store = createBrowseStore(client, 'plc', { onTagsChanged: () => changed.push(Date.now()) });
    stop = store.getState().start();
  });

  afterAll(async () => {
    stop?.();
    await core?.dispose();
    await server?.dispose();
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const rows = (): BrowseRow[] => {
    const s = store.getState();
    const byNode = new Map(
      s.catalog.tags.filter((t) => t.source?.connectionId === 'plc').map((t) => [t.source!.nodeId, t]),
    );
    return visibleRows({
      lists: s.lists,
      expanded: s.expanded,
      selected: s.selection,
      tagsByNode: byNode,
      filter: s.filter,
    });
  };
  const node = (name: string): NodeRow => {
    const row = rows().find((r): r is NodeRow => r.type === 'node' && r.entry.displayName === name);
    if (!row)
      throw new Error(
        `no row ${name} in ${rows()
          .map((r) => r.key)
          .join(' | ')}`,
      );
    return row;
  };
  const listReady = (nodeId: string) =>
    waitFor(() => store.getState().lists[nodeId]?.status === 'ready', { what: `children of ${nodeId}` });
  const pumpId = 'ns=1;s=Plant.Line1.Pump';

  it('opens Objects, then a folder at a time, each node asked for once', async () => {
    await listReady(OBJECTS_FOLDER);
    expect(rows().map((r) => (r.type === 'node' ? r.entry.displayName : r.type))).toEqual(
      expect.arrayContaining(['Server', 'Plant']),
    );
    await waitFor(() => store.getState().catalog.status === 'ready', { what: 'the catalog' });

    store.getState().expand(node('Plant').key);
    await listReady('ns=1;s=Plant');
    store.getState().expand(node('Line1').key);
    await listReady('ns=1;s=Plant.Line1');
    const pump = node('Pump');
    store.getState().expand(pump.key);
    await listReady(pumpId);

    // Closing and opening again uses the cache: no second first page.
    const cached = store.getState().lists[pumpId];
    store.getState().collapse(pump.key);
    store.getState().expand(pump.key);
    expect(store.getState().lists[pumpId]).toBe(cached);
  });

  it('pages a big folder: the first page, then "load more", then the rest with progress', async () => {
    const first = store.getState().lists[pumpId]!;
    expect(first.entries).toHaveLength(PAGE);
    expect(first.total).toBeGreaterThan(TAGS); // the tags plus Setpoint, Level, Waveform, Reset()
    const more = rows().find((r): r is StatusRow => r.type === 'more')!;
    expect(more.text).toMatch(new RegExp(`^Loaded 500 of 1,20\\d: load 500 more$`));

    // Enter on "load more": the next page, and the keyboard goes on at its first entry.
    store.getState().focus(more.key);
    store.getState().apply({ focus: more.key, loadMore: pumpId });
    await waitFor(() => store.getState().lists[pumpId]!.entries.length === 2 * PAGE, { what: 'page 2' });
    const firstOfPage2 = store.getState().lists[pumpId]!.entries[PAGE]!;
    await waitFor(() => store.getState().focusedKey?.endsWith(firstOfPage2.nodeId), {
      what: 'focus on page 2',
    });

    const seen: number[] = [];
    const unsubscribe = store.subscribe((s) => seen.push(s.lists[pumpId]!.entries.length));
    await store.getState().loadAll(pumpId);
    unsubscribe();
    const all = store.getState().lists[pumpId]!;
    expect(all.fetched).toBe(all.total);
    // Each child once, although the server references one of them twice.
    expect(new Set(all.entries.map((e) => e.nodeId)).size).toBe(all.entries.length);
    expect(all.entries.length).toBeGreaterThan(TAGS);
    expect(all.loadingAll).toBe(false);
    expect(rows().some((r) => r.type === 'more')).toBe(false);
    expect(seen).toContain(all.entries.length);
  });

  it('reports an unbrowsable node on its own list and retries it, while the rest of the tree works', async () => {
    const bad = 'ns=1;s=Plant.DoesNotExist';
    await store.getState().loadMore(bad);
    expect(store.getState().lists[bad]).toMatchObject({
      status: 'error',
      error: `Node ${bad} does not exist on the server`,
    });
    expect(store.getState().lists[pumpId]!.status).toBe('ready');
    await store.getState().loadMore(bad); // retry: the same clear answer, nothing else broken
    expect(store.getState().lists[bad]!.status).toBe('error');
  });

  it('describes variables and refuses to select what cannot be a tag', async () => {
    const t0 = node('T0000');
    expect(t0.entry.variable).toMatchObject({ dataType: 'Double', valueRank: -1, trendable: true });
    const reset = node('Reset');
    store.getState().toggle(reset.key);
    expect(store.getState().notice).toEqual({
      kind: 'error',
      text: 'Reset is a Method: only variables can become tags.',
    });
    expect(store.getState().selection.size).toBe(0);
  });

  it('adds two selected variables to a new asset, saved in the configuration file', async () => {
    store.getState().toggle(node('T0001').key);
    store.getState().toggle(node('T0002').key);
    expect([...store.getState().selection.values()].map((s) => [s.displayName, s.parentName])).toEqual([
      ['T0001', 'Pump'],
      ['T0002', 'Pump'],
    ]);
    store.getState().openForm();
    expect(store.getState().form).toMatchObject({ target: 'new', samplingIntervalMs: '0', queueSize: '100' });
    store.getState().setForm({ newAssetName: 'Pump 1', samplingIntervalMs: '100' });
    expect(await store.getState().submit()).toBe(true);

    const s = store.getState();
    expect(s.adding.error).toBeNull();
    expect(s.adding.added.map((t) => t.id)).toEqual(['plc/pump-1/t0001', 'plc/pump-1/t0002']);
    expect(s.adding.notice).toBe(
      'Added 2 tags to Pump 1: T0001, T0002. They appear under Pump 1 in the asset tree, with live values in Trends.',
    );
    expect(s.selection.size).toBe(0);
    expect(s.form).toBeNull();
    expect(changed).toHaveLength(1);
    await waitFor(() => store.getState().catalog.tags.some((t) => t.id === 'plc/pump-1/t0001'), {
      what: 'the new tags listed',
    });
    expect(node('T0001').tag).toMatchObject({ id: 'plc/pump-1/t0001', assetId: 'plc/pump-1' });
    expect(store.getState().catalog.assets).toContainEqual(
      expect.objectContaining({ id: 'plc/pump-1', name: 'Pump 1', kind: 'asset', connectionId: 'plc' }),
    );
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      connections: { tags?: { id: string; nodeId: string; samplingIntervalMs?: number }[] }[];
    };
    expect(saved.connections[0]!.tags).toEqual([
      expect.objectContaining({ id: 'plc/pump-1/t0001', nodeId: server.nodeId(1), samplingIntervalMs: 100 }),
      expect.objectContaining({ id: 'plc/pump-1/t0002', nodeId: server.nodeId(2), samplingIntervalMs: 100 }),
    ]);
  });

  it('shows the core refusing a node that is a tag already, and keeps the selection and the form', async () => {
    store.getState().toggle(node('T0001').key);
    store.getState().toggle(node('T0003').key);
    store.getState().openForm();
    // The connection has an asset now: the form offers it first.
    expect(store.getState().form).toMatchObject({ target: 'existing', assetId: 'plc/pump-1' });
    expect(await store.getState().submit()).toBe(false);
    const s = store.getState();
    expect(s.adding.error).toBe(
      `Nothing was added: Node ${server.nodeId(1)} is already tag "plc/pump-1/t0001"`,
    );
    expect([...s.selection.keys()]).toEqual([server.nodeId(1), server.nodeId(3)]);
    expect(s.form).not.toBeNull();
    expect(changed).toHaveLength(1);
    expect(s.catalog.tags.filter((t) => t.source?.connectionId === 'plc')).toHaveLength(2);

    // Unselect the offending one: the rest goes in.
    store.getState().unselect(server.nodeId(1));
    expect(await store.getState().submit()).toBe(true);
    expect(store.getState().adding.added.map((t) => t.id)).toEqual(['plc/pump-1/t0003']);
  });

  it('removes a configured tag after confirmation', async () => {
    await waitFor(() => store.getState().catalog.tags.some((t) => t.id === 'plc/pump-1/t0003'), {
      what: 'T0003 listed',
    });
    const tag = store.getState().catalog.tags.find((t) => t.id === 'plc/pump-1/t0002')!;
    store.getState().askRemove([tag]);
    expect(store.getState().removal.confirm).toEqual([tag]);
    store.getState().cancelRemove();
    expect(store.getState().removal.confirm).toBeNull();

    store.getState().askRemove([tag]);
    expect(await store.getState().confirmRemove()).toBe(true);
    expect(store.getState().removal.notice).toBe('Removed 1 tag: T0002. The history already recorded stays.');
    await waitFor(() => !store.getState().catalog.tags.some((t) => t.id === tag.id), { what: 'T0002 gone' });
    expect(node('T0002').tag).toBeNull();

    // The same tag again: the core says it is not there, and the confirmation stays open with why.
    store.getState().askRemove([tag]);
    expect(await store.getState().confirmRemove()).toBe(false);
    expect(store.getState().removal.error).toBe(
      'Nothing was removed: No configured tag "plc/pump-1/t0002" on connection "plc"',
    );
  });

  it('keys rows by path below Objects', () => {
    expect(node('Pump').key).toBe(rowKey(rowKey('ns=1;s=Plant', 'ns=1;s=Plant.Line1'), pumpId));
  });
});
