import {
  AttributeIds,
  ClientMonitoredItem,
  DataType,
  MethodIds,
  ObjectTypeIds,
  TimestampsToReturn,
  constructEventFilter,
  makeContentFilter,
  NodeId,
  ofType,
  or,
  resolveNodeId,
  type ClientSession,
  type ClientSubscription,
  type Variant,
} from 'node-opcua';
import type { Disposable } from '../app/disposable';

/**
 * A condition's state as the equipment reports it (OPC UA Part 9), normalised for Vigil's alarm
 * engine: one event per state change, plus a synthetic cleared event for a condition that vanished
 * during a ConditionRefresh (so the consumer needs no refresh bookkeeping of its own).
 */
export interface ExternalConditionEvent {
  connectionId: string;
  /** NodeId of the condition instance; stable across events of the same condition. */
  conditionId: string;
  /** The event's EventId (hex): acknowledge and confirm must name the event they answer. */
  eventId: string;
  eventType: string;
  sourceNodeId: string | null;
  /** Vigil's asset for the source node (or the tag's asset when the source is a tag), when known. */
  assetId: string | null;
  sourceName: string;
  conditionName: string;
  message: string;
  /** 1..1000 (Part 5, BaseEventType.Severity). */
  severity: number;
  /** Severity bands of Part 9 (801-1000 high ... 1-200 low) mapped to Vigil's priorities. */
  priority: 'critical' | 'high' | 'medium' | 'low';
  active: boolean;
  acknowledged: boolean;
  /** null when the condition has no ConfirmedState. */
  confirmed: boolean | null;
  /** The server still shows the condition (Part 9, 5.5.2); false: it left the alarm list. */
  retain: boolean;
  comment: string;
  /** Who made the last change at the server (ClientUserId), when it says. */
  user: string | null;
  /** Event time at the source, epoch ms. */
  time: number;
  receivedAt: number;
  /** Part of a ConditionRefresh (a resend of the current state, not a new transition). */
  refresh: boolean;
  correlationId: string;
}

/** The port the alarm engine uses: condition events in, operator actions back to the equipment. */
export interface AlarmsAndConditions {
  onCondition(listener: (event: ExternalConditionEvent) => void): Disposable;
  acknowledge(request: ConditionActionRequest): Promise<void>;
  confirm(request: ConditionActionRequest): Promise<void>;
}

export interface ConditionActionRequest {
  connectionId: string;
  conditionId: string;
  eventId: string;
  comment: string;
}

/** Fields selected by the EventFilter, in this order. */
const FIELDS = [
  'EventId',
  'EventType',
  'SourceNode',
  'SourceName',
  'Time',
  'Message',
  'Severity',
  'ConditionName',
  'Retain',
  'ActiveState.Id',
  'AckedState.Id',
  'ConfirmedState.Id',
  'ConditionId',
  'Comment',
  'ClientUserId',
  'BranchId',
] as const;
type Field = (typeof FIELDS)[number];

const REFRESH_START = resolveNodeId(`i=${ObjectTypeIds.RefreshStartEventType}`);
const REFRESH_END = resolveNodeId(`i=${ObjectTypeIds.RefreshEndEventType}`);

export function priorityOf(severity: number): ExternalConditionEvent['priority'] {
  if (severity > 800) return 'critical';
  if (severity > 600) return 'high';
  if (severity > 400) return 'medium';
  return 'low';
}

/**
 * The Alarms & Conditions client of one session: an event subscription on the configured notifiers
 * (the Server object by default) with an EventFilter for the condition fields, a ConditionRefresh
 * after every (re)connection, and Acknowledge / Confirm calls with a comment.
 */
export class ConditionMonitor {
  private subscription: ClientSubscription | null = null;
  private readonly retained = new Map<string, ExternalConditionEvent>();
  private refreshing: Set<string> | null = null;
  private lastEventAt: number | null = null;

  constructor(
    private readonly connectionId: string,
    private readonly notifiers: readonly string[],
    private readonly emit: (event: ExternalConditionEvent) => void,
    private readonly now: () => number,
    private readonly newCorrelationId: () => string,
  ) {}

