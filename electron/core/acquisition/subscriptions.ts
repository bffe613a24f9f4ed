import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  TimestampsToReturn,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type MonitoringParametersOptions,
} from 'node-opcua';
import type { MonitoringParameters } from './settings';
import { planSubscriptions, type PlanLimits } from './subscriptionPlan';

export interface MonitoredTag {
  nodeId: string;
  params: MonitoringParameters;
}

export interface SubscriptionSetEvents {
  /** Hot path: a value of item `item` (index into the tags given to create()). */
  onValue(item: number, dataValue: DataValue): void;
  /** The server refused the item (unknown node, filter not allowed, ...). */
  onItemError(item: number, status: string): void;
  /** The subscription answered a Publish (data or keep-alive). */
  onHeard(subscription: number): void;
  /** node-opcua re-created the subscription on the server after a reconnection (its data may have a gap). */
  onRecreated(subscription: number): void;
}

export interface SubscriptionInfo {
  subscriptionId: number;
  items: number;
  publishingIntervalMs: number;
  /** Longest silence of a healthy subscription: publishing interval x max keep-alive count. */
  keepAliveMs: number;
}

export interface SubscriptionSetOptions {
  publishingIntervalMs: number;
  maxKeepAliveCount: number;
  limits: PlanLimits;
  /** CreateMonitoredItems calls in flight at once. */
  concurrency?: number;
}

/** Seconds a subscription outlives a lost connection, so it can be transferred with its queued data. */
const SURVIVE_OUTAGE_MS = 120_000;

/**
 * The monitored items of one session: spread over subscriptions and created in calls within the
 * server's limits (see subscriptionPlan.ts), values routed to one callback with the item's index.
 * node-opcua keeps the subscriptions across reconnections (transfer, or re-creation with the same
 * items when the server lost them).
 */
export class SubscriptionSet {
  readonly subscriptions: ClientSubscription[] = [];
  private calls = 0;

  private constructor() {}

  static async create(
    session: ClientSession,
    tags: readonly MonitoredTag[],
    options: SubscriptionSetOptions,
    events: SubscriptionSetEvents,
  ): Promise<SubscriptionSet> {
    const set = new SubscriptionSet();
    await set.add(session, tags, options, events);
    return set;
  }

  /** CreateMonitoredItems calls made so far. */
  get createCalls(): number {
    return this.calls;
  }

  /**
   * Monitors more items on the same session, in subscriptions of their own (numbered after the
   * existing ones), leaving the existing subscriptions and their data untouched: how tags added
   * while connected start without a reconnection. `events` item indices refer to `tags`. If it
   * fails, the subscriptions it made are terminated and the set is as before.
   */
  async add(
    session: ClientSession,
    tags: readonly MonitoredTag[],
    options: SubscriptionSetOptions,
    events: SubscriptionSetEvents,
  ): Promise<void> {
    const keys = tags.map((t) => monitoringKey(t.params));
    const plan = planSubscriptions(keys, options.limits);
    const lifetimeCount = Math.max(
      3 * options.maxKeepAliveCount,
      Math.ceil(SURVIVE_OUTAGE_MS / options.publishingIntervalMs),
    );
    const base = this.subscriptions.length;
    const added: ClientSubscription[] = [];
    const calls: { subscription: number; items: number[] }[] = [];
    try {
      for (const planned of plan.subscriptions) {
        const index = base + added.length;
        const subscription = await session.createSubscription2({
          requestedPublishingInterval: options.publishingIntervalMs,
          requestedMaxKeepAliveCount: options.maxKeepAliveCount,
          requestedLifetimeCount: Math.min(lifetimeCount, 0xffffffff),
          maxNotificationsPerPublish: 0,
          publishingEnabled: true,
          priority: 10,
        });
        added.push(subscription);
        subscription.on('raw_notification', () => events.onHeard(index));
        subscription.on('subscriptionId_changed', () => events.onRecreated(index));
        for (const items of planned.calls) calls.push({ subscription: added.length - 1, items });
      }
      const run = (call: (typeof calls)[number]) =>
        monitorCall(added[call.subscription]!, call.items, tags, events);
      await runLimited(calls, options.concurrency ?? 4, run);
      this.subscriptions.push(...added);
      this.calls += calls.length;
    } catch (err) {
      await terminateAll(added);
      throw err;
    }
  }

  info(): SubscriptionInfo[] {
    return this.subscriptions.map((s) => ({
      subscriptionId: s.subscriptionId,
      items: Object.keys(s.monitoredItems).length,
      publishingIntervalMs: s.publishingInterval,
      keepAliveMs: s.publishingInterval * s.maxKeepAliveCount,
    }));
  }

  terminate(): Promise<void> {
    return terminateAll(this.subscriptions);
  }
}

async function monitorCall(
  subscription: ClientSubscription,
  items: readonly number[],
  tags: readonly MonitoredTag[],
  events: SubscriptionSetEvents,
): Promise<void> {
  const params = tags[items[0]!]!.params;
  const group = ClientMonitoredItemGroup.create(
    subscription,
    items.map((i) => ({ nodeId: tags[i]!.nodeId, attributeId: AttributeIds.Value })),
    toNodeOpcuaParameters(params),
    TimestampsToReturn.Both,
  );
  // Attached before the first Publish can bring the initial values.
  group.on('changed', (_item, dataValue: DataValue, index: number) =>
    events.onValue(items[index]!, dataValue),
  );
  await new Promise<void>((resolve, reject) => {
    group.once('initialized', () => resolve());
    group.once('err', (message: string) => reject(new Error(`CreateMonitoredItems failed: ${message}`)));
  });
  group.monitoredItems.forEach((item, k) => {
    const status = item.statusCode;
    if (status && status.isNotGood()) events.onItemError(items[k]!, status.name);
  });
}

export function toNodeOpcuaParameters(params: MonitoringParameters): MonitoringParametersOptions {
  const filter = params.deadband
    ? new DataChangeFilter({
        trigger: DataChangeTrigger.StatusValue,
        deadbandType: params.deadband.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
        deadbandValue: params.deadband.value,
      })
    : null;
  return {
    samplingInterval: params.samplingIntervalMs,
    queueSize: params.queueSize,
    discardOldest: true,
    filter,
  };
}

/** Identity of a set of monitoring parameters (items sharing it can share a CreateMonitoredItems call). */
export function monitoringKey(p: MonitoringParameters): string {
  return `${p.samplingIntervalMs}|${p.queueSize}|${p.deadband ? `${p.deadband.type}:${p.deadband.value}` : '-'}`;
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length && failure === null) {
      const item = items[next++]!;
      try {
        await run(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}

async function terminateAll(subscriptions: readonly ClientSubscription[]): Promise<void> {
  await Promise.all(
    subscriptions.map(async (s) => {
      try {
        await s.terminate();
      } catch {
        // Gone with the session already.
      }
    }),
  );
}
