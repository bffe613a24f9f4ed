import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STATUS_GOOD } from '../../shared/quality';
import type { SampleBatch } from '../../shared/samples';
import { detectCsv } from '../../electron/core/detection/csv/detectCsv';
import type { DetectorOptionsInput } from '../../electron/core/detection/options';
import { DetectionPipeline } from '../../electron/core/detection/pipeline';
import { ValidationStage } from '../../electron/core/validation/stage';
import type { BenchFigures, BenchOptions } from './index';

/**
 * detection.samples_per_s: samples per second through validation + detection (the live
 * pipeline's first two stages) for 1,000 tags in 100 assets of 10, one batch per time step,
 * on one core, after the detectors warmed up.
 * detection.validation_samples_per_s: the same batches through validation alone (baseline).
 * detection.skab_f1 / skab_far / skab_mar: the SKAB outlier-detection protocol (per file the
 * first 400 rows may be used to fit, the rest are scored; point-wise F1, false-alarm rate and
 * missed-alarm rate over all files together), computed from `vigil detect`'s own code path
 * with its fixed defaults. detection.skab_f1_all_anomalous: F1 of flagging every scored row,
 * the trivial baseline on this data (more than half the scored rows are anomalous).
 * detection.skab_anomaly_free_flagged: share of rows flagged on SKAB's anomaly-free file.
 */
export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const figures: BenchFigures = { ...measureThroughput(opts) };
  const skab = await evaluateSkab({ short: opts.short, log: opts.log });
  if (skab) {
    figures['detection.skab_f1'] = round(skab.f1);
    figures['detection.skab_far'] = round(skab.far);
    figures['detection.skab_mar'] = round(skab.mar);
    figures['detection.skab_f1_all_anomalous'] = round(skab.f1AllAnomalous);
    figures['detection.skab_files'] = skab.files;
  }
  const anomalyFree = await flaggedOnAnomalyFree(opts.log);
  if (anomalyFree !== null) figures['detection.skab_anomaly_free_flagged'] = round(anomalyFree);
  return figures;
}

/**
 * Share of rows flagged on SKAB's anomaly-free recording (2.6 h of normal operation, all
 * eight sensors, nothing to fit on): how the defaults behave on long normal data, drift
 * included. Not part of the leaderboard protocol.
 */
async function flaggedOnAnomalyFree(log: (line: string) => void): Promise<number | null> {
  const file = path.join(SKAB_DIR, 'anomaly-free', 'anomaly-free.csv');
  if (!existsSync(file)) return null;
  let rows = 0;
  let flagged = 0;
  await detectCsv({
    input: file,
    output: null,
    timeColumn: 'datetime',
    onRow: (row) => {
      rows++;
      if (row.isAnomaly) flagged++;
    },
  });
  log(`SKAB anomaly-free: ${flagged} of ${rows} rows flagged (${((100 * flagged) / rows).toFixed(1)}%)`);
  return flagged / rows;
}

const TAGS = 1000;
const TAGS_PER_ASSET = 10;

export function measureThroughput(opts: BenchOptions): BenchFigures {
  const warmTicks = 300;
  const ticks = opts.short ? 200 : 2000;
  const values = syntheticSignals(TAGS, warmTicks + ticks);
  const tagIds = Array.from(
    { length: TAGS },
    (_, i) => `bench/asset-${Math.floor(i / TAGS_PER_ASSET)}/tag-${i}`,
  );
  const batch: SampleBatch = {
    tagIndex: Uint32Array.from({ length: TAGS }, (_, i) => i),
    timestamps: new Float64Array(TAGS),
    values: new Float64Array(TAGS),
    quality: new Uint32Array(TAGS).fill(STATUS_GOOD),
    tagIds,
    correlationId: 'bench',
    length: TAGS,
  };
  const t0 = Date.UTC(2024, 0, 1);
  const clock = { now: () => t0 + 1e12 };
  const load = (tick: number): void => {
    batch.timestamps.fill(t0 + tick * 1000);
    batch.values.set(values.subarray(tick * TAGS, (tick + 1) * TAGS));
  };

  const pipeline = new DetectionPipeline({ validation: { clock } });
  const validationOnly = new ValidationStage({ clock });
  for (let tick = 0; tick < warmTicks; tick++) {
    load(tick);
    pipeline.process(batch);
    validationOnly.process(batch);
  }
  let sink = 0;
  let start = process.hrtime.bigint();
  for (let tick = warmTicks; tick < warmTicks + ticks; tick++) {
    load(tick);
    const result = pipeline.process(batch);
    sink += result.detection.scores.length;
  }
  const fullNs = Number(process.hrtime.bigint() - start);
  start = process.hrtime.bigint();
  for (let tick = warmTicks; tick < warmTicks + ticks; tick++) {
    load(tick);
    sink += validationOnly.process(batch).flags.length;
  }
  const validationNs = Number(process.hrtime.bigint() - start);
  const samples = ticks * TAGS;
  const perS = (samples * 1e9) / fullNs;
  opts.log(
    `${samples} samples (${TAGS} tags, ${TAGS / TAGS_PER_ASSET} assets) in ${(fullNs / 1e6).toFixed(0)} ms: ` +
      `${Math.round(perS)} samples/s; validation alone ${Math.round((samples * 1e9) / validationNs)} samples/s (${sink} outputs)`,
  );
  return {
    'detection.samples_per_s': Math.round(perS),
    'detection.validation_samples_per_s': Math.round((samples * 1e9) / validationNs),
  };
}

