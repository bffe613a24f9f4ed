import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItem,
  constructEventFilter,
  DataType,
  makeBrowsePath,
  makeEUInformation,
  NodeId,
  StatusCodes,
  TimestampsToReturn,
  VariantArrayType,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type Variant,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../electron/core/acquisition/simulator';
import { sleep, waitFor } from '../helpers/wait';
import { openTestSubscription, simulatorTestClient, type TestSubscription } from './fixtures/simulatorClient';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const SPEED = 50; // C-MAPSS cycles per second
const HISTORY_DEPTH = 60;
const ENGINE1 = 'ns=1;s=DemoPlant.TurbofanTestCell.Engine1';
const BEARING = 'ns=1;s=DemoPlant.Utilities.PumpP1DriveEndBearing';

/** Engine 1 is C-MAPSS FD001 unit 1: its T24 by cycle, read from the shipped subset independently. */
function unit1T24(): number[] {
  const lines = readFileSync(path.join(projectRoot, 'resources/simulator/cmapss_fd001_units.csv'), 'utf8')
    .trim()
    .split('\n');
  const col = lines[0]!.split(',').indexOf('T24');
  return lines
    .slice(1)
    .map((l) => l.split(',').map(Number))
    .filter((f) => f[0] === 1)
    .map((f) => f[col]!);
}

function shippedRecording(id: string): Float32Array {
  const buf = readFileSync(path.join(projectRoot, 'resources/simulator/cwru', `${id}.f32`));
  return new Float32Array(new Uint8Array(buf).buffer);
}

async function history(session: ClientSession, nodeId: string, start: Date, end: Date, numValuesPerNode = 0) {
  const result = await session.readHistoryValue(nodeId, start, end, { numValuesPerNode });
  expect(result.statusCode.isGood(), result.statusCode.toString()).toBe(true);
  return {
    values: (result.historyData as { dataValues?: DataValue[] }).dataValues ?? [],
    continuationPoint: result.continuationPoint,
  };
}

const EVENT_FIELDS = [
  'EventId',
  'ConditionId',
  'ConditionName',
  'SourceNode',
  'SourceName',
  'ActiveState.Id',
  'AckedState.Id',
  'ConfirmedState.Id',
  'LimitState.CurrentState',
  'Severity',
  'Message',
  'EventType',
  'BranchId',
] as const;
type AlarmEvent = Record<(typeof EVENT_FIELDS)[number], unknown>;

/** An event about the condition's current state, not about an earlier state kept in a branch. */
const isCurrent = (e: AlarmEvent) => {
  const branch = e.BranchId as NodeId | null | undefined;
  return !branch || branch.isEmpty();
};

