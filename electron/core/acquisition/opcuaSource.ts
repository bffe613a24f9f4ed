import path from 'node:path';
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  ClientSubscription,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import type { Asset, ConnectionState, ConnectionStatus, Tag } from '../../../shared/domain';
import { SampleBatchBuilder, type SampleBatch } from '../../../shared/samples';
import { STATUS_BAD } from '../../../shared/quality';
import type { Clock } from '../app/clock';
import type { ConnectionConfig } from '../app/config';
import type { Disposable } from '../app/disposable';
import { discoverModel } from './discovery';

export interface OpcUaSourceEvents {
  onBatch(batch: SampleBatch): void;
  onState(state: ConnectionState, error: string | null): void;
  onModel(model: { assets: Asset[]; tags: Tag[] }): void;
}

export interface OpcUaSourceOptions {
  config: ConnectionConfig;
  clock: Clock;
  /** Folder for the client's PKI (its own certificate, trusted servers). */
  pkiDir: string;
  batchIntervalMs: number;
  events: OpcUaSourceEvents;
  newCorrelationId: () => string;
}

/** Items per monitored-item group; large address spaces are split so no request exceeds server limits. */
const ITEMS_PER_GROUP = 1000;

/**
 * One OPC UA server connection: connects (retrying with backoff), discovers the asset model,
 * subscribes to every numeric tag and hands the values on as columnar SampleBatches at a fixed
 * cadence. node-opcua re-establishes the channel, session and subscriptions after a
 * connection loss; the state is reported at every step.
 */
export class OpcUaSource implements Disposable {
  private client: OPCUAClient | null = null;
  private session: ClientSession | null = null;
  private subscription: ClientSubscription | null = null;
  private readonly builder = new SampleBatchBuilder(4096);
  private flushTimer: Disposable | null = null;
  private disposed = false;
  private readonly status: ConnectionStatus;
  private tagIdByIndex: string[] = [];

  constructor(private readonly options: OpcUaSourceOptions) {
    this.status = {
      id: options.config.id,
      endpointUrl: options.config.endpointUrl,
      state: 'disconnected',
      lastError: null,
      tagCount: 0,
      lastValueAt: null,
      valuesReceived: 0,
    };
  }

  getStatus(): ConnectionStatus {
    return { ...this.status };
  }

  /** Resolves once connected and subscribed; connection problems are reported as state, not thrown. */
  async start(): Promise<void> {
    const { config } = this.options;
    this.setState('connecting', null);
    const certificateManager = new OPCUACertificateManager({
      rootFolder: path.join(this.options.pkiDir, 'client'),
      automaticallyAcceptUnknownCertificate: false,
    });
    const client = OPCUAClient.create({
      applicationName: 'Vigil',
      clientCertificateManager: certificateManager,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      endpointMustExist: false,
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      connectionStrategy: { maxRetry: -1, initialDelay: 500, maxDelay: 10_000, randomisationFactor: 0.1 },
    });
    this.client = client;
    client.on('backoff', (retry: number, delay: number) => {
      this.setState(this.status.state === 'connecting' ? 'connecting' : 'reconnecting',
        `Cannot reach ${config.endpointUrl} (attempt ${retry + 1}); retrying in ${Math.round(delay / 1000)} s`);
    });
    client.on('connection_lost', () => this.setState('reconnecting', 'Connection lost; reconnecting'));
    client.on('connection_reestablished', () => this.setState('connected', null));

    try {
      await client.connect(config.endpointUrl);
      if (this.disposed) return;
      this.session = await client.createSession();
      if (this.disposed) return;
      const model = await discoverModel(this.session, config.id, config.rootPath);
      this.options.events.onModel(model);
      await this.subscribe(this.session, model.tags);
      this.status.tagCount = model.tags.length;
      this.flushTimer = this.options.clock.setInterval(() => this.flush(), this.options.batchIntervalMs);
      this.setState('connected', null);
    } catch (err) {
      if (this.disposed) return;
      this.setState('failed', describeError(err, config.endpointUrl));
    }
  }

  private async subscribe(session: ClientSession, tags: Tag[]): Promise<void> {
    const { config } = this.options;
    const subscription = ClientSubscription.create(session, {
      requestedPublishingInterval: config.publishingIntervalMs,
      requestedLifetimeCount: 600,
      requestedMaxKeepAliveCount: 10,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 10,
    });
    this.subscription = subscription;
    this.tagIdByIndex = tags.map((t) => t.id);
    for (let start = 0; start < tags.length; start += ITEMS_PER_GROUP) {
      const chunk = tags.slice(start, start + ITEMS_PER_GROUP);
      const group = ClientMonitoredItemGroup.create(
        subscription,
        chunk.map((t) => ({ nodeId: t.source!.nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: config.samplingIntervalMs, discardOldest: true, queueSize: 100 },
        TimestampsToReturn.Both,
      );
      group.on('changed', (_item, dataValue: DataValue, index: number) => {
        this.onValue(start + index, dataValue);
      });
      await new Promise<void>((resolve, reject) => {
        group.once('initialized', () => resolve());
        group.once('err', (message: string) => reject(new Error(message)));
      });
    }
  }

  private onValue(tagIndex: number, dataValue: DataValue): void {
    const tagId = this.tagIdByIndex[tagIndex];
    if (tagId === undefined) return;
    const raw = dataValue.value?.value as unknown;
    let value = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
    let quality = dataValue.statusCode.value;
    if (!Number.isFinite(value) && typeof raw !== 'number') {
      // Non-numeric payloads are kept as a Bad sample rather than dropped without trace.
      value = Number.NaN;
      quality = quality || STATUS_BAD;
    }
    const timestamp =
      dataValue.sourceTimestamp?.getTime() ?? dataValue.serverTimestamp?.getTime() ?? this.options.clock.now();
    this.builder.push(tagId, timestamp, value, quality >>> 0);
    this.status.valuesReceived++;
    this.status.lastValueAt = this.options.clock.now();
  }

  /** Hands everything received since the last flush to the pipeline as one batch. */
  flush(): void {
    if (this.builder.size === 0) return;
    this.options.events.onBatch(this.builder.take(this.options.newCorrelationId()));
  }

  private setState(state: ConnectionState, error: string | null): void {
    if (this.disposed) return;
    this.status.state = state;
    this.status.lastError = error;
    this.options.events.onState(state, error);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    this.flushTimer?.dispose();
    this.status.state = 'disconnected';
    try {
      await this.subscription?.terminate();
    } catch {
      // The server may already be gone; nothing to release on our side.
    }
    try {
      await this.session?.close();
    } catch {
      // Same as above.
    }
    await this.client?.disconnect();
  }
}

function describeError(err: unknown, endpointUrl: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${endpointUrl}: ${message.split('\n')[0]}`;
}
