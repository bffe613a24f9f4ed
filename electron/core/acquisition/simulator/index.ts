import { DataType, StatusCodes, Variant, type OPCUAServer } from 'node-opcua';
import { systemClock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';
import { buildAddressSpace, type BuiltAsset } from './addressSpace';
import { startFixedRate } from './fixedRate';
import { buildPlantModel, rowAt } from './plantModel';
import { loadPlaybackData } from './playbackData';
import { locateSimulatorResources } from './resourcesDir';
import { createServer } from './server';
import {
  SimulatorOptionsError,
  SimulatorOptionsSchema,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './types';

export * from './types';
export { locateSimulatorResources, RESOURCES_ENV } from './resourcesDir';
export { SIMULATOR_APPLICATION_URI, defaultPkiDir } from './server';

/** Overdue playback steps replayed after a stall: up to 2 s worth, at least 10. */
const CATCH_UP_SECONDS = 2;

function parseOptions(options: SimulatorOptions) {
  const { clock, ...rest } = options;
  const parsed = SimulatorOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new SimulatorOptionsError(`Invalid simulator options: ${lines.join('; ')}`);
  }
  return { ...parsed.data, clock: clock ?? systemClock };
}

/** Sets every variable of `asset` from the row it plays at `step`, all with one timestamp. */
function writeStep(asset: BuiltAsset, step: number, timestamp: Date): number {
  const track = asset.model.track!;
  const row = rowAt(track, step);
  const { variables } = asset;
  for (let j = 0; j < variables.length; j++) {
    const value = new Variant({ dataType: DataType.Double, value: track.columns[j]![row]! });
    variables[j]!.setValueFromSource(value, StatusCodes.Good, timestamp);
  }
  return variables.length;
}

/**
 * Starts the built-in OPC UA simulator: a node-opcua server on `host:port` serving the demo plant
 * (five C-MAPSS turbofan engines, the AI4I milling machine, optionally a bulk load-test asset)
 * and playing the shipped data back, one C-MAPSS cycle and one AI4I row per second times `speed`.
 * Every value changes through setValueFromSource with a Good status and the step's timestamp, so
 * both exception-based and sampled monitored items work. Resolves once clients can connect.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = parseOptions(options);
  const { clock } = opts;
  const data = loadPlaybackData(locateSimulatorResources(opts.resourcesDir));
  const model = buildPlantModel(data, opts.bulk?.tags ?? 0);

  const server: OPCUAServer = await createServer({ port: opts.port, host: opts.host, pkiDir: opts.pkiDir });
  const timers: Disposable[] = [];
  const stats: SimulatorStats = { steps: 0, valuesWritten: 0, bulkTicks: 0, skipped: 0, lastError: null };
  const onError = (err: unknown) => {
    stats.lastError = err instanceof Error ? err.message : String(err);
  };
  const onSkip = (skipped: number) => {
    stats.skipped += skipped;
  };
  let disposed: Promise<void> | null = null;
  const dispose = () =>
    (disposed ??= (async () => {
      for (const timer of timers) timer.dispose();
      await server.shutdown(0);
    })());

  try {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA server has no address space after initialize()');
    const namespace = addressSpace.getOwnNamespace();
    const built = buildAddressSpace(namespace, addressSpace.rootFolder.objects, model);
    const played = built.assets.filter((a) => a.model.track);

    // Step 0 runs before the server accepts clients: nobody ever reads an empty variable.
    const periodMs = 1000 / opts.speed;
    timers.push(
      startFixedRate({
        clock,
        periodMs,
        maxCatchUp: Math.max(10, Math.ceil((CATCH_UP_SECONDS * 1000) / periodMs)),
        onTick: (step, dueAt) => {
          const timestamp = new Date(dueAt);
          for (const asset of played) stats.valuesWritten += writeStep(asset, step, timestamp);
          stats.steps++;
        },
        onSkip,
        onError,
      }),
    );

    const bulkAsset = built.assets.find((a) => !a.model.track);
    if (opts.bulk && model.bulk && bulkAsset) {
      const signals = model.bulk;
      const variables = bulkAsset.variables;
      const startedAt = clock.now();
      timers.push(
        startFixedRate({
          clock,
          periodMs: 1000 / opts.bulk.rateHz,
          // A load generator keeps its rate; it does not replay the past after a stall.
          maxCatchUp: 1,
          onTick: (_tick, dueAt) => {
            const timestamp = new Date(dueAt);
            const t = (dueAt - startedAt) / 1000;
            for (let i = 0; i < variables.length; i++) {
              const value = new Variant({ dataType: DataType.Double, value: signals.valueAt(i, t) });
              variables[i]!.setValueFromSource(value, StatusCodes.Good, timestamp);
            }
            stats.valuesWritten += variables.length;
            stats.bulkTicks++;
          },
          onSkip,
          onError,
        }),
      );
    }

    await server.start();
    const endpointUrl = server.getEndpointUrl();
    const port = server.endpoints[0]?.port;
    if (!endpointUrl || !port) throw new Error('OPC UA server started without an endpoint');
    return {
      endpointUrl,
      port,
      namespaceUri: namespace.namespaceUri,
      assets: built.info,
      stats: () => ({ ...stats }),
      dispose,
    };
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
}
