/**
 * Rebuilds the simulator's playback data from the full public datasets:
 *
 *   npx tsx resources/simulator/make-subsets.ts [DATASETS_DIR]
 *
 * DATASETS_DIR defaults to ../shared/datasets beside the project root (the development copy). The
 * app never reads that folder at run time; it ships only the two small CSVs written here. Values are
 * copied as text, unchanged, so the subsets hold exactly the numbers of the source files.
 * See README.md beside this script for licences, citations and what was taken.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const datasetsDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'datasets'));

/** C-MAPSS FD001 training units played back as Engine 1..5: short, typical and long lives. */
const CMAPSS_UNITS = [1, 2, 3, 39, 69] as const;
/** AI4I rows played back by Milling Machine M1: the first 2,000 (UDI 1..2000), in file order. */
const AI4I_ROWS = 2000;

/** Column names of the subset, in the order of the source's 26 columns (Saxena et al. 2008, Table 2). */
const CMAPSS_COLUMNS = [
  'unit',
  'cycle',
  'OpSetting1',
  'OpSetting2',
  'OpSetting3',
  'T2',
  'T24',
  'T30',
  'T50',
  'P2',
  'P15',
  'P30',
  'Nf',
  'Nc',
  'epr',
  'Ps30',
  'phi',
  'NRf',
  'NRc',
  'BPR',
  'farB',
  'htBleed',
  'Nf_dmd',
  'PCNfR_dmd',
  'W31',
  'W32',
];

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

function makeCmapss(): { rows: number; sourceHash: string } {
  const source = readFileSync(join(datasetsDir, 'cmapss', 'train_FD001.txt'));
  // Space-separated with a trailing space on every line.
  const lines = source
    .toString('utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const wanted = new Set<number>(CMAPSS_UNITS);
  const out = [CMAPSS_COLUMNS.join(',')];
  const lastCycle = new Map<number, number>();
  for (const line of lines) {
    const fields = line.split(/\s+/);
    if (fields.length !== CMAPSS_COLUMNS.length) {
      throw new Error(
        `train_FD001.txt: expected ${CMAPSS_COLUMNS.length} columns, got ${fields.length}: ${line}`,
      );
    }
    const unit = Number(fields[0]);
    if (!wanted.has(unit)) continue;
    const cycle = Number(fields[1]);
    const expected = (lastCycle.get(unit) ?? 0) + 1;
    if (cycle !== expected) throw new Error(`unit ${unit}: cycle ${cycle} follows ${expected - 1}`);
    lastCycle.set(unit, cycle);
    out.push(fields.join(','));
  }
  for (const unit of CMAPSS_UNITS) {
    if (!lastCycle.has(unit)) throw new Error(`unit ${unit} not found in train_FD001.txt`);
    console.log(`C-MAPSS FD001 unit ${unit}: ${lastCycle.get(unit)} cycles`);
  }
  writeFileSync(join(here, 'cmapss_fd001_units.csv'), out.join('\n') + '\n');
  return { rows: out.length - 1, sourceHash: sha256(source) };
}

function makeAi4i(): { rows: number; failures: number; sourceHash: string } {
  const source = readFileSync(join(datasetsDir, 'ai4i', 'ai4i2020.csv'));
  // The source starts with a UTF-8 byte order mark and ends lines with CRLF: drop both.
  const text = source.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0];
  if (!header?.startsWith('UDI,Product ID,Type,Air temperature [K]')) {
    throw new Error(`ai4i2020.csv: unexpected header: ${header}`);
  }
  const rows = lines.slice(1, 1 + AI4I_ROWS);
  if (rows.length !== AI4I_ROWS) throw new Error(`ai4i2020.csv: only ${rows.length} rows`);
  const failureColumn = header.split(',').indexOf('Machine failure');
  let failures = 0;
  for (const row of rows) if (row.split(',')[failureColumn] === '1') failures++;
  writeFileSync(join(here, 'ai4i2020_first2000.csv'), [header, ...rows].join('\n') + '\n');
  console.log(`AI4I 2020: ${rows.length} rows, ${failures} with Machine failure = 1`);
  return { rows: rows.length, failures, sourceHash: sha256(source) };
}

const cmapss = makeCmapss();
const ai4i = makeAi4i();
console.log(
  `cmapss_fd001_units.csv: ${cmapss.rows} rows (source train_FD001.txt sha256 ${cmapss.sourceHash})`,
);
console.log(`ai4i2020_first2000.csv: ${ai4i.rows} rows (source ai4i2020.csv sha256 ${ai4i.sourceHash})`);
