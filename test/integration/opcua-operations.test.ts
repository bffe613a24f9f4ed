import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../electron/core/app/clock';
import { createAcquisitionHandlers } from '../../electron/core/acquisition/acquisitionHandlers';
import {
  externalConditionPort,
  toExternalConditionUpdate,
} from '../../electron/core/acquisition/acquisitionService';
import type { ExternalConditionEvent } from '../../electron/core/acquisition/alarmsAndConditions';
import { AlarmEngine, InMemoryAlarmJournal } from '../../electron/core/alarms';
import { MapTagCatalog } from '../../electron/core/alarms/testing';
import { AcquisitionHarness } from './fixtures/acquisitionHarness';
import { startTestServer, TestProcess, type TestServer } from './fixtures/opcuaTestServer';
import { waitFor } from '../helpers/wait';

const PUMP = 'ns=1;s=Plant.Line1.Pump';
const ALARM = `${PUMP}.LevelAlarm`;

describe('writes, method calls and Alarms & Conditions', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-opcua-ops-'));
  const process = new TestProcess(2, 100);
  let server: TestServer;
  let h: AcquisitionHarness;
  let api: ReturnType<typeof createAcquisitionHandlers>;

  beforeAll(async () => {
    process.start();
    server = await startTestServer({ pkiDir: path.join(work, 'server'), process, extras: true });
    h = new AcquisitionHarness({ dataDir: path.join(work, 'vigil') });
    api = createAcquisitionHandlers(h.service);
    await h.connect({ id: 'readonly', endpointUrl: server.endpointUrl });
    await h.connect({
      id: 'plc',
      endpointUrl: server.endpointUrl,
      allowWrites: true,
      alarms: { enabled: true },
    });
  }, 60_000);

  afterAll(async () => {
    await h?.dispose();
    await server?.dispose();
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses writes and method calls on a connection that does not allow them', async () => {
    await expect(
      api.writeValue({ connectionId: 'readonly', nodeId: `${PUMP}.Setpoint`, value: 1 }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/Writing on connection "readonly" is off: .*allowWrites: true/),
    });
    await expect(
      api.callMethod({
        connectionId: 'readonly',
        objectId: PUMP,
        methodId: `${PUMP}.Reset`,
        inputArguments: [1],
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    expect(server.setpoint()).toBe(0);
    expect(server.resetCalls()).toEqual([]);
  });

  it('writes a value with the type the server declares, and explains what it refuses', async () => {
    await expect(
      api.writeValue({ connectionId: 'plc', nodeId: `${PUMP}.Setpoint`, value: 42.5 }),
    ).resolves.toEqual({ ok: true });
    expect(server.setpoint()).toBe(42.5);
    await expect(
      api.writeValue({ connectionId: 'plc', nodeId: `${PUMP}.Setpoint`, value: 'fast' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: `Value for ${PUMP}.Setpoint: "fast" does not fit data type Double`,
    });
    await expect(
      api.writeValue({ connectionId: 'plc', nodeId: `${PUMP}.Pressure`, value: 3 }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/refused the write to .*Pressure: Bad(NotWritable|UserAccessDenied)/),
    });
    await expect(
      api.writeValue({ connectionId: 'plc', nodeId: `${PUMP}.Nope`, value: 3 }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(server.setpoint()).toBe(42.5);
    expect(h.status('plc').state).toBe('connected');
  });

  it('calls a method with typed arguments and returns its outputs', async () => {
    await expect(
      api.callMethod({ connectionId: 'plc', objectId: PUMP, methodId: `${PUMP}.Reset`, inputArguments: [3] }),
    ).resolves.toEqual({
      outputArguments: [1],
    });
    expect(server.resetCalls()).toEqual([3]);
    await expect(
      api.callMethod({ connectionId: 'plc', objectId: PUMP, methodId: `${PUMP}.Reset`, inputArguments: [] }),
    ).rejects.toMatchObject({
      message: `${PUMP}.Reset takes 1 argument (Mode), got 0`,
    });
    await expect(
      api.callMethod({
        connectionId: 'plc',
        objectId: PUMP,
        methodId: `${PUMP}.Reset`,
        inputArguments: [1.5],
      }),
    ).rejects.toMatchObject({
      message: 'Argument Mode: 1.5 does not fit data type Int32',
    });
    expect(server.resetCalls()).toEqual([3]);
  });

  it('follows a condition from the equipment, and acknowledges and confirms it at the server with a comment', async () => {
    const mine = (pred: (e: ExternalConditionEvent) => boolean) =>
      waitFor(
        () =>
          [...h.conditions]
            .reverse()
            .find((e) => e.connectionId === 'plc' && e.conditionId === ALARM && pred(e)),
        {
          what: 'a condition event',
        },
      );
    server.setLevel(85);
    const raised = await mine((e) => e.active && !e.acknowledged);
    expect(raised).toMatchObject({
      conditionName: 'LevelHigh',
      sourceNodeId: `${PUMP}.Level`,
      // The source node is a tag of the discovered pump, so the event names the pump's asset.
      assetId: 'plc/plant/line1/pump',
      confirmed: false,
      retain: true,
      refresh: false,
    });
    expect(raised.message).toMatch(/85/);
    expect(raised.severity).toBeGreaterThan(0);
    expect(raised.eventId).toMatch(/^[0-9a-f]+$/);
    expect((await api.listExternalConditions({ connectionId: 'plc' })).map((c) => c.conditionId)).toContain(
      ALARM,
    );

    await api.acknowledgeCondition({
      connectionId: 'plc',
      conditionId: ALARM,
      eventId: raised.eventId,
      comment: 'on it',
    });
    const acked = await mine((e) => e.acknowledged);
    expect(acked).toMatchObject({ active: true, comment: 'on it' });
    await api.confirmCondition({
      connectionId: 'plc',
      conditionId: ALARM,
      eventId: acked.eventId,
      comment: 'valve closed',
    });
    expect(await mine((e) => e.confirmed === true)).toMatchObject({ comment: 'valve closed' });

    await expect(
      api.acknowledgeCondition({ connectionId: 'plc', conditionId: ALARM, eventId: 'abcd', comment: '' }),
    ).rejects.toMatchObject({ message: `The server refused to acknowledge ${ALARM}: BadEventIdUnknown` });
    await expect(
      api.acknowledgeCondition({
        connectionId: 'readonly',
        conditionId: ALARM,
        eventId: 'abcd',
        comment: '',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/does not subscribe to alarms/),
    });
    server.setLevel(50);
    await mine((e) => !e.active);
  });

  it('resends the retained conditions after a reconnection (ConditionRefresh)', async () => {
    server.setLevel(88);
    await waitFor(
      () =>
        h.conditions.find(
          (e) => e.conditionId === ALARM && e.active && !e.refresh && e.message.includes('88'),
        ),
      {
        what: 'the alarm',
      },
    );
    const seen = h.conditions.length;
    await api.reconnectConnection({ connectionId: 'plc' });
    const refreshed = await waitFor(
      () => h.conditions.slice(seen).find((e) => e.conditionId === ALARM && e.refresh),
      {
        what: 'a refresh event',
      },
    );
    expect(refreshed).toMatchObject({ active: true, retain: true });
    server.setLevel(50);
  });

  it("hands conditions to Vigil's alarm engine, whose acknowledgement goes back to the equipment", async () => {
    const engine = new AlarmEngine({
      clock: systemClock,
      journal: new InMemoryAlarmJournal(),
      catalog: new MapTagCatalog(),
      externalPort: externalConditionPort(h.service),
    });
    const subscription = h.service.onCondition((event) =>
      engine.applyExternalCondition(toExternalConditionUpdate(event)),
    );
    try {
      server.setLevel(95);
      const id = `opcua:plc:${ALARM}`;
      await waitFor(() => engine.list({}).find((a) => a.id === id && a.state === 'unack_active'), {
        what: 'the alarm in the queue',
      });
      engine.acknowledge([id], 'alice', 'checking the level');
      await waitFor(() => engine.list({}).find((a) => a.id === id && a.state === 'ack_active'), {
        what: 'acknowledged by the equipment',
      });
      const atServer = [...h.conditions].reverse().find((e) => e.conditionId === ALARM && e.acknowledged)!;
      expect(atServer.comment).toBe('alice: checking the level');
    } finally {
      subscription.dispose();
      engine.dispose();
      server.setLevel(50);
    }
  });
});
