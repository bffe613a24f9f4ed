import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian } from '../../electron/core/historian';
import { seeded, tempDataDir } from '../../electron/core/historian/testing/fixtures';
import { CHILD_T0, CHILD_TAGS, TRICKLE_TAGS } from '../../electron/core/historian/testing/child';
import { projectRoot } from '../helpers/cli';
import { sleep, waitFor } from '../helpers/wait';

/**
 * Durability (issue 4, point 5): a child process ingests continuously and prints the number of
 * samples on disk after every commit; it is killed with SIGKILL at a random moment mid-ingestion,
 * four times in a row on the same file, alternating fast tags (own rows at every flush) and a
 * trickle of slow tags (the shared journal, promoted to per-tag rows). Every time, the reopened
 * file must pass the integrity check, hold at least everything acknowledged, and hold each tag's
 * sequence as a gap-free, duplicate-free prefix (a commit is all or nothing).
 */

const childScript = path.join(projectRoot, 'electron/core/historian/testing/child.ts');
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  while (cleanups.length) cleanups.pop()!();
});

function startChild(
  mode: string,
  dataDir: string,
): { child: ChildProcess; lines: string[]; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, dataDir], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL' && stderr) lines.push(`stderr ${stderr}`);
  });
  return { child, lines, exited };
}

function lastAck(lines: string[]): number {
  const acks = lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
  return acks.length ? Math.max(...acks) : 0;
}

describe('historian crash safety', () => {
  it('loses nothing acknowledged and stays consistent across repeated kill -9 mid-ingestion', async () => {
    const temp = tempDataDir('vigil-crash-');
    cleanups.push(temp.remove);
    const random = seeded(Date.now());
    const acknowledged = { ingest: 0, trickle: 0 };
    for (let round = 0; round < 4; round++) {
      const mode = round % 2 === 0 ? 'ingest' : 'trickle';
      const { child, lines, exited } = startChild(mode, temp.dir);
      const ready = await waitFor(() => lines.find((l) => l.startsWith('ready ')), {
        timeoutMs: 30_000,
        what: 'child ready',
      });
      // The restarted child found at least everything acknowledged before the kill.
      const start = Number(ready.slice(6));
      expect(start).toBeGreaterThanOrEqual(acknowledged[mode]);
      // Let it commit for a while, then kill it at a random point of its flush cycle.
      await waitFor(() => lastAck(lines) >= start + 20_000, { timeoutMs: 30_000, what: 'commits' });
      await sleep(Math.floor(random() * 60));
      child.kill('SIGKILL');
      await exited;
      acknowledged[mode] = lastAck(lines);
      expect(lines.filter((l) => l.startsWith('fault'))).toEqual([]);

      // Reopen in this process: integrity check, then count what is on disk.
      const historian = openHistorian({ dataDir: temp.dir, autoFlush: false });
      try {
        expect(historian.status()).toMatchObject({ state: 'open', faults: [] });
        historian.checkIntegrity();
        for (const [set, tags] of [
          ['ingest', CHILD_TAGS],
          ['trickle', TRICKLE_TAGS],
        ] as const) {
          const counts = tags.map((tag) => {
            const series = historian.raw(tag, CHILD_T0, CHILD_T0 + 1e9);
            // A gap-free prefix 0, 1, 2, ... of the tag's sequence: no gap, no duplicate.
            const bad = Array.from(series.v).findIndex((v, i) => v !== i || series.t[i] !== CHILD_T0 + i);
            expect({ tag, bad }).toEqual({ tag, bad: -1 });
            return series.t.length;
          });
          expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(acknowledged[set]);
          // All tags of a set advance together (whole batches per commit).
          expect(Math.max(...counts) - Math.min(...counts)).toBe(0);
        }
      } finally {
        historian.close();
      }
    }
  });
});