/** Random walks plus noise, a slow cycle and rare glitches (NaN, spikes): every path runs. */
function syntheticSignals(tags: number, ticks: number): Float64Array {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const out = new Float64Array(tags * ticks);
  for (let j = 0; j < tags; j++) {
    let level = 100 * random();
    const drift = 0.05 * random();
    const noise = 0.5 + random();
    for (let t = 0; t < ticks; t++) {
      level += drift * gauss();
      let v = level + noise * gauss() + Math.sin((2 * Math.PI * t) / 600 + j);
      const glitch = random();
      if (glitch < 1e-4) v = NaN;
      else if (glitch < 2e-4) v += 50 * noise;
      out[t * tags + j] = v;
    }
  }
  return out;
}

export const SKAB_DIR = path.resolve(import.meta.dirname, '../../../shared/datasets/skab/data');
const SKAB_SENSORS = [
  'Accelerometer1RMS',
  'Accelerometer2RMS',
  'Current',
  'Pressure',
  'Temperature',
  'Thermocouple',
  'Voltage',
  'Volume Flow RateRMS',
];
/** The SKAB protocol: per file, the first 400 rows may be used to fit; the rest are scored. */
const SKAB_FIT_ROWS = 400;

export interface SkabResult {
  files: number;
  f1: number;
  far: number;
  mar: number;
  f1AllAnomalous: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Labelled SKAB files (anomaly-free.csv has no labels), sorted; short = first file of each folder. */
export function skabFiles(short: boolean): string[] {
  if (!existsSync(SKAB_DIR)) return [];
  const files: string[] = [];
  for (const folder of readdirSync(SKAB_DIR).sort()) {
    if (folder === 'anomaly-free') continue;
    const names = readdirSync(path.join(SKAB_DIR, folder))
      .filter((f) => f.endsWith('.csv'))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    for (const name of short ? names.slice(0, 1) : names) files.push(path.join(SKAB_DIR, folder, name));
  }
  return files;
}

/**
 * Runs `vigil detect`'s code path (detectCsv, fixed defaults) over SKAB and scores it with
 * the benchmark's protocol. Returns null when the data set is not there.
 */
export async function evaluateSkab(options: {
  short: boolean;
  log: (line: string) => void;
  detector?: DetectorOptionsInput;
}): Promise<SkabResult | null> {
  const files = skabFiles(options.short);
  if (!files.length) {
    options.log(`SKAB not found at ${SKAB_DIR}: SKAB figures skipped`);
    return null;
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const file of files) {
    const labels = readLabels(file);
    const predicted: boolean[] = [];
    await detectCsv({
      input: file,
      output: null,
      timeColumn: 'datetime',
      columns: SKAB_SENSORS,
      onRow: (row) => (predicted[row.index] = row.isAnomaly),
      ...(options.detector ? { detector: options.detector } : {}),
    });
    if (predicted.length !== labels.length)
      throw new Error(`${file}: ${predicted.length} outputs for ${labels.length} rows`);
    for (let i = SKAB_FIT_ROWS; i < labels.length; i++) {
      const p = predicted[i]!;
      if (labels[i]) {
        if (p) tp++;
        else fn++;
      } else if (p) fp++;
      else tn++;
    }
  }
  const f1 = (2 * tp) / (2 * tp + fp + fn);
  const positives = tp + fn;
  const f1AllAnomalous = (2 * positives) / (2 * positives + fp + tn);
  const result = {
    files: files.length,
    f1,
    far: fp / (fp + tn),
    mar: fn / (fn + tp),
    f1AllAnomalous,
    tp,
    fp,
    fn,
    tn,
  };
  options.log(
    `SKAB ${files.length} files: F1 ${f1.toFixed(3)}, FAR ${(100 * result.far).toFixed(1)}%, ` +
      `MAR ${(100 * result.mar).toFixed(1)}% (TP ${tp}, FP ${fp}, FN ${fn}, TN ${tn}); all-anomalous F1 ${f1AllAnomalous.toFixed(3)}`,
  );
  return result;
}

/** The `anomaly` column of a SKAB file ("1.0\r" in CRLF files: parsed numerically). */
function readLabels(file: string): boolean[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0]!.split(';');
  const column = header.indexOf('anomaly');
  if (column < 0) throw new Error(`${file}: no "anomaly" column`);
  return lines.slice(1).map((l) => Number(l.split(';')[column]) === 1);
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
