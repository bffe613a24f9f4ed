import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcquisitionHarness } from './fixtures/acquisitionHarness';
import { startTestServer, TestProcess, type TestServer } from './fixtures/opcuaTestServer';
import { waitFor } from '../helpers/wait';

const TAGS = 10_000;
const MAX_PER_CALL = 500;

describe('10,000 monitored items within the server limits', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-opcua-scale-'));
  // One update a second keeps this test about limits, not throughput (that is the benchmark's job).
  const process = new TestProcess(TAGS, 1000);
  let server: TestServer;
  let h: AcquisitionHarness;

  beforeAll(async () => {
    process.start();
    server = await startTestServer({
      pkiDir: path.join(work, 'server'),
      process,
      maxMonitoredItemsPerCall: MAX_PER_CALL,
      maxSubscriptionsPerSession: 20,
    });
    h = new AcquisitionHarness({ dataDir: path.join(work, 'vigil') });
  }, 60_000);

  afterAll(async () => {
    await h?.dispose();
    await server?.dispose();
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('discovers and subscribes every tag in calls of at most MaxMonitoredItemsPerCall over ten subscriptions', async () => {
    await h.connect({ id: 'big', endpointUrl: server.endpointUrl });
    expect(h.status('big')).toMatchObject({ state: 'connected', lastError: null, tagCount: TAGS });
    const details = h.service.source('big').getDetails();
    expect(details.limits?.maxMonitoredItemsPerCall).toBe(MAX_PER_CALL);
    expect(details.tagErrors).toEqual([]);
    expect(details.monitoredItems).toBe(TAGS);
    expect(details.subscriptions).toHaveLength(10);
    for (const s of details.subscriptions) expect(s.items).toBe(1000);
    // The server answers BadTooManyOperations past its limit; 20 calls of 500 stay within it.
    expect(details.createCalls).toBe(TAGS / MAX_PER_CALL);

    const tags = h.models.get('big')!.tags;
    expect(tags).toHaveLength(TAGS);
    await waitFor(() => tags.every((t) => h.samplesOf(t.id).length > 0), {
      what: 'a value from every tag',
      timeoutMs: 20_000,
    });
  });
});
