import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AI4I_COLUMNS, CMAPSS_COLUMNS } from './catalog';

export const CMAPSS_FILE = 'cmapss_fd001_units.csv';
export const AI4I_FILE = 'ai4i2020_first2000.csv';

/** Numeric columns by header name, each a column of the same length. */
export type Columns = ReadonlyMap<string, Float64Array>;

/** One engine's run to failure: row i is cycle i + 1. */
export interface EngineRun {
  /** Unit number in C-MAPSS FD001. */
  sourceUnit: number;
  cycles: number;
  columns: Columns;
}

export interface MillRun {
  rows: number;
  columns: Columns;
}

/**
 * Parses a comma-separated file with a header line into the requested numeric columns. Other
 * columns (text ids, product types) are ignored. Any problem is an error naming the file, the line
 * and the column: playing back a half-read file would look like real data and mislead.
 */
export function parseNumericCsv(text: string, source: string, wanted: readonly string[]): MillRun {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  const header = lines[0]?.split(',');
  if (!header || header.length < 2) throw new Error(`${source}: no header line`);
  const indices = wanted.map((name) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${source}: missing column "${name}"`);
    return index;
  });
  const rows = lines.length - 1;
  if (rows < 1) throw new Error(`${source}: no data rows`);
  const data = wanted.map(() => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const fields = lines[r + 1]!.split(',');
    if (fields.length !== header.length) {
      throw new Error(`${source} line ${r + 2}: expected ${header.length} fields, found ${fields.length}`);
    }
    for (let c = 0; c < indices.length; c++) {
      const raw = fields[indices[c]!]!;
      const value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) {
        throw new Error(`${source} line ${r + 2}: "${wanted[c]}" is not a number: "${raw}"`);
      }
      data[c]![r] = value;
    }
  }
  return { rows, columns: new Map(wanted.map((name, c) => [name, data[c]!])) };
}

/** Splits the C-MAPSS subset into one run per unit, checking that each runs cycle 1, 2, 3, ... */
export function splitEngineRuns(table: MillRun, source: string): EngineRun[] {
  const unit = table.columns.get('unit');
  const cycle = table.columns.get('cycle');
  if (!unit || !cycle) throw new Error(`${source}: needs "unit" and "cycle" columns`);
  const runs: EngineRun[] = [];
  let start = 0;
  for (let r = 1; r <= table.rows; r++) {
    if (r < table.rows && unit[r] === unit[start]) continue;
    const sourceUnit = unit[start]!;
    if (runs.some((run) => run.sourceUnit === sourceUnit)) {
      throw new Error(`${source}: unit ${sourceUnit} appears in two separate blocks`);
    }
    for (let i = start; i < r; i++) {
      if (cycle[i] !== i - start + 1) {
        throw new Error(
          `${source} line ${i + 2}: unit ${sourceUnit} cycle ${cycle[i]}, expected ${i - start + 1}`,
        );
      }
    }
    const columns = new Map<string, Float64Array>();
    for (const [name, values] of table.columns) columns.set(name, values.subarray(start, r));
    runs.push({ sourceUnit, cycles: r - start, columns });
    start = r;
  }
  return runs;
}

export interface PlaybackData {
  engines: EngineRun[];
  mill: MillRun;
}

/** Reads both playback files from the simulator resources folder. */
export function loadPlaybackData(dir: string): PlaybackData {
  const read = (file: string) => {
    const path = join(dir, file);
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`Cannot read simulator data ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  const cmapss = parseNumericCsv(read(CMAPSS_FILE), CMAPSS_FILE, ['unit', ...CMAPSS_COLUMNS]);
  const mill = parseNumericCsv(read(AI4I_FILE), AI4I_FILE, AI4I_COLUMNS);
  return { engines: splitEngineRuns(cmapss, CMAPSS_FILE), mill };
}
