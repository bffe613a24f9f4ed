import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TagModelStore } from './tagModelStore';

describe('TagModelStore', () => {
  let dir: string;
  let file: string;
  const original = {
    dataDir: 'data',
    // A field the store does not manage stays as written.
    ringBufferSize: 500,
    connections: [
      {
        id: 'plc',
        endpointUrl: 'opc.tcp://127.0.0.1:4840',
        tags: [{ id: 'a/t1', nodeId: 'ns=1;s=T1', assetId: 'a', name: 'T1' }],
      },
    ],
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-tagstore-'));
    file = path.join(dir, 'vigil.json');
    writeFileSync(file, JSON.stringify(original));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adds tags and their new asset, keeping the previous file as .bak and leaving no temporary file', async () => {
    const store = new TagModelStore(file);
    const before = readFileSync(file, 'utf8');
    const connection = await store.addTags(
      'plc',
      [
        {
          id: 'b/t2',
          nodeId: 'ns=1;s=T2',
          assetId: 'b',
          name: 'T2',
          unit: 'bar',
          deadband: { type: 'absolute', value: 0.5 },
          description: undefined,
        },
      ],
      { id: 'b', name: 'Skid B' },
    );
    expect(connection.tags?.map((t) => t.id)).toEqual(['a/t1', 'b/t2']);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.ringBufferSize).toBe(500);
    expect(saved.connections[0].assets).toEqual([{ id: 'b', name: 'Skid B' }]);
    expect(saved.connections[0].tags[1]).toEqual({
      id: 'b/t2',
      nodeId: 'ns=1;s=T2',
      assetId: 'b',
      name: 'T2',
      unit: 'bar',
      deadband: { type: 'absolute', value: 0.5 },
    });
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['vigil.json', 'vigil.json.bak']);
  });

  it('refuses duplicates and invalid tags without touching the file', async () => {
    const store = new TagModelStore(file);
    const before = readFileSync(file, 'utf8');
    await expect(
      store.addTags('plc', [{ id: 'a/t1', nodeId: 'ns=1;s=X', assetId: 'a', name: 'X' }]),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Tag id "a/t1" is already in use',
    });
    await expect(
      store.addTags('plc', [{ id: 'x', nodeId: 'ns=1;s=T1', assetId: 'a', name: 'X' }]),
    ).rejects.toMatchObject({
      message: 'Node ns=1;s=T1 is already tag "a/t1"',
    });
    await expect(
      store.addTags('plc', [{ id: 'x', nodeId: 'ns=1;s=Y', assetId: 'a', name: '' }]),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/connections\.0\.tags\.1\.name/),
    });
    await expect(
      store.addTags('sim', [{ id: 'x', nodeId: 'ns=1;s=Y', assetId: 'a', name: 'Y' }]),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  it('removes tags by id and applies concurrent changes one after the other', async () => {
    const store = new TagModelStore(file);
    await Promise.all([
      store.addTags('plc', [{ id: 'c/1', nodeId: 'ns=1;s=C1', assetId: 'c', name: 'C1' }]),
      store.addTags('plc', [{ id: 'c/2', nodeId: 'ns=1;s=C2', assetId: 'c', name: 'C2' }]),
    ]);
    const after = await store.removeTags('plc', ['a/t1']);
    expect(after.tags?.map((t) => t.id)).toEqual(['c/1', 'c/2']);
    await expect(store.removeTags('plc', ['nope'])).rejects.toMatchObject({ code: 'not_found' });
    expect(store.connection('plc').tags?.map((t) => t.id)).toEqual(['c/1', 'c/2']);
  });

  it('adds a connection, creating the file and its folder when there is none, readable only by its owner', async () => {
    const fresh = path.join(dir, 'data', 'vigil.config.json');
    const store = new TagModelStore(fresh);
    expect(store.connectionIds()).toEqual(new Set());
    const added = await store.addConnection({
      id: 'line-1',
      name: 'Line 1',
      endpointUrl: 'opc.tcp://127.0.0.1:4841',
      identity: { type: 'username', userName: 'op', password: 'secret' },
      description: undefined,
    });
    expect(added).toMatchObject({ id: 'line-1', name: 'Line 1', rootPath: [], publishingIntervalMs: 100 });
    expect(JSON.parse(readFileSync(fresh, 'utf8'))).toEqual({
      connections: [
        {
          id: 'line-1',
          name: 'Line 1',
          endpointUrl: 'opc.tcp://127.0.0.1:4841',
          identity: { type: 'username', userName: 'op', password: 'secret' },
        },
      ],
    });
    // It holds a password.
    if (process.platform !== 'win32') expect(statSync(fresh).mode & 0o777).toBe(0o600);
    expect(store.connectionIds()).toEqual(new Set(['line-1']));
    expect(existsSync(`${fresh}.bak`)).toBe(false);
  });

  it('refuses a connection whose id is taken or whose fields are wrong, leaving the file as it was', async () => {
    const store = new TagModelStore(file);
    const before = readFileSync(file, 'utf8');
    await expect(
      store.addConnection({ id: 'plc', endpointUrl: 'opc.tcp://127.0.0.1:1' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Connection id "plc" is already in vigil.json',
    });
    await expect(store.addConnection({ id: 'x', endpointUrl: 'http://nope' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/connections\.1\.endpointUrl: must start with opc\.tcp:\/\//),
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(store.connectionIds()).toEqual(new Set(['plc']));
  });

  it('updates a connection in place, keeping its tags and the fields the edit does not touch', async () => {
    const store = new TagModelStore(file);
    const updated = await store.updateConnection('plc', (c) => {
      c.name = 'Press line';
      c.security = { mode: 'Sign', policy: 'Basic256Sha256' };
    });
    expect(updated).toMatchObject({
      name: 'Press line',
      security: { mode: 'Sign', policy: 'Basic256Sha256' },
    });
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.ringBufferSize).toBe(500);
    expect(saved.connections[0].tags).toEqual(original.connections[0]!.tags);
    await expect(
      store.updateConnection('plc', (c) => {
        c.id = 'other';
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: 'The id of connection "plc" cannot change' });
    await expect(store.updateConnection('nope', () => {})).rejects.toMatchObject({ code: 'not_found' });
    expect(JSON.parse(readFileSync(file, 'utf8')).connections[0].id).toBe('plc');
  });

  it('removes a connection with its tags and assets, keeping the rest of the file', async () => {
    const store = new TagModelStore(file);
    await store.addConnection({ id: 'second', endpointUrl: 'opc.tcp://127.0.0.1:4842' });
    await store.removeConnection('plc');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toEqual({
      dataDir: 'data',
      ringBufferSize: 500,
      connections: [{ id: 'second', endpointUrl: 'opc.tcp://127.0.0.1:4842' }],
    });
    expect(store.connectionIds()).toEqual(new Set(['second']));
    await expect(store.removeConnection('plc')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('says which file is damaged instead of overwriting it', async () => {
    writeFileSync(file, '{ "connections": [');
    const store = new TagModelStore(file);
    await expect(store.addConnection({ id: 'x', endpointUrl: 'opc.tcp://h:1' })).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining(`Configuration file ${file} is not valid JSON`),
    });
    expect(readFileSync(file, 'utf8')).toBe('{ "connections": [');
  });
});
