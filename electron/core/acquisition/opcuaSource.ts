import path from 'node:path';
import {
  MessageSecurityMode,
  OPCUAClient,
  type ClientSession,
  type DataValue,
  type EndpointDescription,
} from 'node-opcua';
import type { Asset, ConnectionState, ConnectionStatus, Tag } from '../../../shared/domain';
import type { SampleBatch } from '../../../shared/samples';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { ConnectionConfig } from '../app/config';
import type { Disposable } from '../app/disposable';
import {
  callConditionMethod,
  ConditionMonitor,
  type ConditionActionRequest,
  type ExternalConditionEvent,
} from './alarmsAndConditions';
import { browseNode, describeVariables, type BrowsePage, type NodeDescription } from './browse';
import { expiryWarning } from './certificateInfo';
import { SampleCollector, type BackfillSample } from './collector';
import { discoverModel, type DiscoveredModel } from './discovery';
import { fetchEndpoints, modeName, tokenKind } from './endpoints';
import { classifyConnectError, ConnectionFailure, type RetryPolicy } from './errors';
import { readHistoryRaw, type HistoryRequest } from './history';
import { describeIdentity, userIdentity } from './identity';
import { buildModel, type ConnectionModel } from './model';
import type { TagConfig } from './connectionSchema';
import { callMethod, writeValue, type MethodResult, type PlainValue } from './operations';
import { ClientPki, type ServerCertificateCheck } from './pki';
import { perCall, readServerLimits, type ServerLimits } from './serverLimits';
import {
  monitoringFor,
  policyName,
  resolveSettings,
  toMessageSecurityMode,
  toSecurityPolicy,
  type ConnectionSettings,
  type MonitoringParameters,
} from './settings';
import type { ConnectionDetails, DataGap, StallRecord, TagStatus } from './sourceTypes';
import {
  monitoringKey,
  SubscriptionSet,
  type SubscriptionSetEvents,
  type SubscriptionSetOptions,
} from './subscriptions';
import { inspectTags, type ArrayTiming, type TagFacts } from './tagInspection';
import { arrayOf, hasOverflowBit, qualityOf, toNumber } from './values';
import { StallWatchdog } from './watchdog';

export interface OpcUaSourceEvents {
  onBatch(batch: SampleBatch): void;
  onState(state: ConnectionState, error: string | null): void;
  onModel(model: { assets: Asset[]; tags: Tag[] }): void;
  /** A gap in the data closed (backfilled or not); for the 'data.gap' domain event. */
  onGap?(gap: DataGap): void;
  /** An Alarms & Conditions event from the server (connections with alarms.enabled). */
  onCondition?(event: ExternalConditionEvent): void;
}

export interface OpcUaSourceOptions {
  config: ConnectionConfig;
  clock: Clock;
  /** Folder for the client's PKI; its `client` subfolder holds Vigil's certificate and trusted servers. */
  pkiDir: string;
  batchIntervalMs: number;
  events: OpcUaSourceEvents;
  newCorrelationId: () => string;
  /** A PKI shared with other connections and the certificate commands; opened from pkiDir when absent. */
  pki?: ClientPki;
}

/** One monitored tag: where its values go and what Vigil knows about its variable. */
interface TagBinding {
  tag: Tag;
  slot: number;
  nodeId: string;
  params: MonitoringParameters;
  error: string | null;
  history: boolean;
  array: boolean;
  arrayTiming: ArrayTiming | null;
  /** Configured sample rate of an array tag (overrides what the server says). */
  sampleRateHz: number | null;
  lastArrayT: number;
  overflows: number;
  /** Removed from the model while connected: its item may still deliver until the next reconnection; ignored. */
  retired?: boolean;
}

interface Outage {
  cause: DataGap['cause'];
  /** Last moment the connection was known to be up to date. */
  from: number;
  /** The server lost the subscriptions (restart, expiry): live data cannot cover the gap. */
  recreated: boolean;
  /** Session before the loss; another one after it means the server forgot the old one. */
  sessionId: string | null;
}

const MAX_GAPS_KEPT = 50;
const MAX_STALLS_KEPT = 20;
const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];
const SLOW_RETRY_MS = 60_000;
/** An operator may also trust a certificate by copying the file; look again this often. */
const TRUST_RECHECK_MS = 30_000;
const TEARDOWN_STEP_MS = 3000;

/**
 * One OPC UA server connection. It connects with the configured security and identity (checking
 * the server certificate against Vigil's trust store first, so an unknown certificate waits for the
 * operator instead of being accepted), discovers or loads the tag model, subscribes to every tag in
 * batches within the server's limits and over several subscriptions, and hands values on as columnar
 * SampleBatches with their full StatusCode. After a connection loss node-opcua reactivates the
 * session and transfers the subscriptions, or re-creates them; a watchdog breaks a connection that
 * stays open but silent; gaps are read back from history where the server keeps it, and reported
 * where it does not. Failures are reported as state with a message, never thrown from start().
 */
export class OpcUaSource implements Disposable {
  private settings: ConnectionSettings;
  private readonly status: ConnectionStatus;
  private readonly collector: SampleCollector;
  private readonly watchdog: StallWatchdog;
  private readonly flushTimer: Disposable;
  private pki: ClientPki | null;
  private readonly ownsPki: boolean;
  private pkiListener: Disposable | null = null;

