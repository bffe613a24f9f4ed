import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  OPCUAClient,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
} from 'node-opcua';
import type { Tag } from '../../shared/domain';
import type { SampleBatch } from '../../shared/samples';
import { systemClock } from '../../electron/core/app/clock';
import { ConnectionConfigSchema } from '../../electron/core/app/config';
import { OpcUaSource } from '../../electron/core/acquisition/opcuaSource';
import type { BenchFigures, BenchOptions } from './index';

/*
 * opcua.values_per_s: bulk values per second from the simulator (10,000 tags, each changing
 *   `rateHz` times a second, exception-based monitored items over ten subscriptions) into
 *   SampleBatches, counted by source timestamp (values of the ticks stamped inside the window).
 * opcua.values_lost: values of ticks inside the window that never arrived (must be 0).
 * opcua.client_us_per_value: CPU time of this process (the client; the simulator runs in a child
 *   process) per value received, from the socket to a SampleBatch.
 * opcua.baseline_us_per_value: the same for plain node-opcua (monitored-item groups, empty handler)
 *   on the same load in the same run; opcua.client_vs_baseline is the ratio.
 * opcua.subscribe_10k_s: seconds to create the 10,000 monitored items (discovery not included).
 * opcua.server_ticks_skipped: bulk updates the simulator dropped because it could not keep up.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const tags = opts.short ? 1000 : 10_000;
  const rateHz = 10;
  const seconds = opts.short ? 2 : 10;
  const settleMs = opts.short ? 1000 : 2000;
  const sim = await startSimulatorProcess(tags, rateHz);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-opcua-'));
  try {
    opts.log(`simulator with ${tags} bulk tags at ${rateHz} Hz at ${sim.endpointUrl}`);
    const baseline = opts.short
      ? null
      : await measurePlainNodeOpcua(sim.endpointUrl, tags, seconds, settleMs, opts);
    const vigil = await measureVigil(sim.endpointUrl, dataDir, tags, rateHz, seconds, settleMs, opts);
    const figures: BenchFigures = {
      'opcua.values_per_s': vigil.valuesPerS,
      'opcua.values_lost': vigil.lost,
      'opcua.client_us_per_value': vigil.usPerValue,
      'opcua.subscribe_10k_s': Number(((vigil.subscribeMs / 1000) * (10_000 / tags)).toFixed(2)),
      'opcua.server_ticks_skipped': vigil.ticksSkipped,
    };
    if (baseline) {
      figures['opcua.baseline_us_per_value'] = baseline.usPerValue;
      figures['opcua.client_vs_baseline'] = Number((vigil.usPerValue / baseline.usPerValue).toFixed(2));
    }
    return figures;
  } finally {
    await sim.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Measured {
  valuesPerS: number;
  lost: number;
  usPerValue: number;
  subscribeMs: number;
  ticksSkipped: number;
}

async function measureVigil(
  endpointUrl: string,
  dataDir: string,
  tags: number,
  rateHz: number,
  seconds: number,
  settleMs: number,
  opts: BenchOptions,
): Promise<Measured> {
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
    config: ConnectionConfigSchema.parse({ id: 'bench', endpointUrl }),
    clock: systemClock,
    pkiDir: path.join(dataDir, 'pki'),
    batchIntervalMs: 50,
    newCorrelationId: randomUUID,
    events: {
      onBatch,
      onState: (state, error) => {
        if (error) opts.log(`connection ${state}: ${error}`);
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
    if (bulkTags.size !== tags) throw new Error(`found ${bulkTags.size} bulk tags, expected ${tags}`);
    opts.log(
      `Vigil: ${details.monitoredItems} items in ${details.subscriptions.length} subscriptions, ` +
        `${details.createCalls} CreateMonitoredItems calls; discovery ${details.timings.discoverMs} ms, ` +
        `subscribe ${details.timings.subscribeMs} ms`,
    );
    await sleep(settleMs);
    const result = await measureWindow(
      seconds,
      () => received,
      (from, to) => {
        windowStart = from;
        windowEnd = to;
      },
    );
    // Stragglers of the last ticks.
    await sleep(settleMs);
    return {
      ...summarise(perTick, tags, rateHz, result, opts, 'Vigil'),
      subscribeMs: details.timings.subscribeMs,
    };
  } finally {
    await source.dispose();
  }
}

/** The plain node-opcua client path on the same load: groups of 1,000 items, an empty handler. */
async function measurePlainNodeOpcua(
  endpointUrl: string,
  tags: number,
  seconds: number,
  settleMs: number,
  opts: BenchOptions,
) {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 1 } });
  let session: ClientSession | null = null;
  const subscriptions: ClientSubscription[] = [];
  let received = 0;
  try {
    await client.connect(endpointUrl);
    session = await client.createSession();
    const nodeIds = await bulkNodeIds(session, tags);
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
    await sleep(settleMs);
    const result = await measureWindow(
      seconds,
      () => received,
      () => {},
    );
    const usPerValue = result.values > 0 ? Number((result.cpuUs / result.values).toFixed(2)) : 0;
    opts.log(
      `plain node-opcua: ${result.values} values in ${result.elapsedS.toFixed(1)} s, ${usPerValue} us CPU per value`,
    );
    return { usPerValue };
  } finally {
    for (const s of subscriptions) await s.terminate().catch(() => {});
    await session?.close().catch(() => {});
    await client.disconnect();
  }
}

