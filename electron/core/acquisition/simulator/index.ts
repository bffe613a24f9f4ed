import { MessageSecurityMode } from 'node-opcua';
import { systemClock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';
import { buildAddressSpace, type BuiltAsset } from './addressSpace';
import { installAlarms, plantAlarmTargets } from './alarms';
import { loadBearingData } from './bearingData';
import { startBulk, startPlayback, startVibration, type DriverContext } from './drivers';
import { createFaultControls } from './faultControls';
import { FaultGate } from './faults';
import { Historizer } from './history';
import { buildPlantModel } from './plantModel';
import { loadPlaybackData } from './playbackData';
import { locateSimulatorResources } from './resourcesDir';
import { certificateDer, createServer, SECURE_POLICIES } from './server';
import { liveTag, TagWriter, type LiveTag } from './tagWriter';
import {
  SimulatorOptionsError,
  SimulatorOptionsSchema,
  type Simulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './types';
import { VibrationPlayer } from './vibration';

export * from './types';
export { locateSimulatorResources, RESOURCES_ENV } from './resourcesDir';
export { SIMULATOR_APPLICATION_URI, SECURE_POLICIES, defaultPkiDir } from './server';
export { BEARING_ASSET, BEARING_TAGS, LOAD_TEST_AREA, UTILITIES_AREA } from './plantModel';

function optionsError(path: string, message: string): SimulatorOptionsError {
  return new SimulatorOptionsError(`Invalid simulator options: ${path}: ${message}`);
}

function parseOptions(options: SimulatorOptions) {
  const { clock, ...rest } = options;
  const parsed = SimulatorOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new SimulatorOptionsError(`Invalid simulator options: ${lines.join('; ')}`);
  }
  return { ...parsed.data, clock: clock ?? systemClock };
}

/** "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256" -> "Basic256Sha256". */
const policyName = (uri: string) => uri.slice(uri.lastIndexOf('#') + 1);

function emptyStats(): SimulatorStats {
  return {
    steps: 0,
    valuesWritten: 0,
    bulkTicks: 0,
    skipped: 0,
    lastError: null,
    vibrationBlocks: 0,
    valuesHeldBack: 0,
    bulkTickMs: 0,
    bulkBusyMs: 0,
    bulkMaxSliceMs: 0,
  };
}

/**
 * Starts the built-in OPC UA simulator: a node-opcua server on `host:port` serving the demo plant
 * (five C-MAPSS turbofan engines, the AI4I milling machine, the CWRU bearing, optionally a bulk
 * load-test asset) and playing the shipped data back, one C-MAPSS cycle and one AI4I row per second
 * times `speed`, one 1,200-sample waveform per 100 ms times `vibration.speed`. Every value goes
 * through setValueFromSource with the producing step's timestamp, so both exception-based and
 * sampled monitored items work; scalar values are historized for HistoryRead; T50 and vibration
 * RMS drive limit alarms. See types.ts for every option and for the fault-injection methods.
 * Resolves once clients can connect.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const opts = parseOptions(options);
  const { clock } = opts;
  const userCertificates = opts.security.trustedUserCertificates.map((certificate, i) => {
    const der = certificateDer(certificate);
    if (!der) throw optionsError(`security.trustedUserCertificates.${i}`, 'not a DER or PEM certificate');
    return der;
  });
  const simulatorDir = locateSimulatorResources(opts.resourcesDir);
  const data = loadPlaybackData(simulatorDir);
  const bearing = opts.vibration ? loadBearingData(simulatorDir) : undefined;
  let player: VibrationPlayer | undefined;
  if (bearing && opts.vibration) {
    try {
      player = new VibrationPlayer(bearing, opts.vibration.recording);
    } catch (err) {
      throw optionsError('vibration.recording', (err as Error).message);
    }
  }
  const model = buildPlantModel(data, opts.bulk?.tags ?? 0, bearing);

  const { server, pki, certificateManager } = await createServer({
    port: opts.port,
    host: opts.host,
    pkiDir: opts.pkiDir,
    allowNone: opts.security.allowNone,
    autoAcceptClientCertificates: opts.security.autoAcceptClientCertificates,
    allowAnonymous: opts.allowAnonymous,
    users: opts.users,
    trustedUserCertificates: userCertificates,
  });
  const stats = emptyStats();
  const onError = (err: unknown) => {
    stats.lastError = err instanceof Error ? err.message : String(err);
  };
  const gate = new FaultGate(clock);
  const writer = new TagWriter(gate, clock, stats, onError);
  const ctx: DriverContext = { clock, writer, stats, onError };
  const timers: Disposable[] = [];
  const faultTimers = new Set<Disposable>();
  /** Woken after each waveform block; setBearingRecording waits on it. */
  let blockWaiters: (() => void)[] = [];
  const wakeBlockWaiters = () => {
    const waiting = blockWaiters;
    blockWaiters = [];
    for (const wake of waiting) wake();
  };
  let disposed: Promise<void> | null = null;
  const dispose = () =>
    (disposed ??= (async () => {
      for (const timer of [...timers, ...faultTimers]) timer.dispose();
      faultTimers.clear();
      wakeBlockWaiters();
      await server.shutdown(0);
    })());

  try {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('OPC UA server has no address space after initialize()');
    const namespace = addressSpace.getOwnNamespace();
    const built = buildAddressSpace(namespace, addressSpace.rootFolder.objects, model);
    const tagsByNodeId = new Map<string, LiveTag>();
    const tagsOf = new Map<BuiltAsset, LiveTag[]>();
    for (const asset of built.assets) {
      const tags = asset.variables.map((variable, j) => liveTag(asset.nodeIds[j]!, variable));
      for (const tag of tags) tagsByNodeId.set(tag.nodeId, tag);
      tagsOf.set(asset, tags);
    }
    const assetsOf = (kind: BuiltAsset['model']['kind']) =>
      built.assets.filter((a) => a.model.kind === kind).map((asset) => ({ asset, tags: tagsOf.get(asset)! }));

    // History before the first value is written, so it holds step 0. Waveforms are not historized.
    const historizer = new Historizer();
    built.assets.forEach((asset, a) => {
      const bulk = asset.model.kind === 'bulk';
      if (bulk && !opts.bulk?.historize) return;
      const capacity = bulk ? opts.bulk!.historyValuesPerTag : opts.history.maxValuesPerTag;
      tagsOf.get(asset)!.forEach((tag, j) => {
        if (asset.model.tags[j]!.waveform) return;
        tag.historian = historizer.historize(tag.variable, capacity);
        built.info[a]!.tags[j]!.historized = true;
      });
    });

    const alarms = opts.alarms
      ? installAlarms(addressSpace, namespace, plantAlarmTargets(built.assets, data.engines, player), onError)
      : null;

    timers.push(startPlayback(ctx, opts.speed, assetsOf('playback')));
    const [bearingAsset] = assetsOf('vibration');
    if (bearingAsset && player && opts.vibration) {
      timers.push(
        startVibration(
          ctx,
          opts.vibration.speed,
          player,
          bearingAsset.asset,
          bearingAsset.tags,
          wakeBlockWaiters,
        ),
      );
    }
    const [bulkAsset] = assetsOf('bulk');
    if (opts.bulk && model.bulk && bulkAsset)
      timers.push(startBulk(ctx, opts.bulk.rateHz, model.bulk, bulkAsset.tags));

    await server.start();
    const endpointUrl = server.getEndpointUrl();
    const port = server.endpoints[0]?.port;
    if (!endpointUrl || !port) throw new Error('OPC UA server started without an endpoint');

    const faults = createFaultControls({
      server,
      gate,
      writer,
      clock,
      tags: tagsByNodeId,
      isDisposed: () => disposed !== null,
      onError,
      after(ms, fn) {
        const timer = clock.setTimeout(() => {
          faultTimers.delete(timer);
          fn();
        }, ms);
        faultTimers.add(timer);
      },
    });
    return {
      endpointUrl,
      port,
      namespaceUri: namespace.namespaceUri,
      assets: built.info,
      stats: () => ({ ...stats }),
      dispose,
      security: {
        modes: [
          ...(opts.security.allowNone ? ['None'] : []),
          MessageSecurityMode[MessageSecurityMode.Sign],
          MessageSecurityMode[MessageSecurityMode.SignAndEncrypt],
        ],
        policies: [...(opts.security.allowNone ? ['None'] : []), ...SECURE_POLICIES.map(policyName)],
        allowAnonymous: opts.allowAnonymous,
        userNames: opts.users.map((u) => u.userName),
        autoAcceptClientCertificates: opts.security.autoAcceptClientCertificates,
      },
      pki,
      certificate: () => Buffer.from(server.getCertificate()),
      async trustClientCertificate(certificate) {
        const der = certificateDer(certificate);
        if (!der) throw new RangeError('trustClientCertificate: not a DER or PEM certificate');
        await certificateManager.trustCertificate(der);
      },
      alarms: () => alarms?.info() ?? [],
      bearingRecordings: player?.recordings.map((r) => r.id) ?? [],
      bearingRecording: () => player?.recording.id ?? null,
      async setBearingRecording(id) {
        if (disposed) throw new Error('setBearingRecording: the simulator has been disposed');
        if (!player) throw new Error('setBearingRecording: the simulator runs without the vibration asset');
        player.select(id);
        await new Promise<void>((resolve) => blockWaiters.push(resolve));
      },
      ...faults,
    };
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
}
