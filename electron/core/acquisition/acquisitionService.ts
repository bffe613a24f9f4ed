import path from 'node:path';
import type { Asset, ConnectionState, ConnectionStatus, Tag } from '../../../shared/domain';
import type { SampleBatch } from '../../../shared/samples';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { ConnectionConfig } from '../app/config';
import type { Disposable } from '../app/disposable';
import type {
  AlarmsAndConditions,
  ConditionActionRequest,
  ExternalConditionEvent,
} from './alarmsAndConditions';
import type { AcquisitionOutput, ConnectionSettings } from '../../../shared/acquisitionApi';
import { SIMULATOR_CONNECTION_ID, type AssetConfig, type TagConfig } from './connectionSchema';
import { applySettings, connectionIdFromName, newConnection, savedSettingsOf } from './connectionSettings';
import { discoverEndpoints, type EndpointInfo } from './endpoints';
import { ConnectionFailure } from './errors';
import { slug } from './ids';
import { OpcUaSource } from './opcuaSource';
import { CertificateNotFoundError, ClientPki, type StoredCertificate } from './pki';
import type { CertificateInfo } from './certificateInfo';
import { resolveSettings } from './settings';
import type { DataGap } from './sourceTypes';
import { TagModelStore } from './tagModelStore';

export interface AcquisitionEvents {
  onBatch(batch: SampleBatch): void;
  onState(connectionId: string, state: ConnectionState, error: string | null): void;
  onModel(connectionId: string, model: { assets: Asset[]; tags: Tag[] }): void;
  /** For the 'data.gap' domain event. */
  onGap?(gap: DataGap): void;
  /** A connection was removed (removeConnection): its assets and tags are gone from the model. */
  onRemoved?(connectionId: string): void;
}

export interface AcquisitionServiceOptions {
  /** Vigil's data directory; the client PKI lives in <dataDir>/pki/client. */
  dataDir: string;
  clock: Clock;
  batchIntervalMs: number;
  newCorrelationId: () => string;
  /**
   * The JSON configuration file connections and tag models are saved to (created by the first
   * change); without one, addConnection, updateConnection, removeConnection and addTags are refused.
   */
  configFile?: string | null;
  events: AcquisitionEvents;
}

/** How long updateConnection waits for the reconnection's first attempt before answering. */
const UPDATE_WAIT_MS = 5000;

export interface NewTagRequest {
  nodeId: string;
  id?: string;
  name?: string;
  description?: string;
  unit?: string;
  range?: { low: number; high: number } | null;
  samplingIntervalMs?: number;
  queueSize?: number;
  deadband?: { type: 'absolute' | 'percent'; value: number } | null;
  sampleRateHz?: number;
}

/**
 * Every OPC UA connection of the core and what they share: Vigil's client PKI (one application
 * certificate, one trust store with its review queue), the tag model file, and the Alarms &
 * Conditions port the alarm engine uses. The composition root creates one, adds a source per
 * configured connection, and routes the acquisition commands here (acquisitionHandlers.ts).
 */
export class AcquisitionService implements AlarmsAndConditions, Disposable {
  private readonly sources = new Map<string, OpcUaSource>();
  /** The configuration each source runs with (for its name, and to tell what an update changes). */
  private readonly configs = new Map<string, ConnectionConfig>();
  /** addConnection / updateConnection / removeConnection, one at a time (ids are chosen against the current set). */
  private connectionQueue: Promise<unknown> = Promise.resolve();
  private readonly conditionListeners = new Set<(event: ExternalConditionEvent) => void>();
  private readonly store: TagModelStore | null;
  private pki: Promise<ClientPki> | null = null;
  private openedPki: ClientPki | null = null;
  private disposed = false;

  constructor(private readonly options: AcquisitionServiceOptions) {
    this.store = options.configFile ? new TagModelStore(options.configFile) : null;
  }

  get pkiDir(): string {
    return path.join(this.options.dataDir, 'pki');
  }

  /** Opens the PKI, creating Vigil's application certificate the first time (seconds), once per data dir. */
  openPki(): Promise<ClientPki> {
    this.pki ??= ClientPki.open(path.join(this.pkiDir, 'client'), () => this.options.clock.now()).then(
      (pki) => {
        this.openedPki = pki;
        return pki;
      },
    );
    return this.pki;
  }

  /** Creates the source of one connection (not started: call start() on it). */
  addSource(config: ConnectionConfig): OpcUaSource {
    if (this.sources.has(config.id)) throw new Error(`Connection "${config.id}" exists already`);
    const { events } = this.options;
    const source = new OpcUaSource({
      config,
      clock: this.options.clock,
      pkiDir: this.pkiDir,
      batchIntervalMs: this.options.batchIntervalMs,
      newCorrelationId: this.options.newCorrelationId,
      events: {
        onBatch: (batch) => events.onBatch(batch),
        onState: (state, error) => events.onState(config.id, state, error),
        onModel: (model) => events.onModel(config.id, model),
        onGap: (gap) => events.onGap?.(gap),
        onCondition: (event) => {
          for (const listener of this.conditionListeners) listener(event);
        },
      },
    });
    this.sources.set(config.id, source);
    this.configs.set(config.id, config);
    return source;
  }

