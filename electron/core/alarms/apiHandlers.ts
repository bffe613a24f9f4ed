import type { z } from 'zod';
import { MAX_STREAM_UPDATES_PER_S } from '../../../shared/api';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import type { CallContext } from '../app/types';
import type { MaintenanceService } from '../maintenance/service';
import type { Recommendation, WorkOrder } from '../maintenance/schemas';
import type { Notifications } from '../notify/notifier';
import { resolveActor } from './actor';
import type {
  alarmCommands,
  alarmStreams,
  AlarmCommandName,
  AlarmStreamName,
} from '../../../shared/alarmsApi';
import type { AlarmEngine } from './engine';
import type { AlarmView } from './schemas';

export type AlarmCommandHandlers = {
  [N in AlarmCommandName]: (
    input: z.output<(typeof alarmCommands)[N]['input']>,
    context: CallContext,
  ) => z.output<(typeof alarmCommands)[N]['output']> | Promise<z.output<(typeof alarmCommands)[N]['output']>>;
};

export type AlarmStreamHandlers = {
  [S in AlarmStreamName]: (
    params: z.output<(typeof alarmStreams)[S]['params']>,
    send: (message: z.output<(typeof alarmStreams)[S]['message']>) => void,
    context: CallContext,
  ) => Disposable;
};

export interface AlarmApiDeps {
  engine: AlarmEngine;
  notifications?: Notifications;
  maintenance?: MaintenanceService;
  events: EventBus;
  clock: Clock;
  /** Who is acting: defaults to the signed-in user, or the local OS user while there are no accounts. */
  actorOf?: (context: CallContext) => string;
  onError?: (message: string, err: unknown) => void;
}

/**
 * The handlers behind the commands and streams of shared/alarmsApi.ts. createCore spreads them
 * into createCoreApi once the schemas are in shared/api.ts; every input arrives parsed.
 */
