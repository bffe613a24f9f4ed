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
 *   ingest <dataDir>    20 tags, 400 samples every 2 ms (fast tags: straight to their own rows)
 *   trickle <dataDir>   300 tags, one sample each every 5 ms (slow tags: the shared journal,
 *                       promoted to per-tag rows after 300 ms)
 *   readonly <dataDir>  the ingest tags: 10 batches, then exits once the last sample is acked.
 * In every mode sample k of a tag has t = CHILD_T0 + k and value k; each run continues the
 * sequences where the file left off. Flushes every 50 ms; retries a faulted database every 100 ms.
 */
import fs from 'node:fs';
import { openHistorian } from '../index';
import { batchOf, type Sample } from './fixtures';

export const CHILD_T0 = Date.UTC(2024, 0, 1);
export const CHILD_TAGS = Array.from({ length: 20 }, (_, i) => `crash/tag${i}`);
export const TRICKLE_TAGS = Array.from({ length: 300 }, (_, i) => `trickle/tag${i}`);

const [mode, dataDir] = process.argv.slice(2);
const say = (line: string): void => {
  fs.writeSync(1, `${line}\n`);
};

if (mode && dataDir) main(mode, dataDir);

function main(runMode: string, dir: string): void {
  // The samples are dated 2024: keep everything, or retention would remove them between runs.
  const historian = openHistorian({
    dataDir: dir,
    flushIntervalMs: 50,
    retryIntervalMs: 100,
    retention: { raw: null, rollups: { 1000: null, 60_000: null, 3_600_000: null } },
    promoteAfterMs: 300,
  });
  const tags = runMode === 'trickle' ? TRICKLE_TAGS : CHILD_TAGS;
  const perTag = runMode === 'trickle' ? 1 : 20;
  historian.onFault((f) => say(`fault ${f.kind} ${f.message.replace(/\n/g, ' ')}`));
  historian.onRecovered((f) => say(`recovered ${f.kind}`));

  // Continue each tag's sequence after what is already on disk.
  const next = new Map<string, number>();
  let base = 0;
  if (historian.status().state === 'open') {
    historian.last(tags).forEach((last, i) => {
      const n = last ? last.v + 1 : 0;
      next.set(tags[i]!, n);
      base += n;
    });
  }
  historian.onCommitted((c) => say(`ack ${base + c.acknowledged}`));
  say(`ready ${base}`);

  const makeBatch = (): Sample[] => {
    const samples: Sample[] = [];
    for (let k = 0; k < perTag; k++) {
      for (const tagId of tags) {
        const seq = next.get(tagId) ?? 0;
        next.set(tagId, seq + 1);
        samples.push({ tagId, t: CHILD_T0 + seq, v: seq, q: 0 });
      }
    }
    return samples;
  };

  if (runMode === 'ingest' || runMode === 'trickle') {
    setInterval(() => historian.append(batchOf(makeBatch())), runMode === 'ingest' ? 2 : 5);
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
