import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { qualitySeverity } from '../../../shared/quality';
import { HistorianInputError } from './faults';
import type { RawSeries } from './types';

/**
 * CSV export of raw samples of chosen tags over a time range (RFC 4180).
 *
 * One row per sample, all tags merged in time order (ties: in the order the tags were asked):
 *   time,epoch_ms,tag,value,status_code,quality
 * `time` is ISO 8601 UTC; `value` is the shortest text that reads back as the same float64
 * (empty for NaN); `status_code` the OPC UA StatusCode, `quality` good/uncertain/bad.
 * The range is read in windows sized to about 100,000 samples, so memory stays flat for a year
 * of data. The file is written as `<file>.partial` and renamed at the end: a file with the
 * final name is always complete.
 */

export interface RawReader {
  raw(tagId: string, from: number, to: number, options: { limit?: number; toExclusive?: boolean }): RawSeries;
}

export interface CsvExportOptions {
  tagIds: readonly string[];
  /** Inclusive start, exclusive end (epoch ms). */
  from: number;
  to: number;
  file: string;
  overwrite?: boolean;
}

export interface CsvExportResult {
  file: string;
  rows: number;
  bytes: number;
}

const HEADER = 'time,epoch_ms,tag,value,status_code,quality\n';
const WINDOW_TARGET = 100_000;
const INITIAL_WINDOW_MS = 3_600_000;

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function exportCsv(reader: RawReader, options: CsvExportOptions): Promise<CsvExportResult> {
  const { tagIds, from, to } = options;
  if (tagIds.length === 0) throw new HistorianInputError('choose at least one tag to export');
  if (!Number.isFinite(from) || !Number.isFinite(to) || !(to > from)) {
    throw new HistorianInputError('export needs a time range with from before to');
  }
  const file = path.resolve(options.file);
  if (fs.existsSync(file) && !options.overwrite) throw new HistorianInputError(`${file} already exists`);
  if (!fs.existsSync(path.dirname(file)))
    throw new HistorianInputError(`directory ${path.dirname(file)} does not exist`);
  const partial = `${file}.partial`;
  const out = fs.createWriteStream(partial, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  const names = tagIds.map(csvField);
  let rows = 0;
  try {
    await write(HEADER);
    let windowMs = INITIAL_WINDOW_MS;
    let start = from;
    while (start < to) {
      const end = Math.min(to, start + windowMs);
      const series = tagIds.map((tagId) =>
        reader.raw(tagId, start, end, { toExclusive: true, limit: WINDOW_TARGET * 20 }),
      );
      if (series.some((s) => s.truncated) && end - start > 1) {
        windowMs = Math.max(1, Math.floor(windowMs / 8));
        continue;
      }
      rows += await writeWindow(series, names, write);
      const count = series.reduce((sum, s) => sum + s.t.length, 0);
      // Aim the next window at about WINDOW_TARGET samples.
      if (count < WINDOW_TARGET / 4) windowMs *= 4;
      else if (count > WINDOW_TARGET * 2) windowMs = Math.max(1, Math.floor(windowMs / 2));
      start = end;
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    fs.renameSync(partial, file);
    return { file, rows, bytes: fs.statSync(file).size };
  } catch (err) {
    out.destroy();
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

/** Merges the sorted series of one window by time and writes them; returns the row count. */
async function writeWindow(
  series: RawSeries[],
  names: string[],
  write: (text: string) => Promise<void>,
): Promise<number> {
  const cursor = series.map(() => 0);
  let rows = 0;
  let lines: string[] = [];
  for (;;) {
    let pick = -1;
    let best = Infinity;
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      const i = cursor[k]!;
      if (i < s.t.length && s.t[i]! < best) {
        best = s.t[i]!;
        pick = k;
      }
    }
    if (pick < 0) break;
    const s = series[pick]!;
    const i = cursor[pick]!++;
    const t = s.t[i]!;
    const v = s.v[i]!;
    const q = s.q[i]!;
    lines.push(
      `${new Date(t).toISOString()},${t},${names[pick]!},${Number.isNaN(v) ? '' : String(v)},${q},${qualitySeverity(q)}\n`,
    );
    rows++;
    if (lines.length >= 4096) {
      await write(lines.join(''));
      lines = [];
    }
  }
  if (lines.length) await write(lines.join(''));
  return rows;
}