  source(connectionId: string): OpcUaSource {
    const source = this.sources.get(connectionId);
    if (!source) throw new CoreError('not_found', `No connection "${connectionId}"`);
    return source;
  }

  list(): OpcUaSource[] {
    return [...this.sources.values()];
  }

  statuses(): ConnectionStatus[] {
    return this.list().map((s) => s.getStatus());
  }

  /** getConnectionDetails: what each source reports, with its name and whether the file holds it. */
  connectionDetails(connectionId?: string): AcquisitionOutput<'getConnectionDetails'> {
    const sources = connectionId ? [this.source(connectionId)] : this.list();
    const configured = this.configuredIds();
    return sources.map((s) => {
      const details = s.getDetails();
      const config = this.configs.get(s.id);
      return {
        ...details,
        limits: details.limits ? { ...details.limits } : null,
        name: this.configs.get(s.id)?.name?.trim() || s.id,
        configured: configured.has(s.id),
        settings: configured.has(s.id) && config ? savedSettingsOf(config) : null,
      };
    });
  }

  /** Ids of the connections in the configuration file (none without a file, or when it cannot be read). */
  private configuredIds(): ReadonlySet<string> {
    try {
      return this.store?.connectionIds() ?? new Set();
    } catch {
      return new Set();
    }
  }

  /**
   * Lines for Health.problems besides disconnected connections: certificates waiting for review or
   * expiring, tags the server refused, alarms unavailable. Synchronous, for getHealth; certificate
   * lines appear once the PKI is open (call openPki() at start).
   */
  healthProblems(): string[] {
    const out: string[] = [];
    const pki = this.openedPki;
    if (pki) {
      const pending = pki.list().filter((c) => c.state === 'pending');
      if (pending.length) {
        out.push(
          `${pending.length} server certificate${pending.length === 1 ? '' : 's'} waiting for review: ${pending.map((c) => `"${c.subject}"`).join(', ')}`,
        );
      }
      out.push(...pki.expiryWarnings());
    }
    for (const source of this.list()) {
      const details = source.getDetails();
      for (const warning of details.warnings)
        if (!warning.startsWith("Vigil's own")) out.push(`${source.id}: ${warning}`);
    }
    return [...new Set(out)];
  }

  // ------------------------------------------------------------------ certificates and endpoints

  async listCertificates(): Promise<{
    own: CertificateInfo;
    servers: StoredCertificate[];
    warnings: string[];
  }> {
    const pki = await this.openPki();
    return { own: pki.ownCertificate(), servers: pki.list(), warnings: pki.expiryWarnings() };
  }

  async trustCertificate(thumbprint: string): Promise<StoredCertificate> {
    const pki = await this.openPki();
    return await this.decide(() => pki.trust(thumbprint));
  }

  async rejectCertificate(thumbprint: string): Promise<StoredCertificate> {
    const pki = await this.openPki();
    return await this.decide(() => pki.reject(thumbprint));
  }

