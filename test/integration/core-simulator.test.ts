import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset, Series, Tag } from '../../shared/domain';
import type { Health, LiveSamplesMessage } from '../../shared/api';
import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import type { Core } from '../../electron/core/app/types';
import { sleep, waitFor } from '../helpers/wait';

async function call<T>(core: Core, name: string, input: unknown): Promise<T> {
  const result = await core.api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.result as T;
}

describe('core with the built-in simulator on loopback', () => {
  let core: Core;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-core-'));
    core = createCore(parseConfig({ dataDir, simulator: { enabled: true, port: 0, speed: 20 } }));
    await core.start();
  });

  afterAll(async () => {
    await core?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports the simulator connection as connected in its health', async () => {
    const health = await call<Health>(core, 'getHealth', {});
    expect(health.status).toBe('ok');
    expect(health.connections).toHaveLength(1);
    expect(health.connections[0]).toMatchObject({ id: 'sim', state: 'connected', lastError: null });
    expect(health.connections[0]!.endpointUrl).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+/);
  });

  it('discovers the site / area / asset hierarchy with engines and the milling machine', async () => {
    const assets = await call<Asset[]>(core, 'listAssets', {});
    const kinds = new Set(assets.map((a) => a.kind));
    expect(kinds).toEqual(new Set(['site', 'area', 'asset']));
    const names = assets.filter((a) => a.kind === 'asset').map((a) => a.name);
    expect(names.filter((n) => /engine/i.test(n)).length).toBeGreaterThanOrEqual(3);
    expect(names.some((n) => /mill/i.test(n))).toBe(true);
    for (const asset of assets) {
      if (asset.parentId) expect(assets.some((a) => a.id === asset.parentId)).toBe(true);
    }
  });

  it('lists an engine’s 3 settings and 21 sensors with units and ranges', async () => {
    const assets = await call<Asset[]>(core, 'listAssets', {});
    const engine = assets.find((a) => a.kind === 'asset' && /engine/i.test(a.name))!;
    const tags = await call<Tag[]>(core, 'listTags', { assetId: engine.id });
    const names = tags.map((t) => t.name);
    for (const sensor of ['T24', 'T30', 'T50', 'P30', 'Nf', 'Nc', 'Ps30', 'W31', 'W32'])
      expect(names).toContain(sensor);
    expect(tags.length).toBeGreaterThanOrEqual(24);
    const t24 = tags.find((t) => t.name === 'T24')!;
    expect(t24.unit).not.toBe('');
    expect(t24.range).not.toBeNull();
    expect(t24.range!.low).toBeLessThan(t24.range!.high);
  });

  it('delivers values in time order with their quality, and a cycle counter that advances', async () => {
    const assets = await call<Asset[]>(core, 'listAssets', {});
    const engine = assets.find((a) => a.kind === 'asset' && /engine/i.test(a.name))!;
    const tags = await call<Tag[]>(core, 'listTags', { assetId: engine.id });
    const cycle = tags.find((t) => /cycle/i.test(t.name))!;
    const t24 = tags.find((t) => t.name === 'T24')!;
    const series = await waitFor(
      async () => {
        const [c, s] = await call<Series[]>(core, 'getRecent', { tagIds: [cycle.id, t24.id] });
        return c && s && c.v.length >= 10 && s.v.length >= 10 ? { c, s } : null;
      },
      { what: '10 cycles of data' },
    );
    for (const s of [series.c, series.s]) {
      for (let i = 1; i < s.t.length; i++) expect(s.t[i]).toBeGreaterThan(s.t[i - 1]!);
      expect(s.q.every((q) => q === 0)).toBe(true);
      expect(s.v.every((v) => Number.isFinite(v))).toBe(true);
    }
    // Cycles advance one by one (an engine restarts at 1 after its failure).
    for (let i = 1; i < series.c.v.length; i++) {
      const step = series.c.v[i]! - series.c.v[i - 1]!;
      expect(step === 1 || series.c.v[i] === 1).toBe(true);
    }
    expect(new Set(series.s.v).size).toBeGreaterThan(1);
  });

  it('streams live samples to a subscriber at no more than 30 updates a second', async () => {
    const tags = await call<Tag[]>(core, 'listTags', {});
    const messages: LiveSamplesMessage[] = [];
    const result = core.api.subscribe('liveSamples', { tagIds: tags.slice(0, 50).map((t) => t.id) }, (m) =>
      messages.push(m as LiveSamplesMessage),
    );
    expect(result.ok).toBe(true);
    await sleep(2000);
    if (result.ok) await result.subscription.dispose();
    const count = messages.length;
    expect(count).toBeGreaterThan(5);
    expect(count).toBeLessThanOrEqual(62);
    expect(messages.reduce((n, m) => n + m.series.length, 0)).toBeGreaterThan(0);
    await sleep(200);
    expect(messages.length).toBe(count);
  });

  it('scores every engine for anomalies as derived tags and counts data-quality flags per tag', async () => {
    const assets = await call<Asset[]>(core, 'listAssets', {});
    const engine = assets.find((a) => a.kind === 'asset' && /engine/i.test(a.name))!;
    const tags = await call<Tag[]>(core, 'listTags', { assetId: engine.id });
    const score = tags.find((t) => t.kind === 'anomaly' && !t.derivedFrom)!;
    expect(score.range).toEqual({ low: 0, high: 1 });
    const t24Score = tags.find((t) => t.kind === 'anomaly' && t.derivedFrom?.endsWith('/t24'));
    expect(t24Score).toBeDefined();
    const [series] = await waitFor(
      async () => {
        const s = await call<Series[]>(core, 'getRecent', { tagIds: [score.id] });
        return s[0] && s[0].v.length >= 5 ? s : null;
      },
      { what: 'anomaly scores' },
    );
    expect(series!.v.every((v) => v >= 0 && v <= 1)).toBe(true);

    const quality = await call<{ tagId: string; stale: boolean; flagged: Record<string, number> }[]>(
      core,
      'getDataQuality',
      {},
    );
    expect(quality.length).toBeGreaterThan(100);
    expect(quality.every((q) => !q.tagId.includes('anomaly'))).toBe(true);
    expect(quality.find((q) => q.tagId.endsWith('/t24'))).toMatchObject({ stale: false });
  });

  it('refuses unknown tags with a clear error and keeps running', async () => {
    const result = await core.api.call('getRecent', { tagIds: ['no/such/tag'] });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'Unknown tag(s): no/such/tag' },
    });
    const health = await call<Health>(core, 'getHealth', {});
    expect(health.status).toBe('ok');
  });
});

describe('core with an unreachable server', () => {
  it('comes up, reports the connection problem in its health, and shuts down cleanly', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-core-'));
    const core = createCore(
      parseConfig({
        dataDir,
        simulator: { enabled: false },
        connections: [{ id: 'plc1', endpointUrl: 'opc.tcp://127.0.0.1:1/' }],
      }),
    );
    const starting = core.start();
    const health = await waitFor(
      async () => {
        const h = await call<Health>(core, 'getHealth', {});
        return h.connections[0]?.lastError ? h : null;
      },
      { what: 'a connection error' },
    );
    expect(health.connections[0]!.state).toMatch(/connecting|failed/);
    expect(health.connections[0]!.lastError).toMatch(/127\.0\.0\.1:1/);
    await core.dispose();
    await starting;
    rmSync(dataDir, { recursive: true, force: true });
  });
});
