import { randomUUID } from 'node:crypto';
import type { SampleBatch } from '../../../shared/samples';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import type { RecommendationChange } from './events';
import { exportWorkOrders, type ExportFile } from './export';
import { RuleState, signalKindOf, type Finding } from './rules';
import {
  MaintenanceConfigSchema,
  URGENCIES,
  type Evidence,
  type MaintenanceConfig,
  type MaintenanceConfigInput,
  type ModelSignal,
  type Recommendation,
  type RejectionLabel,
  type SignalKind,
  type Urgency,
  type WorkOrder,
  type WorkOrderStatus,
} from './schemas';
import type { RecommendationFilter, RecommendationStore, WorkOrderFilter, WorkOrderStore } from './stores';

const DAY = 86_400_000;
const MAX_DEFER_MS = 365 * DAY;
const MAX_CORRELATION_IDS = 10;

/** Where a derived tag's values come from, so batches of derived tags become model signals. */
export interface SignalSource {
  assetId: string;
  kind: SignalKind;
  modelId: string;
  modelVersion: string;
}

export interface MaintenanceServiceOptions {
  clock: Clock;
  config?: MaintenanceConfigInput;
  recommendations: RecommendationStore;
  workOrders: WorkOrderStore;
  events?: Pick<EventBus, 'emit'>;
  /** Alarms active on the asset (AlarmEngine.list({ assetId })) for the evidence. */
  relatedAlarms?: (assetId: string) => { alarmId: string; correlationId: string | null }[];
  newId?: () => string;
}

export interface RejectionLabelRecord {
  recommendationId: string;
  assetId: string;
  ruleId: string;
  kind: Recommendation['kind'];
  label: RejectionLabel;
  reason: string;
  by: string;
  at: number;
  models: Evidence['models'];
  scores: Evidence['scores'];
}

const TRANSITIONS: Record<WorkOrderStatus, readonly WorkOrderStatus[]> = {
  open: ['in_progress', 'done'],
  in_progress: ['open', 'done'],
  done: [],
};

const moreUrgent = (a: Urgency, b: Urgency) => URGENCIES.indexOf(a) < URGENCIES.indexOf(b);

/**
 * The maintenance decision queue. Rules watch model outputs (RUL, failure risk, anomaly scores) per
 * asset and propose a recommendation when a fault develops: one open recommendation per rule and
 * asset, updated as evidence grows, never duplicated. Engineers approve (a work order is created),
 * reject (the reason is kept as a label for model improvement) or defer (it comes back).
 */
export class MaintenanceService implements Disposable {
  readonly config: MaintenanceConfig;
  private readonly clock: Clock;
  private readonly store: RecommendationStore;
  private readonly orders: WorkOrderStore;
  private readonly newId: () => string;
  private readonly ruleStates = new Map<string, RuleState>();
  /** rule|asset -> id of the newest recommendation of that pair. */
  private readonly latestByKey = new Map<string, string>();
  private readonly deferTimers = new Map<string, Disposable>();

  constructor(private readonly options: MaintenanceServiceOptions) {
    this.config = MaintenanceConfigSchema.parse(options.config ?? {});
    const ids = new Set<string>();
    for (const rule of this.config.rules) {
      if (ids.has(rule.id))
        throw new Error(`Duplicate maintenance rule id "${rule.id}" in the configuration`);
      ids.add(rule.id);
    }
    this.clock = options.clock;
    this.store = options.recommendations;
    this.orders = options.workOrders;
    this.newId = options.newId ?? randomUUID;
    for (const r of this.store.list().sort((a, b) => a.createdAt - b.createdAt)) {
      this.latestByKey.set(key(r.ruleId, r.assetId), r.id);
      if (r.status === 'deferred' && r.decision?.deferredUntil != null)
        this.scheduleResurface(r.id, r.decision.deferredUntil);
    }
  }

  // ---------------------------------------------------------------- signals in

  /** Feeds one model output; returns the recommendation it created or escalated, else null. */
  observe(signal: ModelSignal): Recommendation | null {
    let result: Recommendation | null = null;
    for (const rule of this.config.rules) {
      if (signalKindOf(rule) !== signal.kind) continue;
      if (rule.assets.length && !rule.assets.includes(signal.assetId)) continue;
      const k = key(rule.id, signal.assetId);
      let state = this.ruleStates.get(k);
      if (!state) this.ruleStates.set(k, (state = new RuleState(rule)));
      const finding = state.observe(signal);
      if (finding) result = this.propose(rule.id, rule.suggestedAction, signal, finding) ?? result;
    }
    return result;
  }

