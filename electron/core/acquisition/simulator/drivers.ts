import { DataType, Variant, VariantArrayType } from 'node-opcua';
import type { Clock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';
import type { BuiltAsset } from './addressSpace';
import type { BulkSignals } from './bulkSignals';
import { startFixedRate } from './fixedRate';
import { BEARING_TAGS, rowAt } from './plantModel';
import { runSliced } from './slicedRun';
import type { LiveTag, TagWriter } from './tagWriter';
import type { SimulatorStats } from './types';
import { BLOCK_DURATION_MS, type VibrationPlayer } from './vibration';

/** Overdue steps replayed after the event loop was blocked: up to 2 s worth. */
const CATCH_UP_SECONDS = 2;

/** What every driver needs: time, the write path, and where to count. */
export interface DriverContext {
  clock: Clock;
  writer: TagWriter;
  stats: SimulatorStats;
  onError: (err: unknown) => void;
}

const double = (value: number) => new Variant({ dataType: DataType.Double, value });

function onSkip(stats: SimulatorStats) {
  return (skipped: number) => {
    stats.skipped += skipped;
  };
}

/**
 * Plays the C-MAPSS and AI4I tables: `speed` steps per second, each step setting every tag of
 * every played asset to its row, all with the step's due time as source timestamp. Step 0 runs at
 * once, so nobody ever reads an empty variable.
 */
export function startPlayback(
  ctx: DriverContext,
  speed: number,
  assets: readonly { asset: BuiltAsset; tags: readonly LiveTag[] }[],
): Disposable {
  const periodMs = 1000 / speed;
  return startFixedRate({
    clock: ctx.clock,
    periodMs,
    maxCatchUp: Math.max(10, Math.ceil((CATCH_UP_SECONDS * 1000) / periodMs)),
    onTick: (step, dueAt) => {
      const stalled = ctx.writer.stalled;
      for (const { asset, tags } of assets) {
        const track = asset.model.track!;
        const row = rowAt(track, step);
        for (let j = 0; j < tags.length; j++)
          ctx.writer.write(tags[j]!, double(track.columns[j]![row]!), dueAt, stalled);
      }
      ctx.stats.steps++;
    },
    onSkip: onSkip(ctx.stats),
    onError: ctx.onError,
  });
}

/**
 * Plays the bearing: every 100 ms / `speed` the next block of the recording as a Float array on
 * the waveform tag, with its RMS, peak, kurtosis and the shaft speed, all stamped with the time of
 * the block's first sample. `onBlock` runs after each block.
 */
export function startVibration(
  ctx: DriverContext,
  speed: number,
  player: VibrationPlayer,
  asset: BuiltAsset,
  tags: readonly LiveTag[],
  onBlock: () => void,
): Disposable {
  const tag = (name: string) => {
    const index = asset.model.tags.findIndex((t) => t.browseName === name);
    if (index < 0) throw new Error(`${asset.model.name} has no ${name} tag`);
    return tags[index]!;
  };
  const waveform = tag(BEARING_TAGS.waveform);
  const rms = tag(BEARING_TAGS.rms);
  const peak = tag(BEARING_TAGS.peak);
  const kurtosis = tag(BEARING_TAGS.kurtosis);
  const shaftSpeed = tag(BEARING_TAGS.speed);
  const periodMs = BLOCK_DURATION_MS / speed;
  return startFixedRate({
    clock: ctx.clock,
    periodMs,
    // A gap in a waveform spoils a spectrum: blocks missed while the loop was blocked are sent late.
    maxCatchUp: Math.ceil((CATCH_UP_SECONDS * 1000) / periodMs),
    onTick: (_index, dueAt) => {
      const block = player.next();
      const stalled = ctx.writer.stalled;
      const samples = new Variant({
        dataType: DataType.Float,
        arrayType: VariantArrayType.Array,
        value: block.samples,
      });
      ctx.writer.write(waveform, samples, dueAt, stalled);
      ctx.writer.write(rms, double(block.rms), dueAt, stalled);
      ctx.writer.write(peak, double(block.peak), dueAt, stalled);
      ctx.writer.write(kurtosis, double(block.kurtosis), dueAt, stalled);
      ctx.writer.write(shaftSpeed, double(block.rpm), dueAt, stalled);
      ctx.stats.vibrationBlocks++;
      onBlock();
    },
    onSkip: onSkip(ctx.stats),
    onError: ctx.onError,
  });
}

/**
 * Updates every bulk tag `rateHz` times a second. One update is spread over event-loop turns
 * (runSliced), all its values stamped with the update's due time; an update that is still running
 * when the next is due makes that next one skipped (a load generator keeps its rate rather than
 * queueing, and does not replay the past after a stall).
 */
export function startBulk(
  ctx: DriverContext,
  rateHz: number,
  signals: BulkSignals,
  tags: readonly LiveTag[],
): Disposable {
  const startedAt = ctx.clock.now();
  let running = false;
  let stopped = false;
  const timer = startFixedRate({
    clock: ctx.clock,
    periodMs: 1000 / rateHz,
    maxCatchUp: 1,
    onTick: (_tick, dueAt) => {
      if (running) {
        ctx.stats.skipped++;
        return;
      }
      running = true;
      const t = (dueAt - startedAt) / 1000;
      const stalled = ctx.writer.stalled;
      runSliced({
        count: tags.length,
        work: (from, to) => {
          for (let i = from; i < to; i++)
            ctx.writer.write(tags[i]!, double(signals.valueAt(i, t)), dueAt, stalled);
        },
        cancelled: () => stopped,
      })
        .then((run) => {
          if (stopped) return;
          ctx.stats.bulkTicks++;
          ctx.stats.bulkTickMs = run.wallMs;
          ctx.stats.bulkBusyMs = run.busyMs;
          ctx.stats.bulkMaxSliceMs = Math.max(ctx.stats.bulkMaxSliceMs, run.maxSliceMs);
        })
        .catch(ctx.onError)
        .finally(() => {
          running = false;
        });
    },
    onSkip: onSkip(ctx.stats),
    onError: ctx.onError,
  });
  return {
    dispose() {
      stopped = true;
      timer.dispose();
    },
  };
}
