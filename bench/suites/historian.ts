import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SampleBatch } from '../../shared/samples';
import { openHistorian, type Historian } from '../../electron/core/historian';
import type { BenchFigures, BenchOptions } from './index';

/**
 * Historian benchmark (issue 4).
 *
 * Workload: 1000 tags sampled at 1 Hz, as the acquisition delivers them: one SampleBatch per
 * second of data holding one sample of every tag, values with two decimals (a drifting sensor
 * reading), timestamps on whole milliseconds with a fixed phase and +-2 ms jitter, status Good
 * with short Uncertain runs. Batches are appended as fast as the historian takes them and
 * flushed every 500 ms of wall time, as the flush timer does; the time includes every commit
 * (WAL, synchronous=FULL, like production).
 *
 * Figures:
 * - historian.write_samples_per_s: samples appended and committed per second of wall time.
 * - historian.baseline_rows_per_s: the same samples through the naive design, one row per
 *   sample with a prepared INSERT into an indexed table, same commits, same pragmas.
 * - historian.write_ratio_vs_rows: the first over the second (both measured in this run).
 * - historian.query_1y_ms: a 2000-pixel M4 chart over one year of one 1 Hz tag, median of
 *   9 queries (warm cache); historian.query_1y_first_ms: the first of them, right after opening
 *   the file (statement preparation and a cold SQLite page cache included).
 * - historian.bytes_per_sample: database size (after a WAL checkpoint) over samples stored,
 *   for that year; includes rollups, indexes and free pages.
 * - historian.baseline_bytes_per_sample: the same for the one-row-per-sample table.
 * The short run (tests) uses 200 tags and a year of one tag at one sample per minute.
 */

const DAY = 86_400_000;
const FLUSH_MS = 500;
const FLUSH_SAMPLES = 1_000_000;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Generates batches of one sample per tag per `periodMs`, reusing nothing between batches. */
class Workload {
  readonly tagIds: string[];
  private readonly level: Float64Array;
  private readonly phase: Float64Array;
  private readonly uncertainUntil: Float64Array;
  private readonly rnd = lcg(42);
  private step = 0;

  constructor(
    readonly tags: number,
    readonly start: number,
    readonly periodMs: number,
  ) {
    this.tagIds = Array.from({ length: tags }, (_, i) => `site/area${i % 10}/asset${i % 100}/sensor${i}`);
    this.level = Float64Array.from({ length: tags }, (_, i) => 20 + (i % 200));
    this.phase = Float64Array.from({ length: tags }, () => Math.floor(this.rnd() * 900) + 50);
    this.uncertainUntil = new Float64Array(tags);
  }

  /** The next `count` samples of tag 0 as one batch (a single-tag workload, generated fast). */
  series(count: number): SampleBatch {
    const batch: SampleBatch = {
      tagIndex: new Uint32Array(count),
      timestamps: new Float64Array(count),
      values: new Float64Array(count),
      quality: new Uint32Array(count),
      tagIds: [this.tagIds[0]!],
      correlationId: `bench-${this.step}`,
      length: count,
    };
    for (let i = 0; i < count; i++) {
      this.level[0]! += (this.rnd() - 0.5) * 0.4 + Math.sin(this.step / 600) * 0.05;
      const t = this.start + this.step * this.periodMs + this.phase[0]! + Math.floor(this.rnd() * 5) - 2;
      if (this.rnd() < 0.0005) this.uncertainUntil[0] = t + 30_000;
      batch.timestamps[i] = t;
      batch.values[i] = Math.round(this.level[0]! * 100) / 100;
      batch.quality[i] = t < this.uncertainUntil[0]! ? 0x40000000 : 0;
      this.step++;
    }
    return batch;
  }

