import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
});
