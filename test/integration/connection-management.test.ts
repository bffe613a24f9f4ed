import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, Health } from '../../shared/api';
import type { AcquisitionOutput } from '../../shared/acquisitionApi';
import type { Asset, ConnectionStatus, Tag } from '../../shared/domain';
import { startSimulator, type Simulator } from '../../electron/core/acquisition/simulator';
import { createCore } from '../../electron/core/app/createCore';
import { loadHostConfig } from '../../electron/core/app/hostConfig';
import type { Core } from '../../electron/core/app/types';
import { sleep, waitFor } from '../helpers/wait';

type Details = AcquisitionOutput<'getConnectionDetails'>[number];

async function call<T>(core: Core, name: string, input: unknown): Promise<T> {
  const result = await core.api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.result as T;
}

async function fails(core: Core, name: string, input: unknown): Promise<ApiError> {
  const result = await core.api.call(name, input);
  if (result.ok) throw new Error(`${name} should have failed`);
  return result.error;
}

/** The core the way `vigil serve --data-dir DIR` builds it: no --config, so DIR/vigil.config.json. */
async function startCore(dataDir: string): Promise<Core> {
  const { config, configFile } = loadHostConfig({ dataDir, relativeDataDir: 'cwd' });
  const core = createCore(config, { configFile });
  await core.start();
  return core;
}

const T24 = 'ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T24';
const PASSWORD = 'correct horse';

