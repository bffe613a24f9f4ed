import { DataType, MessageSecurityMode, Variant, VariantArrayType } from 'node-opcua';
import { systemClock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';
import { buildAddressSpace, type BuiltAddressSpace, type BuiltAsset } from './addressSpace';
import { t50Limits, vibrationRmsLimits } from './alarmLimits';
import { installAlarms, type AlarmTarget } from './alarms';
import { loadBearingData } from './bearingData';
import { dropConnections, restartServer } from './connectionFaults';
import { badStatus, FaultGate } from './faults';
import { startFixedRate } from './fixedRate';
import { Historizer } from './history';
import { BEARING_TAGS, buildPlantModel, rowAt } from './plantModel';
import { loadPlaybackData, type PlaybackData } from './playbackData';
import { locateSimulatorResources } from './resourcesDir';
import { createServer, SECURE_POLICIES } from './server';
import { runSliced } from './slicedRun';
import { liveTag, TagWriter, type LiveTag } from './tagWriter';
import {
  SimulatorOptionsError,
  SimulatorOptionsSchema,
  type Simulator,
  type SimulatorAlarmInfo,
  type SimulatorOptions,
  type SimulatorStats,
} from './types';
import { UNITS } from './units';
import { BLOCK_DURATION_MS, VibrationPlayer } from './vibration';

export * from './types';
export { locateSimulatorResources, RESOURCES_ENV } from './resourcesDir';
export { SIMULATOR_APPLICATION_URI, SECURE_POLICIES, defaultPkiDir } from './server';
export { BEARING_ASSET, BEARING_TAGS, LOAD_TEST_AREA, UTILITIES_AREA } from './plantModel';

/** Overdue playback steps replayed after a stall: up to 2 s worth, at least 10. */
const CATCH_UP_SECONDS = 2;
/** Longest fault a caller may ask for; longer is a typo, and a test that waits for it never ends. */
const MAX_FAULT_MS = 24 * 3_600_000;

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

/** DER bytes of a certificate given as DER bytes or PEM (text or bytes); null when PEM text holds none. */
function certificateDer(certificate: Uint8Array | string): Buffer | null {
  const text =
    typeof certificate === 'string'
      ? certificate
      : Buffer.from(certificate.subarray(0, 11)).toString('latin1') === '-----BEGIN '
        ? Buffer.from(certificate).toString('latin1')
        : null;
  if (text === null) return Buffer.from(certificate as Uint8Array);
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  return pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : null;
}

function checkDuration(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_FAULT_MS) {
    throw new RangeError(`${name} must be a number of milliseconds > 0 and <= ${MAX_FAULT_MS}, got ${ms}`);
  }
}

/** "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256" -> "Basic256Sha256". */
const policyName = (uri: string) => uri.slice(uri.lastIndexOf('#') + 1);

