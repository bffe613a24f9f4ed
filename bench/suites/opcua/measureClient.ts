/*
 * One acquisition measurement, run as a process of its own so that its CPU time is the client's
 * alone and it starts with the V8 flags under test (the core's, or none). The parent
 * (bench/suites/opcua.ts) passes a JSON job as the first argument and reads one line
 * "RESULT <json>" from stdout; progress goes to stderr.
 *
 *   node [flags] --import tsx bench/suites/opcua/measureClient.ts '<job json>'
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  OPCUAClient,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
} from 'node-opcua';
import type { Tag } from '../../../shared/domain';
import type { SampleBatch } from '../../../shared/samples';
import { systemClock } from '../../../electron/core/app/clock';
import { ConnectionConfigSchema } from '../../../electron/core/app/config';
import { OpcUaSource } from '../../../electron/core/acquisition/opcuaSource';

export interface ClientJob {
  /** 'vigil': OpcUaSource into SampleBatches; 'baseline': plain node-opcua, empty handler. */
  client: 'vigil' | 'baseline';
  endpointUrl: string;
  tags: number;
  rateHz: number;
  seconds: number;
  settleMs: number;
}

export interface ClientResult {
  /** Values of the ticks stamped inside the window, per second (Vigil only; 0 for the baseline). */
  valuesPerS: number;
  /** Values arriving per second, whatever their stamp. */
  arrivingPerS: number;
  lost: number;
  usPerValue: number;
  subscribeMs: number;
  ticksSkipped: number;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function measureVigil(job: ClientJob): Promise<ClientResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-opcua-'));
  let bulkTags = new Set<string>();
  // Values per bulk tick (all values of one tick share its source timestamp).
  const perTick = new Map<number, number>();
  let received = 0;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const onBatch = (batch: SampleBatch) => {
    received += batch.length;
    const isBulk = batch.tagIds.map((id) => bulkTags.has(id));
    for (let i = 0; i < batch.length; i++) {
      const t = batch.timestamps[i]!;
      if (t >= windowStart && t < windowEnd && isBulk[batch.tagIndex[i]!])
        perTick.set(t, (perTick.get(t) ?? 0) + 1);
    }
  };
  const source = new OpcUaSource({
    config: ConnectionConfigSchema.parse({ id: 'bench', endpointUrl: job.endpointUrl }),
    clock: systemClock,
    pkiDir: path.join(dataDir, 'pki'),
    batchIntervalMs: 50,
    newCorrelationId: randomUUID,
    events: {
      onBatch,
      onState: (state, error) => {
        if (error) log(`connection ${state}: ${error}`);
      },
      onModel: (model) => {
        bulkTags = new Set(largestAsset(model.tags));
      },
    },
  });
  try {
    await source.start();
    const details = source.getDetails();
    if (details.status.state !== 'connected') throw new Error(`not connected: ${details.status.lastError}`);
    if (bulkTags.size !== job.tags) throw new Error(`found ${bulkTags.size} bulk tags, expected ${job.tags}`);
    log(
      `${details.monitoredItems} items in ${details.subscriptions.length} subscriptions, ` +
        `${details.createCalls} CreateMonitoredItems calls; discovery ${details.timings.discoverMs} ms, ` +
        `subscribe ${details.timings.subscribeMs} ms`,
    );
    await sleep(job.settleMs);
    const window = await measureWindow(
      job.seconds,
      () => received,
      (from, to) => {
        windowStart = from;
        windowEnd = to;
      },
    );
    // Stragglers of the last ticks.
    await sleep(job.settleMs);
    return { ...summarise(perTick, job, window), subscribeMs: details.timings.subscribeMs };
  } finally {
    await source.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The plain node-opcua client path on the same load: groups of 1,000 items, an empty handler. */
async function measurePlainNodeOpcua(job: ClientJob): Promise<ClientResult> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
  let session: ClientSession | null = null;
  const subscriptions: ClientSubscription[] = [];
  let received = 0;
  try {
    await client.connect(job.endpointUrl);
    session = await client.createSession();
    const nodeIds = await bulkNodeIds(session, job.tags);
    const started = performance.now();
    for (let start = 0; start < nodeIds.length; start += 1000) {
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: 100,
        requestedMaxKeepAliveCount: 10,
        requestedLifetimeCount: 1200,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
      });
      subscriptions.push(subscription);
      const group = ClientMonitoredItemGroup.create(
        subscription,
        nodeIds.slice(start, start + 1000).map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: 0, queueSize: 100, discardOldest: true },
        TimestampsToReturn.Both,
      );
      group.on('changed', () => {
        received++;
      });
      await new Promise<void>((resolve, reject) => {
        group.once('initialized', () => resolve());
        group.once('err', (m: string) => reject(new Error(m)));
      });
    }
    const subscribeMs = Math.round(performance.now() - started);
    await sleep(job.settleMs);
    const window = await measureWindow(
      job.seconds,
      () => received,
      () => {},
    );
    return {
      valuesPerS: 0,
      arrivingPerS: Math.round(window.values / window.elapsedS),
      lost: 0,
      usPerValue: window.values > 0 ? round2(window.cpuUs / window.values) : 0,
      subscribeMs,
      ticksSkipped: 0,
    };
  } finally {
    for (const s of subscriptions) await s.terminate().catch(() => {});
    await session?.close().catch(() => {});
    await client.disconnect();
  }
}

