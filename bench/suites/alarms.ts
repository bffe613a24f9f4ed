import { ManualClock } from '../../electron/core/app/clock';
import { EventBus } from '../../electron/core/app/eventBus';
import { AlarmEngine } from '../../electron/core/alarms/engine';
import { HistorianAlarmJournal } from '../../electron/core/alarms/historianJournal';
import { InMemoryAlarmJournal } from '../../electron/core/alarms/journal';
import { openHistorian } from '../../electron/core/historian';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AlarmDefinitionInput, AlarmsConfigInput } from '../../electron/core/alarms/schemas';
import { MapTagCatalog } from '../../electron/core/alarms/testing';
import { SampleBatchBuilder, type SampleBatch } from '../../shared/samples';
import { STATUS_BAD, STATUS_GOOD } from '../../shared/quality';
import type { BenchFigures, BenchOptions } from './index';

const DEFINITIONS = 10_000;
const ASSETS = 100;
const DISTINCT_BATCHES = 16;

/**
 * alarms.evaluations_per_s: definition evaluations per second with 10,000 definitions (one per tag,
 * mixed kinds: high, low, deviation, rate of change, bad quality), each batch a full scan of all
 * 10,000 tags, about 0.2 % of them crossing a limit per batch (so transitions are journaled and
 * announced as in a busy plant).
 * alarms.latency_p99_ms: from handing a batch to the event bus to the first 'alarm.transition' event
 * it causes (evaluation + journal append + announcement), 99th percentile over the batches.
 * alarms.baseline_scan_per_s: a bare loop over the same batches comparing each value with a limit:
 * the floor any evaluator pays. alarms.cost_vs_scan = baseline / engine (how many times slower
 * than the bare comparison the full engine is), measured in the same run.
 * alarms.sqlite_ms_per_transition / alarms.sqlite_latency_p99_ms: the same engine journaling into
 * the historian's SQLite file (default durability, synchronous=full) through the historian's
 * one-row-per-transaction repository: the cost per stored transition, and batch-in to event-out
 * for batches that each cause one transition.
 */
export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const batchesToRun = opts.short ? 60 : 600;
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const bus = new EventBus();
  const catalog = new MapTagCatalog();
  const tagIds: string[] = [];
  const definitions: AlarmDefinitionInput[] = [];
  for (let i = 0; i < DEFINITIONS; i++) {
    const tagId = `asset-${i % ASSETS}/tag-${i}`;
    tagIds.push(tagId);
    catalog.add(tagId, `asset-${i % ASSETS}`);
    definitions.push(definitionFor(i, tagId));
  }
  const batches = buildBatches(tagIds);
  const engine = new AlarmEngine({
    clock,
    journal: new InMemoryAlarmJournal(),
    catalog,
    config: { definitions: definitions as AlarmsConfigInput['definitions'] },
    events: bus,
  });
  engine.attach(bus);
  let firstEventAt: number | null = null;
  let transitions = 0;
  bus.on('alarm.transition', () => {
    transitions++;
    firstEventAt ??= performance.now();
  });

  // Warm-up (JIT), then measure.
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    const batch = batches[i % DISTINCT_BATCHES]!;
    batch.timestamps.fill(clock.now());
    bus.emit('samples', batch);
  }
  transitions = 0;
  const latencies: number[] = [];
  let busyMs = 0;
  let samples = 0;
  for (let i = 0; i < batchesToRun; i++) {
    clock.advance(1000); // outside the timed part: due timers (on-delays) fire here
    const batch = batches[i % DISTINCT_BATCHES]!;
    // Source timestamps move on with the clock: the engine ignores samples older than the last one.
    batch.timestamps.fill(clock.now());
    firstEventAt = null;
    const t0 = performance.now();
    bus.emit('samples', batch);
    const t1 = performance.now();
    busyMs += t1 - t0;
    samples += batch.length;
    if (firstEventAt !== null) latencies.push(firstEventAt - t0);
  }
  engine.dispose();

  const baselineMs = baselineScan(batches, batchesToRun);
  const sqlite = sqliteJournalCost(opts.short ? 40 : 200);
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const evaluationsPerS = samples / (busyMs / 1000);
  const baselinePerS = samples / (baselineMs / 1000);
  opts.log(
    `${batchesToRun} batches of ${DEFINITIONS} samples, ${transitions} transitions, ` +
      `${latencies.length} batches with transitions; ${busyMs.toFixed(0)} ms engine vs ${baselineMs.toFixed(0)} ms bare scan`,
  );
  return {
    'alarms.evaluations_per_s': Math.round(evaluationsPerS),
    'alarms.latency_p50_ms': round(p(0.5)),
    'alarms.latency_p99_ms': round(p(0.99)),
    'alarms.transitions_per_batch': round(transitions / batchesToRun),
    'alarms.baseline_scan_per_s': Math.round(baselinePerS),
    'alarms.cost_vs_scan': round(baselinePerS / evaluationsPerS),
    'alarms.sqlite_ms_per_transition': round(sqlite.msPerTransition),
    'alarms.sqlite_latency_p99_ms': round(sqlite.p99),
  };
}

