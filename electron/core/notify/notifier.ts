import { randomUUID } from 'node:crypto';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import type { AlarmFloodEvent, AlarmTransitionEvent } from '../alarms/events';
import type { AlarmPriority, AlarmState, AlarmView, FloodStatus } from '../alarms/schemas';
import { createChannels, type NotificationChannel } from './channels';
import { DeliveryQueue } from './deliveryQueue';
import { alarmMessage, escalationMessage, floodMessage } from './messages';
import { quietFor } from './quietHours';
import {
  NotificationsConfigSchema,
  type DesktopNotification,
  type NotificationMessage,
  type NotificationsConfig,
  type NotificationsConfigInput,
  type Route,
  type RouteEvent,
} from './schemas';
import './events';

/** States in which an alarm still waits for an acknowledgement, so escalation goes on. */
const UNACKNOWLEDGED: ReadonlySet<AlarmState> = new Set(['unack_active', 'unack_rtn', 'latched']);

export interface NotificationServiceOptions {
  clock: Clock;
  config: NotificationsConfig;
  queue: DeliveryQueue;
  /** The alarm as it is now (AlarmEngine.find), checked when an escalation step is due. */
  getAlarm: (alarmId: string) => AlarmView | undefined;
  /** The flood view (AlarmEngine.floodStatus) for the flood summary. */
  floodStatus?: () => FloodStatus;
  newId?: () => string;
}

interface Escalation {
  activeSince: number | null;
  timers: Disposable[];
}

/**
 * Turns alarm transitions into notifications: routes them by priority and asset to channels,
 * respects quiet hours, summarises floods, and escalates alarms left unacknowledged. Every
 * handler only enqueues (the delivery queue sends asynchronously), so the alarm pipeline is never
 * held up by a slow mail server.
 */
export class NotificationService implements Disposable {
  private readonly escalations = new Map<string, Escalation>();
  private floodActive = false;
  private held: AlarmView[] = [];
  private readonly newId: () => string;

  constructor(private readonly options: NotificationServiceOptions) {
    this.newId = options.newId ?? randomUUID;
  }

  get config(): NotificationsConfig {
    return this.options.config;
  }

  onTransition(event: AlarmTransitionEvent): void {
    const { alarm, entry } = event;
    if (entry.transition === 'activate') this.onActivate(alarm);
    else if (entry.transition === 'return') this.inform(alarm, 'return');
    else if (entry.transition === 'acknowledge') this.inform(alarm, 'acknowledge', entry.user);
    if (alarm.acknowledged || !UNACKNOWLEDGED.has(alarm.state)) this.cancelEscalation(alarm.id);
  }

  onFlood(event: AlarmFloodEvent): void {
    const routes = this.options.config.routes.filter((r) => r.events.includes('flood'));
    if (event.active) {
      this.floodActive = true;
      const status = this.options.floodStatus?.() ?? {
        active: true,
        startedAt: event.startedAt,
        rateInWindow: event.rateInWindow,
        windowMs: 600_000,
        firstOutAlarmId: event.firstOutAlarmId,
        groups: [],
      };
      this.deliver(
        routes,
        floodMessage(status, 'start', [], event.correlationId, this.context('high')),
        'high',
      );
    } else {
      this.floodActive = false;
      const held = this.held;
      this.held = [];
      const status: FloodStatus = {
        active: false,
        startedAt: event.startedAt,
        rateInWindow: event.rateInWindow,
        windowMs: this.options.floodStatus?.().windowMs ?? 600_000,
        firstOutAlarmId: event.firstOutAlarmId,
        groups: groupByAsset(held),
      };
      this.deliver(
        routes,
        floodMessage(status, 'end', held, event.correlationId, this.context('high')),
        'high',
      );
    }
  }

  /** Subscribes to the alarm engine's events on the bus. */
  attach(events: EventBus): Disposable {
    const subs = [
      events.on('alarm.transition', (e) => this.onTransition(e)),
      events.on('alarm.flood', (e) => this.onFlood(e)),
    ];
    return { dispose: () => subs.forEach((s) => s.dispose()) };
  }

  /** Escalations waiting, per alarm (for tests and the status view). */
  pendingEscalations(): string[] {
    return [...this.escalations.keys()];
  }

  dispose(): void {
    for (const id of [...this.escalations.keys()]) this.cancelEscalation(id);
  }

  private onActivate(alarm: AlarmView): void {
    const routes = this.routesFor(alarm, 'activate');
    // The alarm that starts a flood is announced before the flood event: ask the engine.
    const flooding = this.floodActive || (this.options.floodStatus?.().active ?? false);
    if (flooding && this.options.config.floodSummary && alarm.priority !== 'critical') {
      this.held.push(alarm);
    } else if (routes.length) {
      this.deliver(routes, alarmMessage(alarm, 'alarm', this.context(alarm.priority)), alarm.priority);
    }
    this.scheduleEscalation(alarm);
  }

  private inform(alarm: AlarmView, kind: 'return' | 'acknowledge', actor?: string): void {
    const routes = this.routesFor(alarm, kind);
    if (routes.length)
      this.deliver(routes, alarmMessage(alarm, kind, this.context(alarm.priority), actor), alarm.priority);
  }