/** Alarm targets: T50 of every engine and the bearing's vibration RMS. */
function alarmTargets(
  built: BuiltAddressSpace,
  tagsOf: Map<BuiltAsset, LiveTag[]>,
  data: PlaybackData,
  player: VibrationPlayer | undefined,
): AlarmTarget[] {
  const targets: AlarmTarget[] = [];
  const t50 = t50Limits(data.engines);
  for (const asset of built.assets) {
    const tags = tagsOf.get(asset)!;
    const t50Index = asset.model.tags.findIndex((t) => t.browseName === 'T50');
    if (asset.model.kind === 'playback' && t50Index >= 0) {
      targets.push({
        name: `${asset.model.name} T50 high`,
        conditionName: 'T50High',
        nodeKey: `${asset.path}.T50High`,
        source: asset.object,
        input: asset.variables[t50Index]!,
        inputNodeId: tags[t50Index]!.nodeId,
        inputLabel: 'T50 (LPT outlet temperature)',
        unit: UNITS[asset.model.tags[t50Index]!.unit].symbol,
        limits: t50,
      });
    }
    const rmsIndex = asset.model.tags.findIndex((t) => t.browseName === BEARING_TAGS.rms);
    const normal = player?.recordings.find((r) => r.label === 'N');
    if (asset.model.kind === 'vibration' && rmsIndex >= 0 && player && normal) {
      targets.push({
        name: `${asset.model.name} vibration high`,
        conditionName: 'VibrationHigh',
        nodeKey: `${asset.path}.VibrationHigh`,
        source: asset.object,
        input: asset.variables[rmsIndex]!,
        inputNodeId: tags[rmsIndex]!.nodeId,
        inputLabel: 'vibration RMS',
        unit: 'g',
        limits: vibrationRmsLimits(normal.samples, player.blockSize),
      });
    }
  }
  return targets;
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
  const timers: Disposable[] = [];
  const faultTimers = new Set<Disposable>();
  const stats: SimulatorStats = {
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
  const onError = (err: unknown) => {
    stats.lastError = err instanceof Error ? err.message : String(err);
  };
  const onSkip = (skipped: number) => {
    stats.skipped += skipped;
  };
  const gate = new FaultGate(clock);
  const writer = new TagWriter(gate, clock, stats, onError);
  /** Called after each waveform block; setBearingRecording waits on it. */
  let blockWaiters: (() => void)[] = [];
  let disposed: Promise<void> | null = null;
  const dispose = () =>
    (disposed ??= (async () => {
      for (const timer of timers) timer.dispose();
      for (const timer of faultTimers) timer.dispose();
      faultTimers.clear();
      for (const wake of blockWaiters) wake();
      blockWaiters = [];
      await server.shutdown(0);
    })());
  /** A fault timer that dispose() cancels. */
  const after = (ms: number, fn: () => void) => {
    const timer = clock.setTimeout(() => {
      faultTimers.delete(timer);
      fn();
    }, ms);
    faultTimers.add(timer);
  };

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

    // History before the first value is written, so it holds step 0.
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
      ? installAlarms(addressSpace, namespace, alarmTargets(built, tagsOf, data, player), onError)
      : null;

    // Step 0 runs before the server accepts clients: nobody ever reads an empty variable.
    const played = built.assets.filter((a) => a.model.kind === 'playback');
    const periodMs = 1000 / opts.speed;
    timers.push(
      startFixedRate({
        clock,
        periodMs,
        maxCatchUp: Math.max(10, Math.ceil((CATCH_UP_SECONDS * 1000) / periodMs)),
        onTick: (step, dueAt) => {
          const stalled = writer.stalled;
          for (const asset of played) {
            const track = asset.model.track!;
            const row = rowAt(track, step);
            const tags = tagsOf.get(asset)!;
            for (let j = 0; j < tags.length; j++) {
              const value = new Variant({ dataType: DataType.Double, value: track.columns[j]![row]! });
              writer.write(tags[j]!, value, dueAt, stalled);
            }
          }
          stats.steps++;
        },
        onSkip,
        onError,
      }),
    );

    const bearingAsset = built.assets.find((a) => a.model.kind === 'vibration');
    if (bearingAsset && player && opts.vibration) {
      const vibration = player;
      const tags = tagsOf.get(bearingAsset)!;
      const tag = (name: string) => tags[bearingAsset.model.tags.findIndex((t) => t.browseName === name)]!;
      const [waveform, rms, peak, kurtosis, speed] = [
        tag(BEARING_TAGS.waveform),
        tag(BEARING_TAGS.rms),
        tag(BEARING_TAGS.peak),
        tag(BEARING_TAGS.kurtosis),
        tag(BEARING_TAGS.speed),
      ];
      const double = (value: number) => new Variant({ dataType: DataType.Double, value });
      const blockMs = BLOCK_DURATION_MS / opts.vibration.speed;
      timers.push(
        startFixedRate({
          clock,
          periodMs: blockMs,
          maxCatchUp: Math.ceil((CATCH_UP_SECONDS * 1000) / blockMs),
          onTick: (_index, dueAt) => {
            const block = vibration.next();
            const stalled = writer.stalled;
            const samples = new Variant({
              dataType: DataType.Float,
              arrayType: VariantArrayType.Array,
              value: block.samples,
            });
            writer.write(waveform, samples, dueAt, stalled);
            writer.write(rms, double(block.rms), dueAt, stalled);
            writer.write(peak, double(block.peak), dueAt, stalled);
            writer.write(kurtosis, double(block.kurtosis), dueAt, stalled);
            writer.write(speed, double(block.rpm), dueAt, stalled);
            stats.vibrationBlocks++;
            const waiting = blockWaiters;
            blockWaiters = [];
            for (const wake of waiting) wake();
          },
          onSkip,
          onError,
        }),
      );
    }

    const bulkAsset = built.assets.find((a) => a.model.kind === 'bulk');
    if (opts.bulk && model.bulk && bulkAsset) {
      const signals = model.bulk;
      const tags = tagsOf.get(bulkAsset)!;
      const startedAt = clock.now();
      let running = false;
      timers.push(
        startFixedRate({
          clock,
          periodMs: 1000 / opts.bulk.rateHz,
          // A load generator keeps its rate; it does not replay the past after a stall.
          maxCatchUp: 1,
          onTick: (_tick, dueAt) => {
            if (running) {
              stats.skipped++;
              return;
            }
            running = true;
            const t = (dueAt - startedAt) / 1000;
            const stalled = writer.stalled;
            runSliced({
              count: tags.length,
              work: (from, to) => {
                for (let i = from; i < to; i++) {
                  const value = new Variant({ dataType: DataType.Double, value: signals.valueAt(i, t) });
                  writer.write(tags[i]!, value, dueAt, stalled);
                }
              },
              cancelled: () => disposed !== null,
            })
              .then((run) => {
                if (disposed) return;
                stats.bulkTicks++;
                stats.bulkTickMs = run.wallMs;
                stats.bulkBusyMs = run.busyMs;
                stats.bulkMaxSliceMs = Math.max(stats.bulkMaxSliceMs, run.maxSliceMs);
              })
              .catch(onError)
              .finally(() => {
                running = false;
              });
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

    /** Publishes the last values of `tags` again (with their current status), in slices. */
    const republish = async (tags: LiveTag[]) => {
      await runSliced({ count: tags.length, work: (from, to) => writer.republish(tags.slice(from, to)) });
    };
    const resolveTags = (nodeIds: readonly string[] | 'all'): LiveTag[] => {
      if (nodeIds === 'all') return [...tagsByNodeId.values()];
      const unknown = nodeIds.filter((id) => !tagsByNodeId.has(id));
      if (unknown.length) throw new RangeError(`Unknown tag node id(s): ${unknown.slice(0, 5).join(', ')}`);
      return nodeIds.map((id) => tagsByNodeId.get(id)!);
    };
    const assertRunning = (what: string) => {
      if (disposed) throw new Error(`${what}: the simulator has been disposed`);
    };
    let restarting: Promise<void> | null = null;
    const counters = { connectionDrops: 0, restarts: 0 };

    const simulator: Simulator = {
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
      alarms: (): SimulatorAlarmInfo[] => alarms?.info() ?? [],
      bearingRecordings: player?.recordings.map((r) => r.id) ?? [],
      bearingRecording: () => player?.recording.id ?? null,
      async setBearingRecording(id) {
        assertRunning('setBearingRecording');
        if (!player) throw new Error('setBearingRecording: the simulator runs without the vibration asset');
        player.select(id);
        await new Promise<void>((resolve) => blockWaiters.push(resolve));
      },
      async dropConnections() {
        assertRunning('dropConnections');
        counters.connectionDrops++;
        return { channels: await dropConnections(server) };
      },
      async stallPublishing(ms, stallOptions) {
        assertRunning('stallPublishing');
        checkDuration('stallPublishing(ms)', ms);
        gate.stall(ms, stallOptions?.historize ?? true);
        await new Promise<void>((resolve) => {
          const check = () => {
            const end = gate.stallEndsAt;
            if (end === null || disposed) resolve();
            else after(Math.max(1, end - clock.now()), check);
          };
          check();
          if (disposed) resolve();
        });
      },
      async setBadQuality(nodeIds, status, ms) {
        assertRunning('setBadQuality');
        const tags = resolveTags(nodeIds);
        const code = badStatus(status);
        if (ms !== undefined) checkDuration('setBadQuality(ms)', ms);
        const token = gate.setQuality(nodeIds === 'all' ? 'all' : tags.map((t) => t.nodeId), code);
        if (ms !== undefined) {
          after(ms, () => {
            gate.clearQuality(nodeIds === 'all' ? 'all' : tags.map((t) => t.nodeId), token);
            if (!disposed) republish(tags).catch(onError);
          });
        }
        await republish(tags);
      },
      async clearBadQuality(nodeIds = 'all') {
        assertRunning('clearBadQuality');
        const tags = resolveTags(nodeIds);
        gate.clearQuality(nodeIds === 'all' ? 'all' : tags.map((t) => t.nodeId));
        await republish(tags);
      },
      async restart(restartOptions) {
        assertRunning('restart');
        const downtimeMs = restartOptions?.downtimeMs ?? 1000;
        if (!Number.isFinite(downtimeMs) || downtimeMs < 0 || downtimeMs > MAX_FAULT_MS) {
          throw new RangeError(`restart downtimeMs must be 0..${MAX_FAULT_MS}, got ${downtimeMs}`);
        }
        if (restarting) throw new Error('restart: a restart is already in progress');
        counters.restarts++;
        restarting = restartServer(server, downtimeMs);
        try {
          await restarting;
        } finally {
          restarting = null;
        }
      },
      async clearFaults() {
        assertRunning('clearFaults');
        gate.endStall();
        await simulator.clearBadQuality('all');
      },
      faults: () => ({
        stalledUntil: gate.stallEndsAt,
        badQuality: gate.badQualityTags,
        connectionDrops: counters.connectionDrops,
        restarts: counters.restarts,
        down: restarting !== null,
      }),
    };
    return simulator;
  } catch (err) {
    await dispose().catch(() => {});
    throw err;
  }
}
