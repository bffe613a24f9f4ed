import { z } from 'zod';

/*
 * Maintenance recommendations and work orders. Browser-safe (zod only) so the lead can move the
 * wire types into shared/ with the commands of contract-proposal.ts.
 */

export const UrgencySchema = z.enum(['immediate', 'high', 'medium', 'low']);
export type Urgency = z.infer<typeof UrgencySchema>;
/** Most urgent first. */
export const URGENCIES: readonly Urgency[] = ['immediate', 'high', 'medium', 'low'];

export const SignalKindSchema = z.enum(['rul', 'failure_risk', 'anomaly_score']);
export type SignalKind = z.infer<typeof SignalKindSchema>;

/** One model output for an asset: what the recommendation rules watch. */
export const ModelSignalSchema = z.object({
  kind: SignalKindSchema,
  assetId: z.string().min(1),
  /** RUL in cycles, failure probability in [0, 1], or anomaly score. */
  value: z.number().finite(),
  /** Source time of the sample the model scored, epoch ms. */
  at: z.number(),
  /** The derived tag carrying the value (e.g. "engine-3/rul"). */
  tagId: z.string().min(1),
  modelId: z.string().min(1),
  modelVersion: z.string().min(1),
  correlationId: z.string().min(1),
});
export type ModelSignal = z.infer<typeof ModelSignalSchema>;

export const RecommendationKindSchema = z.enum(['rul_below', 'failure_risk_rising', 'persistent_anomaly']);
export type RecommendationKind = z.infer<typeof RecommendationKindSchema>;

const ruleBase = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits and _ . - only'),
  /** Asset ids the rule applies to; all when empty. */
  assets: z.array(z.string().min(1)).default([]),
  suggestedAction: z.string().min(1).max(1000),
};

export const RulBelowRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('rul_below'),
  /** Propose when the predicted RUL falls below this many cycles. */
  threshold: z.number().positive(),
  /** At or below this RUL the urgency is immediate (default: a third of the threshold). */
  urgentBelow: z.number().positive().optional(),
  /** Cycles the asset runs per day: turns the RUL into a due date. */
  cyclesPerDay: z.number().positive().optional(),
  /** Cycles to keep in reserve before the predicted end of life. */
  marginCycles: z.number().nonnegative().default(0),
});

export const FailureRiskRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('failure_risk_rising'),
  /** Propose when the failure probability reaches this... */
  threshold: z.number().min(0).max(1),
  /** ...or when it rose by at least this much within the window while above `floor`. */
  minRise: z.number().positive().max(1).default(0.2),
  floor: z.number().min(0).max(1).default(0.2),
  windowMs: z
    .number()
    .int()
    .positive()
    .default(24 * 3_600_000),
});

export const PersistentAnomalyRuleSchema = z.object({
  ...ruleBase,
  kind: z.literal('persistent_anomaly'),
  /** A score at or above this counts as anomalous. */
  threshold: z.number(),
  /** Look-back window; it must be covered by samples before the rule can fire. */
  windowMs: z.number().int().positive().default(3_600_000),
  /** Share of the window's samples that must be anomalous. */
  minFraction: z.number().gt(0).max(1).default(0.8),
  minSamples: z.number().int().min(1).default(10),
});

export const MaintenanceRuleSchema = z.discriminatedUnion('kind', [
  RulBelowRuleSchema,
  FailureRiskRuleSchema,
  PersistentAnomalyRuleSchema,
]);
export type MaintenanceRule = z.infer<typeof MaintenanceRuleSchema>;

export const DEFAULT_MAINTENANCE_RULES: MaintenanceRule[] = [
  {
    id: 'rul-below-50',
    kind: 'rul_below',
    assets: [],
    threshold: 50,
    marginCycles: 10,
    suggestedAction:
      'Plan an inspection and replacement of the degrading component before the predicted end of life.',
  },
  {
    id: 'failure-risk-rising',
    kind: 'failure_risk_rising',
    assets: [],
    threshold: 0.5,
    minRise: 0.2,
    floor: 0.2,
    windowMs: 24 * 3_600_000,
    suggestedAction:
      'Inspect the asset for the failure mode the model indicates; check recent operating conditions.',
  },
  {
    id: 'persistent-anomaly',
    kind: 'persistent_anomaly',
    assets: [],
    // The detectors' asset score is 0..1 with 0.5 at their anomaly threshold (detection/derivedTags.ts).
    threshold: 0.5,
    windowMs: 3_600_000,
    minFraction: 0.8,
    minSamples: 10,
    suggestedAction: 'Review the anomalous signals with a maintenance engineer; schedule a condition check.',
  },
];