  private async decide(action: () => Promise<StoredCertificate>): Promise<StoredCertificate> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof CertificateNotFoundError) throw new CoreError('not_found', err.message);
      throw err;
    }
  }

  async discoverEndpoints(endpointUrl: string): Promise<EndpointInfo[]> {
    const pki = await this.openPki();
    try {
      return await discoverEndpoints(endpointUrl, pki);
    } catch (err) {
      throw new CoreError('unavailable', err instanceof ConnectionFailure ? err.message : String(err));
    }
  }

  // ------------------------------------------------------------------ connections

  /**
   * Saves a new connection in the configuration file and starts connecting to it without waiting:
   * the status comes back at once ('connecting'); the outcome (connected, or failed with the reason:
   * unreachable, wrong password, certificate waiting for review) follows as state changes.
   */
  addConnection(settings: ConnectionSettings): Promise<ConnectionStatus> {
    return this.serially(async () => {
      const store = this.requireStore();
      const taken = new Set([...this.sources.keys(), ...store.connectionIds()]);
      if (settings.id === SIMULATOR_CONNECTION_ID) {
        throw new CoreError(
          'invalid_input',
          `The connection id "${SIMULATOR_CONNECTION_ID}" is reserved for the built-in simulator`,
        );
      }
      if (settings.id !== undefined && taken.has(settings.id)) {
        throw new CoreError(
          'invalid_input',
          `A connection with id "${settings.id}" exists already; choose another id`,
        );
      }
      const id = settings.id ?? connectionIdFromName(settings.name, taken);
      const config = await store.addConnection(newConnection({ ...settings, id }));
      const source = this.addSource(config);
      void source.start();
      return source.getStatus();
    });
  }

  /**
   * Replaces a configured connection's settings in the file (its tags, assets and the fields the
   * settings do not cover stay) and reconnects with them; a change of name only does not reconnect.
   * Waits for the first attempt at most UPDATE_WAIT_MS, so the status returned is the outcome when it
   * comes quickly (wrong password, certificate to review) and 'reconnecting' otherwise.
   */
  updateConnection(settings: ConnectionSettings & { id: string }): Promise<ConnectionStatus> {
    return this.serially(async () => {
      const id = settings.id;
      const store = this.requireConfigured(id, 'edited');
      const config = await store.updateConnection(id, (connection) => applySettings(connection, settings));
      const previous = this.configs.get(id);
      let source = this.sources.get(id);
      if (!source) {
        // In the file but not running (added to the file while Vigil ran): start it now.
        source = this.addSource(config);
        void source.start();
        return source.getStatus();
      }
      this.configs.set(id, config);
      const sameConnection =
        previous && JSON.stringify(resolveSettings(previous)) === JSON.stringify(resolveSettings(config));
      if (!sameConnection) await this.bounded(source.updateConfig(config), UPDATE_WAIT_MS);
      return source.getStatus();
    });
  }

  /**
   * Disconnects a configured connection and removes it, with its tags and assets, from the file and
   * from the running model (onRemoved). What the historian recorded from it stays.
   */
  removeConnection(connectionId: string): Promise<void> {
    return this.serially(async () => {
      const store = this.requireConfigured(connectionId, 'removed');
      await store.removeConnection(connectionId);
      const source = this.sources.get(connectionId);
      this.sources.delete(connectionId);
      this.configs.delete(connectionId);
      await source?.dispose();
      this.options.events.onRemoved?.(connectionId);
    });
  }

  /** The store, once `connectionId` is known to be a connection of the configuration file. */
  private requireConfigured(connectionId: string, what: 'edited' | 'removed'): TagModelStore {
    if (this.store?.connectionIds().has(connectionId)) return this.store;
    if (connectionId === SIMULATOR_CONNECTION_ID) {
      throw new CoreError(
        'invalid_input',
        `The built-in simulator's connection cannot be ${what}; turn the simulator off with simulator.enabled: false (or vigil serve --no-simulator)`,
      );
    }
    if (!this.sources.has(connectionId)) throw new CoreError('not_found', `No connection "${connectionId}"`);
    const store = this.requireStore();
    throw new CoreError(
      'invalid_input',
      `Connection "${connectionId}" is not in the configuration file ${store.configFile}, so it cannot be ${what} here`,
    );
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.connectionQueue.then(() => {
      if (this.disposed) throw new CoreError('unavailable', 'The acquisition service is shutting down');
      return task();
    });
    this.connectionQueue = run.catch(() => {});
    return run;
  }

  /** Waits for `work` at most `ms` (it goes on in the background after that). */
  private async bounded(work: Promise<void>, ms: number): Promise<void> {
    let timer: Disposable | undefined;
    await Promise.race([
      work,
      new Promise<void>((resolve) => (timer = this.options.clock.setTimeout(resolve, ms))),
    ]);
    timer?.dispose();
  }

  // ------------------------------------------------------------------ tag model

  /**
   * Checks the nodes on the server, saves them as tags of `assetId` (creating the asset when `asset`
   * is given) in the configuration file, and reconnects the connection with its new tag model.
   * All or nothing: one bad node refuses the whole request with every problem named.
   */
  async addTags(request: {
    connectionId: string;
    assetId: string;
    asset?: Omit<AssetConfig, 'id'>;
    tags: readonly NewTagRequest[];
  }): Promise<Tag[]> {
    const source = this.source(request.connectionId);
    const store = this.requireStore();
    const model = source.currentModel();
    if (!request.asset && !model.assets.some((a) => a.id === request.assetId)) {
      throw new CoreError(
        'invalid_input',
        `Asset "${request.assetId}" does not exist on connection "${request.connectionId}"; give "asset" to create it`,
      );
    }
    const described = await source.describeNodes(request.tags.map((t) => t.nodeId));
    const problems = described.filter((d) => d.error).map((d) => d.error!);
    if (problems.length)
      throw new CoreError(
        'invalid_input',
        `Cannot add ${problems.length} of ${request.tags.length} tags: ${problems.join('; ')}`,
      );
    const ids = new Set<string>();
    const tags: TagConfig[] = request.tags.map((t, i) => {
      const d = described[i]!;
      const name = t.name ?? d.displayName;
      const id = t.id ?? `${request.assetId}/${slug(name)}`;
      if (ids.has(id))
        throw new CoreError(
          'invalid_input',
          `Two tags would get the id "${id}"; name them differently or give ids`,
        );
      ids.add(id);
      return {
        id,
        nodeId: t.nodeId,
        assetId: request.assetId,
        name,
        description: t.description ?? d.variable?.description ?? '',
        unit: t.unit ?? d.variable?.unit ?? '',
        range: t.range === undefined ? (d.variable?.range ?? null) : t.range,
        samplingIntervalMs: t.samplingIntervalMs,
        queueSize: t.queueSize,
        deadband: t.deadband,
        sampleRateHz: t.sampleRateHz,
      };
    });
    const asset: AssetConfig | undefined = request.asset
      ? { id: request.assetId, ...request.asset }
      : undefined;
    const config = await store.addTags(request.connectionId, tags, asset);
    this.configs.set(request.connectionId, config);
    await source.updateConfig(config);
    const created = new Set(tags.map((t) => t.id));
    return source.currentModel().tags.filter((t) => created.has(t.id));
  }

  async removeTags(connectionId: string, tagIds: readonly string[]): Promise<number> {
    const source = this.source(connectionId);
    const config = await this.requireStore().removeTags(connectionId, tagIds);
    this.configs.set(connectionId, config);
    await source.updateConfig(config);
    return tagIds.length;
  }

  private requireStore(): TagModelStore {
    if (!this.store) {
      throw new CoreError(
        'unavailable',
        'Vigil runs without a configuration file, so connections and tags cannot be saved; start it with --config <file>',
      );
    }
    return this.store;
  }

  // ------------------------------------------------------------------ Alarms & Conditions port

  onCondition(listener: (event: ExternalConditionEvent) => void): Disposable {
    this.conditionListeners.add(listener);
    return {
      dispose: () => {
        this.conditionListeners.delete(listener);
      },
    };
  }

  acknowledge(request: ConditionActionRequest): Promise<void> {
    return this.source(request.connectionId).conditionAction('acknowledge', request);
  }

  confirm(request: ConditionActionRequest): Promise<void> {
    return this.source(request.connectionId).conditionAction('confirm', request);
  }

  externalConditions(connectionId?: string): ExternalConditionEvent[] {
    const sources = connectionId ? [this.source(connectionId)] : this.list();
    return sources.flatMap((s) => s.activeConditions());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.conditionListeners.clear();
    // A connection being added or removed right now finishes first, so no source outlives the service.
    await this.connectionQueue;
    await Promise.all(this.list().map((s) => s.dispose()));
    if (this.pki) await (await this.pki.catch(() => null))?.release();
  }
}