  private client: OPCUAClient | null = null;
  private session: ClientSession | null = null;
  private subscriptions: SubscriptionSet | null = null;
  private conditions: ConditionMonitor | null = null;
  private bindings: TagBinding[] = [];
  private bindingsByTag = new Map<string, TagBinding>();
  private limits: ServerLimits | null = null;
  private assetIdByNodeId = new Map<string, string>();
  /** What the last discovery found (null without discovery): tag changes rebuild the model from it. */
  private discovered: DiscoveredModel | null = null;
  private model: { assets: Asset[]; tags: Tag[] } = { assets: [], tags: [] };
  private serverCheck: ServerCertificateCheck | null = null;
  /** How long the last connection took per step (wall ms), for the connections view and the benchmark. */
  private timings = { connectMs: 0, discoverMs: 0, inspectMs: 0, subscribeMs: 0 };

  private disposed = false;
  /** Incremented by restart() and dispose(): an older connection loop stops at its next step. */
  private generation = 0;
  private wake: (() => void) | null = null;
  private everConnected = false;
  /**
   * The current connect attempt follows a configuration change, not a lost link: it reports
   * 'connecting', so no connection-lost alarm starts for a reconnection the operator asked for.
   * A failed attempt reports as usual.
   */
  private applyingConfig = false;
  private configChanges: Promise<unknown> = Promise.resolve();
  private outage: Outage | null = null;
  private connectionDown = false;
  private closingGap: Promise<void> | null = null;
  private lastHeardAt: number | null = null;
  private reconnects = 0;
  private readonly stalls: StallRecord[] = [];
  private readonly gaps: DataGap[] = [];
  private nextGapId = 1;
  private alarmsError: string | null = null;
  /** The conditions' state may have changed unseen (connection lost); ConditionRefresh when back. */
  private conditionsStale = false;

  constructor(private readonly options: OpcUaSourceOptions) {
    this.settings = resolveSettings(options.config);
    this.status = {
      id: options.config.id,
      endpointUrl: options.config.endpointUrl,
      state: 'disconnected',
      lastError: null,
      tagCount: 0,
      lastValueAt: null,
      valuesReceived: 0,
    };
    this.collector = new SampleCollector((batch) => {
      this.status.lastValueAt = options.clock.now();
      options.events.onBatch(batch);
    }, options.newCorrelationId);
    this.watchdog = new StallWatchdog(options.clock, (index, silent) => this.onStall(index, silent));
    this.flushTimer = options.clock.setInterval(() => this.collector.flush(), options.batchIntervalMs);
    this.pki = options.pki ?? null;
    this.ownsPki = !options.pki;
  }

  get id(): string {
    return this.settings.id;
  }

  getStatus(): ConnectionStatus {
    return { ...this.status };
  }

  /**
   * Starts connecting. Resolves after the first attempt (connected and subscribed, or failed with the
   * reason in the state); later attempts go on in the background as the failure allows.
   */
  start(): Promise<void> {
    return this.launch();
  }

  /** Drops the connection and connects again now, e.g. after a password was fixed. */
  async reconnect(): Promise<void> {
    await this.teardown();
    await this.launch();
  }

  /** Applies a changed configuration: tag changes on the open session, anything else by reconnecting. */
  updateConfig(config: ConnectionConfig): Promise<void> {
    // One change at a time, in the order they were made: a later configuration holds the earlier
    // changes too, and must not be overtaken by an older one finishing last.
    const run = this.configChanges.then(() => this.applyConfig(config));
    this.configChanges = run.catch(() => {});
    return run;
  }

  private async applyConfig(config: ConnectionConfig): Promise<void> {
    if (this.disposed) return;
    const next = resolveSettings(config);
    if (this.canApplyInPlace(next)) {
      try {
        await this.applyTagsInPlace(next);
        return;
      } catch {
        // The open session could not take the new items: apply everything by reconnecting.
        if (this.disposed) return;
      }
    }
    this.settings = next;
    this.status.endpointUrl = config.endpointUrl;
    // Said while it reconnects, so nobody takes it for a lost link; cleared once connected.
    this.status.lastError = 'Applying the changed configuration (tags, security or identity)';
    this.applyingConfig = true;
    await this.reconnect();
  }

  private launch(): Promise<void> {
    const generation = ++this.generation;
    return new Promise<void>((firstAttemptDone) => {
      void this.connectLoop(generation, firstAttemptDone);
    });
  }

  private async connectLoop(generation: number, firstAttemptDone: () => void): Promise<void> {
    let failures = 0;
    while (!this.disposed && generation === this.generation) {
      try {
        this.setState(
          this.everConnected && !this.applyingConfig ? 'reconnecting' : 'connecting',
          this.status.lastError,
        );
        await this.connectOnce(generation);
        firstAttemptDone();
        return;
      } catch (err) {
        // A newer attempt (reconnect, dispose) owns the connection fields now; leave them alone.
        if (this.disposed || generation !== this.generation) break;
        await this.teardownConnection();
        const failure = classifyConnectError(err, this.settings.endpointUrl, this.userName());
        failures++;
        this.applyingConfig = false;
        const waitMs = this.retryDelay(failure.retry, failures);
        const retrying = failure.retry === 'backoff';
        const suffix =
          failure.retry === 'trust' || failure.retry === 'never'
            ? ''
            : `; retrying in ${Math.round(waitMs / 1000)} s`;
        this.setState(
          retrying ? (this.everConnected ? 'reconnecting' : 'connecting') : 'failed',
          `${failure.message}${suffix}`,
        );
        firstAttemptDone();
        await this.sleep(waitMs);
      }
    }
    firstAttemptDone();
  }

