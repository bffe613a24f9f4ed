import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { STATUS_GOOD } from '../../../../shared/quality';
import type { SampleBatch } from '../../../../shared/samples';
import { systemClock } from '../../app/clock';
import { VALIDATION_RULES, type ValidationRule } from '../../validation/flags';
import type { DetectorOptionsInput } from '../options';
import { DetectionPipeline } from '../pipeline';
import { CsvInputError, openCsv, type CsvRow, type CsvTable } from './csvTable';
import { parseTimestamp } from './timestamps';
import { CellKind, parseCell } from './values';

export interface DetectCsvOptions {
  input: string;
  /** File to write (atomically, via a temporary file), a stream, or null for no output. */
  output: string | Writable | null;
  timeColumn?: string;
  /** Columns to score; default: every numeric column except the time column. */
  columns?: string[];
  /** Called about once a second with the progress. */
  onProgress?: (progress: { rows: number; bytesRead: number; totalBytes: number }) => void;
  /** Called for every output row (the bench uses it to score against labels). */
  onRow?: (row: DetectedRow) => void;
  /** Tests and benchmarks may vary the detectors; the CLI always uses the defaults. */
  detector?: DetectorOptionsInput;
  /** Time source of the "timestamp in the future" rule (default: the system clock). */
  clock?: { now(): number };
}

export interface DetectedRow {
  index: number;
  line: number;
  timestamp: string;
  /** 0..1, NaN when the row had no valid value to score. */
  score: number;
  isAnomaly: boolean;
  topColumn: string;
}

export interface DetectCsvSummary {
  rows: number;
  columns: string[];
  skippedColumns: string[];
  delimiter: ',' | ';';
  anomalousRows: number;
  /** Rows scored 0 because the detectors were still learning. */
  warmupRows: number;
  /** Rows without any valid value (empty score). */
  unscoredRows: number;
  /** Validation flags counted per column (only rules that fired). */
  dataQuality: Record<string, Partial<Record<ValidationRule | 'Stale', number>>>;
}

/** The single asset of a file: every column describes the same machine. */
const FILE_ASSET = 'input';
const OUTPUT_HEADER = 'timestamp,anomaly_score,is_anomaly,top_column\n';
const FLUSH_AT = 1 << 16;

/**
 * `vigil detect`: runs the live pipeline's validation and detection (DetectionPipeline, the
 * same objects the core uses) over a CSV file, one batch per row, and writes one output row
 * per input row, in order. Strictly streaming: a row's score depends only on that row and
 * the rows before it.
 */
export async function detectCsv(options: DetectCsvOptions): Promise<DetectCsvSummary> {
  const table = await openCsv(options.input);
  const rows = table.rows();
  // The first data row decides the default columns; it is then scored like every other row.
  const firstRow = await rows.next();
  const first = firstRow.done ? null : firstRow.value;
  let chosen: ReturnType<typeof chooseColumns>;
  try {
    chosen = chooseColumns(table, first, options);
  } catch (err) {
    await rows.return(undefined);
    throw err;
  }
  const { timeIndex, columnIndexes, skipped } = chosen;
  const columns = columnIndexes.map((i) => table.header[i]!);
  const pipeline = new DetectionPipeline({
    validation: { clock: options.clock ?? systemClock },
    detection: {
      assetOf: () => FILE_ASSET,
      emitTagScores: false,
      utcOffsetMs: 0,
      ...(options.detector ? { detector: options.detector } : {}),
    },
  });

  const n = columns.length;
  const batch: SampleBatch = {
    tagIndex: new Uint32Array(n),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    quality: new Uint32Array(n).fill(STATUS_GOOD),
    tagIds: columns,
    correlationId: '',
    length: 0,
  };

  const sink = await openSink(options.output);
  const summary: DetectCsvSummary = {
    rows: 0,
    columns,
    skippedColumns: skipped,
    delimiter: table.delimiter,
    anomalousRows: 0,
    warmupRows: 0,
    unscoredRows: 0,
    dataQuality: {},
  };
  const decimalComma = table.delimiter === ';';
  const cell = { value: 0 };
  let pending = sink ? OUTPUT_HEADER : '';
  let lastProgress = Date.now();
  try {
    for await (const { cells, line } of withFirst(first, rows)) {
      const stamp = cells[timeIndex]!;
      const t = parseTimestamp(stamp);
      if (Number.isNaN(t)) {
        throw new CsvInputError(
          table.file,
          line,
          `column "${table.header[timeIndex]}": "${stamp}" is not a timestamp (ISO 8601, "YYYY-MM-DD HH:MM:SS" or epoch seconds/milliseconds)`,
        );
      }
      let k = 0;
      for (let c = 0; c < n; c++) {
        const text = cells[columnIndexes[c]!]!;
        const kind = parseCell(text, decimalComma, cell);
        if (kind === CellKind.Missing) continue;
        if (kind === CellKind.Text) {
          throw new CsvInputError(
            table.file,
            line,
            `column "${columns[c]}": "${text}" is not a number (choose numeric columns with --columns)`,
          );
        }
        batch.tagIndex[k] = c;
        batch.timestamps[k] = t;
        batch.values[k] = cell.value;
        k++;
      }
      batch.length = k;
      batch.correlationId = `${options.input}:${line}`;
      pipeline.tick(t, batch.correlationId);
      const result = pipeline.process(batch);
      const asset = result.detection.assets[0];
      const score = asset ? asset.score : NaN;
      const isAnomaly = asset?.isAnomaly ?? false;
      const topColumn = asset && asset.warm && asset.topTags.length ? asset.topTags[0]!.tagId : '';
      if (Number.isNaN(score)) summary.unscoredRows++;
      else if (!asset!.warm) summary.warmupRows++;
      if (isAnomaly) summary.anomalousRows++;
      options.onRow?.({ index: summary.rows, line, timestamp: stamp, score, isAnomaly, topColumn });
      summary.rows++;

      if (sink) {
        pending += `${csvField(stamp)},${Number.isNaN(score) ? '' : score.toFixed(4)},${isAnomaly ? 1 : 0},${csvField(topColumn)}\n`;
        if (pending.length >= FLUSH_AT) {
          await sink.write(pending);
          pending = '';
        }
      }
      if (options.onProgress && (summary.rows & 1023) === 0 && Date.now() - lastProgress >= 1000) {
        lastProgress = Date.now();
        options.onProgress({
          rows: summary.rows,
          bytesRead: table.bytesRead(),
          totalBytes: table.totalBytes,
        });
      }
    }
    if (sink) {
      await sink.write(pending);
      await sink.commit();
    }
  } catch (err) {
    await sink?.abort();
    throw err;
  }
  for (const column of columns) {
    const counts = pipeline.validation.counts(column);
    if (!counts) continue;
    const fired: Partial<Record<ValidationRule | 'Stale', number>> = {};
    for (const rule of [...VALIDATION_RULES, 'Stale'] as const)
      if (counts[rule] > 0) fired[rule] = counts[rule];
    if (Object.keys(fired).length) summary.dataQuality[column] = fired;
  }
  return summary;
}

