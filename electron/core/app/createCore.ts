import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Asset, Tag } from '../../../shared/domain';
import type { Health } from '../../../shared/api';
import { AcquisitionService } from '../acquisition/acquisitionService';
import { createAcquisitionHandlers } from '../acquisition/acquisitionHandlers';
import { SIMULATOR_CONNECTION_ID } from '../acquisition/connectionSchema';
import { DetectionPipeline } from '../detection';
import { derivedScoreTags } from '../detection/derivedTagModel';
import { openHistorian, HistorianInputError, HistorianUnavailableError } from '../historian';
import { StreamHub } from '../live/streamHub';
import { createCoreApi, CoreError } from './api';
import { systemClock, type Clock } from './clock';
import type { VigilConfig } from './config';
import { DisposableStore, type Disposable } from './disposable';
import { EventBus } from './eventBus';
import { silentLogger, type Logger } from './logger';
import type { Core } from './types';
import { wireAlarms } from './wiring/alarmsWiring';
import { historianHandlers } from './wiring/historianHandlers';

export interface CoreDeps {
  clock: Clock;
  logger: Logger;
  /** better_sqlite3.node built for the running ABI (Electron); default: Node's, next to the package. */
  sqliteBinding: string;
  /**
   * The configuration file the core was started with (hostConfig.ts: --config, else
   * <dataDir>/vigil.config.json); connections added in the console and tags added by browsing are
   * saved there. Without one they cannot be saved and those commands are refused.
   */
  configFile: string;
}

export const VIGIL_VERSION = '0.1.0';
const START_WAIT_MS = 15_000;

/**
 * The composition root: builds every core service from the configuration and wires them
 * together. No DI framework: constructors take what they need.
 */
