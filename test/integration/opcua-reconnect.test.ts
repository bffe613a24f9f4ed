import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcquisitionHarness, type Sample } from './fixtures/acquisitionHarness';
import { startTestServer, TestProcess, type TestServer } from './fixtures/opcuaTestServer';
import { startFreezableProxy, type FreezableProxy } from './fixtures/tcpProxy';
import { sleep, waitFor } from '../helpers/wait';

/** Ticks of the process a tag's samples stand for, and the ones missing between first and last. */
function ticksOf(samples: readonly Sample[]): { ticks: number[]; missing: number[]; ordered: boolean } {
  const ticks = samples.map((s) => TestProcess.tickOf(s.v));
  const missing: number[] = [];
  for (let i = 1; i < ticks.length; i++) for (let k = ticks[i - 1]! + 1; k < ticks[i]!; k++) missing.push(k);
  const ordered = samples.every((s, i) => i === 0 || s.t > samples[i - 1]!.t);
  return { ticks, missing, ordered };
}

const TAGS = 6;
const HISTORIZED = 3;

describe('OPC UA reconnection without gaps', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-opcua-reconnect-'));
  const process = new TestProcess(TAGS, 100);
  let server: TestServer;
  let proxy: FreezableProxy;
  let h: AcquisitionHarness;

  beforeAll(async () => {
    process.start();
    server = await startTestServer({ pkiDir: path.join(work, 'server'), process, historized: HISTORIZED });
    proxy = await startFreezableProxy(server.port);
    h = new AcquisitionHarness({ dataDir: path.join(work, 'vigil') });
  });

  afterAll(async () => {
    await h?.dispose();
    await proxy?.dispose();
    await server?.dispose();
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('backfills a server restart from history with no sample missing, and reports the gap where there is no history', async () => {
    // Two items per subscription: the restart has to repair three subscriptions.
    await h.connect({
      id: 'plc',
      endpointUrl: server.endpointUrl,
      subscriptions: { maxItemsPerSubscription: 2 },
    });
    await h.waitForState('plc', 'connected');
    expect(h.service.source('plc').getDetails().subscriptions).toHaveLength(3);
    await sleep(800);
    const tickBefore = process.lastTick;
    await server.restart(1500);
    const gap = await waitFor(() => h.gaps.find((g) => g.connectionId === 'plc'), { what: 'the gap report' });
    await h.waitForState('plc', 'connected');
    await sleep(800);
    const tickAfter = process.lastTick;

    expect(h.states.filter((s) => s.connectionId === 'plc').map((s) => s.state)).toContain('reconnecting');
    expect(gap).toMatchObject({
      cause: 'connection lost',
      recovery: 'partial',
      backfilled: false,
      tagsBackfilled: HISTORIZED,
    });
    expect(gap.valuesBackfilled).toBeGreaterThan(HISTORIZED * 10);
    expect(gap.to - gap.from).toBeGreaterThanOrEqual(1500);
    for (let i = 0; i < TAGS; i++) {
      const tag = h.tagByNode('plc', server.nodeId(i));
      const { ticks, missing, ordered } = ticksOf(h.samplesOf(tag.id));
      expect(ordered, `${tag.id} in time order`).toBe(true);
      expect(ticks[0]!).toBeLessThan(tickBefore);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(tickAfter - 2);
      if (i < HISTORIZED) {
        expect(missing, `${tag.id} has every sample`).toEqual([]);
        expect(gap.unfilledTagIds).not.toContain(tag.id);
      } else {
        expect(missing.length, `${tag.id} lost the outage`).toBeGreaterThan(10);
        expect(gap.unfilledTagIds).toContain(tag.id);
      }
    }
    const details = h.service.source('plc').getDetails();
    expect(details.gaps).toHaveLength(1);
    expect(details.reconnects).toBe(1);
    expect(details.duplicatesDropped).toBeGreaterThanOrEqual(0);
  });

  it('detects a connection that stays open but goes silent, and recovers it without losing a sample', async () => {
    await h.connect({
      id: 'stall',
      endpointUrl: proxy.endpointUrl,
      subscriptions: { maxKeepAliveCount: 5, stallTimeoutMs: 2000 },
    });
    await h.waitForState('stall', 'connected');
    await sleep(800);
    const connectionsBefore = proxy.connections();
    proxy.freeze();
    const stalled = await waitFor(
      () => h.states.find((s) => s.connectionId === 'stall' && /stalled/.test(s.error ?? '')),
      {
        what: 'stall detection',
      },
    );
    expect(stalled.state).toBe('reconnecting');
    expect(stalled.error).toMatch(/No data or keep-alive from .* for \d+\.\d s \(subscription 1 of 1\)/);
    await waitFor(
      () => h.status('stall').state === 'connected' && h.service.source('stall').getGaps().length > 0,
      {
        what: 'recovery',
      },
    );
    await sleep(800);

    const details = h.service.source('stall').getDetails();
    // One stall; a heavily loaded machine may add another late keep-alive, never none.
    expect(details.stalls.length).toBeGreaterThanOrEqual(1);
    expect(details.stalls[0]!.silentForMs).toBeGreaterThanOrEqual(2000);
    // The silent socket was dropped and a new one opened; the session and its subscription moved over.
    expect(proxy.connections()).toBeGreaterThan(connectionsBefore);
    expect(details.gaps[0]).toMatchObject({ cause: 'stalled', recovery: 'republished', backfilled: true });
    // A transfer that lost nothing is not a gap in the data.
    expect(h.gaps.filter((g) => g.connectionId === 'stall')).toEqual([]);
    for (let i = 0; i < TAGS; i++) {
      const tag = h.tagByNode('stall', server.nodeId(i));
      const { missing, ordered } = ticksOf(h.samplesOf(tag.id));
      expect(missing, `${tag.id} has every sample`).toEqual([]);
      expect(ordered).toBe(true);
    }
  });
});
