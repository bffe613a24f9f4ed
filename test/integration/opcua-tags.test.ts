import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusCodes } from 'node-opcua';
import { qualitySeverity } from '../../shared/quality';
import { createAcquisitionHandlers } from '../../electron/core/acquisition/acquisitionHandlers';
import { AcquisitionHarness } from './fixtures/acquisitionHarness';
import {
  startTestServer,
  TestProcess,
  WAVEFORM_LENGTH,
  WAVEFORM_RATE_HZ,
  type TestServer,
} from './fixtures/opcuaTestServer';
import { waitFor } from '../helpers/wait';

describe('browsing, the tag model, per-tag monitoring and waveforms', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-opcua-tags-'));
  const configFile = path.join(work, 'vigil.json');
  const process = new TestProcess(4, 100);
  let server: TestServer;
  let h: AcquisitionHarness;
  let api: ReturnType<typeof createAcquisitionHandlers>;

  beforeAll(async () => {
    process.start();
    server = await startTestServer({ pkiDir: path.join(work, 'server'), process, extras: true });
    const connection = {
      id: 'plc',
      endpointUrl: server.endpointUrl,
      discover: false,
      assets: [{ id: 'pump-1', name: 'Pump 1' }],
      tags: [
        { id: 'pump-1/t0', nodeId: server.nodeId(0), assetId: 'pump-1', name: 'T0' },
        {
          id: 'pump-1/missing',
          nodeId: 'ns=1;s=Plant.Line1.Pump.DoesNotExist',
          assetId: 'pump-1',
          name: 'Missing',
        },
        // Changes by 1 per tick: an absolute deadband of 2.5 passes every third value.
        {
          id: 'pump-1/t1-db',
          nodeId: server.nodeId(1),
          assetId: 'pump-1',
          name: 'T1',
          deadband: { type: 'absolute', value: 2.5 },
        },
        { id: 'pump-1/t2', nodeId: server.nodeId(2), assetId: 'pump-1', name: 'T2' },
        // A percent deadband needs an EURange, which plain T0003 does not have.
        {
          id: 'pump-1/t3-pct',
          nodeId: server.nodeId(3),
          assetId: 'pump-1',
          name: 'T3',
          deadband: { type: 'percent', value: 5 },
        },
      ],
    };
    writeFileSync(
      configFile,
      JSON.stringify({ dataDir: path.join(work, 'data'), connections: [connection] }, null, 2),
    );
    h = new AcquisitionHarness({ dataDir: path.join(work, 'data'), configFile, keepBatches: true });
    api = createAcquisitionHandlers(h.service);
    await h.connect(connection);
  });

  afterAll(async () => {
    await h?.dispose();
    await server?.dispose();
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('reports a node id that does not exist and a deadband the server refuses on their tags, and monitors the others', async () => {
    expect(h.status('plc')).toMatchObject({ state: 'connected', lastError: null, tagCount: 3 });
    const [details] = await api.getConnectionDetails({ connectionId: 'plc' });
    expect(details!.tagErrors).toEqual([
      expect.objectContaining({
        tagId: 'pump-1/missing',
        error: 'Node ns=1;s=Plant.Line1.Pump.DoesNotExist does not exist on the server (BadNodeIdUnknown)',
      }),
      expect.objectContaining({
        tagId: 'pump-1/t3-pct',
        error: expect.stringMatching(
          /^The server refuses the deadband for .*T0003 \(Bad\w+\); percent deadbands need an EURange/,
        ),
      }),
    ]);
    expect(details!.warnings).toContainEqual(
      expect.stringMatching(/^2 tags cannot be monitored: Node .*DoesNotExist/),
    );
    expect(h.service.healthProblems()).toContainEqual(
      expect.stringMatching(/^plc: 2 tags cannot be monitored/),
    );
    await waitFor(() => h.samplesOf('pump-1/t0').length >= 10, { what: 'T0 samples' });
    expect(h.samplesOf('pump-1/missing')).toEqual([]);
    expect(h.samplesOf('pump-1/t3-pct')).toEqual([]);
  });

  it('carries the full StatusCode of every sample: Good, Uncertain and Bad with their sub-status', async () => {
    const uncertain = StatusCodes.UncertainSensorNotAccurate;
    const bad = StatusCodes.BadSensorFailure;
    server.setStatus(2, uncertain);
    await waitFor(() => h.samplesOf('pump-1/t2').some((s) => s.q === uncertain.value), {
      what: 'an uncertain sample',
    });
    server.setStatus(2, bad);
    await waitFor(() => h.samplesOf('pump-1/t2').some((s) => s.q === bad.value), { what: 'a bad sample' });
    server.setStatus(2, StatusCodes.Good);
    await waitFor(() => h.samplesOf('pump-1/t2').at(-1)?.q === 0, { what: 'good again' });
    const samples = h.samplesOf('pump-1/t2');
    const badOne = samples.find((s) => s.q === bad.value)!;
    expect(qualitySeverity(badOne.q)).toBe('bad');
    expect(qualitySeverity(samples.find((s) => s.q === uncertain.value)!.q)).toBe('uncertain');
    // The value the server sent with the bad status is kept, not dropped.
    expect(TestProcess.tickOf(badOne.v)).toBeGreaterThan(0);
  });

  it('applies a per-tag absolute deadband', async () => {
    await waitFor(() => h.samplesOf('pump-1/t2').length >= 20, { what: 'T2 samples' });
    const plain = h.samplesOf('pump-1/t2').length;
    const banded = h.samplesOf('pump-1/t1-db');
    expect(banded.length).toBeLessThan(plain * 0.6);
    for (let i = 1; i < banded.length; i++) expect(banded[i]!.v - banded[i - 1]!.v).toBeGreaterThan(2.5);
  });

  it('browses the address space lazily with node class, data type, unit, range and access level', async () => {
    const root = await api.browseNode({ connectionId: 'plc', offset: 0, limit: 500 });
    expect(root.entries.find((e) => e.browseName === '1:Plant')).toMatchObject({
      nodeClass: 'Object',
      hasChildren: true,
      variable: null,
    });
    const pump = await api.browseNode({
      connectionId: 'plc',
      nodeId: 'ns=1;s=Plant.Line1.Pump',
      offset: 0,
      limit: 500,
    });
    const byName = new Map(pump.entries.map((e) => [e.displayName, e]));
    expect(byName.get('Pressure')?.variable).toMatchObject({
      dataType: 'Double',
      valueRank: -1,
      unit: 'bar',
      range: { low: 0, high: 10 },
      description: 'Discharge pressure',
      access: { read: true, write: false, history: false },
      trendable: true,
    });
    expect(byName.get('Setpoint')?.variable?.access).toMatchObject({ read: true, write: true });
    expect(byName.get('Waveform')?.variable).toMatchObject({
      valueRank: 1,
      arrayDimensions: [WAVEFORM_LENGTH],
      trendable: true,
    });
    expect(byName.get('Reset')).toMatchObject({ nodeClass: 'Method', variable: null });
    // Properties are details of their variable, not children.
    expect(byName.has('EURange')).toBe(false);

    const paged = await api.browseNode({
      connectionId: 'plc',
      nodeId: 'ns=1;s=Plant.Line1.Pump',
      offset: 2,
      limit: 3,
    });
    expect(paged.total).toBe(pump.total);
    expect(paged.entries.map((e) => e.nodeId)).toEqual(pump.entries.slice(2, 5).map((e) => e.nodeId));
    await expect(
      api.browseNode({ connectionId: 'plc', nodeId: 'ns=1;s=Nope', offset: 0, limit: 10 }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Node ns=1;s=Nope does not exist on the server',
    });
    await expect(api.browseNode({ connectionId: 'nope', offset: 0, limit: 10 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('adds browsed variables as tags of a new asset and persists them in the configuration, atomically', async () => {
    const before = readFileSync(configFile, 'utf8');
    await expect(
      api.addTags({
        connectionId: 'plc',
        assetId: 'pump-1',
        tags: [
          { nodeId: 'ns=1;s=Plant.Line1.Pump.Pressure' },
          { nodeId: 'ns=1;s=Plant.Line1.Pump.Nope' },
          { nodeId: 'ns=1;s=Plant.Line1.Pump.Reset' },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /Cannot add 2 of 3 tags: Node .*Nope does not exist.*; Node .*Reset is a Method, not a variable/,
      ),
    });
    expect(readFileSync(configFile, 'utf8')).toBe(before);

    // Adding tags to a running connection leaves the others flowing: no reconnection, no gap.
    const statesBefore = h.states.length;
    const gapsBefore = h.gaps.length;
    const t0Before = h.samplesOf('pump-1/t0').length;
    const added = await api.addTags({
      connectionId: 'plc',
      assetId: 'skid-7',
      asset: { name: 'Skid 7', kind: 'asset' },
      tags: [
        { nodeId: 'ns=1;s=Plant.Line1.Pump.Pressure' },
        { nodeId: 'ns=1;s=Plant.Line1.Pump.Waveform', name: 'Vibration', unit: 'g' },
      ],
    });
    expect(added).toEqual([
      expect.objectContaining({
        id: 'skid-7/pressure',
        assetId: 'skid-7',
        name: 'Pressure',
        unit: 'bar',
        range: { low: 0, high: 10 },
        description: 'Discharge pressure',
      }),
      expect.objectContaining({ id: 'skid-7/vibration', assetId: 'skid-7', name: 'Vibration', unit: 'g' }),
    ]);
    expect(readFileSync(`${configFile}.bak`, 'utf8')).toBe(before);
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      connections: { tags: { id: string; nodeId: string }[]; assets: { id: string }[] }[];
    };
    expect(saved.connections[0]!.tags.map((t) => t.id)).toEqual([
      'pump-1/t0',
      'pump-1/missing',
      'pump-1/t1-db',
      'pump-1/t2',
      'pump-1/t3-pct',
      'skid-7/pressure',
      'skid-7/vibration',
    ]);
    expect(saved.connections[0]!.assets.map((a) => a.id)).toEqual(['pump-1', 'skid-7']);
    expect(existsSync(configFile)).toBe(true);

    await h.waitForState('plc', 'connected');
    expect(h.models.get('plc')!.assets.map((a) => a.id)).toContain('skid-7');
    await waitFor(() => h.samplesOf('skid-7/pressure').length > 0, { what: 'the new tag delivers' });
    await waitFor(() => h.samplesOf('pump-1/t0').length > t0Before, {
      what: 'the other tags to keep delivering',
    });
    expect(h.states.slice(statesBefore)).toEqual([]);
    expect(h.gaps.slice(gapsBefore)).toEqual([]);
    expect(h.service.source('plc').getDetails().reconnects).toBe(0);

    await expect(
      api.addTags({
        connectionId: 'plc',
        assetId: 'skid-7',
        tags: [{ nodeId: 'ns=1;s=Plant.Line1.Pump.Pressure', id: 'x' }],
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Node ns=1;s=Plant.Line1.Pump.Pressure is already tag "skid-7/pressure"',
    });
    await expect(
      api.addTags({ connectionId: 'plc', assetId: 'no-such-asset', tags: [{ nodeId: server.nodeId(3) }] }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/Asset "no-such-asset" does not exist/),
    });
  });

  it('delivers a waveform as one batch per notification, its samples spaced by the sample rate', async () => {
    await waitFor(() => h.samplesOf('skid-7/vibration').length >= 3 * WAVEFORM_LENGTH, {
      what: 'three waveforms',
    });
    const waveformBatches = h.batches.filter((b) => b.tagIds.includes('skid-7/vibration'));
    expect(waveformBatches.length).toBeGreaterThanOrEqual(3);
    const dt = 1000 / WAVEFORM_RATE_HZ;
    for (const batch of waveformBatches) {
      expect(batch.tagIds).toEqual(['skid-7/vibration']);
      expect(batch.length).toBe(WAVEFORM_LENGTH);
      // Epoch milliseconds in a float64 resolve about 0.25 us today, plenty for a 12 kHz waveform.
      for (let i = 1; i < batch.length; i++)
        expect(Math.abs(batch.timestamps[i]! - batch.timestamps[i - 1]! - dt)).toBeLessThan(0.001);
      // Element j of the waveform of tick k is k + j / length.
      const tick = Math.floor(batch.values[0]!);
      for (let j = 0; j < batch.length; j += 64)
        expect(batch.values[j]).toBeCloseTo(tick + j / WAVEFORM_LENGTH, 9);
    }
  });

  it('keeps the tag model when Vigil starts again from the configuration file', async () => {
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as { connections: Record<string, unknown>[] };
    const again = new AcquisitionHarness({ dataDir: path.join(work, 'data-2'), configFile });
    try {
      await again.connect(saved.connections[0]!);
      const ids = again.models.get('plc')!.tags.map((t) => t.id);
      expect(ids).toEqual(expect.arrayContaining(['skid-7/pressure', 'skid-7/vibration']));
      await again.waitForState('plc', 'connected');
      const statesBefore = again.states.length;
      const removed = await createAcquisitionHandlers(again.service).removeTags({
        connectionId: 'plc',
        tagIds: ['pump-1/missing', 'pump-1/t3-pct'],
      });
      expect(removed).toEqual({ removed: 2 });
      expect(again.models.get('plc')!.tags.map((t) => t.id)).not.toContain('pump-1/t3-pct');
      expect(again.service.source('plc').getDetails().tagErrors).toEqual([]);
      // Removed on the open session: the others keep delivering, nothing reconnects.
      const t0 = again.samplesOf('pump-1/t0').length;
      await waitFor(() => again.samplesOf('pump-1/t0').length > t0, { what: 'pump-1/t0 to keep delivering' });
      expect(again.states.slice(statesBefore)).toEqual([]);
    } finally {
      await again.dispose();
    }
  });
});