  /** Turns samples of derived tags (RUL, risk, score) in a batch into signals. */
  observeBatch(batch: SampleBatch, sourceOf: (tagId: string) => SignalSource | undefined): void {
    const sources = batch.tagIds.map((t) => sourceOf(t));
    if (!sources.some(Boolean)) return;
    for (let i = 0; i < batch.length; i++) {
      const tagIndex = batch.tagIndex[i]!;
      const source = sources[tagIndex];
      const value = batch.values[i]!;
      // Bad-quality model outputs are no evidence.
      if (!source || batch.quality[i]! >>> 31 !== 0 || !Number.isFinite(value)) continue;
      this.observe({
        ...source,
        value,
        at: batch.timestamps[i]!,
        tagId: batch.tagIds[tagIndex]!,
        correlationId: batch.correlationId,
      });
    }
  }

  /**
   * Feeds the service from the bus: measured samples and derived scores (the detectors publish
   * anomaly scores as their own batches), filtered by the derived-tag lookup.
   */
  attach(events: EventBus, sourceOf: (tagId: string) => SignalSource | undefined): Disposable {
    const subscriptions = [
      events.on('samples', (batch) => this.observeBatch(batch, sourceOf)),
      events.on('scores', (batch) => this.observeBatch(batch, sourceOf)),
    ];
    return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
  }

  private propose(
    ruleId: string,
    suggestedAction: string,
    signal: ModelSignal,
    finding: Finding,
  ): Recommendation | null {
    const now = this.clock.now();
    const k = key(ruleId, signal.assetId);
    const latestId = this.latestByKey.get(k);
    const latest = latestId ? this.store.get(latestId) : undefined;
    if (latest && (latest.status === 'proposed' || latest.status === 'deferred')) {
      return this.addEvidence(latest, signal, finding);
    }
    if (latest?.status === 'approved' && latest.workOrderId) {
      const order = this.orders.get(latest.workOrderId);
      if (order && order.status !== 'done') return null; // already being handled
    }
    if (latest?.status === 'rejected' && latest.decision) {
      const cooling = now - latest.decision.at < this.config.rejectCooldownMs;
      if (cooling && !moreUrgent(finding.urgency, latest.decision.urgency)) return null;
    }
    const recommendation: Recommendation = {
      id: `rec-${this.newId()}`,
      assetId: signal.assetId,
      ruleId,
      kind: finding.kind,
      finding: finding.text,
      evidence: {
        tags: [signal.tagId],
        scores: finding.scores,
        models: [{ id: signal.modelId, version: signal.modelVersion }],
        correlationIds: [signal.correlationId],
        relatedAlarms: this.options.relatedAlarms?.(signal.assetId) ?? [],
      },
      urgency: finding.urgency,
      suggestedAction,
      dueDate: this.dueDate(finding, now),
      status: 'proposed',
      createdAt: now,
      updatedAt: now,
      correlationId: signal.correlationId,
      decision: null,
      workOrderId: null,
      history: [{ at: now, action: 'proposed', user: 'system', comment: finding.text }],
    };
    this.store.put(recommendation);
    this.latestByKey.set(k, recommendation.id);
    this.emitRecommendation('proposed', recommendation);
    return recommendation;
  }

  /** More evidence for an open recommendation: it grows (and may become more urgent), never duplicates. */
  private addEvidence(rec: Recommendation, signal: ModelSignal, finding: Finding): Recommendation | null {
    const now = this.clock.now();
    const ev = rec.evidence;
    if (!ev.tags.includes(signal.tagId)) ev.tags.push(signal.tagId);
    if (!ev.models.some((m) => m.id === signal.modelId && m.version === signal.modelVersion)) {
      ev.models.push({ id: signal.modelId, version: signal.modelVersion });
    }
    if (!ev.correlationIds.includes(signal.correlationId)) {
      ev.correlationIds.push(signal.correlationId);
      if (ev.correlationIds.length > MAX_CORRELATION_IDS) ev.correlationIds.splice(1, 1); // keep the first (origin)
    }
    ev.scores = finding.scores;
    rec.finding = finding.text;
    rec.updatedAt = now;
    const escalated = moreUrgent(finding.urgency, rec.urgency);
    if (escalated) {
      rec.history.push({
        at: now,
        action: 'escalated',
        user: 'system',
        comment: `${rec.urgency} -> ${finding.urgency}: ${finding.text}`,
      });
      rec.urgency = finding.urgency;
      rec.dueDate = Math.min(rec.dueDate, this.dueDate(finding, now));
    }
    this.store.put(rec);
    if (!escalated) return null;
    this.emitRecommendation('escalated', rec);
    return rec;
  }

