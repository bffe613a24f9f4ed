import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import { startSimulator } from '../../electron/core/acquisition/simulator';
import { LOAD_TEST_AREA } from '../../electron/core/acquisition/simulator/plantModel';
import type { Tag } from '../../shared/domain';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchFigures, BenchOptions } from './index';

/**
 * pipeline.samples_per_s: values per second from the simulator's bulk mode, over OPC UA on
 * loopback, through the core’s source, validation and detection into the historian.
 * pipeline.delivery_ratio: values received / values the simulator wrote in the same window
 * (the baseline measured in the same run; 1.0 = nothing lost or delayed past the window).
 */
export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const tags = opts.short ? 200 : 2000;
  const rateHz = 10;
  const seconds = opts.short ? 3 : 10;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-pipeline-'));
  const simulator = await startSimulator({ port: 0, speed: 1, bulk: { tags, rateHz } });
  const core = createCore(
    parseConfig({
      dataDir,
      simulator: { enabled: false },
      connections: [{ id: 'bench', endpointUrl: simulator.endpointUrl }],
    }),
  );
  try {
    await core.start();
    const bulkAsset = simulator.assets.find((a) => a.area === LOAD_TEST_AREA.name);
    if (!bulkAsset) throw new Error('the simulator has no load-test asset');
    let received = 0;
    let windowStart = Infinity;
    let windowEnd = Infinity;
    let bulkInWindow = 0;
    const ticksInWindow = new Set<number>();
    let bulkPrefix = '\u0000';
    core.events.on('samples', (batch) => {
      received += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const t = batch.timestamps[i]!;
        if (t >= windowStart && t < windowEnd && batch.tagIds[batch.tagIndex[i]!]!.startsWith(bulkPrefix)) {
          bulkInWindow++;
          ticksInWindow.add(t);
        }
      }
    });
    const tagsResult = await core.api.call('listTags', {});
    if (!tagsResult.ok) throw new Error(tagsResult.error.message);
    const bulkTag = (tagsResult.result as Tag[]).find((t) => t.source?.nodeId === bulkAsset.tags[0]?.nodeId);
    if (!bulkTag) throw new Error('the load-test tags were not discovered');
    bulkPrefix = bulkTag.assetId + '/';
    // Warm up, then measure a window: every bulk value whose source timestamp falls inside it
    // must arrive (counted after a settling pause), against what the simulator wrote meanwhile.
    await sleep(1500);
    const ticksStart = simulator.stats().bulkTicks;
    const receivedStart = received;
    const cpuStart = process.cpuUsage();
    windowStart = Date.now();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    windowEnd = Date.now();
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const got = received - receivedStart;
    await sleep(1000);
    // Every bulk tick writes all tags with one source timestamp: each tick seen in the window
    // must have arrived for every tag. Ticks the simulator itself had to skip are reported apart.
    const expectedBulk = ticksInWindow.size * tags;
    const ticksWritten = simulator.stats().bulkTicks - ticksStart;
    opts.log(
      `${got} values in ${elapsedS.toFixed(1)} s with ${tags} bulk tags at ${rateHz} Hz; ` +
        `bulk values stamped in the window: ${bulkInWindow} of ${expectedBulk} written ` +
        `(${ticksInWindow.size} ticks seen, about ${ticksWritten} written, ${simulator.stats().skipped} skipped)`,
    );
    return {
      'pipeline.samples_per_s': Math.round(got / elapsedS),
      'pipeline.delivery_ratio': expectedBulk > 0 ? Number((bulkInWindow / expectedBulk).toFixed(4)) : 0,
      // Simulator server and client share this process here, so this is an upper bound for the client.
      'pipeline.process_cpu_us_per_sample': got > 0 ? Number(((cpu.user + cpu.system) / got).toFixed(2)) : 0,
    };
  } finally {
    await core.dispose();
    await simulator.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