/** Node ids of the bulk tags: the children of the object with the most variables below Objects. */
async function bulkNodeIds(session: ClientSession, tags: number): Promise<string[]> {
  const { discoverModel } = await import('../../../electron/core/acquisition/discovery');
  const model = await discoverModel(session, 'baseline', [], {
    maxNodesPerRead: 10_000,
    maxNodesPerBrowse: 1000,
  });
  const ids = new Set(largestAsset(model.tags));
  const nodeIds = model.tags.filter((t) => ids.has(t.id)).map((t) => t.source!.nodeId);
  if (nodeIds.length !== tags) throw new Error(`found ${nodeIds.length} bulk tags, expected ${tags}`);
  return nodeIds;
}

function largestAsset(tags: readonly Tag[]): string[] {
  const byAsset = new Map<string, string[]>();
  for (const t of tags) {
    const list = byAsset.get(t.assetId);
    if (list) list.push(t.id);
    else byAsset.set(t.assetId, [t.id]);
  }
  return [...byAsset.values()].sort((a, b) => b.length - a.length)[0] ?? [];
}

interface Window {
  values: number;
  cpuUs: number;
  elapsedS: number;
  from: number;
  to: number;
}

async function measureWindow(
  seconds: number,
  count: () => number,
  setWindow: (from: number, to: number) => void,
): Promise<Window> {
  const from = Date.now();
  setWindow(from, Infinity);
  const start = count();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const to = Date.now();
  setWindow(from, to);
  const used = process.cpuUsage(cpu);
  return {
    values: count() - start,
    cpuUs: used.user + used.system,
    elapsedS: (performance.now() - t0) / 1000,
    from,
    to,
  };
}

function summarise(
  perTick: ReadonlyMap<number, number>,
  job: ClientJob,
  window: Window,
): Omit<ClientResult, 'subscribeMs'> {
  let total = 0;
  let lost = 0;
  for (const n of perTick.values()) {
    total += n;
    lost += Math.max(0, job.tags - n);
  }
  const periodMs = 1000 / job.rateHz;
  const expectedTicks = Math.floor((window.to - window.from) / periodMs);
  return {
    valuesPerS: Math.round(total / ((window.to - window.from) / 1000)),
    arrivingPerS: Math.round(window.values / window.elapsedS),
    lost,
    usPerValue: window.values > 0 ? round2(window.cpuUs / window.values) : 0,
    ticksSkipped: Math.max(0, expectedTicks - perTick.size),
  };
}

const round2 = (x: number) => Number(x.toFixed(2));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
  const job = JSON.parse(process.argv[2] ?? '') as ClientJob;
  const result = job.client === 'vigil' ? await measureVigil(job) : await measurePlainNodeOpcua(job);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // node-opcua keeps timers for a while after disconnecting; the parent waits for the exit.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