  async start(session: ClientSession): Promise<void> {
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: 250,
      requestedMaxKeepAliveCount: 20,
      requestedLifetimeCount: 1000,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 20,
    });
    this.subscription = subscription;
    const filter = constructEventFilter(
      [...FIELDS],
      makeContentFilter(or(ofType('ConditionType'), or(ofType(REFRESH_START), ofType(REFRESH_END)))),
    );
    for (const notifier of this.notifiers) {
      const item = ClientMonitoredItem.create(
        subscription,
        { nodeId: resolveNodeId(notifier), attributeId: AttributeIds.EventNotifier },
        { samplingInterval: 0, queueSize: 10_000, discardOldest: false, filter },
        TimestampsToReturn.Both,
      );
      item.on('changed', (fields: Variant[]) => this.onEvent(fields));
      await new Promise<void>((resolve, reject) => {
        item.once('initialized', () => resolve());
        item.once('err', (message: string) =>
          reject(new Error(`Cannot subscribe to the events of ${notifier}: ${message}`)),
        );
      });
    }
    await this.refresh(session);
  }

  /** Asks the server to resend every retained condition (Part 9, 5.5.7), e.g. after a reconnection. */
  async refresh(session: ClientSession): Promise<void> {
    if (!this.subscription) return;
    const result = await session.call({
      objectId: resolveNodeId(`i=${ObjectTypeIds.ConditionType}`),
      methodId: resolveNodeId(`i=${MethodIds.ConditionType_ConditionRefresh}`),
      inputArguments: [{ dataType: DataType.UInt32, value: this.subscription.subscriptionId }],
    });
    // BadNothingToDo: no condition to report, which is fine.
    if (result.statusCode.isNotGood() && result.statusCode.name !== 'BadNothingToDo') {
      throw new Error(`ConditionRefresh failed: ${result.statusCode.name}`);
    }
  }

  get conditionCount(): number {
    return this.retained.size;
  }

  get lastEvent(): number | null {
    return this.lastEventAt;
  }

  /** The current state of the conditions the server retains. */
  conditions(): ExternalConditionEvent[] {
    return [...this.retained.values()];
  }

  private onEvent(values: Variant[]): void {
    const field = (name: Field): unknown => values[FIELDS.indexOf(name)]?.value;
    const type = field('EventType') as NodeId | null;
    if (type instanceof NodeId && type.namespace === 0) {
      if (type.value === REFRESH_START.value) {
        this.refreshing = new Set();
        return;
      }
      if (type.value === REFRESH_END.value) {
        this.endRefresh();
        return;
      }
    }
    const eventType = String(type ?? '');
    const conditionId = field('ConditionId');
    // Branches are earlier states kept for acknowledgement (Part 9, 4.4); Vigil follows the trunk.
    const branch = field('BranchId');
    if (!conditionId || (branch && String(branch) !== 'ns=0;i=0')) return;
    const eventId = field('EventId');
    const time = field('Time');
    const confirmedRaw = field('ConfirmedState.Id');
    const severity = Number(field('Severity') ?? 0);
    const event: ExternalConditionEvent = {
      connectionId: this.connectionId,
      conditionId: String(conditionId),
      eventId: Buffer.isBuffer(eventId) ? eventId.toString('hex') : '',
      eventType,
      sourceNodeId: field('SourceNode') ? String(field('SourceNode')) : null,
      assetId: null,
      sourceName: String(field('SourceName') ?? ''),
      conditionName: String(field('ConditionName') ?? ''),
      message: textOf(field('Message')),
      severity,
      priority: priorityOf(severity),
      active: field('ActiveState.Id') === true,
      acknowledged: field('AckedState.Id') === true,
      confirmed: typeof confirmedRaw === 'boolean' ? confirmedRaw : null,
      retain: field('Retain') === true,
      comment: textOf(field('Comment')),
      user:
        typeof field('ClientUserId') === 'string' && field('ClientUserId') !== ''
          ? String(field('ClientUserId'))
          : null,
      time: time instanceof Date ? time.getTime() : this.now(),
      receivedAt: this.now(),
      refresh: this.refreshing !== null,
      correlationId: this.newCorrelationId(),
    };
    this.lastEventAt = event.receivedAt;
    this.refreshing?.add(event.conditionId);
    if (event.retain) this.retained.set(event.conditionId, event);
    else this.retained.delete(event.conditionId);
    this.emit(event);
  }

  /** Conditions retained before the refresh that the server did not resend are gone. */
  private endRefresh(): void {
    const refreshed = this.refreshing ?? new Set<string>();
    this.refreshing = null;
    for (const [id, last] of [...this.retained]) {
      if (refreshed.has(id)) continue;
      this.retained.delete(id);
      this.emit({
        ...last,
        active: false,
        retain: false,
        refresh: true,
        receivedAt: this.now(),
        correlationId: this.newCorrelationId(),
      });
    }
  }

  dispose(): Promise<void> | void {
    const subscription = this.subscription;
    this.subscription = null;
    return subscription?.terminate().catch(() => {});
  }
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = (value as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}

/** Acknowledge (Part 9, 5.7.3) or Confirm (5.7.4) with the operator's comment. */
export async function callConditionMethod(
  session: ClientSession,
  method: 'acknowledge' | 'confirm',
  request: ConditionActionRequest,
): Promise<void> {
  if (!/^[0-9a-f]*$/i.test(request.eventId) || request.eventId.length === 0) {
    throw new Error(`"${request.eventId}" is not an EventId (hex)`);
  }
  const eventId = Buffer.from(request.eventId, 'hex');
  const conditionId = resolveNodeId(request.conditionId);
  // node-opcua takes the comment as a string (or a LocalizedText instance), not a plain object.
  const comment = request.comment;
  const status =
    method === 'acknowledge'
      ? await session.acknowledgeCondition(conditionId, eventId, comment)
      : await session.confirmCondition(conditionId, eventId, comment);
  if (status.isNotGood()) {
    throw new Error(`The server refused to ${method} ${request.conditionId}: ${status.name}`);
  }
}
