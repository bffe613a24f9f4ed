import { connect } from 'node:net';
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientMonitoredItemGroup,
  type OPCUAClient,
  StatusCodes,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../electron/core/acquisition/simulator';
import { sleep, waitFor } from '../helpers/wait';
import { openTestSubscription, simulatorTestClient, type TestSubscription } from './fixtures/simulatorClient';

const ENGINE1 = 'ns=1;s=DemoPlant.TurbofanTestCell.Engine1';
const CYCLE = `${ENGINE1}.Cycle`;
const T24 = `${ENGINE1}.T24`;
const T30 = `${ENGINE1}.T30`;

function makeClient(name: string): OPCUAClient {
  return simulatorTestClient(`simulator-faults-${name}`, { reconnect: 'long' });
}

/** Every notification of one monitored item, with when it arrived. */
async function monitor(subscription: ClientSubscription, nodeId: string) {
  const values: { dv: DataValue; at: number }[] = [];
  const item = await ClientMonitoredItem.create(
    subscription,
    { nodeId, attributeId: AttributeIds.Value },
    { samplingInterval: 0, queueSize: 1000, discardOldest: false },
    TimestampsToReturn.Both,
  );
  item.on('changed', (dv: DataValue) => values.push({ dv, at: Date.now() }));
  return { values, stop: () => item.terminate() };
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('simulator fault injection', () => {
  let sim: Simulator;
  let client: OPCUAClient;
  let session: ClientSession;
  let subscription: ClientSubscription;
  let opened: TestSubscription | undefined;
  let keepAlives = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: 20, vibration: false, alarms: false });
    // A keep-alive after 200 ms without data.
    opened = await openTestSubscription(makeClient('main'), sim.endpointUrl, {
      lifetimeCount: 1000,
      maxKeepAliveCount: 4,
    });
    ({ client, session, subscription } = opened);
    subscription.on('keepalive', () => keepAlives++);
  });

  afterAll(async () => {
    await opened?.close();
    await sim?.dispose();
  });

  it('dropConnections: the channel drops, the client reconnects and its session and subscription carry on', async () => {
    const cycle = await monitor(subscription, CYCLE);
    await waitFor(() => cycle.values.length >= 3, { what: 'values before the drop' });
    let lost = 0;
    let restored = 0;
    client.on('connection_lost', () => lost++);
    client.on('connection_reestablished', () => restored++);
    const sessionId = session.sessionId.toString();

    const { channels } = await sim.dropConnections();
    expect(channels).toBe(1);
    await waitFor(() => restored > 0, { what: 'the client to reconnect' });
    expect(lost).toBeGreaterThan(0);
    const after = cycle.values.length;
    await waitFor(() => cycle.values.length >= after + 5, { what: 'values after the reconnection' });
    await cycle.stop();
    // Same session, same subscription: nothing was lost on the server side.
    expect(session.sessionId.toString()).toBe(sessionId);
    const dv = await session.read({ nodeId: CYCLE, attributeId: AttributeIds.Value });
    expect(dv.statusCode).toBe(StatusCodes.Good);
    expect(sim.faults().connectionDrops).toBe(1);
  });

  it('stallPublishing: the session stays up with keep-alives and no data; history keeps the stalled values', async () => {
    const cycle = await monitor(subscription, CYCLE);
    await waitFor(() => cycle.values.length >= 3, { what: 'values before the stall' });
    const started = Date.now();
    const keepAlivesBefore = keepAlives;
    const stall = sim.stallPublishing(1500);
    expect(sim.faults().stalledUntil).toBeGreaterThan(started);
    await sleep(700);
    // Mid-stall: reads work, the server says it is running, no new value arrives.
    const [state, value] = await session.read([
      { nodeId: 'ns=0;i=2259', attributeId: AttributeIds.Value }, // Server_ServerStatus_State
      { nodeId: CYCLE, attributeId: AttributeIds.Value },
    ]);
    expect(state!.value.value).toBe(0); // ServerState.Running
    expect(value!.statusCode).toBe(StatusCodes.Good);
    await stall;
    const ended = Date.now();
    await waitFor(() => cycle.values.some((v) => v.at > ended), { what: 'data after the stall' });
    await cycle.stop();

    // Nothing arrived between 200 ms after the start (in-flight publishes) and the end of the stall.
    const during = cycle.values.filter((v) => v.at > started + 200 && v.at < started + 1400);
    expect(during).toEqual([]);
    expect(keepAlives - keepAlivesBefore).toBeGreaterThanOrEqual(2);
    expect(sim.stats().valuesHeldBack).toBeGreaterThan(0);

    // The playback kept running: after the stall it resumes where it got to, and the history
    // holds every cycle of the gap, so a client can backfill it.
    const lastBefore = cycle.values.filter((v) => v.at <= started).at(-1)!.dv;
    const firstAfter = cycle.values.find((v) => v.at > ended)!.dv;
    const result = await session.readHistoryValue(
      CYCLE,
      lastBefore.sourceTimestamp!,
      firstAfter.sourceTimestamp!,
    );
    const gap = ((result.historyData as { dataValues?: DataValue[] }).dataValues ?? []).map(
      (dv) => dv.value.value as number,
    );
    expect(gap.length).toBeGreaterThan(20); // 1.5 s at 20 cycles/s
    gap.forEach((c, i) => i > 0 && expect(c).toBe(gap[i - 1] === 192 ? 1 : gap[i - 1]! + 1));
    const nextCycle = gap.at(-1)! === 192 ? 1 : gap.at(-1)! + 1;
    expect(firstAfter.value.value).toBe(nextCycle);
  });

  it('setBadQuality: values carry the status (at once), others stay Good, and Good returns after ms', async () => {
    const t24 = await monitor(subscription, T24);
    const t30 = await monitor(subscription, T30);
    await waitFor(() => t24.values.length >= 2, { what: 'T24 values' });
    await sim.setBadQuality([T24], 'BadSensorFailure', 800);
    const applied = Date.now();
    expect(sim.faults().badQuality).toEqual([T24]);
    await waitFor(() => t24.values.some((v) => v.dv.statusCode === StatusCodes.BadSensorFailure), {
      timeoutMs: 2000,
      what: 'BadSensorFailure on T24',
    });
    await waitFor(
      () => t24.values.some((v) => v.at > applied + 800 && v.dv.statusCode === StatusCodes.Good),
      {
        what: 'Good again after 800 ms',
      },
    );
    await t24.stop();
    await t30.stop();
    expect(t30.values.every((v) => v.dv.statusCode === StatusCodes.Good)).toBe(true);
    expect(sim.faults().badQuality).toEqual([]);

    // Every tag, with an Uncertain code given by value, until cleared.
    await sim.setBadQuality('all', StatusCodes.UncertainLastUsableValue.value);
    const [a, b] = await session.read([
      { nodeId: T30, attributeId: AttributeIds.Value },
      { nodeId: 'ns=1;s=DemoPlant.Machining.MillingMachineM1.Torque', attributeId: AttributeIds.Value },
    ]);
    expect([a!.statusCode, b!.statusCode]).toEqual([
      StatusCodes.UncertainLastUsableValue,
      StatusCodes.UncertainLastUsableValue,
    ]);
    await sim.clearBadQuality();
    const c = await session.read({ nodeId: T30, attributeId: AttributeIds.Value });
    expect(c.statusCode).toBe(StatusCodes.Good);

    await expect(sim.setBadQuality(['ns=1;s=NoSuchTag'], 'BadSensorFailure')).rejects.toThrow(
      /Unknown tag node id/,
    );
    await expect(sim.setBadQuality([T24], 'Good')).rejects.toThrow(/is Good/);
    await expect(sim.setBadQuality([T24], 'BadNoSuchStatus')).rejects.toThrow(/Unknown OPC UA status code/);
  });

  it('restart: refused while down, back on the same port with no old session, the gap readable from history', async () => {
    const before = await session.read({ nodeId: CYCLE, attributeId: AttributeIds.Value });
    const sessionId = session.sessionId.toString();
    let reestablished = 0;
    client.on('connection_reestablished', () => reestablished++);
    const [startTimeBefore] = await session.read([
      { nodeId: 'ns=0;i=2257', attributeId: AttributeIds.Value },
    ]);
    const restart = sim.restart({ downtimeMs: 1000 });
    await sleep(300);
    expect(sim.faults().down).toBe(true);
    expect(await portAccepts(sim.port)).toBe(false);
    await restart;
    expect(sim.faults()).toMatchObject({ down: false, restarts: 1 });
    expect(await portAccepts(sim.port)).toBe(true);

    // A new client on the same endpoint: the server started again, with the playback further on.
    const fresh = makeClient('after-restart');
    await fresh.connect(sim.endpointUrl);
    const s2 = await fresh.createSession();
    const [startTimeAfter, now] = await s2.read([
      { nodeId: 'ns=0;i=2257', attributeId: AttributeIds.Value }, // Server_ServerStatus_StartTime
      { nodeId: CYCLE, attributeId: AttributeIds.Value },
    ]);
    expect((startTimeAfter!.value.value as Date).getTime()).toBeGreaterThan(
      (startTimeBefore!.value.value as Date).getTime(),
    );
    const result = await s2.readHistoryValue(CYCLE, before.sourceTimestamp!, now!.sourceTimestamp!);
    const gap = ((result.historyData as { dataValues?: DataValue[] }).dataValues ?? []).map(
      (dv) => dv.value.value as number,
    );
    expect(gap.length).toBeGreaterThanOrEqual(20); // 1 s down at 20 cycles/s
    gap.forEach((c, i) => i > 0 && expect(c).toBe(gap[i - 1] === 192 ? 1 : gap[i - 1]! + 1));
    // The old session did not survive: the first client reconnected with a new one (node-opcua
    // creates it by itself when the server no longer knows the old).
    await waitFor(() => reestablished > 0 && session.sessionId.toString() !== sessionId, {
      what: 'the first client to recover with a new session',
    });
    const old = await session.read({ nodeId: CYCLE, attributeId: AttributeIds.Value });
    expect(old.statusCode).toBe(StatusCodes.Good);
    await s2.close();
    await fresh.disconnect();
  });
});