  next(): SampleBatch {
    const n = this.tags;
    const batch: SampleBatch = {
      tagIndex: new Uint32Array(n),
      timestamps: new Float64Array(n),
      values: new Float64Array(n),
      quality: new Uint32Array(n),
      tagIds: this.tagIds,
      correlationId: `bench-${this.step}`,
      length: n,
    };
    const base = this.start + this.step * this.periodMs;
    for (let k = 0; k < n; k++) {
      this.level[k]! += (this.rnd() - 0.5) * 0.4 + Math.sin(this.step / 600 + k) * 0.05;
      const jitter = Math.floor(this.rnd() * 5) - 2;
      const t = base + this.phase[k]! + jitter;
      if (this.rnd() < 0.0005) this.uncertainUntil[k] = t + 30_000;
      batch.tagIndex[k] = k;
      batch.timestamps[k] = t;
      batch.values[k] = Math.round(this.level[k]! * 100) / 100;
      batch.quality[k] = t < this.uncertainUntil[k]! ? 0x40000000 : 0;
    }
    this.step++;
    return batch;
  }
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `vigil-bench-${name}-`));
}

/**
 * Feeds `count` batches, committing every FLUSH_MS of wall time as the flush timer does, or
 * once FLUSH_SAMPLES are pending (what 500 ms hold at 2 million samples per second), so a
 * producer faster than the timer cannot turn the run into one giant transaction. Returns
 * samples per second, the last commit included.
 */
function timedIngest(
  count: number,
  next: () => SampleBatch,
  append: (b: SampleBatch) => void,
  flush: () => void,
): number {
  // Generate outside the timed region: the figure is about storing, not about making data.
  const batches = Array.from({ length: count }, next);
  const samples = batches.reduce((sum, b) => sum + b.length, 0);
  const started = performance.now();
  let lastFlush = started;
  let pending = 0;
  for (const batch of batches) {
    append(batch);
    pending += batch.length;
    const now = performance.now();
    if (now - lastFlush >= FLUSH_MS || pending >= FLUSH_SAMPLES) {
      flush();
      pending = 0;
      lastFlush = performance.now();
    }
  }
  flush();
  return samples / ((performance.now() - started) / 1000);
}