export function createCore(config: VigilConfig, deps: Partial<CoreDeps> = {}): Core {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const startedAt = clock.now();
  const disposables = new DisposableStore();
  const events = new EventBus((event, err) => logger.error({ err, event }, 'event listener failed'));
  const log = (msg: string, err: unknown) => logger.error({ err }, msg);

  // The historian is opened first so it is closed last (LIFO): closing flushes what the
  // sources delivered up to their shutdown.
  const historian = openHistorian({
    dataDir: config.dataDir,
    clock,
    synchronous: config.historian.synchronous,
    flushIntervalMs: config.historian.flushIntervalMs,
    maxPendingSamples: config.historian.maxPendingSamples,
    maxDatabaseBytes: config.historian.maxDatabaseBytes,
    retention: config.historian.retention,
    ...(deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {}),
  });
  disposables.add({
    dispose: () => {
      const { lostSamples } = historian.close();
      if (lostSamples > 0) logger.error({ lostSamples }, 'historian closed with unwritten samples');
    },
  });
  const historianProblems = new Map<string, string>();
  const hub = disposables.add(new StreamHub(clock));
  const assetsByConnection = new Map<string, Asset[]>();
  const tagsByConnection = new Map<string, Tag[]>();
  let started = false;
  let markStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const problems: string[] = [];

  // Validation and detection run on every batch before anything downstream trusts it; the
  // scores they produce travel as their own batches of derived tags.
  const pipeline = new DetectionPipeline({
    validation: { clock },
    detection: { detector: config.detection },
  });
  pipeline.validation.setRules(config.validation.defaults, config.validation.tags);
  events.on('samples', (batch) => {
    const { flags, dataQuality, detection } = pipeline.process(batch);
    events.emit('samples.validated', { batch, flags });
    for (const event of dataQuality) events.emit('data.quality', event);
    if (detection.scores.length) events.emit('scores', detection.scores);
    for (const event of detection.events) events.emit('anomaly.state', event);
  });
  // Tags of removed connections (or removed from one) deliver nothing more: they must not go
  // stale in the validation stage, which keeps every tag it has seen.
  const retiredTagIds = new Set<string>();
  disposables.add(
    clock.setInterval(() => {
      for (const event of pipeline.tick(clock.now()))
        if (!retiredTagIds.has(event.tagId)) events.emit('data.quality', event);
    }, 1000),
  );
  for (const stream of ['samples', 'scores'] as const) {
    events.on(stream, (batch) => historian.append(batch));
    events.on(stream, (batch) => hub.publish(batch));
  }
  // Every OPC UA connection, Vigil's certificate and trust store, the tag model, equipment alarms.
  const acquisition = disposables.add(
    new AcquisitionService({
      dataDir: config.dataDir,
      clock,
      batchIntervalMs: config.batchIntervalMs,
      newCorrelationId: randomUUID,
      configFile: deps.configFile ?? null,
      events: {
        onBatch: (batch) => events.emit('samples', batch),
        onState: (connectionId, state, error) => {
          logger.info({ connection: connectionId, state, error }, 'connection state');
          events.emit('connection.state', {
            correlationId: randomUUID(),
            connectionId,
            state,
            error,
            at: clock.now(),
          });
        },
        onModel: (connectionId, model) => {
          assetsByConnection.set(connectionId, model.assets);
          const tags = [...model.tags, ...derivedScoreTags(model.assets, model.tags)];
          const kept = new Set(tags.map((t) => t.id));
          for (const old of tagsByConnection.get(connectionId) ?? [])
            if (!kept.has(old.id)) retiredTagIds.add(old.id);
          for (const id of kept) retiredTagIds.delete(id);
          tagsByConnection.set(connectionId, tags);
          tagIdCache = null;
          pipeline.setTags(model.tags);
          alarms.updateTags(tags);
        },
        onRemoved: (connectionId) => {
          for (const tag of tagsByConnection.get(connectionId) ?? []) retiredTagIds.add(tag.id);
          assetsByConnection.delete(connectionId);
          tagsByConnection.delete(connectionId);
          tagIdCache = null;
          logger.info({ connection: connectionId }, 'connection removed');
        },
        onGap: (gap) =>
          events.emit('data.gap', {
            correlationId: randomUUID(),
            connectionId: gap.connectionId,
            from: gap.from,
            to: gap.to,
            backfilled: gap.backfilled,
          }),
      },
    }),
  );
  const alarms = wireAlarms({ clock, config, events, historian, acquisition, disposables, log });
  // Faults (disk full, read-only folder, damaged file) pause writing, never drop silently: they
  // show in health, raise a system alarm, and clear when the historian recovers.
  disposables.add(
    historian.onFault((fault) => {
      historianProblems.set(fault.kind, `historian: ${fault.message}`);
      logger.error({ fault }, 'historian fault');
      alarms.engine.setSystemCondition('historian_fault', fault.kind, true, { detail: fault.message });
    }),
  );
  disposables.add(
    historian.onRecovered((fault) => {
      historianProblems.delete(fault.kind);
      logger.info({ kind: fault.kind }, 'historian recovered');
      alarms.engine.setSystemCondition('historian_fault', fault.kind, false, { detail: 'recovered' });
    }),
  );

  const allAssets = (): Asset[] => [...assetsByConnection.values()].flat();
  const allTags = (): Tag[] => [...tagsByConnection.values()].flat();
  let tagIdCache: Set<string> | null = null;
  const knownTagIds = (): Set<string> => (tagIdCache ??= new Set(allTags().map((t) => t.id)));

  const api = createCoreApi(
    {
      listAssets: () => allAssets(),
      listTags: ({ assetId }) => {
        if (assetId !== undefined && !allAssets().some((a) => a.id === assetId)) {
          throw new CoreError('not_found', `No asset with id "${assetId}"`);
        }
        return assetId === undefined ? allTags() : allTags().filter((t) => t.assetId === assetId);
      },
      getRecent: ({ tagIds, sinceMs, limit }) => {
        const known = knownTagIds();
        const unknown = tagIds.filter((id) => !known.has(id));
        if (unknown.length) throw new CoreError('not_found', `Unknown tag(s): ${unknown.join(', ')}`);
        return historian.recent(tagIds, sinceMs, limit).map((s) => ({
          tagId: s.tagId,
          t: Array.from(s.t),
          v: Array.from(s.v),
          q: Array.from(s.q),
        }));
      },
      getHealth: () => health(),
      getDataQuality: ({ tagIds }) => {
        const ids =
          tagIds ??
          allTags()
            .filter((t) => t.kind !== 'anomaly')
            .map((t) => t.id);
        return ids.map((tagId) => ({
          tagId,
          stale: pipeline.validation.isStale(tagId),
          flagged: { ...(pipeline.validation.counts(tagId) ?? {}) },
        }));
      },
      ...createAcquisitionHandlers(acquisition),
      ...historianHandlers({
        historian,
        dataDir: config.dataDir,
        clock,
        // A tag of the model, or one the historian still holds (a removed connection's history
        // stays readable until retention takes it).
        knownTag: (id) => knownTagIds().has(id) || historian.last([id])[0] != null,
      }),
      ...alarms.commands,
    },
    {
      liveSamples: ({ tagIds }, send) => hub.subscribe(tagIds, send),
      ...alarms.streams,
    },
    log,
    mapHistorianErrors,
  );

  function health(): Health {
    const connections = acquisition.statuses();
    const current = [...problems, ...historianProblems.values(), ...acquisition.healthProblems()];
    for (const c of connections) {
      if (c.state !== 'connected')
        current.push(`${c.id}: ${c.state}${c.lastError ? ` (${c.lastError})` : ''}`);
    }
    return {
      status: !started ? 'starting' : current.length ? 'degraded' : 'ok',
      problems: current,
      version: VIGIL_VERSION,
      startedAt,
      uptimeS: Math.round((clock.now() - startedAt) / 1000),
      connections,
    };
  }

  return {
    api,
    events,
    config,
    async start() {
      mkdirSync(config.dataDir, { recursive: true });
      const connections = [...config.connections];
      if (config.simulator.enabled) {
        const { startSimulator } = await import('../acquisition/simulator');
        const simulator = await startSimulator({
          port: config.simulator.port,
          speed: config.simulator.speed,
          pkiDir: path.join(config.dataDir, 'pki', 'simulator'),
        });
        disposables.add(simulator);
        logger.info({ endpointUrl: simulator.endpointUrl }, 'built-in simulator started');
        connections.unshift({
          id: SIMULATOR_CONNECTION_ID,
          name: 'Built-in simulator',
          endpointUrl: simulator.endpointUrl,
          rootPath: [],
          samplingIntervalMs: 0,
          publishingIntervalMs: 100,
          alarms: { enabled: config.simulator.equipmentAlarms },
        });
      }
      // Sources are disposed before the simulator (last in, first out).
      await acquisition.openPki();
      const toStart = connections.map((c) => acquisition.addSource(c));
      // Connections keep retrying in the background; start() waits a bounded time so a core
      // with an unreachable server still comes up and reports it through getHealth.
      const allStarted = Promise.all(toStart.map((s) => s.start()));
      let timeout: Disposable | undefined;
      await Promise.race([
        allStarted,
        stopped,
        new Promise<void>((resolve) => (timeout = clock.setTimeout(resolve, START_WAIT_MS))),
      ]);
      timeout?.dispose();
      started = true;
    },
    async dispose() {
      markStopped();
      // Connections first, while their servers (the built-in simulator) are still up.
      await acquisition.dispose();
      await disposables.dispose();
    },
  };
}

/** The historian's own errors keep their meaning at the API: bad query or temporarily unavailable. */
function mapHistorianErrors(err: unknown): CoreError | null {
  if (err instanceof HistorianInputError) return new CoreError('invalid_input', err.message);
  if (err instanceof HistorianUnavailableError) return new CoreError('unavailable', err.message);
  return null;
}
