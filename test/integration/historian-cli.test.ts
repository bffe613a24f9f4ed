import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { register } from '../../electron/cli/commands/historian';
import { openHistorian, type Historian } from '../../electron/core/historian';
import { batchOf, tempDataDir } from '../../electron/core/historian/testing/fixtures';

/**
 * `vigil historian stats | check | backup | restore | export` against a real historian file,
 * backup and export while a historian holds the file open (as a running console would).
 */

const T0 = Date.UTC(2024, 3, 1);
const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  while (cleanups.length) cleanups.pop()!();
});

async function vigil(...args: string[]): Promise<string> {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  register(program);
  let printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'vigil', 'historian', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  return printed;
}

function liveHistorian(dataDir: string): Historian {
  const historian = openHistorian({ dataDir, autoFlush: false });
  cleanups.push(() => historian.close());
  const samples = Array.from({ length: 7200 }, (_, i) => ({
    tagId: i % 2 ? 'line/speed' : 'line/temp',
    t: T0 + Math.floor(i / 2) * 1000,
    v: i / 10,
    q: 0,
  }));
  historian.append(batchOf(samples));
  historian.flush();
  return historian;
}

describe('vigil historian', () => {
  it('reports stats, checks, backs up and exports while the historian is open, and restores when it is closed', async () => {
    const temp = tempDataDir('vigil-cli-');
    cleanups.push(temp.remove);
    const dataDir = path.join(temp.dir, 'data');
    const historian = liveHistorian(dataDir);

    const stats = JSON.parse(await vigil('stats', '--json', '-d', dataDir)) as {
      tags: number;
      sources: { label: string; items: number; oldest: number }[];
    };
    expect(stats.tags).toBe(2);
    expect(stats.sources.find((s) => s.label === 'raw')).toMatchObject({ items: 7200, oldest: T0 });
    expect(await vigil('stats', '-d', dataDir)).toMatch(/raw\t\d+\t.*\t7200\t2024-04-01T00:00:00.000Z/);
    expect(await vigil('check', '-d', dataDir)).toMatch(/integrity ok/);

    const backupFile = path.join(temp.dir, 'backup.db');
    expect(await vigil('backup', backupFile, '-d', dataDir)).toMatch(/backup written/);
    await expect(vigil('backup', backupFile, '-d', dataDir)).rejects.toThrow(/already exists/);

    const csv = path.join(temp.dir, 'out.csv');
    expect(
      await vigil(
        'export',
        '-d',
        dataDir,
        '--tags',
        'line/temp,line/speed',
        '--from',
        '2024-04-01T00:00:00Z',
        '--to',
        String(T0 + 10_000),
        '-o',
        csv,
      ),
    ).toMatch(/^20 samples written/);
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(21);
    expect(rows[1]).toBe(`2024-04-01T00:00:00.000Z,${T0},line/temp,0,0,good`);
    expect(rows[2]).toBe(`2024-04-01T00:00:00.000Z,${T0},line/speed,0.1,0,good`);

    // Restore refuses while the historian holds the file...
    await expect(vigil('restore', backupFile, '-d', dataDir)).rejects.toThrow(/in use by process/);
    // ...and works once it is closed; the replaced file is kept aside.
    historian.append(batchOf([{ tagId: 'line/temp', t: T0 + 10 * 3_600_000, v: 1, q: 0 }]));
    historian.close();
    const restored = await vigil('restore', backupFile, '-d', dataDir);
    expect(restored).toMatch(/restored .* \(schema v\d+, 2 tags\)/);
    expect(restored).toMatch(/kept as .*before-restore/);
    const reopened = openHistorian({ dataDir, autoFlush: false });
    cleanups.push(() => reopened.close());
    expect(reopened.raw('line/temp', T0, T0 + 20 * 3_600_000).t.length).toBe(3600);
  });

  it('explains what is wrong: no database, bad times, damaged file', async () => {
    const temp = tempDataDir('vigil-cli-');
    cleanups.push(temp.remove);
    await expect(vigil('stats', '-d', path.join(temp.dir, 'nothing'))).rejects.toThrow(
      /no historian database/,
    );
    await expect(
      vigil('export', '-d', temp.dir, '--tags', 'a', '--from', 'yesterday', '--to', 'now', '-o', 'x.csv'),
    ).rejects.toThrow(/epoch milliseconds, an ISO 8601 time/);
    const dataDir = path.join(temp.dir, 'data');
    liveHistorian(dataDir).close();
    // Damage a page in the middle of the file: the full check must notice.
    const file = path.join(dataDir, 'historian.db');
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = 2 * pageSize; i < 3 * pageSize; i++) bytes[i] = 0xff;
    fs.writeFileSync(file, bytes);
    await expect(vigil('check', '-d', dataDir)).rejects.toThrow(/damaged|malformed|corrupt/i);
  });
});
