import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_V8_FLAGS } from '../../electron/core/app/coreV8Flags';
import type { BenchFigures, BenchOptions } from './index';
import type { ClientJob, ClientResult } from './opcua/measureClient';

/*
 * opcua.values_per_s: bulk values per second from the simulator (10,000 tags, each changing
 *   `rateHz` times a second, exception-based monitored items over ten subscriptions) into
 *   SampleBatches, counted by source timestamp (values of the ticks stamped inside the window).
 * opcua.values_lost: values of ticks inside the window that never arrived (must be 0).
 * opcua.client_us_per_value: CPU time of the acquisition process (the client runs in a process of
 *   its own with the core's V8 flags; the simulator in another) per value received, from the socket
 *   to a SampleBatch.
 * opcua.baseline_us_per_value: the same for plain node-opcua (monitored-item groups, empty handler)
 *   on the same load, same flags; opcua.client_vs_baseline is the ratio.
 * opcua.client_us_per_value_default_gc: Vigil again without the core's V8 flags;
 *   opcua.core_flags_gain is default / with flags.
 * opcua.plain_server_values_per_s: what Vigil receives from a bare node-opcua server with the same
 *   tags and rate (bench/suites/opcua/plainServer.ts); opcua.values_vs_plain_server is the
 *   simulator's figure over it: the ceiling a node-opcua server sets on this machine.
 * opcua.subscribe_10k_s: seconds to create the 10,000 monitored items (discovery not included).
 * opcua.server_ticks_skipped: bulk updates the simulator dropped because it could not keep up.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT_ENTRY = path.join(ROOT, 'bench/suites/opcua/measureClient.ts');
const PLAIN_SERVER_ENTRY = path.join(ROOT, 'bench/suites/opcua/plainServer.ts');

export async function run(opts: BenchOptions): Promise<BenchFigures> {
  const tags = opts.short ? 1000 : 10_000;
  const rateHz = 10;
  const job = (client: ClientJob['client'], endpointUrl: string): ClientJob => ({
    client,
    endpointUrl,
    tags,
    rateHz,
    seconds: opts.short ? 2 : 10,
    settleMs: opts.short ? 1000 : 2000,
  });
  const figures: BenchFigures = {};

  const sim = await startServerProcess(
    [
      path.join(ROOT, 'bin', 'vigil.mjs'),
      'sim',
      '--port',
      '0',
      '--bulk',
      String(tags),
      '--bulk-rate',
      String(rateHz),
      '--no-alarms',
      '--no-vibration',
      '--no-commands',
    ],
    [...CORE_V8_FLAGS],
  );
  try {
    opts.log(`simulator with ${tags} bulk tags at ${rateHz} Hz at ${sim.endpointUrl}`);
    const vigil = await measure(job('vigil', sim.endpointUrl), CORE_V8_FLAGS, 'Vigil', opts);
    Object.assign(figures, {
      'opcua.values_per_s': vigil.valuesPerS,
      'opcua.values_lost': vigil.lost,
      'opcua.client_us_per_value': vigil.usPerValue,
      'opcua.subscribe_10k_s': Number(((vigil.subscribeMs / 1000) * (10_000 / tags)).toFixed(2)),
      'opcua.server_ticks_skipped': vigil.ticksSkipped,
    });
    if (!opts.short) {
      const baseline = await measure(
        job('baseline', sim.endpointUrl),
        CORE_V8_FLAGS,
        'plain node-opcua',
        opts,
      );
      figures['opcua.baseline_us_per_value'] = baseline.usPerValue;
      figures['opcua.client_vs_baseline'] = ratio(vigil.usPerValue, baseline.usPerValue);
      const defaultGc = await measure(job('vigil', sim.endpointUrl), [], 'Vigil, default V8 flags', opts);
      figures['opcua.client_us_per_value_default_gc'] = defaultGc.usPerValue;
      figures['opcua.core_flags_gain'] = ratio(defaultGc.usPerValue, vigil.usPerValue);
    }
  } finally {
    await sim.dispose();
  }

  if (!opts.short) {
    const plain = await startServerProcess(
      ['--import', 'tsx', PLAIN_SERVER_ENTRY, String(tags), String(rateHz)],
      [],
    );
    try {
      opts.log(`bare node-opcua server with ${tags} tags at ${rateHz} Hz at ${plain.endpointUrl}`);
      const onPlain = await measure(
        job('vigil', plain.endpointUrl),
        CORE_V8_FLAGS,
        'Vigil on the bare server',
        opts,
      );
      figures['opcua.plain_server_values_per_s'] = onPlain.valuesPerS;
      figures['opcua.values_vs_plain_server'] = ratio(figures['opcua.values_per_s']!, onPlain.valuesPerS);
    } finally {
      await plain.dispose();
    }
  }
  return figures;
}

const ratio = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(2)) : 0);

/** Runs one client measurement in a process of its own with the given V8 flags. */
async function measure(
  job: ClientJob,
  v8Flags: readonly string[],
  who: string,
  opts: BenchOptions,
): Promise<ClientResult> {
  const child = spawn(process.execPath, [...v8Flags, '--import', 'tsx', CLIENT_ENTRY, JSON.stringify(job)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
    for (const line of chunk.toString().split('\n'))
      if (line.trim() && !/NODE-OPCUA-W/.test(line)) opts.log(`${who}: ${line}`);
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = /^RESULT (.*)$/m.exec(stdout)?.[1];
  if (code !== 0 || !line)
    throw new Error(`${who} measurement failed (exit ${code}): ${stderr.slice(-2000)}`);
  const result = JSON.parse(line) as ClientResult;
  opts.log(
    `${who}: ${result.arrivingPerS}/s arriving, ${result.valuesPerS}/s stamped in the window, ` +
      `${result.lost} values missing, ${result.ticksSkipped} ticks skipped by the server, ` +
      `${result.usPerValue} us CPU per value`,
  );
  return result;
}

interface ServerProcess {
  endpointUrl: string;
  dispose(): Promise<void>;
}

/** A server in a process of its own, so the client's process measures the client alone. */
async function startServerProcess(args: string[], v8Flags: readonly string[]): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...v8Flags, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpointUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (opc\.tcp:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
  return {
    endpointUrl,
    async dispose() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