describe('simulator data: HistoryRead, waveforms, Alarms & Conditions', () => {
  let sim: Simulator;
  let session: ClientSession;
  let subscription: ClientSubscription;
  let opened: TestSubscription | undefined;
  const events: AlarmEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, speed: SPEED, history: { maxValuesPerTag: HISTORY_DEPTH } });
    opened = await openTestSubscription(simulatorTestClient('simulator-data-test'), sim.endpointUrl);
    ({ session, subscription } = opened);
    // Every alarm event the Server object reports, from the start.
    const eventItem = await ClientMonitoredItem.create(
      subscription,
      { nodeId: 'ns=0;i=2253', attributeId: AttributeIds.EventNotifier },
      {
        samplingInterval: 0,
        queueSize: 10_000,
        discardOldest: false,
        filter: constructEventFilter([...EVENT_FIELDS]),
      },
      TimestampsToReturn.Both,
    );
    eventItem.on('changed', (fields: unknown) => {
      const variants = fields as Variant[];
      events.push(
        Object.fromEntries(EVENT_FIELDS.map((name, i) => [name, variants[i]?.value])) as AlarmEvent,
      );
    });
  });

  afterAll(async () => {
    await opened?.close();
    await sim?.dispose();
  });

  it('lists the bearing asset with its waveform and historized scalar tags', () => {
    const bearing = sim.assets.find((a) => a.area === 'Utilities')!;
    expect(bearing.asset).toBe('Pump P1 Drive-End Bearing');
    expect(bearing.tags.map((t) => [t.browseName, t.dataType, t.arrayLength ?? null, t.historized])).toEqual([
      ['Vibration', 'Float', 1200, false],
      ['VibrationRMS', 'Double', null, true],
      ['VibrationPeak', 'Double', null, true],
      ['VibrationKurtosis', 'Double', null, true],
      ['ShaftSpeed', 'Double', null, true],
    ]);
    expect(sim.bearingRecordings).toEqual(['normal', 'inner-race', 'outer-race', 'ball']);
    expect(sim.bearingRecording()).toBe('normal');
  });

  it('answers HistoryRead with the values it played, in order, for a time range', async () => {
    await waitFor(() => sim.stats().steps > HISTORY_DEPTH + 10, {
      what: 'more steps than the history keeps',
    });
    const truth = unit1T24();
    const all = await history(
      session,
      `${ENGINE1}.Cycle`,
      new Date(Date.now() - 3_600_000),
      new Date(Date.now() + 60_000),
    );
    // Bounded memory: only the newest HISTORY_DEPTH values are kept.
    expect(all.values).toHaveLength(HISTORY_DEPTH);
    const cycles = all.values.map((dv) => dv.value.value as number);
    cycles.forEach((c, i) => i > 0 && expect(c).toBe(cycles[i - 1] === 192 ? 1 : cycles[i - 1]! + 1));
    const times = all.values.map((dv) => dv.sourceTimestamp!.getTime());
    times.forEach((t, i) => i > 0 && expect(t).toBeGreaterThan(times[i - 1]!));
    for (const dv of all.values) expect(dv.statusCode).toBe(StatusCodes.Good);

    // A sub-range: the start is included, the end is not (OPC 10000-11 3.1.9). Taken near the newest
    // end, so that values dropped from the bounded history meanwhile do not matter.
    const [a, b] = [HISTORY_DEPTH - 12, HISTORY_DEPTH - 2];
    const from = all.values[a]!.sourceTimestamp!;
    const to = all.values[b]!.sourceTimestamp!;
    const t24 = await history(session, `${ENGINE1}.T24`, from, to);
    expect(t24.values.map((dv) => dv.sourceTimestamp!.getTime())).toEqual(times.slice(a, b));
    // Each historized T24 is the C-MAPSS value of the cycle played at the same time.
    expect(t24.values.map((dv) => dv.value.value)).toEqual(cycles.slice(a, b).map((c) => truth[c - 1]));

    const limited = await history(session, `${ENGINE1}.T24`, from, to, 4);
    expect(limited.values).toHaveLength(4);
    expect(limited.continuationPoint?.length).toBeGreaterThan(0);
  });

  it('sends the bearing waveform as 1,200-sample Float arrays, contiguous, with matching features', async () => {
    const [valueRank, dims] = await session.read([
      { nodeId: `${BEARING}.Vibration`, attributeId: AttributeIds.ValueRank },
      { nodeId: `${BEARING}.Vibration`, attributeId: AttributeIds.ArrayDimensions },
    ]);
    expect(valueRank!.value.value).toBe(1);
    expect([...(dims!.value.value as Uint32Array)]).toEqual([1200]);
    const paths = await session.translateBrowsePath([
      makeBrowsePath(`${BEARING}.Vibration`, '.EngineeringUnits'),
      makeBrowsePath(`${BEARING}.Vibration`, '.1:SampleRate'),
    ]);
    const [eu, rate] = await session.read(
      paths.map((p) => ({ nodeId: p.targets![0]!.targetId, attributeId: AttributeIds.Value })),
    );
    expect(eu!.value.value).toMatchObject({
      unitId: makeEUInformation('K40', '', '').unitId,
      displayName: { text: 'g' },
    });
    expect(rate!.value.value).toBe(12000);

    const waves: DataValue[] = [];
    const rms: DataValue[] = [];
    const items = await Promise.all(
      [
        [`${BEARING}.Vibration`, waves],
        [`${BEARING}.VibrationRMS`, rms],
      ].map(async ([nodeId, sink]) => {
        const item = await ClientMonitoredItem.create(
          subscription,
          { nodeId: nodeId as string, attributeId: AttributeIds.Value },
          { samplingInterval: 0, queueSize: 100, discardOldest: false },
          TimestampsToReturn.Both,
        );
        item.on('changed', (dv: DataValue) => (sink as DataValue[]).push(dv));
        return item;
      }),
    );
    await waitFor(() => waves.length >= 6, { what: 'six waveform notifications' });
    await Promise.all(items.map((i) => i.terminate()));

    const normal = shippedRecording('normal');
    const first = waves[1]!.value.value as Float32Array;
    let offset = -1;
    for (let k = 0; k + 1200 <= normal.length && offset < 0; k += 1200) {
      if (normal[k] === first[0] && normal[k + 1] === first[1] && normal[k + 2] === first[2]) offset = k;
    }
    expect(offset).toBeGreaterThanOrEqual(0);
    for (const [i, dv] of waves.slice(1).entries()) {
      expect(dv.value.dataType).toBe(DataType.Float);
      expect(dv.value.arrayType).toBe(VariantArrayType.Array);
      const samples = dv.value.value as Float32Array;
      expect(samples).toHaveLength(1200);
      const start = (offset + i * 1200) % normal.length;
      expect([...samples]).toEqual([...normal.subarray(start, start + 1200)]);
      // The RMS written with this block is the RMS of these samples (mean removed).
      const match = rms.find((r) => r.sourceTimestamp!.getTime() === dv.sourceTimestamp!.getTime());
      expect(match).toBeDefined();
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      const expected = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
      expect(match!.value.value).toBeCloseTo(expected, 9);
    }
    // 100 ms of signal per block, stamped 100 ms apart.
    const t = waves.map((dv) => dv.sourceTimestamp!.getTime());
    for (let i = 2; i < t.length; i++) expect(t[i]! - t[i - 1]!).toBe(100);
  });

  it('trips an engine T50 alarm as the engine degrades, raised through the Server object', async () => {
    // At 50 cycles/s Engine 4 (128 cycles, starting at cycle 77) passes the High limit within seconds.
    const trip = await waitFor(
      () => events.find((e) => e.ConditionName === 'T50High' && e['ActiveState.Id'] === true && isCurrent(e)),
      { timeoutMs: 20_000, what: 'a T50 High alarm' },
    );
    const info = sim.alarms().find((a) => a.conditionNodeId === (trip.ConditionId as NodeId).toString())!;
    expect(info).toBeDefined();
    expect(info.inputNodeId).toMatch(/\.T50$/);
    expect((trip.SourceNode as NodeId).toString()).toBe(info.sourceNodeId);
    expect(trip.SourceName).toMatch(/^Engine \d$/);
    expect(['High', 'HighHigh']).toContain((trip['LimitState.CurrentState'] as { text: string }).text);
    expect(trip.Severity).toBeGreaterThanOrEqual(500);
    expect((trip.Message as { text: string }).text).toMatch(
      /T50 \(LPT outlet temperature\) [\d.]+ °R above High(High)? limit/,
    );
  });

  it('trips the vibration alarm on a fault recording; a client acknowledges and confirms it', async () => {
    const conditionId = `${BEARING}.VibrationHigh`;
    const isBearing = (e: AlarmEvent) =>
      (e.ConditionId as NodeId | undefined)?.toString() === conditionId && isCurrent(e);
    await sim.setBearingRecording('outer-race');
    expect(sim.bearingRecording()).toBe('outer-race');
    const active = await waitFor(() => events.find((e) => isBearing(e) && e['ActiveState.Id'] === true), {
      what: 'the vibration alarm',
    });
    expect((active['LimitState.CurrentState'] as { text: string }).text).toBe('HighHigh');
    expect(active['AckedState.Id']).toBe(false);
    expect(active.Severity).toBe(800);
    expect(sim.alarms().find((a) => a.conditionNodeId === conditionId)).toMatchObject({
      active: true,
      acked: false,
      limitState: 'HighHigh',
    });

    const acked = await session.acknowledgeCondition(
      NodeId.resolveNodeId(conditionId),
      active.EventId as Buffer,
      'Seen from the test client',
    );
    expect(acked).toBe(StatusCodes.Good);
    const ackEvent = await waitFor(() => events.find((e) => isBearing(e) && e['AckedState.Id'] === true), {
      what: 'the acknowledgement event',
    });
    expect(ackEvent['ConfirmedState.Id']).toBe(false);
    expect(sim.alarms().find((a) => a.conditionNodeId === conditionId)).toMatchObject({
      acked: true,
      confirmed: false,
    });

    const confirmed = await session.confirmCondition(
      NodeId.resolveNodeId(conditionId),
      ackEvent.EventId as Buffer,
      'Bearing replacement ordered',
    );
    expect(confirmed).toBe(StatusCodes.Good);
    await waitFor(() => sim.alarms().find((a) => a.conditionNodeId === conditionId)?.confirmed, {
      what: 'the confirmation',
    });

    // ConditionRefresh re-sends the states of the conditions between RefreshStart and RefreshEnd.
    const before = events.length;
    const refresh = await session.call({
      objectId: 'ns=0;i=2782', // ConditionType
      methodId: 'ns=0;i=3875', // ConditionRefresh
      inputArguments: [{ dataType: DataType.UInt32, value: subscription.subscriptionId }],
    });
    expect(refresh.statusCode).toBe(StatusCodes.Good);
    const typeOf = (e: AlarmEvent) => (e.EventType as NodeId).toString();
    const refreshed = await waitFor(
      () => {
        const batch = events.slice(before);
        const start = batch.findIndex((e) => typeOf(e) === 'ns=0;i=2787'); // RefreshStartEventType
        const end = batch.findIndex((e) => typeOf(e) === 'ns=0;i=2788'); // RefreshEndEventType
        return start >= 0 && end > start ? batch.slice(start + 1, end) : null;
      },
      { what: 'RefreshStart ... RefreshEnd' },
    );
    // Every alarm reports its state, the bearing's still active (and acknowledged, confirmed).
    const conditions = new Set(refreshed.map((e) => (e.ConditionId as NodeId).toString()));
    expect([...conditions].sort()).toEqual(
      sim
        .alarms()
        .map((a) => a.conditionNodeId)
        .sort(),
    );
    expect(refreshed.some((e) => isBearing(e) && e['ActiveState.Id'] === true)).toBe(true);

    // A Bad input takes the alarm out of its limit state (it cannot be evaluated), once; Good again
    // re-evaluates it.
    const eventsBeforeBad = events.length;
    await sim.setBadQuality([`${BEARING}.VibrationRMS`], 'BadSensorFailure');
    const unevaluated = await waitFor(
      () => events.slice(eventsBeforeBad).find((e) => isBearing(e) && e['ActiveState.Id'] === false),
      { what: 'the alarm to leave its limit state on a Bad input' },
    );
    expect((unevaluated.Message as { text: string }).text).toMatch(
      /cannot be evaluated: input BadSensorFailure/,
    );
    await sleep(300); // more Bad values arrive: no more events about them
    expect(events.slice(eventsBeforeBad).filter((e) => isBearing(e)).length).toBe(1);
    await sim.clearBadQuality([`${BEARING}.VibrationRMS`]);
    await waitFor(() => sim.alarms().find((a) => a.conditionNodeId === conditionId)!.active, {
      what: 'the alarm to trip again on Good values',
    });

    await sim.setBearingRecording('normal');
    await waitFor(() => !sim.alarms().find((a) => a.conditionNodeId === conditionId)!.active, {
      what: 'the vibration alarm to clear',
    });
    expect(sim.stats().lastError).toBeNull();
  });
});
