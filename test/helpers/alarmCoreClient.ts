import { VigilApiError, type StreamName } from '../../shared/api';
import type { AlarmsConfigInput } from '../../shared/alarms';
import type { MaintenanceConfigInput } from '../../shared/maintenance';
import type { NotificationsConfigInput } from '../../shared/notifications';
import { createCoreApi, type CommandHandlers, type StreamHandlers } from '../../electron/core/app/api';
import { ManualClock } from '../../electron/core/app/clock';
import { EventBus } from '../../electron/core/app/eventBus';
import { AlarmEngine, InMemoryAlarmJournal, createAlarmApiHandlers } from '../../electron/core/alarms';
import { MapTagCatalog, batchOf, type SampleSpec } from '../../electron/core/alarms/testing';
import { MaintenanceService } from '../../electron/core/maintenance/service';
import { InMemoryRecommendationStore, InMemoryWorkOrderStore } from '../../electron/core/maintenance/stores';
import { createNotifications } from '../../electron/core/notify/notifier';
import {
  decodeResult,
  decodeStreamMessage,
  toApiError,
  unavailable,
} from '../../renderer/src/transport/decode';
import { createObservable } from '../../renderer/src/transport/observable';
import type { RendererClient, TransportState, TransportStatus } from '../../renderer/src/transport/types';

/**
 * The real alarm engine, notifications and maintenance decision queue on a manual clock, behind
 * the real core API (contract parsing, errors) and the renderer's own result/stream decoding.
 * Only the wire is left out: calls and stream messages go straight through, except while the
 * test says the link is down (then calls fail as `unavailable` and stream messages are lost, as
 * over a dead socket; on reconnect the subscriptions are sent again, like the WebSocket client).
 */
export interface AlarmCoreOptions {
  start?: number;
  /** Tag id -> asset id. */
  catalog: Record<string, string>;
  alarms?: AlarmsConfigInput;
  notifications?: NotificationsConfigInput;
  maintenance?: MaintenanceConfigInput;
  kind?: RendererClient['kind'];
}

/** Tags ending in /rul carry a RUL model's output for the asset of the catalog. */
const RUL_MODEL = { modelId: 'rul-cnn', modelVersion: '3' };

export function createAlarmCore(options: AlarmCoreOptions) {
  const clock = new ManualClock(options.start ?? Date.UTC(2025, 0, 6, 8, 0, 0));
  const errors: unknown[] = [];
  const events = new EventBus((_e, err) => errors.push(err));
  const engine = new AlarmEngine({
    clock,
    journal: new InMemoryAlarmJournal(),
    catalog: new MapTagCatalog(options.catalog),
    config: options.alarms,
    events,
  });
  const attached = engine.attach(events);
  const notifications = createNotifications({
    clock,
    events,
    config: options.notifications,
    getAlarm: (id) => engine.find(id),
    floodStatus: () => engine.floodStatus(),
  });
  const maintenance = new MaintenanceService({
    clock,
    config: options.maintenance,
    recommendations: new InMemoryRecommendationStore(),
    workOrders: new InMemoryWorkOrderStore(),
    events,
    relatedAlarms: (assetId) =>
      engine.list({ assetId }).map((a) => ({ alarmId: a.id, correlationId: a.correlationId })),
  });
  const maintenanceAttached = maintenance.attach(events, (tagId) =>
    tagId.endsWith('/rul') && options.catalog[tagId]
      ? { assetId: options.catalog[tagId], kind: 'rul', ...RUL_MODEL }
      : undefined,
  );
  const handlers = createAlarmApiHandlers({ engine, notifications, maintenance, events, clock });
  // Only the alarm area's handlers exist here; a call to another command is a test bug.
  const api = createCoreApi(
    handlers.commands as unknown as CommandHandlers,
    handlers.streams as unknown as StreamHandlers,
    (message, err) => errors.push(new Error(`${message}: ${String(err)}`)),
  );

  const status = createObservable<TransportStatus>({ state: 'open', lastError: null, attempt: 0 });
  const isOpen = () => status.get().state === 'open';
  interface Sub {
    name: StreamName;
    onMessage: (m: never) => void;
    onError?: (e: VigilApiError) => void;
    live: { dispose(): void } | null;
  }
  const subs = new Set<Sub>();
  const open = (sub: Sub) => {
    const result = api.subscribe(sub.name, {}, (raw) => {
      if (!isOpen()) return; // lost on the dead link
      const decoded = decodeStreamMessage(sub.name, raw);
      if (decoded.ok) (sub.onMessage as (m: unknown) => void)(decoded.value);
      else sub.onError?.(decoded.error);
    });
    if (result.ok) sub.live = result.subscription;
    else {
      subs.delete(sub);
      sub.onError?.(new VigilApiError(result.error));
    }
  };
  status.subscribe((s) => {
    if (s.state !== 'open') return;
    for (const sub of subs) {
      sub.live?.dispose();
      open(sub);
    }
  });

  const calls: string[] = [];
  const client: RendererClient = {
    kind: options.kind ?? 'websocket',
    status,
    async call(name, input) {
      calls.push(name);
      if (!isOpen()) throw unavailable(`Cannot reach the Vigil core (${name} not sent)`);
      const result = await api.call(name, input);
      if (!result.ok) throw new VigilApiError(toApiError(result.error));
      return decodeResult(name, result.result);
    },
    subscribe(name, _params, onMessage, onError) {
      const sub: Sub = { name, onMessage: onMessage as (m: never) => void, onError, live: null };
      subs.add(sub);
      open(sub);
      return () => {
        subs.delete(sub);
        sub.live?.dispose();
      };
    },
    dispose() {
      for (const sub of subs) sub.live?.dispose();
      subs.clear();
    },
  };

  return {
    clock,
    events,
    engine,
    maintenance,
    client,
    /** Commands the client sent, in order (to check what was NOT sent). */
    calls,
    /** Errors the bus or the API logged: a test expects none. */
    errors,
    setLink(state: TransportState) {
      status.set({ state, lastError: state === 'open' ? null : 'link down (test)', attempt: 0 });
    },
    /** One batch of samples through the bus, as acquisition would publish it. */
    feed(rows: readonly SampleSpec[], correlationId?: string) {
      events.emit('samples', batchOf(rows, clock.now(), correlationId));
    },
    /** Lets the streams' 30 Hz coalescing and pending promises run. */
    async settle(ms = 50) {
      clock.advance(ms);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      await new Promise((r) => setTimeout(r, 0));
    },
    dispose() {
      client.dispose();
      maintenanceAttached.dispose();
      maintenance.dispose();
      notifications.dispose();
      attached.dispose();
      engine.dispose();
    },
  };
}

export type AlarmCore = ReturnType<typeof createAlarmCore>;
