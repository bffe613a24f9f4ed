/**
 * A historian in a child process, driven by the integration tests (kill -9, read-only data
 * directory). Reports on stdout, one line each, written synchronously so a line is out before
 * the next step (a SIGKILL can only lose lines not yet written, never invent one):
 *   ready <samples already on disk>    opened, continuing the sequences from there
 *   ack <samples on disk>              after every commit (base + acknowledged)
 *   fault <kind> <message>             onFault
 *   recovered <kind>                   onRecovered
 *   appended <samples appended>        (readonly mode) after each batch
 * Modes:
 *   ingest <dataDir>    appends 400 samples over 20 tags every 2 ms, flushing every 50 ms,
 *                       until killed. Sample k of tag i has t = T0 + k and value k.
 *   readonly <dataDir>  appends 10 batches, then waits; exits after the last sample is acked.
 */
import fs from 'node:fs';
import { openHistorian } from '../index';
import { batchOf, type Sample } from './fixtures';

export const CHILD_T0 = Date.UTC(2024, 0, 1);
export const CHILD_TAGS = Array.from({ length: 20 }, (_, i) => `crash/tag${i}`);

const [mode, dataDir] = process.argv.slice(2);
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};

if (mode && dataDir) main(mode, dataDir);

function main(runMode: string, dir: string): void {
  const historian = openHistorian({ dataDir: dir, flushIntervalMs: 50, retryIntervalMs: 100 });
  historian.onFault((f) => say(`fault ${f.kind} ${f.message.replace(/\n/g, ' ')}`));
  historian.onRecovered((f) => say(`recovered ${f.kind}`));

  // Continue each tag's sequence after what is already on disk.
  const next = new Map<string, number>();
  let base = 0;
  if (historian.status().state === 'open') {
    historian.last(CHILD_TAGS).forEach((last, i) => {
      const n = last ? last.v + 1 : 0;
      next.set(CHILD_TAGS[i]!, n);
      base += n;
    });
  }
  historian.onCommitted((c) => say(`ack ${base + c.acknowledged}`));
  say(`ready ${base}`);

  const makeBatch = (): Sample[] => {
    const samples: Sample[] = [];
    for (let k = 0; k < 20; k++) {
      for (const tagId of CHILD_TAGS) {
        const seq = next.get(tagId) ?? 0;
        next.set(tagId, seq + 1);
        samples.push({ tagId, t: CHILD_T0 + seq, v: seq, q: 0 });
      }
    }
    return samples;
  };

  if (runMode === 'ingest') {
    setInterval(() => historian.append(batchOf(makeBatch())), 2);
    return;
  }
  let appended = 0;
  for (let b = 0; b < 10; b++) {
    appended += historian.append(batchOf(makeBatch())).accepted;
    say(`appended ${appended}`);
  }
  historian.onCommitted((c) => {
    if (c.acknowledged >= appended) {
      say(`done ${historian.raw(CHILD_TAGS[0]!, CHILD_T0, CHILD_T0 + 1e9).t.length * CHILD_TAGS.length}`);
      historian.close();
      process.exit(0);
    }
  });
}