describe('adding, editing and removing OPC UA connections in the console', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-connections-'));
  const dataDir = path.join(work, 'data');
  const configFile = path.join(dataDir, 'vigil.config.json');
  let sim: Simulator;
  let core: Core;

  const details = async (id: string) =>
    (await call<Details[]>(core, 'getConnectionDetails', { connectionId: id }))[0]!;
  const status = async (id: string) => (await details(id)).status;
  const waitForState = (id: string, state: ConnectionStatus['state'], what = `${id} ${state}`) =>
    waitFor(async () => ((await status(id)).state === state ? true : null), { what });

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      speed: 20,
      pkiDir: path.join(work, 'sim-pki'),
      users: [{ userName: 'operator', password: PASSWORD }],
      vibration: false,
      alarms: false,
    });
    // The default file exists already with a setting of the operator's; it is read at start and kept.
    mkdirSync(dataDir, { recursive: true });
    // A short stale time shows whether removed tags are still watched by the validation stage.
    writeFileSync(
      configFile,
      JSON.stringify({ simulator: { enabled: false }, validation: { defaults: { staleMs: 300 } } }),
    );
    core = await startCore(dataDir);
  });

  afterAll(async () => {
    await core?.dispose();
    await sim?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('adds a connection, answers at once while it connects, and brings its tags in', async () => {
    const started = await call<ConnectionStatus>(core, 'addConnection', {
      name: 'Plain line',
      endpointUrl: sim.endpointUrl,
      security: { mode: 'None', policy: 'None' },
      identity: { type: 'anonymous' },
      discover: true,
    });
    expect(started).toMatchObject({ id: 'plain-line', state: 'connecting', lastError: null });
    await waitForState('plain-line', 'connected');
    const tags = await call<Tag[]>(core, 'listTags', {});
    expect(tags.filter((t) => t.id.startsWith('plain-line/')).length).toBeGreaterThan(50);
    expect(await details('plain-line')).toMatchObject({
      name: 'Plain line',
      configured: true,
      // What the edit form starts from: the saved settings with the core's defaults.
      settings: {
        id: 'plain-line',
        identity: { type: 'anonymous' },
        security: { mode: 'None', policy: 'None' },
        discover: true,
        alarms: false,
        samplingIntervalMs: 0,
        publishingIntervalMs: 100,
      },
    });
  });

  it('holds the secure server certificate for review, connects once it is trusted, and saves the connection', async () => {
    const started = await call<ConnectionStatus>(core, 'addConnection', {
      name: 'Secure line',
      endpointUrl: sim.endpointUrl,
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      identity: { type: 'username', userName: 'operator', password: PASSWORD },
    });
    expect(started).toMatchObject({ id: 'secure-line', state: 'connecting' });
    // Added even though it cannot connect yet: the state says why.
    await waitFor(async () => /not trusted yet/.test((await status('secure-line')).lastError ?? ''), {
      what: 'the certificate to wait for review',
    });
    const thumbprint = createHash('sha1').update(sim.certificate()).digest('hex');
    const list = await call<AcquisitionOutput<'listCertificates'>>(core, 'listCertificates', {});
    expect(list.servers.find((c) => c.thumbprint.toLowerCase() === thumbprint)?.state).toBe('pending');
    expect((await call<Health>(core, 'getHealth', {})).problems).toContainEqual(
      expect.stringMatching(/server certificate waiting for review/),
    );

    await call(core, 'trustCertificate', { thumbprint });
    await waitForState('secure-line', 'connected');
    const secure = await details('secure-line');
    expect(secure).toMatchObject({
      name: 'Secure line',
      configured: true,
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      identity: 'user "operator"',
    });

    const saved = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(saved.simulator).toEqual({ enabled: false });
    expect(saved.connections.map((c: { id: string }) => c.id)).toEqual(['plain-line', 'secure-line']);
    expect(saved.connections[1]).toMatchObject({
      name: 'Secure line',
      endpointUrl: sim.endpointUrl,
      identity: { type: 'username', userName: 'operator', password: PASSWORD },
      discover: false,
    });
    if (process.platform !== 'win32') expect(statSync(configFile).mode & 0o777).toBe(0o600);

    // Browsing gives it a tag, which later edits keep.
    const [tag] = await call<Tag[]>(core, 'addTags', {
      connectionId: 'secure-line',
      assetId: 'engine-1',
      asset: { name: 'Engine 1' },
      tags: [{ nodeId: T24 }],
    });
    expect(tag!.id).toBe('engine-1/t24');
  });

  it('refuses bad settings, taken and reserved ids, and unknown connections with clear errors', async () => {
    expect(
      await fails(core, 'addConnection', {
        name: 'x',
        endpointUrl: 'http://plc',
        security: { mode: 'Sign', policy: 'None' },
        identity: { type: 'anonymous' },
      }),
    ).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/must start with opc\.tcp/) });
    const base = {
      name: 'Another',
      endpointUrl: sim.endpointUrl,
      security: { mode: 'None', policy: 'None' },
      identity: { type: 'anonymous' },
    };
    expect(await fails(core, 'addConnection', { ...base, id: 'secure-line' })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/"secure-line" exists already/),
    });
    expect(await fails(core, 'addConnection', { ...base, id: 'sim' })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/reserved for the built-in simulator/),
    });
    expect(
      await fails(core, 'addConnection', {
        ...base,
        identity: { type: 'username', userName: 'operator' },
      }),
    ).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/password is needed/) });
    expect(await fails(core, 'updateConnection', { ...base, id: 'nope' })).toMatchObject({
      code: 'not_found',
    });
    expect(await fails(core, 'removeConnection', { connectionId: 'nope' })).toMatchObject({
      code: 'not_found',
    });
    expect(await fails(core, 'removeConnection', { connectionId: 'sim' })).toMatchObject({
      code: 'invalid_input',
    });
    // Nothing was written by the refused requests.
    const saved = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(saved.connections.map((c: { id: string }) => c.id)).toEqual(['plain-line', 'secure-line']);
  });

  it('reports a wrong password after an edit while the other connection keeps delivering, then recovers', async () => {
    const secure = {
      id: 'secure-line',
      name: 'Secure line',
      endpointUrl: sim.endpointUrl,
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
    };
    const wrong = await call<ConnectionStatus>(core, 'updateConnection', {
      ...secure,
      identity: { type: 'username', userName: 'operator', password: 'wrong' },
    });
    expect(wrong.state).not.toBe('connected');
    await waitFor(
      async () =>
        /refused user "operator" \(BadUserAccessDenied\): wrong user name or password/.test(
          (await status('secure-line')).lastError ?? '',
        ),
      { what: 'the wrong password to be reported' },
    );
    expect((await status('secure-line')).state).toBe('failed');
    const before = (await status('plain-line')).valuesReceived;
    await waitFor(async () => (await status('plain-line')).valuesReceived > before + 10, {
      what: 'the plain line to keep delivering',
    });
    expect((await status('plain-line')).state).toBe('connected');

    // Back to the right password; a later edit without a password keeps the stored one.
    await call(core, 'updateConnection', {
      ...secure,
      identity: { type: 'username', userName: 'operator', password: PASSWORD },
    });
    await waitForState('secure-line', 'connected', 'secure-line connected again');
    await call(core, 'updateConnection', {
      ...secure,
      name: 'Secure line (renamed)',
      identity: { type: 'username', userName: 'operator' },
    });
    expect(await details('secure-line')).toMatchObject({
      name: 'Secure line (renamed)',
      status: { state: 'connected' },
    });
    const renamed = await details('secure-line');
    // The edit form learns the user and that a password is saved, never the password.
    expect(renamed.settings?.identity).toEqual({
      type: 'username',
      userName: 'operator',
      passwordSaved: true,
    });
    expect(JSON.stringify(renamed)).not.toContain(PASSWORD);

    // A changed setting reconnects as 'connecting', not as a lost link (no connection-lost alarm).
    const states: string[] = [];
    const following = core.events.on('connection.state', (e) => {
      if (e.connectionId === 'secure-line') states.push(e.state);
    });
    await call(core, 'updateConnection', {
      ...secure,
      name: 'Secure line (renamed)',
      identity: { type: 'username', userName: 'operator' },
      publishingIntervalMs: 200,
    });
    await waitForState('secure-line', 'connected', 'secure-line connected with the new interval');
    following.dispose();
    expect(states).toContain('connecting');
    expect(states).not.toContain('reconnecting');
    expect((await details('secure-line')).settings?.publishingIntervalMs).toBe(200);

    const saved = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(saved.connections[1]).toMatchObject({
      name: 'Secure line (renamed)',
      identity: { type: 'username', userName: 'operator', password: PASSWORD },
      assets: [{ id: 'engine-1', name: 'Engine 1' }],
      tags: [expect.objectContaining({ id: 'engine-1/t24', nodeId: T24 })],
    });
    await waitFor(
      async () => {
        const [last] = await call<({ t: number } | null)[]>(core, 'lastValues', { tagIds: ['engine-1/t24'] });
        return last && last.t > 0;
      },
      { what: 'T24 values over the secure connection' },
    );
  });

  it('removes a connection: its tags and assets leave the model, its history stays', async () => {
    const removedTag = (await call<Tag[]>(core, 'listTags', {})).find((t) => t.id.startsWith('plain-line/'))!;
    await waitFor(async () => (await call<unknown[]>(core, 'lastValues', { tagIds: [removedTag.id] }))[0], {
      what: 'a recorded value of the plain line',
    });
    const qualityEvents: string[] = [];
    const listening = core.events.on('data.quality', (e) => qualityEvents.push(e.tagId));
    expect(await call(core, 'removeConnection', { connectionId: 'plain-line' })).toEqual({ removed: true });

    const tags = await call<Tag[]>(core, 'listTags', {});
    expect(tags.filter((t) => t.id.startsWith('plain-line/'))).toEqual([]);
    expect(tags.some((t) => t.id === 'engine-1/t24')).toBe(true);
    const assets = await call<Asset[]>(core, 'listAssets', {});
    expect(assets.filter((a) => a.id.startsWith('plain-line/'))).toEqual([]);
    expect((await call<Details[]>(core, 'getConnectionDetails', {})).map((d) => d.status.id)).toEqual([
      'secure-line',
    ]);
    expect((await call<Health>(core, 'getHealth', {})).connections.map((c) => c.id)).toEqual(['secure-line']);
    const quality = await call<{ tagId: string }[]>(core, 'getDataQuality', {});
    expect(quality.filter((q) => q.tagId.startsWith('plain-line/'))).toEqual([]);
    const [last] = await call<({ t: number } | null)[]>(core, 'lastValues', { tagIds: [removedTag.id] });
    expect(last?.t).toBeGreaterThan(0);
    // Its history can still be read and charted by tag id.
    const raw = await call<{ t: number[] }>(core, 'queryRaw', {
      tagId: removedTag.id,
      from: 0,
      to: Date.now() + 1000,
    });
    expect(raw.t.length).toBeGreaterThan(0);
    expect((await fails(core, 'queryRaw', { tagId: 'never/was', from: 0, to: 1 })).code).toBe('not_found');
    const saved = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(saved.connections.map((c: { id: string }) => c.id)).toEqual(['secure-line']);
    // Its tags stop delivering but are not reported stale: the pipeline no longer watches them
    // (the staleness check runs every second; 300 ms of silence would raise it).
    await sleep(2500);
    listening.dispose();
    expect(qualityEvents.filter((id) => id.startsWith('plain-line/'))).toEqual([]);
  });

  it('brings the saved connection back in a new core on the same data directory', async () => {
    await core.dispose();
    core = await startCore(dataDir);
    const all = await call<Details[]>(core, 'getConnectionDetails', {});
    expect(all.map((d) => [d.status.id, d.name, d.configured])).toEqual([
      ['secure-line', 'Secure line (renamed)', true],
    ]);
    // Its certificate was trusted before: it connects without another review.
    await waitForState('secure-line', 'connected', 'secure-line connected after restart');
    expect((await call<Tag[]>(core, 'listTags', {})).some((t) => t.id === 'engine-1/t24')).toBe(true);
  });
});
