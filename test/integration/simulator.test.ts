import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AttributeIds,
  BrowseDirection,
  ClientMonitoredItem,
  ClientMonitoredItemGroup,
  type ClientSubscription,
  DataType,
  makeBrowsePath,
  makeEUInformation,
  NodeClass,
  type OPCUAClient,
  StatusCodes,
  TimestampsToReturn,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSimulator,
  SimulatorOptionsError,
  type Simulator,
} from '../../electron/core/acquisition/simulator';
import { sleep, waitFor } from '../helpers/wait';
import { openTestSubscription, simulatorTestClient, type TestSubscription } from './fixtures/simulatorClient';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const SPEED = 50; // cycles per second: 20 ms per step
const BULK_TAGS = 500;

/** The shipped C-MAPSS subset, read here independently of the simulator's own loader. */
function cmapssColumn(unit: number, column: string): number[] {
  const lines = readFileSync(path.join(projectRoot, 'resources/simulator/cmapss_fd001_units.csv'), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.split(',');
  const index = header.indexOf(column);
  return lines
    .slice(1)
    .map((l) => l.split(',').map(Number))
    .filter((f) => f[0] === unit)
    .map((f) => f[index]!);
}

const nodeIdOf = (asset: string, tag: string) => `ns=1;s=DemoPlant.TurbofanTestCell.${asset}.${tag}`;

async function browseNames(session: ClientSession, nodeId: string) {
  const result = await session.browse({
    nodeId,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true,
    resultMask: 0x3f,
  });
  return (result.references ?? []).map((r) => ({
    name: r.browseName.name ?? '',
    nodeId: r.nodeId.toString(),
    nodeClass: r.nodeClass,
  }));
}

/** Collects every notification of one monitored item. */
async function monitor(
  subscription: ClientSubscription,
  nodeId: string,
  samplingInterval: number,
): Promise<{ values: DataValue[]; stop: () => Promise<void> }> {
  const values: DataValue[] = [];
  const item = await ClientMonitoredItem.create(
    subscription,
    { nodeId, attributeId: AttributeIds.Value },
    { samplingInterval, queueSize: 1000, discardOldest: false },
    TimestampsToReturn.Both,
  );
  item.on('changed', (dv: DataValue) => values.push(dv));
  return { values, stop: () => item.terminate() };
}

describe('built-in OPC UA simulator, read by a real OPC UA client', () => {
  let sim: Simulator;
  let client: OPCUAClient;
  let session: ClientSession;
  let subscription: ClientSubscription;
  let opened: TestSubscription | undefined;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      speed: SPEED,
      bulk: { tags: BULK_TAGS, rateHz: 5, historize: true, historyValuesPerTag: 3 },
    });
    opened = await openTestSubscription(simulatorTestClient('simulator-test'), sim.endpointUrl);
    ({ client, session, subscription } = opened);
  });

  afterAll(async () => {
    await opened?.close();
    await sim?.dispose();
  });

  it('listens on a loopback port and lists its assets', () => {
    expect(sim.endpointUrl).toBe(`opc.tcp://127.0.0.1:${sim.port}`);
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.assets.map((a) => `${a.area}/${a.asset}`)).toEqual([
      'Turbofan Test Cell/Engine 1',
      'Turbofan Test Cell/Engine 2',
      'Turbofan Test Cell/Engine 3',
      'Turbofan Test Cell/Engine 4',
      'Turbofan Test Cell/Engine 5',
      'Machining/Milling Machine M1',
      'Utilities/Pump P1 Drive-End Bearing',
      'Load Test/Load Generator',
    ]);
  });

  it('serves Objects / Demo Plant / area / asset / tag with stable string node ids', async () => {
    const objects = await browseNames(session, 'ns=0;i=85');
    const site = objects.find((r) => r.name === 'Demo Plant');
    expect(site?.nodeId).toBe('ns=1;s=DemoPlant');
    const areas = await browseNames(session, site!.nodeId);
    expect(areas.map((a) => a.name)).toEqual(['Turbofan Test Cell', 'Machining', 'Utilities', 'Load Test']);
    const engines = await browseNames(session, areas[0]!.nodeId);
    expect(engines.map((e) => [e.name, e.nodeClass])).toEqual(
      [1, 2, 3, 4, 5].map((k) => [`Engine ${k}`, NodeClass.Object]),
    );
    const tags = await browseNames(session, engines[0]!.nodeId);
    expect(tags).toHaveLength(25);
    const t24 = tags.find((t) => t.name === 'T24')!;
    expect(t24).toMatchObject({ nodeId: nodeIdOf('Engine1', 'T24'), nodeClass: NodeClass.Variable });
    const mill = await browseNames(session, (await browseNames(session, areas[1]!.nodeId))[0]!.nodeId);
    expect(mill.map((t) => t.name)).toEqual([
      'AirTemperature',
      'ProcessTemperature',
      'RotationalSpeed',
      'Torque',
      'ToolWear',
      'MachineFailure',
    ]);

    const [dataType, description] = await session.read([
      { nodeId: t24.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: t24.nodeId, attributeId: AttributeIds.Description },
    ]);
    expect(dataType!.value.value.value).toBe(DataType.Double);
    expect(description!.value.value.text).toBe('Total temperature at LPC outlet');
  });

  it('describes tags with EngineeringUnits (UN/ECE codes) and an EURange that holds the value', async () => {
    const expectations: [string, string, string][] = [
      [nodeIdOf('Engine1', 'T24'), 'A48', '°R'],
      [nodeIdOf('Engine1', 'P30'), '80', 'psia'],
      [nodeIdOf('Engine1', 'Nc'), 'RPM', 'rpm'],
      [nodeIdOf('Engine1', 'W31'), 'K81', 'lbm/s'],
      ['ns=1;s=DemoPlant.Machining.MillingMachineM1.Torque', 'NU', 'N·m'],
      ['ns=1;s=DemoPlant.Machining.MillingMachineM1.ProcessTemperature', 'KEL', 'K'],
    ];
    for (const [nodeId, code, symbol] of expectations) {
      const paths = await session.translateBrowsePath([
        makeBrowsePath(nodeId, '.EngineeringUnits'),
        makeBrowsePath(nodeId, '.EURange'),
      ]);
      expect(paths.map((p) => p.statusCode)).toEqual([StatusCodes.Good, StatusCodes.Good]);
      const [eu, range, value] = await session.read([
        { nodeId: paths[0]!.targets![0]!.targetId, attributeId: AttributeIds.Value },
        { nodeId: paths[1]!.targets![0]!.targetId, attributeId: AttributeIds.Value },
        { nodeId, attributeId: AttributeIds.Value },
      ]);
      expect(eu!.value.value).toMatchObject({
        namespaceUri: 'http://www.opcfoundation.org/UA/units/un/cefact',
        unitId: makeEUInformation(code, '', '').unitId,
        displayName: { text: symbol },
      });
      const { low, high } = range!.value.value as { low: number; high: number };
      expect(low).toBeLessThan(high);
      expect(value!.statusCode).toBe(StatusCodes.Good);
      expect(value!.value.value).toBeGreaterThanOrEqual(low);
      expect(value!.value.value).toBeLessThanOrEqual(high);
    }
  });

  it('streams an engine step by step: cycles in order, Good quality, the real C-MAPSS values', async () => {
    const cycle = await monitor(subscription, nodeIdOf('Engine1', 'Cycle'), 0);
    const t24 = await monitor(subscription, nodeIdOf('Engine1', 'T24'), 0);
    await waitFor(() => cycle.values.length >= 40, { timeoutMs: 10_000, what: '40 cycles of Engine 1' });
    await cycle.stop();
    await t24.stop();

    const cycles = cycle.values.map((dv) => dv.value.value as number);
    for (let i = 1; i < cycles.length; i++) {
      // Every step is delivered: the next cycle, or cycle 1 after the failure at 192.
      expect(cycles[i]).toBe(cycles[i - 1] === 192 ? 1 : cycles[i - 1]! + 1);
      expect(cycle.values[i]!.sourceTimestamp!.getTime()).toBeGreaterThan(
        cycle.values[i - 1]!.sourceTimestamp!.getTime(),
      );
    }
    for (const dv of [...cycle.values, ...t24.values]) expect(dv.statusCode).toBe(StatusCodes.Good);

    // T24 changes over time, and each value is the one of unit 1 at the cycle with the same timestamp.
    const truth = cmapssColumn(1, 'T24');
    const cycleAt = new Map(
      cycle.values.map((dv) => [dv.sourceTimestamp!.getTime(), dv.value.value as number]),
    );
    const checked = t24.values.filter((dv) => cycleAt.has(dv.sourceTimestamp!.getTime()));
    expect(checked.length).toBeGreaterThan(10);
    for (const dv of checked) {
      expect(dv.value.value).toBe(truth[cycleAt.get(dv.sourceTimestamp!.getTime())! - 1]);
    }
    expect(new Set(t24.values.map((dv) => dv.value.value)).size).toBeGreaterThan(5);
  });

  it('serves sampled monitored items as well', async () => {
    const t30 = await monitor(subscription, nodeIdOf('Engine2', 'T30'), 100);
    await waitFor(() => new Set(t30.values.map((dv) => dv.value.value)).size >= 3, {
      timeoutMs: 10_000,
      what: '3 distinct sampled values of Engine 2 T30',
    });
    await t30.stop();
    const truth = new Set(cmapssColumn(2, 'T30'));
    for (const dv of t30.values) {
      expect(dv.statusCode).toBe(StatusCodes.Good);
      expect(truth.has(dv.value.value as number)).toBe(true);
    }
  });

  it('loops an engine back to cycle 1 after its failure', async () => {
    // Engine 4 plays unit 39 (128 cycles): at 50 cycles/s it fails every 2.6 s.
    const cycle = await monitor(subscription, nodeIdOf('Engine4', 'Cycle'), 0);
    const seen = () => cycle.values.map((dv) => dv.value.value as number);
    await waitFor(
      () => {
        const c = seen();
        const wrap = c.findIndex((v, i) => i > 0 && v === 1 && c[i - 1] === 128);
        return wrap > 0 && c.length > wrap + 2;
      },
      { timeoutMs: 10_000, what: 'Engine 4 to fail and restart' },
    );
    await cycle.stop();
    const c = seen();
    const wrap = c.findIndex((v, i) => i > 0 && v === 1 && c[i - 1] === 128);
    expect(c.slice(wrap - 2, wrap + 3)).toEqual([127, 128, 1, 2, 3]);
  });

  it(`updates all ${BULK_TAGS} bulk tags`, async () => {
    const bulk = sim.assets.find((a) => a.area === 'Load Test')!;
    expect(bulk.tags).toHaveLength(BULK_TAGS);
    const changes = new Map<number, Set<number>>();
    let bad = 0;
    const group = await ClientMonitoredItemGroup.create(
      subscription,
      bulk.tags.map((t) => ({ nodeId: t.nodeId, attributeId: AttributeIds.Value })),
      { samplingInterval: 0, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    group.on('changed', (_item, dv: DataValue, index: number) => {
      if (dv.statusCode !== StatusCodes.Good) bad++;
      let set = changes.get(index);
      if (!set) changes.set(index, (set = new Set()));
      set.add(dv.value.value as number);
    });
    await waitFor(() => changes.size === BULK_TAGS && [...changes.values()].every((s) => s.size >= 3), {
      timeoutMs: 10_000,
      what: `3 distinct values from each of ${BULK_TAGS} bulk tags`,
    });
    await group.terminate();
    expect(bad).toBe(0);
    // Asked for, the bulk tags answer HistoryRead too, keeping only their last 3 values.
    expect(bulk.tags.every((t) => t.historized)).toBe(true);
    const history = await session.readHistoryValue(
      bulk.tags[7]!.nodeId,
      new Date(Date.now() - 60_000),
      new Date(Date.now() + 60_000),
    );
    const values = (history.historyData as { dataValues?: DataValue[] }).dataValues ?? [];
    expect(values).toHaveLength(3);
    expect(new Set(values.map((dv) => dv.value.value)).size).toBe(3);
    const stats = sim.stats();
    expect(stats.bulkTicks).toBeGreaterThan(2);
    expect(stats.valuesWritten).toBeGreaterThan(stats.bulkTicks * BULK_TAGS);
    expect(stats.lastError).toBeNull();
  });

  it('refuses to start on a port that is taken, with the reason', async () => {
    await expect(startSimulator({ port: sim.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes its port on dispose and stops playing; a second dispose is harmless', async () => {
    await subscription.terminate();
    await session.close();
    await client.disconnect();
    const refused = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(sim.port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
    expect(await refused()).toBe(false);
    await sim.dispose();
    const steps = sim.stats().steps;
    await sim.dispose();
    expect(await refused()).toBe(true);
    await sleep(200); // ten playback periods at 50 cycles/s
    expect(sim.stats().steps).toBe(steps);
  });
});

describe('simulator options', () => {
  it('rejects invalid options before starting anything', async () => {
    await expect(startSimulator({ speed: 0 })).rejects.toThrow(SimulatorOptionsError);
    await expect(startSimulator({ port: -1 })).rejects.toThrow(/port/);
    await expect(startSimulator({ bulk: { tags: 0, rateHz: 1 } })).rejects.toThrow(/bulk\.tags/);
    await expect(startSimulator({ speed: Number.NaN })).rejects.toThrow(/speed/);
    await expect(startSimulator({ resourcesDir: os.tmpdir() })).rejects.toThrow(
      /holds no cmapss_fd001_units\.csv/,
    );
    await expect(startSimulator({ vibration: { recording: 'cracked' } })).rejects.toThrow(
      /vibration\.recording: Unknown bearing recording "cracked"; available: normal, inner-race, outer-race, ball/,
    );
    await expect(startSimulator({ allowAnonymous: false })).rejects.toThrow(/nobody could log in/);
    await expect(
      startSimulator({
        users: [
          { userName: 'a', password: 'x' },
          { userName: 'a', password: 'y' },
        ],
      }),
    ).rejects.toThrow(/user "a" is listed twice/);
    await expect(
      startSimulator({ security: { trustedUserCertificates: ['not a certificate'] } }),
    ).rejects.toThrow(/security\.trustedUserCertificates\.0: not a DER or PEM certificate/);
    await expect(startSimulator({ vibration: { speed: 50 } })).rejects.toThrow(/vibration\.speed/);
  });
});