/** The id the alarm engine gives an equipment condition (stable across its events). */
export function externalAlarmId(event: Pick<ExternalConditionEvent, 'connectionId' | 'conditionId'>): string {
  return `opcua:${event.connectionId}:${event.conditionId}`;
}

/**
 * The alarm engine's view of a condition event (the shape of alarms' ExternalConditionUpdate),
 * with `ref` carrying what acknowledge needs back: connection, condition and event ids.
 */
export function toExternalConditionUpdate(event: ExternalConditionEvent) {
  return {
    id: externalAlarmId(event),
    name: event.conditionName || event.sourceName || event.conditionId,
    assetId: event.assetId ?? event.connectionId,
    tagId: null,
    priority: event.priority,
    message: event.message,
    suggestedAction: '',
    ref: { connectionId: event.connectionId, conditionId: event.conditionId, eventId: event.eventId },
    active: event.active,
    acknowledged: event.acknowledged,
    acknowledgedBy: event.acknowledged ? (event.user ?? undefined) : undefined,
    comment: event.comment || undefined,
    at: event.time,
    correlationId: event.correlationId,
  };
}

/** The alarm engine's ExternalConditionPort: acknowledgements of equipment alarms go back to the server. */
export function externalConditionPort(port: Pick<AlarmsAndConditions, 'acknowledge'>) {
  return {
    acknowledge: async (request: {
      alarmId: string;
      ref: unknown;
      comment: string;
      user: string;
    }): Promise<void> => {
      const ref = request.ref as Partial<ConditionActionRequest> | null;
      if (!ref?.connectionId || !ref.conditionId || !ref.eventId) {
        throw new Error(`Alarm ${request.alarmId} does not come from an OPC UA condition`);
      }
      const who = request.user ? `${request.user}: ` : '';
      await port.acknowledge({
        connectionId: ref.connectionId,
        conditionId: ref.conditionId,
        eventId: ref.eventId,
        comment: `${who}${request.comment}`.trim(),
      });
    },
  };
}