export const MaintenanceConfigSchema = z.object({
  rules: z.array(MaintenanceRuleSchema).default(DEFAULT_MAINTENANCE_RULES),
  /** After a rejection, the same rule on the same asset proposes again only after this, or when more urgent. */
  rejectCooldownMs: z
    .number()
    .int()
    .nonnegative()
    .default(7 * 86_400_000),
  /** Due date by urgency when the rule cannot derive one, in days from the proposal. */
  dueDays: z
    .object({
      immediate: z.number().positive(),
      high: z.number().positive(),
      medium: z.number().positive(),
      low: z.number().positive(),
    })
    .default({ immediate: 1, high: 7, medium: 30, low: 90 }),
});
export type MaintenanceConfig = z.output<typeof MaintenanceConfigSchema>;
export type MaintenanceConfigInput = z.input<typeof MaintenanceConfigSchema>;

export const RecommendationStatusSchema = z.enum(['proposed', 'approved', 'rejected', 'deferred']);
export type RecommendationStatus = z.infer<typeof RecommendationStatusSchema>;

/** Why an engineer rejected a recommendation: kept as a label to improve the models. */
export const RejectionLabelSchema = z.enum([
  'false_alarm',
  'already_known',
  'not_actionable',
  'wrong_asset',
  'other',
]);
export type RejectionLabel = z.infer<typeof RejectionLabelSchema>;

export const EvidenceSchema = z.object({
  tags: z.array(z.string()),
  scores: z.array(z.object({ name: z.string(), value: z.number(), at: z.number(), tagId: z.string() })),
  models: z.array(z.object({ id: z.string(), version: z.string() })),
  /** Correlation ids of the sample batches behind the evidence (newest last, at most 10). */
  correlationIds: z.array(z.string()),
  /** Alarms active on the asset when the recommendation was made. */
  relatedAlarms: z.array(z.object({ alarmId: z.string(), correlationId: z.string().nullable() })),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const HistoryEntrySchema = z.object({
  at: z.number(),
  action: z.enum([
    'proposed',
    'escalated',
    'approved',
    'rejected',
    'deferred',
    'resurfaced',
    'status_changed',
  ]),
  user: z.string(),
  comment: z.string(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const RecommendationSchema = z.object({
  id: z.string(),
  assetId: z.string(),
  ruleId: z.string(),
  kind: RecommendationKindSchema,
  finding: z.string(),
  evidence: EvidenceSchema,
  urgency: UrgencySchema,
  suggestedAction: z.string(),
  dueDate: z.number(),
  status: RecommendationStatusSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Of the first sample batch that made the rule fire. */
  correlationId: z.string(),
  decision: z
    .object({
      by: z.string(),
      at: z.number(),
      comment: z.string(),
      reason: z.string().nullable(),
      label: RejectionLabelSchema.nullable(),
      deferredUntil: z.number().nullable(),
      /** Urgency when decided (a rejected rule proposes again only when more urgent). */
      urgency: UrgencySchema,
    })
    .nullable(),
  workOrderId: z.string().nullable(),
  history: z.array(HistoryEntrySchema),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

export const WorkOrderStatusSchema = z.enum(['open', 'in_progress', 'done']);
export type WorkOrderStatus = z.infer<typeof WorkOrderStatusSchema>;

export const WorkOrderSchema = z.object({
  id: z.string(),
  assetId: z.string(),
  recommendationId: z.string(),
  title: z.string(),
  description: z.string(),
  suggestedAction: z.string(),
  urgency: UrgencySchema,
  dueDate: z.number(),
  status: WorkOrderStatusSchema,
  createdAt: z.number(),
  createdBy: z.string(),
  updatedAt: z.number(),
  correlationId: z.string(),
  history: z.array(
    z.object({
      at: z.number(),
      user: z.string(),
      from: WorkOrderStatusSchema.nullable(),
      to: WorkOrderStatusSchema,
      comment: z.string(),
    }),
  ),
});
export type WorkOrder = z.infer<typeof WorkOrderSchema>;