function chooseColumns(
  table: CsvTable,
  first: CsvRow | null,
  options: DetectCsvOptions,
): { timeIndex: number; columnIndexes: number[]; skipped: string[] } {
  const { header, file } = table;
  const timeColumn = options.timeColumn ?? 'timestamp';
  const timeIndex = header.indexOf(timeColumn);
  if (timeIndex < 0) {
    throw new CsvInputError(
      file,
      1,
      `no time column "${timeColumn}" (columns: ${header.join(', ')}); use --time-column`,
    );
  }
  if (options.columns) {
    const indexes = options.columns.map((name) => {
      const i = header.indexOf(name);
      if (i < 0) throw new CsvInputError(file, 1, `no column "${name}" (columns: ${header.join(', ')})`);
      if (i === timeIndex) throw new CsvInputError(file, 1, `column "${name}" is the time column`);
      return i;
    });
    if (!indexes.length) throw new CsvInputError(file, 1, 'no columns to score');
    return { timeIndex, columnIndexes: indexes, skipped: [] };
  }
  // Default: columns whose first data row holds a number, or an empty cell or NaN (a missing
  // or invalid reading of a numeric column). Deciding from the first row keeps the file
  // read once, front to back.
  const columnIndexes: number[] = [];
  const skipped: string[] = [];
  const scratch = { value: 0 };
  header.forEach((name, i) => {
    if (i === timeIndex) return;
    const text = first ? first.cells[i]! : '';
    if (parseCell(text, table.delimiter === ';', scratch) === CellKind.Text) skipped.push(name);
    else columnIndexes.push(i);
  });
  if (!columnIndexes.length) {
    throw new CsvInputError(file, first?.line ?? 1, 'no numeric column to score besides the time column');
  }
  return { timeIndex, columnIndexes, skipped };
}

async function* withFirst(first: CsvRow | null, rest: AsyncGenerator<CsvRow>): AsyncGenerator<CsvRow> {
  if (first) yield first;
  yield* rest;
}

interface Sink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function openSink(output: string | Writable | null): Promise<Sink | null> {
  if (output === null) return null;
  if (typeof output !== 'string')
    return streamSink(
      output,
      async () => {},
      async () => {},
    );
  // Written beside the target and renamed at the end: a failed run never leaves half a file
  // where a previous good result was.
  const temporary = `${output}.${process.pid}.tmp`;
  const file = createWriteStream(temporary);
  await once(file, 'open');
  const closed = async (): Promise<void> => {
    file.end();
    await once(file, 'close');
  };
  return streamSink(
    file,
    async () => {
      await closed();
      await rename(temporary, output);
    },
    async () => {
      await closed().catch(() => {});
      await unlink(temporary).catch(() => {});
    },
  );
}

function streamSink(stream: Writable, commit: () => Promise<void>, abort: () => Promise<void>): Sink {
  return {
    async write(text) {
      if (text && !stream.write(text)) await once(stream, 'drain');
    },
    commit,
    abort,
  };
}

/** RFC 4180 quoting, only when needed. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