export function createAlarmApiHandlers(deps: AlarmApiDeps): {
  commands: AlarmCommandHandlers;
  streams: AlarmStreamHandlers;
} {
  const { engine, events, clock } = deps;
  const actor = deps.actorOf ?? ((context: CallContext) => resolveActor(context.user));
  const notifications = (): Notifications => {
    if (!deps.notifications) throw new CoreError('unavailable', 'Notifications are not running');
    return deps.notifications;
  };
  const maintenance = (): MaintenanceService => {
    if (!deps.maintenance)
      throw new CoreError('unavailable', 'The maintenance decision queue is not running');
    return deps.maintenance;
  };

  const commands: AlarmCommandHandlers = {
    listAlarms: ({ states, assetId, includeNormal }) => engine.list({ states, assetId, includeNormal }),
    acknowledgeAlarms: ({ alarmIds, comment }, ctx) =>
      engine.acknowledge(alarmIds, actor(ctx), comment ?? ''),
    resetAlarm: ({ alarmId, comment }, ctx) => engine.reset(alarmId, actor(ctx), comment ?? ''),
    shelveAlarm: ({ alarmId, mode, durationMinutes, reason }, ctx) =>
      engine.shelve(
        {
          alarmId,
          mode,
          reason,
          durationMs: durationMinutes === undefined ? undefined : Math.round(durationMinutes * 60_000),
        },
        actor(ctx),
      ),
    unshelveAlarm: ({ alarmId, comment }, ctx) => engine.unshelve(alarmId, actor(ctx), comment ?? ''),
    commentAlarm: ({ alarmId, comment }, ctx) => engine.comment(alarmId, comment, actor(ctx)),
    setAlarmOutOfService: ({ alarmId, reason }, ctx) => engine.setOutOfService(alarmId, reason, actor(ctx)),
    returnAlarmToService: ({ alarmId, comment }, ctx) =>
      engine.returnToService(alarmId, actor(ctx), comment ?? ''),
    getFloodStatus: () => engine.floodStatus(),
    queryAlarmJournal: (q) => engine.queryJournal({ ...q, order: 'desc' }),
    getAlarmKpis: ({ from, to }) => engine.kpis(from, to),
    listAlarmDefinitions: () => engine.listDefinitions(),
    upsertAlarmDefinition: ({ definition }, ctx) => engine.upsertDefinition(definition, actor(ctx)),
    removeAlarmDefinition: ({ id }, ctx) => {
      engine.removeDefinition(id, actor(ctx));
      return { removed: true as const };
    },
    listNotificationDeliveries: ({ status, limit }) => notifications().queue.list({ status, limit }),
    retryNotificationDelivery: ({ deliveryId }, ctx) => notifications().queue.retry(deliveryId, actor(ctx)),
    listRecommendations: (filter) => maintenance().list(filter),
    approveRecommendation: ({ recommendationId, comment, dueDate }, ctx) =>
      maintenance().approve(recommendationId, actor(ctx), { comment, dueDate }),
    rejectRecommendation: ({ recommendationId, reason, label }, ctx) =>
      maintenance().reject(recommendationId, actor(ctx), { reason, label }),
    deferRecommendation: ({ recommendationId, until, comment }, ctx) =>
      maintenance().defer(recommendationId, actor(ctx), { until, comment }),
    listRejectionLabels: () => maintenance().rejectionLabels(),
    listWorkOrders: (filter) => maintenance().listWorkOrders(filter),
    updateWorkOrderStatus: ({ workOrderId, status, comment }, ctx) =>
      maintenance().updateWorkOrderStatus(workOrderId, status, actor(ctx), comment ?? ''),
    exportWorkOrders: ({ format, status, assetId }) =>
      maintenance().exportWorkOrders(format, { status, assetId }),
  };

  /** Collects changes and sends them at most MAX_STREAM_UPDATES_PER_S times a second. */
  const coalesce = (flush: () => void): { schedule(): void; dispose(): void } => {
    let timer: Disposable | null = null;
    return {
      schedule() {
        timer ??= clock.setTimeout(() => {
          timer = null;
          try {
            flush();
          } catch (err) {
            deps.onError?.('stream update failed', err);
          }
        }, 1000 / MAX_STREAM_UPDATES_PER_S);
      },
      dispose() {
        timer?.dispose();
        timer = null;
      },
    };
  };

  const streams: AlarmStreamHandlers = {
    alarms: (_params, send) => {
      send({ snapshot: true, alarms: engine.list(), flood: engine.floodStatus() });
      const changed = new Map<string, AlarmView>();
      const batcher = coalesce(() => {
        const alarms = [...changed.values()];
        changed.clear();
        send({ snapshot: false, alarms, flood: engine.floodStatus() });
      });
      const subs = [
        events.on('alarm.transition', (e) => {
          changed.set(e.alarm.id, e.alarm);
          batcher.schedule();
        }),
        events.on('alarm.flood', () => batcher.schedule()),
        // Chattering is decided after the activation was announced: send the alarm again so
        // the "consider shelving" suggestion shows at once.
        events.on('alarm.chattering', (e) => {
          const alarm = engine.find(e.alarmId);
          if (alarm) changed.set(alarm.id, alarm);
          batcher.schedule();
        }),
        // ... and again when it stops chattering, so the flag and the suggestion go away.
        events.on('alarm.chattering_ended', (e) => {
          const alarm = engine.find(e.alarmId);
          if (alarm) changed.set(alarm.id, alarm);
          batcher.schedule();
        }),
      ];
      return { dispose: () => [...subs, batcher].forEach((s) => s.dispose()) };
    },
    notifications: (_params, send) => events.on('notification.desktop', (n) => send(n)),
    decisions: (_params, send) => {
      const recommendations = new Map<string, Recommendation>();
      const workOrders = new Map<string, WorkOrder>();
      const batcher = coalesce(() => {
        const message = {
          recommendations: [...recommendations.values()],
          workOrders: [...workOrders.values()],
        };
        recommendations.clear();
        workOrders.clear();
        send(message);
      });
      const subs = [
        events.on('maintenance.recommendation', (e) => {
          recommendations.set(e.recommendation.id, e.recommendation);
          batcher.schedule();
        }),
        events.on('maintenance.workOrder', (e) => {
          workOrders.set(e.workOrder.id, e.workOrder);
          batcher.schedule();
        }),
      ];
      return { dispose: () => [...subs, batcher].forEach((s) => s.dispose()) };
    },
  };

  return { commands, streams };
}
