import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian } from '../../electron/core/historian';
import { CHILD_T0, CHILD_TAGS } from '../../electron/core/historian/testing/child';
import { tempDataDir } from '../../electron/core/historian/testing/fixtures';
import { projectRoot } from '../helpers/cli';
import { waitFor } from '../helpers/wait';

/**
 * Bad input (issue 4): a read-only data directory. The historian runs in a child process as an
 * unprivileged user (when the tests run as root, which ignores permissions, the child drops to
 * uid/gid 65534), receives samples while it cannot create its files, reports a read_only fault
 * and keeps the samples; once the directory is writable it opens the database on its own, writes
 * every sample and reports recovery.
 */

const childScript = path.join(projectRoot, 'electron/core/historian/testing/child.ts');
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('historian on a read-only data directory', () => {
  it('raises a fault, holds the samples, and writes them all once the directory is writable', async () => {
    const temp = tempDataDir('vigil-readonly-');
    cleanups.push(temp.remove);
    const dataDir = path.join(temp.dir, 'data');
    fs.mkdirSync(dataDir);
    fs.chmodSync(temp.dir, 0o755);
    fs.chmodSync(dataDir, 0o555);
    const asRoot = process.getuid?.() === 0;
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, 'readonly', dataDir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const lines: string[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const fault = await waitFor(() => lines.find((l) => l.startsWith('fault ')), {
      timeoutMs: 30_000,
      what: `a fault (${stderr})`,
    });
    expect(fault).toMatch(/^fault read_only .*(EACCES|permission denied)/i);
    expect(fault).toMatch(/writable/);
    await waitFor(() => lines.includes('appended 4000'), { what: 'samples appended while read-only' });
    expect(lines.some((l) => l.startsWith('ack '))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'historian.db'))).toBe(false);

    // The fault goes away: the child retries on its own, writes everything and reports it.
    fs.chmodSync(dataDir, 0o777);
    await waitFor(() => lines.includes('recovered read_only'), { timeoutMs: 20_000, what: 'recovery' });
    expect(await exited).toBe(0);
    expect(lines).toContain('done 4000');

    const historian = openHistorian({ dataDir, autoFlush: false });
    try {
      const total = CHILD_TAGS.reduce(
        (sum, tag) => sum + historian.raw(tag, CHILD_T0, CHILD_T0 + 1e6).t.length,
        0,
      );
      expect(total).toBe(4000);
    } finally {
      historian.close();
    }
  });
});