function definitionFor(i: number, tagId: string): AlarmDefinitionInput {
  const base = {
    id: `def-${i}`,
    tagId,
    priority: (['critical', 'high', 'medium', 'low'] as const)[i % 4]!,
    message: `alarm ${i}`,
  };
  switch (i % 5) {
    case 0:
      return { ...base, kind: 'high', limit: 100, deadband: 2 };
    case 1:
      return { ...base, kind: 'low', limit: 0, deadband: 2, onDelayMs: i % 10 === 1 ? 2000 : 0 };
    case 2:
      return { ...base, kind: 'deviation', setpoint: 50, limit: 50, deadband: 2 };
    case 3:
      return { ...base, kind: 'rate_of_change', limit: 40 };
    default:
      return { ...base, kind: 'bad_quality' };
  }
}

/**
 * Batches of all tags around 50 with noise; in each, a different 0.2 % of the tags jump past their
 * limits (and back in the next batch), some samples go bad.
 */
function buildBatches(tagIds: string[]): SampleBatch[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const batches: SampleBatch[] = [];
  for (let b = 0; b < DISTINCT_BATCHES; b++) {
    const builder = new SampleBatchBuilder(tagIds.length);
    for (let i = 0; i < tagIds.length; i++) {
      const spike = (i * 7 + b * 13) % 500 === 0;
      let value = 50 + (random() - 0.5) * 10;
      if (spike) value = i % 5 === 1 ? -60 : 160;
      const quality = i % 5 === 4 && spike ? STATUS_BAD : STATUS_GOOD;
      builder.push(tagIds[i]!, Date.UTC(2025, 0, 1) + b * 1000, value, quality);
    }
    batches.push(builder.take(`bench-${b}`));
  }
  return batches;
}

/** The same batches through a bare loop: one limit comparison per sample, nothing else. */
function baselineScan(batches: SampleBatch[], count: number): number {
  const limits = new Float64Array(DEFINITIONS).fill(100);
  const state = new Uint8Array(DEFINITIONS);
  let flips = 0;
  const t0 = performance.now();
  for (let n = 0; n < count; n++) {
    const batch = batches[n % DISTINCT_BATCHES]!;
    const { tagIndex, values } = batch;
    for (let i = 0; i < batch.length; i++) {
      const k = tagIndex[i]!;
      const active = values[i]! > limits[k]! ? 1 : 0;
      if (active !== state[k]) {
        state[k] = active;
        flips++;
      }
    }
  }
  const ms = performance.now() - t0;
  if (flips < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
  return ms;
}

/** One alarm toggled by single-sample batches, journaled into a real historian file. */
function sqliteJournalCost(transitions: number): { msPerTransition: number; p99: number } {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-alarms-'));
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const historian = openHistorian({ dataDir, clock, autoFlush: false });
  try {
    const bus = new EventBus();
    const engine = new AlarmEngine({
      clock,
      journal: new HistorianAlarmJournal(historian.journals.alarms),
      catalog: new MapTagCatalog({ t: 'a' }),
      config: {
        definitions: [{ id: 'hi', kind: 'high', tagId: 't', limit: 1, priority: 'low', message: 'm' }],
      },
      events: bus,
    });
    engine.attach(bus);
    let eventAt = 0;
    bus.on('alarm.transition', () => (eventAt = performance.now()));
    const builder = new SampleBatchBuilder(1);
    const latencies: number[] = [];
    for (let i = 0; i < transitions; i++) {
      clock.advance(1000);
      builder.push('t', clock.now(), i % 2 === 0 ? 5 : 0, STATUS_GOOD);
      const batch = builder.take(`sqlite-${i}`);
      const t0 = performance.now();
      bus.emit('samples', batch);
      latencies.push(eventAt - t0);
    }
    engine.dispose();
    latencies.sort((a, b) => a - b);
    const total = latencies.reduce((a, b) => a + b, 0);
    return { msPerTransition: total / transitions, p99: latencies[Math.floor(0.99 * latencies.length)] ?? 0 };
  } finally {
    historian.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