  private routesFor(alarm: AlarmView, event: RouteEvent | null): Route[] {
    return this.options.config.routes.filter(
      (r) =>
        (event === null || r.events.includes(event)) &&
        r.priorities.includes(alarm.priority) &&
        (r.assets.length === 0 || r.assets.includes(alarm.assetId)),
    );
  }

  /** One delivery per channel even if several routes name it; quiet only if every route naming it is quiet. */
  private deliver(routes: readonly Route[], message: NotificationMessage, priority: AlarmPriority): void {
    const now = this.options.clock.now();
    const sendable = new Map<string, boolean>();
    for (const route of routes) {
      const quiet = quietFor(route.quietHours, priority, now);
      for (const channel of route.channels) sendable.set(channel, (sendable.get(channel) ?? false) || !quiet);
    }
    for (const [channel, ok] of sendable) {
      if (ok) this.options.queue.enqueue(channel, message);
      else this.options.queue.suppress(channel, message, 'quiet hours');
    }
  }

  private scheduleEscalation(alarm: AlarmView): void {
    this.cancelEscalation(alarm.id);
    const timers: Disposable[] = [];
    for (const route of this.routesFor(alarm, null)) {
      route.escalation.forEach((step, index) => {
        const timer = this.options.clock.setTimeout(
          () => this.escalate(alarm.id, alarm.activeSince, index + 1, step.afterMinutes, step.channels),
          step.afterMinutes * 60_000,
        );
        timers.push(timer);
      });
    }
    if (timers.length) this.escalations.set(alarm.id, { activeSince: alarm.activeSince, timers });
  }

  private escalate(
    alarmId: string,
    activeSince: number | null,
    level: number,
    afterMinutes: number,
    channels: string[],
  ): void {
    const current = this.options.getAlarm(alarmId);
    // Only the same occurrence, still unacknowledged, escalates.
    if (
      !current ||
      current.acknowledged ||
      current.activeSince !== activeSince ||
      !UNACKNOWLEDGED.has(current.state)
    ) {
      this.cancelEscalation(alarmId);
      return;
    }
    const message = escalationMessage(current, level, afterMinutes, this.context(current.priority));
    for (const channel of new Set(channels)) this.options.queue.enqueue(channel, message);
  }

  private cancelEscalation(alarmId: string): void {
    const e = this.escalations.get(alarmId);
    if (!e) return;
    for (const t of e.timers) t.dispose();
    this.escalations.delete(alarmId);
  }

  private context(priority: AlarmPriority): { id: string; at: number; sound: boolean } {
    return {
      id: this.newId(),
      at: this.options.clock.now(),
      sound: this.options.config.soundFor.includes(priority),
    };
  }
}

function groupByAsset(alarms: readonly AlarmView[]): FloodStatus['groups'] {
  const groups = new Map<string, FloodStatus['groups'][number]>();
  for (const a of alarms) {
    let g = groups.get(a.assetId);
    if (!g) groups.set(a.assetId, (g = { assetId: a.assetId, firstAt: a.activeSince ?? 0, alarmIds: [] }));
    if (!g.alarmIds.includes(a.id)) g.alarmIds.push(a.id);
  }
  return [...groups.values()];
}

export interface NotificationsOptions {
  clock: Clock;
  config?: NotificationsConfigInput;
  /** The bus the alarm events come from and the desktop / delivery events go to. */
  events: EventBus;
  getAlarm: (alarmId: string) => AlarmView | undefined;
  floodStatus?: () => FloodStatus;
  /** Channels to use instead of the configured ones' defaults (e.g. extra ones in tests). */
  channels?: Map<string, NotificationChannel>;
  newId?: () => string;
}

export interface Notifications extends Disposable {
  service: NotificationService;
  queue: DeliveryQueue;
  config: NotificationsConfig;
}

/**
 * Builds the notification side from the configuration and wires it to the bus: alarm events in;
 * `notification.desktop` (for the host to show) and `notification.delivery` (status changes) out.
 */
export function createNotifications(options: NotificationsOptions): Notifications {
  const config = NotificationsConfigSchema.parse(options.config ?? {});
  const showDesktop = (n: DesktopNotification) => options.events.emit('notification.desktop', n);
  const channels = options.channels ?? createChannels(config.channels, showDesktop);
  const queue = new DeliveryQueue({
    clock: options.clock,
    channels,
    retry: config.retry,
    concurrencyPerChannel: config.concurrencyPerChannel,
    newId: options.newId,
    onChange: (delivery) =>
      options.events.emit('notification.delivery', {
        correlationId: delivery.message.correlationId,
        delivery,
      }),
  });
  const service = new NotificationService({
    clock: options.clock,
    config,
    queue,
    getAlarm: options.getAlarm,
    floodStatus: options.floodStatus,
    newId: options.newId,
  });
  const subscription = service.attach(options.events);
  return {
    service,
    queue,
    config,
    async dispose() {
      subscription.dispose();
      service.dispose();
      await queue.dispose();
    },
  };
}
