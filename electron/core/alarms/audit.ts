import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import '../maintenance/events';
import '../notify/events';
import { SYSTEM_USER } from './engine';

/** Where audit entries go: the historian's AuditLog has this shape. */
export interface AuditSink {
  append(entry: {
    at: number;
    user: string;
    action: string;
    target?: string | null;
    details?: unknown;
  }): unknown;
}

/**
 * Writes every person's action on alarms and maintenance decisions to the audit log: acknowledge,
 * shelve, comment, out of service, definition changes, approve / reject / defer, work-order status,
 * retrying a failed notification.
 * Transitions the process caused (user "system") are in the alarm journal only.
 */
export function attachAuditTrail(
  events: EventBus,
  sink: AuditSink,
  onError: (message: string, err: unknown) => void = () => {},
): Disposable {
  const write = (entry: Parameters<AuditSink['append']>[0]) => {
    try {
      sink.append(entry);
    } catch (err) {
      onError(`audit entry ${entry.action} by ${entry.user} could not be stored`, err);
    }
  };
  const subscriptions = [
    events.on('alarm.transition', ({ entry }) => {
      if (entry.user === SYSTEM_USER) return;
      write({
        at: entry.at,
        user: entry.user,
        action: `alarm.${entry.transition}`,
        target: entry.alarmId,
        details: {
          comment: entry.comment,
          fromState: entry.fromState,
          toState: entry.toState,
          correlationId: entry.correlationId,
        },
      });
    }),
    events.on('maintenance.recommendation', ({ change, recommendation: r, correlationId }) => {
      if (!r.decision || (change !== 'approved' && change !== 'rejected' && change !== 'deferred')) return;
      write({
        at: r.decision.at,
        user: r.decision.by,
        action: `recommendation.${change}`,
        target: r.id,
        details: {
          assetId: r.assetId,
          comment: r.decision.comment,
          reason: r.decision.reason,
          label: r.decision.label,
          deferredUntil: r.decision.deferredUntil,
          workOrderId: r.workOrderId,
          correlationId,
        },
      });
    }),
    events.on('maintenance.workOrder', ({ change, workOrder: w, correlationId }) => {
      const last = w.history[w.history.length - 1];
      if (!last) return;
      write({
        at: last.at,
        user: last.user,
        action: change === 'created' ? 'workorder.create' : 'workorder.status',
        target: w.id,
        details: { assetId: w.assetId, from: last.from, to: last.to, comment: last.comment, correlationId },
      });
    }),
    events.on('notification.delivery', ({ delivery: d, correlationId }) => {
      // A retry by hand is the moment the record is pending again with no attempt yet.
      if (d.status !== 'pending' || d.attempts !== 0 || !d.retriedBy) return;
      write({
        at: d.retriedAt ?? d.createdAt,
        user: d.retriedBy,
        action: 'notification.retry',
        target: d.id,
        details: { channelId: d.channelId, lastError: d.lastError, correlationId },
      });
    }),
  ];
  return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
}