describe('simulator bulk mode', () => {
  it('creates 50,000 tags and delivers every update of exception-based monitored items', async () => {
    const created = performance.now();
    const sim = await startSimulator({
      port: 0,
      bulk: { tags: 50_000, rateHz: 2 },
      vibration: false,
      alarms: false,
    });
    const createMs = performance.now() - created;
    const client = makeClient('bulk');
    try {
      const bulk = sim.assets.find((a) => a.area === 'Load Test')!;
      expect(bulk.tags).toHaveLength(50_000);
      expect(bulk.tags.at(-1)!.browseName).toBe('Signal50000');
      await client.connect(sim.endpointUrl);
      const session = await client.createSession();
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: 100,
        requestedLifetimeCount: 600,
        requestedMaxKeepAliveCount: 20,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
      });
      // 1,000 tags spread over the whole asset, every one exception-based (samplingInterval 0).
      const watched = bulk.tags.filter((_, i) => i % 50 === 0);
      const stamps = watched.map(() => new Set<number>());
      const group = await ClientMonitoredItemGroup.create(
        subscription,
        watched.map((t) => ({ nodeId: t.nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: 0, queueSize: 10, discardOldest: false },
        TimestampsToReturn.Both,
      );
      let recording = false;
      group.on('changed', (_item, dv: DataValue, index: number) => {
        if (recording) stamps[index]!.add(dv.sourceTimestamp!.getTime());
      });
      // Record from the end of the first update that started after every item existed.
      const ticks = () => sim.stats().bulkTicks;
      const t0 = ticks();
      await waitFor(() => ticks() >= t0 + 2, { timeoutMs: 30_000, what: 'a complete update' });
      recording = true;
      const t1 = ticks();
      await waitFor(() => ticks() >= t1 + 3, { timeoutMs: 30_000, what: 'three more updates' });
      await sleep(300); // the last update's notifications are in flight
      recording = false;
      await group.terminate();
      // Every watched tag received every update between the first and the last seen (those two
      // may be cut by when recording started and stopped): no update was lost for any tag.
      const all = [...new Set(stamps.flatMap((s) => [...s]))].sort((x, y) => x - y);
      const middle = all.slice(1, -1);
      expect(middle.length).toBeGreaterThanOrEqual(1);
      const missing = stamps.filter((s) => middle.some((t) => !s.has(t)));
      expect(missing.length).toBe(0);
      const stats = sim.stats();
      expect(stats.lastError).toBeNull();
      console.log(
        `bulk 50,000 tags: created in ${Math.round(createMs)} ms; one update of every tag ${stats.bulkTickMs.toFixed(0)} ms wall, ` +
          `${stats.bulkBusyMs.toFixed(0)} ms busy, longest slice ${stats.bulkMaxSliceMs.toFixed(1)} ms`,
      );
      await session.close();
    } finally {
      await client.disconnect().catch(() => {});
      await sim.dispose();
    }
    // Creating 50,000 nodes takes node-opcua 4-5 s on a quiet machine, several times that on a busy one.
  }, 120_000);
});