  private dueDate(finding: Finding, now: number): number {
    return finding.dueDate ?? now + this.config.dueDays[finding.urgency] * DAY;
  }

  // ---------------------------------------------------------------- decisions

  list(filter: RecommendationFilter = {}): Recommendation[] {
    return this.store
      .list(filter)
      .sort(
        (a, b) =>
          URGENCIES.indexOf(a.urgency) - URGENCIES.indexOf(b.urgency) ||
          a.dueDate - b.dueDate ||
          a.id.localeCompare(b.id),
      );
  }

  get(id: string): Recommendation {
    const r = typeof id === 'string' ? this.store.get(id) : undefined;
    if (!r) throw new CoreError('not_found', `No recommendation with id "${String(id)}"`);
    return r;
  }

  /** Approves a recommendation and opens a work order for it. */
  approve(
    id: string,
    actor: string,
    options: { comment?: string; dueDate?: number } = {},
  ): { recommendation: Recommendation; workOrder: WorkOrder } {
    const rec = this.openForDecision(id, 'approve');
    const now = this.clock.now();
    const dueDate = options.dueDate ?? rec.dueDate;
    if (!Number.isFinite(dueDate)) throw new CoreError('invalid_input', 'The due date is not a valid time');
    if (options.dueDate !== undefined && options.dueDate < now)
      throw new CoreError('invalid_input', 'The due date is in the past');
    const comment = options.comment?.trim() ?? '';
    const workOrder: WorkOrder = {
      id: `WO-${String(this.orders.nextNumber()).padStart(6, '0')}`,
      assetId: rec.assetId,
      recommendationId: rec.id,
      title: `${rec.assetId}: ${rec.finding}`,
      description: [rec.finding, comment, `Evidence: ${describeEvidence(rec.evidence)}`]
        .filter(Boolean)
        .join('\n'),
      suggestedAction: rec.suggestedAction,
      urgency: rec.urgency,
      dueDate,
      status: 'open',
      createdAt: now,
      createdBy: actor,
      updatedAt: now,
      correlationId: rec.correlationId,
      history: [{ at: now, user: actor, from: null, to: 'open', comment }],
    };
    rec.status = 'approved';
    rec.workOrderId = workOrder.id;
    rec.dueDate = dueDate;
    rec.updatedAt = now;
    rec.decision = {
      by: actor,
      at: now,
      comment,
      reason: null,
      label: null,
      deferredUntil: null,
      urgency: rec.urgency,
    };
    rec.history.push({
      at: now,
      action: 'approved',
      user: actor,
      comment: `${comment ? `${comment}; ` : ''}work order ${workOrder.id}`,
    });
    this.orders.put(workOrder); // the order first: a recommendation never points to a missing order
    this.store.put(rec);
    this.cancelResurface(rec.id);
    this.emitRecommendation('approved', rec);
    this.emitWorkOrder('created', workOrder);
    return { recommendation: rec, workOrder };
  }

  /** Rejects a recommendation; the reason and label are kept for model improvement. */
  reject(id: string, actor: string, options: { reason: string; label?: RejectionLabel }): Recommendation {
    const reason = options.reason?.trim() ?? '';
    const rec = this.openForDecision(id, 'reject');
    if (!reason)
      throw new CoreError(
        'invalid_input',
        'Rejecting needs a reason (it becomes a label to improve the models)',
      );
    const now = this.clock.now();
    const label = options.label ?? 'other';
    rec.status = 'rejected';
    rec.updatedAt = now;
    rec.decision = {
      by: actor,
      at: now,
      comment: reason,
      reason,
      label,
      deferredUntil: null,
      urgency: rec.urgency,
    };
    rec.history.push({ at: now, action: 'rejected', user: actor, comment: `${label}: ${reason}` });
    this.store.put(rec);
    this.cancelResurface(rec.id);
    this.emitRecommendation('rejected', rec);
    return rec;
  }

  /** Defers a recommendation until a time; it then comes back as proposed. */
  defer(id: string, actor: string, options: { until: number; comment?: string }): Recommendation {
    const rec = this.openForDecision(id, 'defer');
    const now = this.clock.now();
    const until = options.until;
    if (!Number.isFinite(until) || until <= now)
      throw new CoreError('invalid_input', 'Deferring needs a time in the future');
    if (until - now > MAX_DEFER_MS)
      throw new CoreError('invalid_input', 'A recommendation can be deferred by a year at most');
    const comment = options.comment?.trim() ?? '';
    rec.status = 'deferred';
    rec.updatedAt = now;
    rec.decision = {
      by: actor,
      at: now,
      comment,
      reason: null,
      label: null,
      deferredUntil: until,
      urgency: rec.urgency,
    };
    rec.history.push({
      at: now,
      action: 'deferred',
      user: actor,
      comment: `until ${new Date(until).toISOString()}${comment ? `: ${comment}` : ''}`,
    });
    this.store.put(rec);
    this.scheduleResurface(rec.id, until);
    this.emitRecommendation('deferred', rec);
    return rec;
  }