  private retryDelay(retry: RetryPolicy, failures: number): number {
    if (retry === 'backoff') return BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)]!;
    if (retry === 'slow') return SLOW_RETRY_MS;
    if (retry === 'trust') return TRUST_RECHECK_MS;
    return Infinity;
  }

  /** Waits `ms` or until woken (a trust decision, reconnect, dispose). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? this.options.clock.setTimeout(() => done(), ms) : null;
      const done = () => {
        timer?.dispose();
        this.wake = null;
        resolve();
      };
      this.wake = done;
    });
  }

  private userName(): string | null {
    return this.settings.identity.type === 'username' ? this.settings.identity.userName : null;
  }

  private async openPki(): Promise<ClientPki> {
    if (!this.pki)
      this.pki = await ClientPki.open(path.join(this.options.pkiDir, 'client'), () =>
        this.options.clock.now(),
      );
    if (!this.pkiListener) this.pkiListener = this.pki.onChange(() => this.wake?.());
    return this.pki;
  }

  private async connectOnce(generation: number): Promise<void> {
    const s = this.settings;
    const stale = () => this.disposed || generation !== this.generation;
    const pki = await this.openPki();
    const endpoint = await this.chooseEndpoint(pki);
    if (stale()) return;
    const identity = userIdentity(s.identity);
    const client = OPCUAClient.create({
      applicationName: pki.applicationName,
      applicationUri: pki.applicationUri,
      clientCertificateManager: pki.certificateManager,
      securityMode: toMessageSecurityMode(s.security.mode),
      securityPolicy: toSecurityPolicy(s.security.policy),
      serverCertificate: s.security.mode === 'None' ? undefined : endpoint.serverCertificate,
      endpointMustExist: false,
      keepSessionAlive: true,
      requestedSessionTimeout: 120_000,
      // The first connect fails fast (this loop reports and retries); after that node-opcua
      // reconnects by itself without limit, with these delays.
      connectionStrategy: { maxRetry: 1, initialDelay: 500, maxDelay: 10_000, randomisationFactor: 0.1 },
    });
    this.client = client;
    this.attachClientEvents(client, generation);
    let mark = performance.now();
    const lap = () => {
      const now = performance.now();
      const ms = Math.round(now - mark);
      mark = now;
      return ms;
    };
    await client.connect(s.endpointUrl);
    if (stale()) return;
    const session = await client.createSession(identity);
    if (stale()) return;
    this.session = session;
    this.attachSessionEvents(session, generation);
    const limits = await readServerLimits(session);
    if (stale()) return;
    this.limits = limits;
    this.timings.connectMs = lap();
    const maxRead = perCall(limits.maxNodesPerRead);
    const discovered = s.discover
      ? await discoverModel(session, s.id, s.rootPath, {
          maxNodesPerRead: maxRead,
          maxNodesPerBrowse: perCall(limits.maxNodesPerBrowse),
        })
      : null;
    if (stale()) return;
    this.timings.discoverMs = lap();
    this.discovered = discovered;
    const model = buildModel(s, this.discovered);
    this.publishModel(model);
    const monitored = model.tags.filter((t) => t.source);
    const facts = await inspectTags(
      session,
      monitored.map((t) => t.source!.nodeId),
      maxRead,
    );
    if (stale()) return;
    this.timings.inspectMs = lap();
    this.bindings = monitored.map((tag, i) => this.bindingFor(tag, facts[i]!, model.configOf.get(tag.id), s));
    this.bindingsByTag = new Map(this.bindings.map((b) => [b.tag.id, b]));
    const subscriptions = await this.subscribe(session, limits);
    if (stale()) return;
    this.subscriptions = subscriptions;
    this.watchdog.watch(
      subscriptions.info().map((info) => Math.max(s.stallTimeoutMs, 2 * info.keepAliveMs + 1000)),
    );
    this.lastHeardAt = this.options.clock.now();
    this.timings.subscribeMs = lap();
    if (s.alarms.enabled) await this.startConditions(session);
    if (stale()) return;
    this.everConnected = true;
    this.applyingConfig = false;
    this.connectionDown = false;
    this.status.tagCount = this.bindings.filter((b) => !b.error).length;
    this.status.lastError = null;
    // A reconnect of our own (stall without transfer, new configuration) leaves a gap to close.
    if (this.outage) {
      this.outage.recreated = true;
      await this.closeGap();
    } else {
      this.watchdog.resume();
      this.setState('connected', null);
    }
  }

  /**
   * Fetches the server's endpoints, checks the requested security and identity are offered, and
   * for a secure connection checks the server certificate against the trust store.
   */
  private async chooseEndpoint(pki: ClientPki): Promise<EndpointDescription> {
    const s = this.settings;
    const endpoints = await fetchEndpoints(s.endpointUrl, pki);
    const mode = toMessageSecurityMode(s.security.mode);
    const candidates = endpoints.filter(
      (e) => e.securityMode === mode && policyName(e.securityPolicyUri ?? '') === s.security.policy,
    );
    if (!candidates.length) {
      const offered = [
        ...new Set(
          endpoints.map((e) => `${modeName(e.securityMode)}/${policyName(e.securityPolicyUri ?? '')}`),
        ),
      ];
      throw new ConnectionFailure(
        `The server refuses the security asked for (${s.security.mode}/${s.security.policy}); it offers ${offered.join(', ') || 'nothing'}`,
        'never',
      );
    }
    const wanted = s.identity.type;
    const endpoint = candidates.find((e) =>
      (e.userIdentityTokens ?? []).some((t) => tokenKind(t.tokenType) === wanted),
    );
    if (!endpoint) {
      const tokens = [
        ...new Set(
          candidates.flatMap((e) => (e.userIdentityTokens ?? []).map((t) => tokenKind(t.tokenType))),
        ),
      ];
      throw new ConnectionFailure(
        `The server does not accept ${describeIdentity(s.identity) === 'anonymous' ? 'anonymous users' : `${wanted} identities`} with ${s.security.mode}/${s.security.policy}; it accepts ${tokens.join(', ') || 'none'}`,
        'never',
      );
    }
    if (mode !== MessageSecurityMode.None) await this.checkServerCertificate(pki, endpoint);
    return endpoint;
  }

  private async checkServerCertificate(pki: ClientPki, endpoint: EndpointDescription): Promise<void> {
    if (!endpoint.serverCertificate?.length) {
      throw new ConnectionFailure('The server offers a secure endpoint without a certificate', 'slow');
    }
    const check = await pki.checkServerCertificate(endpoint.serverCertificate);
    this.serverCheck = check;
    const { info } = check;
    const who = `The server certificate "${info.subject}" (SHA-1 ${info.thumbprint}, issued by "${info.issuer}", valid ${iso(info.notBefore)} to ${iso(info.notAfter)})`;
    if (check.state === 'pending') {
      throw new ConnectionFailure(
        `${who} is not trusted yet: review it under certificates and trust or reject it`,
        'trust',
      );
    }
    if (check.state === 'rejected') {
      throw new ConnectionFailure(`${who} was rejected by an operator; trust it to connect`, 'trust');
    }
    if (check.state === 'invalid') {
      throw new ConnectionFailure(`${who} cannot be used: ${check.status}`, 'slow');
    }
  }

  private attachClientEvents(client: OPCUAClient, generation: number): void {
    const current = () => !this.disposed && generation === this.generation && this.client === client;
    client.on('connection_lost', () => {
      if (current() && this.everConnected) this.onConnectionLost('connection lost', null);
    });
    client.on('backoff', (retry: number, delay: number) => {
      if (!current() || !this.connectionDown) return;
      this.setState(
        'reconnecting',
        `Connection to ${this.settings.endpointUrl} lost; reconnection attempt ${retry + 1} failed, next in ${Math.round(delay / 1000)} s`,
      );
    });
  }

  private attachSessionEvents(session: ClientSession, generation: number): void {
    const current = () => !this.disposed && generation === this.generation && this.session === session;
    session.on('session_restored', () => {
      if (!current()) return;
      this.connectionDown = false;
      void this.closeGap();
    });
    session.on('session_closed', () => {
      // Closed by the server or by node-opcua giving up: start over.
      if (current() && this.everConnected) void this.reconnect();
    });
  }

  private subscribe(session: ClientSession, limits: ServerLimits): Promise<SubscriptionSet> {
    const active = this.bindings.filter((b) => !b.error);
    return SubscriptionSet.create(
      session,
      active.map((b) => ({ nodeId: b.nodeId, params: b.params })),
      this.subscriptionOptions(limits, 0),
      this.subscriptionEvents(active),
    );
  }

  private subscriptionOptions(limits: ServerLimits, existing: number): SubscriptionSetOptions {
    const s = this.settings;
    const reserved = s.alarms.enabled ? 1 : 0;
    return {
      publishingIntervalMs: s.publishingIntervalMs,
      maxKeepAliveCount: s.maxKeepAliveCount,
      limits: {
        maxItemsPerSubscription: s.maxItemsPerSubscription,
        maxSubscriptions:
          limits.maxSubscriptionsPerSession > 0
            ? Math.max(1, limits.maxSubscriptionsPerSession - reserved - existing)
            : 0,
        maxItemsPerCall: perCall(limits.maxMonitoredItemsPerCall, 1000),
        serverMaxItemsPerSubscription: limits.maxMonitoredItemsPerSubscription,
      },
    };
  }

  /** Routes the values of `active` (item i = active[i]) into the collector. */
  private subscriptionEvents(active: readonly TagBinding[]): SubscriptionSetEvents {
    return {
      onValue: (item, dataValue) => this.onValue(active[item]!, dataValue),
      onItemError: (item, status) => {
        const b = active[item]!;
        b.error = itemErrorMessage(b.nodeId, status);
      },
      onHeard: (index) => {
        this.lastHeardAt = this.options.clock.now();
        this.watchdog.heard(index);
      },
      onRecreated: () => {
        if (this.outage) this.outage.recreated = true;
      },
    };
  }

  private bindingFor(
    tag: Tag,
    facts: TagFacts,
    config: TagConfig | undefined,
    settings: ConnectionSettings,
  ): TagBinding {
    return {
      tag,
      slot: this.collector.slotOf(tag.id),
      nodeId: tag.source!.nodeId,
      params: monitoringFor(config, settings.monitoring),
      error: facts.error,
      history: facts.history,
      array: facts.array,
      arrayTiming: facts.arrayTiming,
      sampleRateHz: config?.sampleRateHz ?? null,
      lastArrayT: Number.NaN,
      overflows: 0,
    };
  }

  /** Makes `model` (the last discovery plus the configured tags) the current one and hands it on. */
  private publishModel(model: ConnectionModel): void {
    this.assetIdByNodeId = new Map(this.discovered?.assetIdByNodeId ?? []);
    for (const tag of model.tags) if (tag.source) this.assetIdByNodeId.set(tag.source.nodeId, tag.assetId);
    this.model = { assets: model.assets, tags: model.tags };
    this.options.events.onModel({ assets: model.assets, tags: model.tags });
  }

  /**
   * Only the tag model changed (tags or assets added, removed or given other monitoring) and the
   * connection is up: apply it on the open session instead of reconnecting.
   */
  private canApplyInPlace(next: ConnectionSettings): boolean {
    if (this.status.state !== 'connected' || this.outage || this.closingGap) return false;
    if (!this.session || !this.subscriptions || !this.limits) return false;
    const withoutModel = (x: ConnectionSettings) => JSON.stringify({ ...x, assets: null, tags: null });
    return withoutModel(this.settings) === withoutModel(next);
  }

  /**
   * Adds and removes tags on the open session: new tags are inspected and monitored in
   * subscriptions of their own, tags that stay keep their items (no gap, no reconnection), removed
   * ones are ignored from now on (their items go with the next reconnection).
   */
  private async applyTagsInPlace(next: ConnectionSettings): Promise<void> {
    const session = this.session!;
    const subscriptions = this.subscriptions!;
    const limits = this.limits!;
    const generation = this.generation;
    const model = buildModel(next, this.discovered);
    /** Tags that keep their binding (same node, same monitoring), with their new description. */
    const kept = new Map<string, Tag>();
    const fresh: Tag[] = [];
    for (const tag of model.tags) {
      if (!tag.source) continue;
      const config = model.configOf.get(tag.id);
      const b = this.bindingsByTag.get(tag.id);
      const same =
        b &&
        !b.error &&
        b.nodeId === tag.source.nodeId &&
        monitoringKey(b.params) === monitoringKey(monitoringFor(config, next.monitoring)) &&
        b.sampleRateHz === (config?.sampleRateHz ?? null);
      if (same) kept.set(tag.id, tag);
      else fresh.push(tag);
    }
    const facts = await inspectTags(
      session,
      fresh.map((t) => t.source!.nodeId),
      perCall(limits.maxNodesPerRead),
    );
    if (generation !== this.generation || this.disposed) throw new Error('superseded by a reconnection');
    const added = fresh.map((tag, i) => this.bindingFor(tag, facts[i]!, model.configOf.get(tag.id), next));
    const active = added.filter((b) => !b.error);
    this.settings = next;
    this.publishModel(model);
    if (active.length) {
      await subscriptions.add(
        session,
        active.map((b) => ({ nodeId: b.nodeId, params: b.params })),
        this.subscriptionOptions(limits, subscriptions.subscriptions.length),
        this.subscriptionEvents(active),
      );
    }
    // Kept tags continue in the bindings their items already deliver to.
    for (const b of this.bindings) {
      const tag = kept.get(b.tag.id);
      if (tag) b.tag = tag;
      else b.retired = true;
    }
    this.bindings = [...this.bindings.filter((b) => !b.retired), ...added];
    this.bindingsByTag = new Map(this.bindings.map((b) => [b.tag.id, b]));
    this.status.tagCount = this.bindings.filter((b) => !b.error).length;
    this.watchdog.watch(
      subscriptions.info().map((info) => Math.max(next.stallTimeoutMs, 2 * info.keepAliveMs + 1000)),
    );
  }

  private async startConditions(session: ClientSession): Promise<void> {
    const monitor = new ConditionMonitor(
      this.settings.id,
      this.settings.alarms.notifiers,
      (event) => {
        const assetId = event.sourceNodeId ? (this.assetIdByNodeId.get(event.sourceNodeId) ?? null) : null;
        this.options.events.onCondition?.({ ...event, assetId });
      },
      () => this.options.clock.now(),
      this.options.newCorrelationId,
    );
    this.conditions = monitor;
    try {
      await monitor.start(session);
      this.conditionsStale = false;
      this.alarmsError = null;
    } catch (err) {
      // Alarms are an addition; data keeps flowing without them.
      this.alarmsError = `Alarms & Conditions unavailable: ${(err as Error).message}`;
    }
  }

  /** Hot path: one notification of one monitored item. */
  private onValue(b: TagBinding, dataValue: DataValue): void {
    if (b.retired) return;
    const variant = dataValue.value;
    const code = dataValue.statusCode.value >>> 0;
    const source = dataValue.sourceTimestamp;
    const t = source ? source.getTime() : (dataValue.serverTimestamp?.getTime() ?? this.options.clock.now());
    if (code & 0x80 && hasOverflowBit(code)) b.overflows++;
    if (b.array) {
      const values = arrayOf(dataValue);
      if (values) {
        const dt = this.arrayInterval(b, t, values.length);
        b.lastArrayT = t;
        if (this.collector.pushArray(b.slot, t, values, code, dt))
          this.status.valuesReceived += values.length;
        return;
      }
    }
    const raw = variant?.value as unknown;
    let v: number;
    let q: number;
    if (typeof raw === 'number') {
      v = raw;
      q = code;
    } else {
      v = toNumber(raw);
      q = qualityOf(code, v, raw);
    }
    if (this.collector.push(b.slot, t, v, q)) this.status.valuesReceived++;
  }

  /** Spacing of an array's elements: configured rate, then the server's, then the time since the last array. */
  private arrayInterval(b: TagBinding, t: number, n: number): number {
    if (b.sampleRateHz) return 1000 / b.sampleRateHz;
    const timing = b.arrayTiming;
    if (timing?.kind === 'interval') return timing.dtMs;
    if (timing?.kind === 'span') return n > 1 ? timing.spanMs / (n - 1) : 0;
    const since = t - b.lastArrayT;
    return n > 0 && since > 0 ? since / n : this.settings.publishingIntervalMs / Math.max(1, n);
  }

  private onConnectionLost(cause: DataGap['cause'], message: string | null): void {
    this.connectionDown = true;
    this.conditionsStale = true;
    if (!this.outage) {
      this.outage = {
        cause,
        from: this.lastHeardAt ?? this.options.clock.now(),
        recreated: false,
        sessionId: this.session?.sessionId.toString() ?? null,
      };
      this.reconnects++;
      this.collector.hold();
      this.watchdog.pause();
    }
    this.setState('reconnecting', message ?? `Connection to ${this.settings.endpointUrl} lost; reconnecting`);
  }

  private onStall(index: number, silentForMs: number): void {
    const total = this.subscriptions?.subscriptions.length ?? 0;
    this.stalls.push({ at: this.options.clock.now(), subscription: index + 1, silentForMs });
    if (this.stalls.length > MAX_STALLS_KEPT) this.stalls.shift();
    const message =
      `No data or keep-alive from ${this.settings.endpointUrl} for ${(silentForMs / 1000).toFixed(1)} s ` +
      `(subscription ${index + 1} of ${total}): the connection is stalled; reconnecting`;
    this.onConnectionLost('stalled', message);
    // The same call node-opcua's own keep-alive manager makes when a ping times out: the channel is
    // dropped, node-opcua opens a new one, reactivates the session and republishes what it missed.
    const channel = (
      this.client as unknown as { _secureChannel?: { forceConnectionBreak?: () => void } } | null
    )?._secureChannel;
    if (channel?.forceConnectionBreak) channel.forceConnectionBreak();
    else void this.reconnect();
  }

  /** After a reconnection: backfill what the server's history holds, report the rest, resume. */
  private closeGap(): Promise<void> {
    if (this.closingGap) return this.closingGap;
    this.closingGap = (async () => {
      try {
        // A new loss during the backfill leaves the outage open; the next restore comes back here.
        while (this.outage && !this.connectionDown && !this.disposed) {
          const outage = this.outage;
          const gap = await this.backfill(outage);
          if (this.connectionDown) continue;
          this.outage = null;
          this.collector.release();
          this.watchdog.resume();
          this.gaps.push(gap);
          if (this.gaps.length > MAX_GAPS_KEPT) this.gaps.shift();
          // A transfer that lost nothing is no gap in the data; it stays in the connection's record.
          if (gap.recovery !== 'republished' || gap.valuesBackfilled > 0) this.options.events.onGap?.(gap);
          this.setState('connected', null);
          const session = this.session;
          if (this.conditions && session && this.conditionsStale) {
            this.conditionsStale = false;
            await this.conditions.refresh(session).catch((err: Error) => {
              this.alarmsError = `ConditionRefresh after reconnection failed: ${err.message}`;
            });
          }
        }
      } finally {
        this.closingGap = null;
      }
    })();
    return this.closingGap;
  }

  private async backfill(outage: Outage): Promise<DataGap> {
    const now = this.options.clock.now();
    const session = this.session;
    // A new session means the server forgot the old one; its subscriptions' queued data may be gone.
    if (session && outage.sessionId !== null && session.sessionId.toString() !== outage.sessionId)
      outage.recreated = true;
    const active = this.bindings.filter((b) => !b.error);
    const { backfill } = this.settings;
    // History is read even after a transfer: it costs one round trip and fills what a republish
    // could not (a server keeps only so many unacknowledged messages).
    const candidates = backfill.enabled && session ? active.filter((b) => b.history && !b.array) : [];
    const unfilled = new Set(
      outage.recreated ? active.filter((b) => !candidates.includes(b)).map((b) => b.tag.id) : [],
    );
    const errors: string[] = [];
    let values = 0;
    if (candidates.length && session) {
      const floor = now - backfill.maxLookbackMs;
      const requests: HistoryRequest[] = candidates.map((b) => {
        const gap = this.collector.gapOf(b.slot);
        const after = Number.isFinite(gap.after) ? Math.max(gap.after, floor) : Math.max(outage.from, floor);
        return { slot: b.slot, nodeId: b.nodeId, after, before: gap.before };
      });
      try {
        const results = await readHistoryRaw(session, requests, {
          maxNodesPerCall: perCall(this.limits?.maxNodesPerHistoryReadData ?? 0, 100),
          maxValuesPerTag: backfill.maxValuesPerTag,
          now,
        });
        const perSlot = new Map<number, BackfillSample[]>();
        for (const r of results) {
          perSlot.set(r.slot, r.samples);
          const tagId = this.collector.tagIdOf(r.slot);
          if (r.error) {
            unfilled.add(tagId);
            if (errors.length < 10) errors.push(r.error);
          } else if (r.truncated) {
            unfilled.add(tagId);
            if (errors.length < 10)
              errors.push(
                `History of ${tagId} holds more than ${backfill.maxValuesPerTag} values in the gap; only the oldest were read`,
              );
          }
        }
        values = this.collector.emitBackfill(perSlot);
      } catch (err) {
        for (const b of candidates) unfilled.add(b.tag.id);
        errors.push(`HistoryRead failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const filled = outage.recreated
      ? active.length - unfilled.size
      : values > 0
        ? candidates.length - unfilled.size
        : 0;
    const recovery: DataGap['recovery'] = !outage.recreated
      ? 'republished'
      : unfilled.size === 0
        ? 'history'
        : filled > 0
          ? 'partial'
          : 'none';
    return {
      id: this.nextGapId++,
      connectionId: this.settings.id,
      from: outage.from,
      to: now,
      cause: outage.cause,
      recovery,
      backfilled: unfilled.size === 0,
      valuesBackfilled: values,
      tagsBackfilled: filled,
      tagsNotBackfilled: unfilled.size,
      unfilledTagIds: [...unfilled].slice(0, 50),
      errors,
    };
  }

  /** Hands everything received since the last flush to the pipeline as one batch. */
  flush(): void {
    this.collector.flush();
  }

  private setState(state: ConnectionState, error: string | null): void {
    if (this.disposed) return;
    const changed = state !== this.status.state || error !== this.status.lastError;
    this.status.state = state;
    this.status.lastError = error;
    if (changed) this.options.events.onState(state, error);
  }

  // ------------------------------------------------------------------ operator commands

  private requireSession(): ClientSession {
    if (!this.session || this.status.state !== 'connected') {
      const why = this.status.lastError ? `: ${this.status.lastError}` : '';
      throw new CoreError('unavailable', `Connection "${this.settings.id}" is ${this.status.state}${why}`);
    }
    return this.session;
  }

  async browse(nodeId: string | undefined, page: { offset: number; limit: number }): Promise<BrowsePage> {
    const session = this.requireSession();
    try {
      return await browseNode(session, nodeId, page, perCall(this.limits?.maxNodesPerRead ?? 0));
    } catch (err) {
      throw asCoreError(err, 'invalid_input');
    }
  }

  /** Assets and tags of the last connection (empty before the first). */
  currentModel(): { assets: Asset[]; tags: Tag[] } {
    return this.model;
  }

  /** Checks nodes the operator wants as tags (exist, variable, numeric) and reads their details. */
  async describeNodes(nodeIds: readonly string[]): Promise<NodeDescription[]> {
    const session = this.requireSession();
    return describeVariables(session, nodeIds, perCall(this.limits?.maxNodesPerRead ?? 0));
  }

  private requireWrites(what: string): void {
    if (!this.settings.allowWrites) {
      throw new CoreError(
        'forbidden',
        `${what} on connection "${this.settings.id}" is off: writes and method calls are disabled unless the connection sets allowWrites: true`,
      );
    }
  }

  async write(nodeId: string, value: PlainValue): Promise<void> {
    this.requireWrites('Writing');
    const session = this.requireSession();
    try {
      await writeValue(session, nodeId, value);
    } catch (err) {
      throw asCoreError(err, 'invalid_input');
    }
  }

  async call(objectId: string, methodId: string, args: readonly PlainValue[]): Promise<MethodResult> {
    this.requireWrites('Calling methods');
    const session = this.requireSession();
    try {
      return await callMethod(session, objectId, methodId, args);
    } catch (err) {
      throw asCoreError(err, 'invalid_input');
    }
  }

  async conditionAction(method: 'acknowledge' | 'confirm', request: ConditionActionRequest): Promise<void> {
    if (!this.settings.alarms.enabled) {
      throw new CoreError(
        'invalid_input',
        `Connection "${this.settings.id}" does not subscribe to alarms (alarms.enabled)`,
      );
    }
    const session = this.requireSession();
    try {
      await callConditionMethod(session, method, request);
    } catch (err) {
      throw asCoreError(err, 'invalid_input');
    }
  }

  /** Current state of the conditions the server retains (empty without alarms). */
  activeConditions(): ExternalConditionEvent[] {
    return this.conditions?.conditions() ?? [];
  }

  tagStatuses(): TagStatus[] {
    return this.bindings.map((b) => ({
      tagId: b.tag.id,
      nodeId: b.nodeId,
      error: b.error,
      history: b.history,
      array: b.array,
      overflows: b.overflows,
    }));
  }

  hasTag(tagId: string): boolean {
    return this.bindingsByTag.has(tagId);
  }

  getGaps(): DataGap[] {
    return [...this.gaps];
  }

  getDetails(): ConnectionDetails {
    const now = this.options.clock.now();
    const tagErrors = this.tagStatuses().filter((t) => t.error);
    const warnings: string[] = [];
    if (this.serverCheck?.state === 'trusted') {
      const w = expiryWarning(
        `The server certificate "${this.serverCheck.info.subject}"`,
        this.serverCheck.info,
        now,
      );
      if (w) warnings.push(w);
    }
    if (this.pki) {
      const own = expiryWarning("Vigil's own certificate", this.pki.ownCertificate(), now);
      if (own) warnings.push(own);
    }
    if (tagErrors.length) {
      warnings.push(
        `${tagErrors.length} tag${tagErrors.length === 1 ? '' : 's'} cannot be monitored: ${tagErrors[0]!.error}${tagErrors.length > 1 ? ', ...' : ''}`,
      );
    }
    if (this.alarmsError) warnings.push(this.alarmsError);
    const overflows = this.bindings.reduce((n, b) => n + b.overflows, 0);
    if (overflows)
      warnings.push(
        `The server discarded values of fast tags ${overflows} time(s) (queue overflow); raise queueSize`,
      );
    return {
      status: this.getStatus(),
      security: { ...this.settings.security },
      identity: describeIdentity(this.settings.identity),
      serverCertificate: this.serverCheck
        ? { ...this.serverCheck.info, state: this.serverCheck.state }
        : null,
      limits: this.limits,
      subscriptions: this.subscriptions?.info() ?? [],
      monitoredItems: this.bindings.length - tagErrors.length,
      createCalls: this.subscriptions?.createCalls ?? 0,
      tagErrors,
      reconnects: this.reconnects,
      stalls: [...this.stalls],
      gaps: this.getGaps(),
      duplicatesDropped: this.collector.stats.duplicates,
      valuesBackfilled: this.collector.stats.backfilled,
      serverQueueOverflows: overflows,
      alarms: {
        enabled: this.settings.alarms.enabled,
        conditions: this.conditions?.conditionCount ?? 0,
        lastEventAt: this.conditions?.lastEvent ?? null,
        error: this.alarmsError,
      },
      writesAllowed: this.settings.allowWrites,
      timings: { ...this.timings },
      warnings,
    };
  }

  // ------------------------------------------------------------------ shutdown

  /** Closes subscriptions, session and client (bounded: a dead peer cannot hold shutdown). */
  private async teardownConnection(): Promise<void> {
    const client = this.client;
    const session = this.session;
    const subscriptions = this.subscriptions;
    const conditions = this.conditions;
    this.client = null;
    this.session = null;
    this.subscriptions = null;
    this.conditions = null;
    this.watchdog.pause();
    await bounded(conditions?.dispose());
    await bounded(subscriptions?.terminate());
    await bounded(session?.close());
    await bounded(client?.disconnect());
  }

  /** A deliberate reconnect: stop the loop, keep a gap open if data was flowing. */
  private async teardown(): Promise<void> {
    this.generation++;
    this.wake?.();
    if (this.status.state === 'connected' && !this.outage) {
      this.outage = {
        cause: 'reconnected',
        from: this.lastHeardAt ?? this.options.clock.now(),
        recreated: true,
        sessionId: null,
      };
      this.collector.hold();
    }
    await this.teardownConnection();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.collector.release();
    this.collector.flush();
    this.generation++;
    this.wake?.();
    this.status.state = 'disconnected';
    this.disposed = true;
    this.flushTimer.dispose();
    this.watchdog.dispose();
    this.pkiListener?.dispose();
    await this.teardownConnection();
    if (this.pki && this.ownsPki) await this.pki.release();
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '?';
}

function itemErrorMessage(nodeId: string, status: string): string {
  switch (status) {
    case 'BadNodeIdUnknown':
    case 'BadNodeIdInvalid':
      return `Node ${nodeId} does not exist on the server (${status})`;
    case 'BadFilterNotAllowed':
    case 'BadMonitoredItemFilterUnsupported':
    case 'BadDeadbandFilterInvalid':
      return `The server refuses the deadband for ${nodeId} (${status}); percent deadbands need an EURange`;
    case 'BadUserAccessDenied':
    case 'BadNotReadable':
      return `Vigil's user may not read ${nodeId} (${status})`;
    case 'BadTooManyMonitoredItems':
      return `The server monitors no more items (${status})`;
    default:
      return `The server refused to monitor ${nodeId} (${status})`;
  }
}

function asCoreError(err: unknown, code: 'invalid_input' | 'unavailable'): CoreError {
  if (err instanceof CoreError) return err;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return new CoreError(code, message);
}

async function bounded(work: Promise<unknown> | void | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.resolve(work).catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, TEARDOWN_STEP_MS))),
  ]);
  clearTimeout(timer);
}