/** Node ids of the bulk tags: the children of the object with the most variables below Objects. */
async function bulkNodeIds(session: ClientSession, tags: number): Promise<string[]> {
  const { discoverModel } = await import('../../electron/core/acquisition/discovery');
  const model = await discoverModel(session, 'baseline', [], {
    maxNodesPerRead: 10_000,
    maxNodesPerBrowse: 1000,
  });
  const ids = largestAsset(model.tags);
  const nodeIds = model.tags.filter((t) => ids.includes(t.id)).map((t) => t.source!.nodeId);
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

async function measureWindow(
  seconds: number,
  count: () => number,
  setWindow: (from: number, to: number) => void,
): Promise<{ values: number; cpuUs: number; elapsedS: number; from: number; to: number }> {
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
  tags: number,
  rateHz: number,
  window: { values: number; cpuUs: number; elapsedS: number; from: number; to: number },
  opts: BenchOptions,
  who: string,
): Omit<Measured, 'subscribeMs'> {
  let total = 0;
  let lost = 0;
  for (const n of perTick.values()) {
    total += n;
    lost += Math.max(0, tags - n);
  }
  const periodMs = 1000 / rateHz;
  const expectedTicks = Math.floor((window.to - window.from) / periodMs);
  const ticksSkipped = Math.max(0, expectedTicks - perTick.size);
  const usPerValue = window.values > 0 ? Number((window.cpuUs / window.values).toFixed(2)) : 0;
  const valuesPerS = Math.round(total / ((window.to - window.from) / 1000));
  opts.log(
    `${who}: ${window.values} values in ${window.elapsedS.toFixed(1)} s (${Math.round(window.values / window.elapsedS)}/s arriving), ` +
      `${perTick.size} ticks of ${tags} in the window, ${lost} values missing, ${ticksSkipped} ticks skipped by the server, ` +
      `${usPerValue} us CPU per value`,
  );
  return { valuesPerS, lost, usPerValue, ticksSkipped };
}

interface SimulatorProcess {
  endpointUrl: string;
  dispose(): Promise<void>;
}

/** The simulator in a process of its own, so this process's CPU time is the client's alone. */
async function startSimulatorProcess(tags: number, rateHz: number): Promise<SimulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin', 'vigil.mjs'),
      'sim',
      '--port',
      '0',
      '--bulk',
      String(tags),
      '--bulk-rate',
      String(rateHz),
      '--no-alarms',
      '--no-vibration',
      '--no-commands',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpointUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (opc\.tcp:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code}: ${stderr}`));
    });
  });
  return {
    endpointUrl,
    async dispose() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