  /** Rejections with their reasons, labels and the evidence they refer to: feedback for the models. */
  rejectionLabels(): RejectionLabelRecord[] {
    return this.store
      .list({ status: 'rejected' })
      .filter((r) => r.decision?.label)
      .map((r) => ({
        recommendationId: r.id,
        assetId: r.assetId,
        ruleId: r.ruleId,
        kind: r.kind,
        label: r.decision!.label!,
        reason: r.decision!.reason ?? '',
        by: r.decision!.by,
        at: r.decision!.at,
        models: r.evidence.models,
        scores: r.evidence.scores,
      }))
      .sort((a, b) => a.at - b.at);
  }

  // ---------------------------------------------------------------- work orders

  listWorkOrders(filter: WorkOrderFilter = {}): WorkOrder[] {
    return this.orders.list(filter).sort((a, b) => a.id.localeCompare(b.id));
  }

  getWorkOrder(id: string): WorkOrder {
    const w = typeof id === 'string' ? this.orders.get(id) : undefined;
    if (!w) throw new CoreError('not_found', `No work order with id "${String(id)}"`);
    return w;
  }

  updateWorkOrderStatus(id: string, status: WorkOrderStatus, actor: string, comment = ''): WorkOrder {
    const w = this.getWorkOrder(id);
    if (!TRANSITIONS[w.status].includes(status)) {
      throw new CoreError(
        'invalid_input',
        w.status === status
          ? `Work order ${id} is already ${status}`
          : `Work order ${id} is ${w.status}; it cannot become ${status}`,
      );
    }
    const now = this.clock.now();
    w.history.push({ at: now, user: actor, from: w.status, to: status, comment: comment.trim() });
    w.status = status;
    w.updatedAt = now;
    this.orders.put(w);
    this.emitWorkOrder('status_changed', w);
    return w;
  }

  exportWorkOrders(format: 'csv' | 'json', filter: WorkOrderFilter = {}): ExportFile {
    return exportWorkOrders(this.listWorkOrders(filter), format, this.clock.now());
  }

  dispose(): void {
    for (const t of this.deferTimers.values()) t.dispose();
    this.deferTimers.clear();
  }

  // ---------------------------------------------------------------- internals

  private openForDecision(id: string, verb: string): Recommendation {
    const rec = this.get(id);
    if (rec.status !== 'proposed' && rec.status !== 'deferred') {
      throw new CoreError(
        'invalid_input',
        `Recommendation ${id} is already ${rec.status}; only a proposed or deferred one can be given to ${verb}`,
      );
    }
    return rec;
  }

  private scheduleResurface(id: string, until: number): void {
    this.cancelResurface(id);
    const timer = this.clock.setTimeout(
      () => {
        this.deferTimers.delete(id);
        const rec = this.store.get(id);
        if (!rec || rec.status !== 'deferred') return;
        const now = this.clock.now();
        rec.status = 'proposed';
        rec.updatedAt = now;
        rec.history.push({ at: now, action: 'resurfaced', user: 'system', comment: 'Deferral ended' });
        this.store.put(rec);
        this.emitRecommendation('resurfaced', rec);
      },
      Math.max(0, until - this.clock.now()),
    );
    this.deferTimers.set(id, timer);
  }

  private cancelResurface(id: string): void {
    this.deferTimers.get(id)?.dispose();
    this.deferTimers.delete(id);
  }

  private emitRecommendation(change: RecommendationChange, recommendation: Recommendation): void {
    this.options.events?.emit('maintenance.recommendation', {
      correlationId: recommendation.correlationId,
      change,
      recommendation,
    });
  }

  private emitWorkOrder(change: 'created' | 'status_changed', workOrder: WorkOrder): void {
    this.options.events?.emit('maintenance.workOrder', {
      correlationId: workOrder.correlationId,
      change,
      workOrder,
    });
  }
}

function key(ruleId: string, assetId: string): string {
  return `${ruleId}\u0000${assetId}`;
}

function describeEvidence(e: Evidence): string {
  const scores = e.scores.map((s) => `${s.name}=${Math.round(s.value * 1000) / 1000}`).join(', ');
  const models = e.models.map((m) => `${m.id}@${m.version}`).join(', ');
  return `${scores}; models ${models}; tags ${e.tags.join(', ')}`;
}
