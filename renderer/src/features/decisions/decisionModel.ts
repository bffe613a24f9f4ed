import {
  URGENCIES,
  type Recommendation,
  type RecommendationKind,
  type RejectionLabel,
  type Urgency,
  type WorkOrder,
  type WorkOrderStatus,
} from '../../../../shared/maintenance';

/** How the decision queue presents recommendations and work orders. Pure; decisions are the core's. */

export const URGENCY_LABEL: Record<Urgency, string> = {
  immediate: 'Immediate',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const KIND_LABEL: Record<RecommendationKind, string> = {
  rul_below: 'Remaining useful life low',
  failure_risk_rising: 'Failure risk rising',
  persistent_anomaly: 'Persistent anomaly',
};

export const REJECTION_LABELS: Record<RejectionLabel, string> = {
  false_alarm: 'False alarm',
  already_known: 'Already known',
  not_actionable: 'Not actionable',
  wrong_asset: 'Wrong asset',
  other: 'Other',
};

export const WORK_ORDER_STATUS_LABEL: Record<WorkOrderStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  done: 'Done',
};

const urgencyRank = (u: Urgency) => URGENCIES.indexOf(u);

/** Most urgent first, then the earliest due date (the core's own order for listRecommendations). */
export function byUrgency(a: Recommendation, b: Recommendation): number {
  return urgencyRank(a.urgency) - urgencyRank(b.urgency) || a.dueDate - b.dueDate || a.id.localeCompare(b.id);
}

export interface DecisionQueue {
  /** Waiting for a decision. */
  open: Recommendation[];
  /** Deferred: they come back as proposed at their time. */
  deferred: Recommendation[];
  /** Approved or rejected, newest decision first. */
  decided: Recommendation[];
}

export function decisionQueue(recommendations: Readonly<Record<string, Recommendation>>): DecisionQueue {
  const all = Object.values(recommendations);
  return {
    open: all.filter((r) => r.status === 'proposed').sort(byUrgency),
    deferred: all
      .filter((r) => r.status === 'deferred')
      .sort((a, b) => (a.decision?.deferredUntil ?? 0) - (b.decision?.deferredUntil ?? 0)),
    decided: all
      .filter((r) => r.status === 'approved' || r.status === 'rejected')
      .sort((a, b) => (b.decision?.at ?? b.updatedAt) - (a.decision?.at ?? a.updatedAt)),
  };
}

/** Recommendations waiting for a decision: the count on the Decisions tab. */
export function openRecommendationCount(recommendations: Readonly<Record<string, Recommendation>>): number {
  let n = 0;
  for (const r of Object.values(recommendations)) if (r.status === 'proposed') n++;
  return n;
}

const statusRank: Record<WorkOrderStatus, number> = { in_progress: 0, open: 1, done: 2 };

/** Work in hand first, then open, then done; earliest due first. */
export function sortedWorkOrders(workOrders: Readonly<Record<string, WorkOrder>>): WorkOrder[] {
  return Object.values(workOrders).sort(
    (a, b) =>
      statusRank[a.status] - statusRank[b.status] || a.dueDate - b.dueDate || a.id.localeCompare(b.id),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-28 15:12" in the workstation's time zone. */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value of an <input type="datetime-local"> for a time (local, minutes). */
export function toLocalInput(ms: number): string {
  return formatDateTime(ms).replace(' ', 'T');
}

/** The time an <input type="datetime-local"> holds; NaN when it is empty or malformed. */
export function fromLocalInput(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  // new Date rolls 2026-02-31 over into March: refuse it instead.
  return date.getMonth() === Number(mo) - 1 && date.getDate() === Number(d) ? date.getTime() : NaN;
}

/** "in 3 d", "in 5 h", "2 d overdue" relative to now. */
export function dueIn(dueDate: number, now: number): { text: string; overdue: boolean } {
  const ms = dueDate - now;
  const abs = Math.abs(ms);
  const text =
    abs >= 86_400_000
      ? `${Math.round(abs / 86_400_000)} d`
      : abs >= 3_600_000
        ? `${Math.round(abs / 3_600_000)} h`
        : `${Math.max(1, Math.round(abs / 60_000))} min`;
  return ms < 0 ? { text: `${text} overdue`, overdue: true } : { text: `in ${text}`, overdue: false };
}

export function formatScore(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3).replace(/\.?0+$/, '');
}