/** The naive design: one row per sample; returns its write rate and its size per sample. */
function baselineRows(tags: number, seconds: number): { rate: number; bytesPerSample: number } {
  const dir = tempDir('rows');
  try {
    const db = new Database(path.join(dir, 'rows.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE sample (tag INTEGER NOT NULL, t REAL NOT NULL, v REAL, q INTEGER NOT NULL);
             CREATE INDEX sample_by_tag ON sample (tag, t);`);
    const insert = db.prepare('INSERT INTO sample (tag, t, v, q) VALUES (?, ?, ?, ?)');
    let pending: SampleBatch[] = [];
    const write = db.transaction((batches: SampleBatch[]) => {
      for (const b of batches) {
        for (let i = 0; i < b.length; i++)
          insert.run(b.tagIndex[i]!, b.timestamps[i]!, b.values[i]!, b.quality[i]!);
      }
    });
    const workload = new Workload(tags, Date.UTC(2024, 0, 1), 1000);
    const rate = timedIngest(
      seconds,
      () => workload.next(),
      (b) => pending.push(b),
      () => {
        write(pending);
        pending = [];
      },
    );
    db.close(); // checkpoints the WAL into the file
    const bytesPerSample = fs.statSync(path.join(dir, 'rows.db')).size / (tags * seconds);
    return { rate, bytesPerSample };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function historianWritesPerSecond(tags: number, seconds: number): number {
  const dir = tempDir('write');
  const historian = openHistorian({ dataDir: dir, autoFlush: false });
  try {
    const workload = new Workload(tags, Date.UTC(2024, 0, 1), 1000);
    const rate = timedIngest(
      seconds,
      () => workload.next(),
      (b) => historian.append(b),
      () => historian.flush(),
    );
    // Every sample must have been taken and committed, or the figure means nothing.
    const { ingest } = historian.status();
    if (ingest.dropped > 0 || ingest.rejected > 0 || ingest.acknowledged !== tags * seconds) {
      throw new Error(`historian bench lost samples: ${JSON.stringify(ingest)}`);
    }
    return rate;
  } finally {
    historian.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a year of one tag (in day-sized slices to bound memory) and measures the chart. */
function yearQuery(
  periodMs: number,
  log: (line: string) => void,
): { queryMs: number; firstQueryMs: number; bytesPerSample: number; samples: number } {
  const dir = tempDir('year');
  let historian: Historian | null = openHistorian({ dataDir: dir, autoFlush: false });
  const start = Date.UTC(2023, 0, 1);
  const end = start + 365 * DAY;
  try {
    const workload = new Workload(1, start, periodMs);
    const perBatch = Math.max(1, Math.round(60_000 / periodMs));
    const total = Math.floor((end - start) / periodMs);
    let samples = 0;
    let lastLog = performance.now();
    while (samples < total) {
      // One batch per minute of data (60 samples at 1 Hz), one flush per hour of data.
      const batch = workload.series(Math.min(perBatch, total - samples));
      historian.append(batch);
      samples += batch.length;
      if (samples % (perBatch * 60) === 0) historian.flush();
      if (performance.now() - lastLog > 10_000) {
        log(`historian: year written up to day ${Math.floor((samples * periodMs) / DAY)}`);
        lastLog = performance.now();
      }
    }
    historian.flush();
    // Sizes after a checkpoint, as the file sits on disk between sessions.
    historian.close();
    historian = openHistorian({ dataDir: dir, autoFlush: false, integrityCheck: false });
    const stats = historian.stats();
    const timings: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      const [series] = historian.chart({ tagIds: [workload.tagIds[0]!], from: start, to: end, width: 2000 });
      timings.push(performance.now() - t0);
      if (!series || series.columns.t.length < 1900) throw new Error('year chart came back incomplete');
    }
    const firstQueryMs = timings[0]!;
    timings.sort((a, b) => a - b);
    return { queryMs: timings[4]!, firstQueryMs, bytesPerSample: stats.fileBytes / samples, samples };
  } finally {
    historian?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const tags = opts.short ? 200 : 1000;
  const writeSeconds = opts.short ? 2000 : 8000;
  const baselineSeconds = opts.short ? 500 : 1500;

  // Warm up both paths (JIT, page cache) so neither figure includes compilation.
  historianWritesPerSecond(tags, Math.ceil(writeSeconds / 10));
  baselineRows(tags, Math.ceil(baselineSeconds / 10));

  const writeRate = historianWritesPerSecond(tags, writeSeconds);
  opts.log(`historian: ${Math.round(writeRate)} samples/s (${tags} tags x ${writeSeconds} s)`);
  const baseline = baselineRows(tags, baselineSeconds);
  opts.log(
    `historian: baseline one row per sample ${Math.round(baseline.rate)} rows/s, ${baseline.bytesPerSample.toFixed(1)} B/sample`,
  );

  const year = yearQuery(opts.short ? 60_000 : 1000, opts.log);
  opts.log(
    `historian: year of ${year.samples} samples, chart ${year.queryMs.toFixed(1)} ms, ${year.bytesPerSample.toFixed(2)} B/sample`,
  );

  return {
    'historian.write_samples_per_s': Math.round(writeRate),
    'historian.baseline_rows_per_s': Math.round(baseline.rate),
    'historian.write_ratio_vs_rows': Number((writeRate / baseline.rate).toFixed(2)),
    'historian.query_1y_ms': Number(year.queryMs.toFixed(2)),
    'historian.query_1y_first_ms': Number(year.firstQueryMs.toFixed(2)),
    'historian.bytes_per_sample': Number(year.bytesPerSample.toFixed(3)),
    'historian.baseline_bytes_per_sample': Number(baseline.bytesPerSample.toFixed(2)),
  };
}
