import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import { startSimulator } from '../../electron/core/acquisition/simulator';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchFigures, BenchOptions } from './index';

/**
 * pipeline.samples_per_s: values per second from the simulator's bulk mode, over OPC UA on
 * loopback, through the core's source and event bus into the live ring buffers.
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
    let received = 0;
    let receivedBulk = 0;
    core.events.on('samples', (batch) => {
      received += batch.length;
      for (let i = 0; i < batch.length; i++) {
        if (batch.tagIds[batch.tagIndex[i]!]!.includes('load-test')) receivedBulk++;
      }
    });
    // Warm up, then measure a window.
    await sleep(1500);
    const startReceived = received;
    const startBulk = receivedBulk;
    const startWritten = simulator.stats().valuesWritten;
    const cpuStart = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const got = received - startReceived;
    const written = simulator.stats().valuesWritten - startWritten;
    opts.log(`${got} values in ${elapsedS.toFixed(1)} s from ${tags} bulk tags at ${rateHz} Hz (simulator wrote ${written})`);
    return {
      'pipeline.samples_per_s': Math.round(got / elapsedS),
      'pipeline.delivery_ratio': written > 0 ? Number(((receivedBulk - startBulk) / written).toFixed(4)) : 0,
      'pipeline.cpu_us_per_sample': got > 0 ? Number(((cpu.user + cpu.system) / got).toFixed(2)) : 0,
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
