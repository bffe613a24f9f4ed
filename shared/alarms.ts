import { z } from 'zod';

/*
 * Alarm domain types as zod schemas. Browser-safe (zod only), so the lead can move this file into
 * shared/ unchanged when the alarm commands join the contract (see contract-proposal.ts).
 */

export const AlarmPrioritySchema = z.enum(['critical', 'high', 'medium', 'low']);
export type AlarmPriority = z.infer<typeof AlarmPrioritySchema>;
/** Most urgent first; used for sorting and for "at least this priority" routing. */
export const ALARM_PRIORITIES: readonly AlarmPriority[] = ['critical', 'high', 'medium', 'low'];

/**
 * ISA-18.2 alarm states (the alarm state transition diagram of ANSI/ISA-18.2, "Management of Alarm
 * Systems for the Process Industries"):
 * A normal, B unack_active, C ack_active, D unack_rtn (returned to normal unacknowledged),
 * E latched, F shelved, G suppressed (by design), H out_of_service.
 */
export const AlarmStateSchema = z.enum([
  'normal',
  'unack_active',
  'ack_active',
  'unack_rtn',
  'latched',
  'shelved',
  'suppressed',
  'out_of_service',
]);
export type AlarmState = z.infer<typeof AlarmStateSchema>;

/** States in which the alarm is annunciated and asks for the operator. */
export const ANNUNCIATED_STATES: readonly AlarmState[] = [
  'unack_active',
  'ack_active',
  'unack_rtn',
  'latched',
];

const idSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/, 'use letters, digits and _ . : / - only');

const numberSchema = z.number().refine(Number.isFinite, 'must be a finite number');

/** Operating-state condition under which an alarm is suppressed by design (e.g. pump stopped). */
export const SuppressionConditionSchema = z.object({
  tagId: z.string().min(1),
  op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
  value: numberSchema,
});
export type SuppressionCondition = z.infer<typeof SuppressionConditionSchema>;

const baseDefinition = {
  id: idSchema,
  name: z.string().max(200).optional(),
  /** Asset the alarm belongs to; taken from the tag when left out. */
  assetId: z.string().min(1).optional(),
  priority: AlarmPrioritySchema,
  /** Hysteresis in engineering units: the condition clears only this far back inside the limit. */
  deadband: z.number().finite().nonnegative('deadband must not be negative').default(0),
  /** The condition must hold this long before the alarm activates (against chattering). */
  onDelayMs: z.number().int().nonnegative().max(86_400_000).default(0),
  /** The condition must be clear this long before the alarm returns to normal. */
  offDelayMs: z.number().int().nonnegative().max(86_400_000).default(0),
  message: z.string().min(1).max(500),
  suggestedAction: z.string().max(1000).default(''),
  /** A latching alarm stays latched after the condition clears until an operator resets it. */
  latching: z.boolean().default(false),
  enabled: z.boolean().default(true),
  suppressWhen: SuppressionConditionSchema.optional(),
};

const tagDefinition = { ...baseDefinition, tagId: z.string().min(1) };

/** Value above the limit: high, high-high, anomaly score, failure risk. */
const aboveKinds = ['high', 'high_high', 'anomaly_score', 'failure_risk'] as const;
/** Value below the limit: low, low-low, remaining useful life. */
const belowKinds = ['low', 'low_low', 'rul_below'] as const;

export const LimitDefinitionSchema = z.object({
  ...tagDefinition,
  kind: z.enum([...aboveKinds, ...belowKinds]),
  limit: numberSchema,
});

export const DeviationDefinitionSchema = z.object({
  ...tagDefinition,
  kind: z.literal('deviation'),
  /** Largest allowed |value - setpoint|. */
  limit: z.number().finite().positive(),
  /** A fixed setpoint, or the tag holding it. */
  setpoint: z.union([numberSchema, z.object({ tagId: z.string().min(1) })]),
});

export const RateOfChangeDefinitionSchema = z.object({
  ...tagDefinition,
  kind: z.literal('rate_of_change'),
  /** Largest allowed rate in engineering units per second, between consecutive good samples. */
  limit: z.number().finite().positive(),
  direction: z.enum(['rising', 'falling', 'both']).default('both'),
});

export const BadQualityDefinitionSchema = z.object({
  ...tagDefinition,
  kind: z.literal('bad_quality'),
  /** Also alarm on Uncertain quality, not only Bad. */
  includeUncertain: z.boolean().default(false),
  /** Also alarm while validation reports an episode on the tag (stale, frozen, out of range, spike). */
  includeValidation: z.boolean().default(true),
});

export const SystemConditionSchema = z.enum([
  'connection_lost',
  'disk_low',
  'core_restarted',
  'historian_fault',
]);
export type SystemCondition = z.infer<typeof SystemConditionSchema>;

export const SystemDefinitionSchema = z.object({
  ...baseDefinition,
  kind: z.literal('system'),
  condition: SystemConditionSchema,
  /** Which connection / volume; empty for conditions of the whole core (core_restarted). */
  sourceId: z.string().default(''),
});

export const AlarmDefinitionSchema = z
  .discriminatedUnion('kind', [
    LimitDefinitionSchema,
    DeviationDefinitionSchema,
    RateOfChangeDefinitionSchema,
    BadQualityDefinitionSchema,
    SystemDefinitionSchema,
  ])
  .superRefine((def, ctx) => {
    if (def.kind === 'failure_risk' && (def.limit < 0 || def.limit > 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['limit'],
        message: 'a failure-risk limit is a probability in [0, 1]',
      });
    }
    if (def.kind === 'rul_below' && def.limit <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['limit'],
        message: 'a RUL limit is a positive number of cycles',
      });
    }
  });
export type AlarmDefinition = z.output<typeof AlarmDefinitionSchema>;
export type AlarmDefinitionInput = z.input<typeof AlarmDefinitionSchema>;
export type AlarmKind = AlarmDefinition['kind'] | 'external';
export type LimitKind = (typeof aboveKinds)[number] | (typeof belowKinds)[number];

export function isAboveKind(kind: string): kind is (typeof aboveKinds)[number] {
  return (aboveKinds as readonly string[]).includes(kind);
}

export const ShelveModeSchema = z.enum(['timed', 'one_shot']);
export type ShelveMode = z.infer<typeof ShelveModeSchema>;

export const ShelveInfoSchema = z.object({
  mode: ShelveModeSchema,
  reason: z.string(),
  by: z.string(),
  at: z.number(),
  /** Automatic unshelve time (one-shot shelving also has a safety limit). */
  until: z.number(),
});
export type ShelveInfo = z.infer<typeof ShelveInfoSchema>;

export const OutOfServiceInfoSchema = z.object({ reason: z.string(), by: z.string(), at: z.number() });
export type OutOfServiceInfo = z.infer<typeof OutOfServiceInfoSchema>;

/** An alarm as operators see it: one per definition (or per external condition), never duplicated. */
export const AlarmViewSchema = z.object({
  id: z.string(),
  source: z.enum(['vigil', 'opcua']),
  kind: z.string(),
  name: z.string(),
  tagId: z.string().nullable(),
  assetId: z.string(),
  priority: AlarmPrioritySchema,
  message: z.string(),
  suggestedAction: z.string(),
  state: AlarmStateSchema,
  /** The process condition (after on/off delays), whatever the alarm state shows. */
  conditionActive: z.boolean(),
  acknowledged: z.boolean(),
  /** Activation time of the current occurrence, null when not annunciated. */
  activeSince: z.number().nullable(),
  lastChangeAt: z.number().nullable(),
  /** Last value evaluated, and the limit it was compared against. */
  value: z.number().nullable(),
  limit: z.number().nullable(),
  /** Correlation id of the sample batch (or event) that caused the current occurrence. */
  correlationId: z.string().nullable(),
  shelved: ShelveInfoSchema.nullable(),
  outOfService: OutOfServiceInfoSchema.nullable(),
  suppressedByDesign: z.boolean(),
  /** 3 or more activations within the chattering window. */
  chattering: z.boolean(),
  /** What Vigil suggests the operator do about the alarm itself (e.g. shelve a chattering alarm). */
  suggestion: z.string().nullable(),
  /** Acknowledgement sent to the external system and not yet confirmed by it. */
  ackPending: z.boolean(),
  /** Number of times this alarm activated since the core started. */
  activations: z.number().int().nonnegative(),
});
export type AlarmView = z.infer<typeof AlarmViewSchema>;

export const AlarmTransitionSchema = z.enum([
  'activate',
  'return',
  'acknowledge',
  'reset',
  'shelve',
  'unshelve',
  'suppress',
  'unsuppress',
  'out_of_service',
  'return_to_service',
  'comment',
  'ack_requested',
  'ack_failed',
  'definition_changed',
  'definition_removed',
]);
export type AlarmTransition = z.infer<typeof AlarmTransitionSchema>;

/** One row of the alarm journal: every transition with who, when, why and what caused it. */
export const AlarmJournalEntrySchema = z.object({
  /** Assigned by the journal, increasing. */
  seq: z.number().int(),
  at: z.number(),
  alarmId: z.string(),
  assetId: z.string(),
  tagId: z.string().nullable(),
  priority: AlarmPrioritySchema,
  transition: AlarmTransitionSchema,
  fromState: AlarmStateSchema,
  toState: AlarmStateSchema,
  /** 'system' for process-driven transitions, else the operator. */
  user: z.string(),
  comment: z.string(),
  correlationId: z.string(),
  value: z.number().nullable(),
  /** Source timestamp of the sample that caused the transition. */
  sampleTime: z.number().nullable(),
  /** Activation time of the occurrence this row belongs to (for standing-alarm KPIs and restart). */
  activeSince: z.number().nullable(),
  acknowledged: z.boolean(),
  /** Shelving in force after this transition (kept so a restarted core restores it). */
  shelvedUntil: z.number().nullable(),
  shelveMode: ShelveModeSchema.nullable(),
});
export type AlarmJournalEntry = z.infer<typeof AlarmJournalEntrySchema>;

export const FloodGroupSchema = z.object({
  assetId: z.string(),
  /** First activation of this asset in the flood; groups are ordered by it (first-out). */
  firstAt: z.number(),
  /** Alarm ids in order of activation. */
  alarmIds: z.array(z.string()),
});

export const FloodStatusSchema = z.object({
  active: z.boolean(),
  startedAt: z.number().nullable(),
  /** Annunciated activations in the sliding window right now. */
  rateInWindow: z.number().int().nonnegative(),
  windowMs: z.number(),
  /** The first alarm of the flood: usually closest to the root cause. */
  firstOutAlarmId: z.string().nullable(),
  groups: z.array(FloodGroupSchema),
});
export type FloodStatus = z.infer<typeof FloodStatusSchema>;

const priorityShare = z.object({ count: z.number().int(), percent: z.number() });

export const AlarmKpisSchema = z.object({
  from: z.number(),
  to: z.number(),
  activations: z.number().int(),
  averagePerTenMinutes: z.number(),
  averagePerDay: z.number(),
  /**
   * 'acceptable' <= 1 per 10 min, 'manageable' <= 2, else 'overloaded' (ANSI/ISA-18.2-2009 Table 5,
   * "recommended alarm performance metrics"; EEMUA Publication 191 uses the same figures).
   */
  rateRating: z.enum(['acceptable', 'manageable', 'overloaded']),
  /** Most activations in one 10-minute period of the range. */
  peakPerTenMinutes: z.number().int(),
  /** Share of the range spent in flood (enter above 10 per 10 min, leave below 5). */
  percentTimeInFlood: z.number(),
  /** Share of 10-minute periods with more than 10 activations (ISA-18.2 target: under ~1 %). */
  percentPeriodsInFlood: z.number(),
  floods: z.number().int(),
  standingOver24h: z.array(z.object({ alarmId: z.string(), assetId: z.string(), activeSince: z.number() })),
  chatteringAlarms: z.array(z.object({ alarmId: z.string(), maxActivationsInWindow: z.number().int() })),
  topBadActors: z.array(
    z.object({
      alarmId: z.string(),
      assetId: z.string(),
      activations: z.number().int(),
      percent: z.number(),
    }),
  ),
  /** Share of all activations caused by the top 10 (ISA-18.2 target: ~1 % to 5 %). */
  topTenPercent: z.number(),
  priorityMix: z.object({
    critical: priorityShare,
    high: priorityShare,
    medium: priorityShare,
    low: priorityShare,
  }),
  targets: z.object({
    acceptablePerTenMinutes: z.number(),
    manageablePerTenMinutes: z.number(),
    acceptablePerDay: z.number(),
    manageablePerDay: z.number(),
    floodPercent: z.number(),
    standingMax: z.number(),
  }),
});
export type AlarmKpis = z.infer<typeof AlarmKpisSchema>;

/** The `alarms` section of the configuration file. */
export const AlarmsConfigSchema = z.object({
  definitions: z.array(AlarmDefinitionSchema).default([]),
  flood: z
    .object({
      windowMs: z.number().int().positive().default(600_000),
      /** Flood starts when the window holds more than this many activations. */
      enterAbove: z.number().int().positive().default(10),
      /** Flood ends when the window holds fewer than this many. */
      exitBelow: z.number().int().positive().default(5),
    })
    .default({ windowMs: 600_000, enterAbove: 10, exitBelow: 5 }),
  chattering: z
    .object({
      windowMs: z.number().int().positive().default(60_000),
      /** This many activations of one alarm in the window make it chattering. */
      activations: z.number().int().min(2).default(3),
    })
    .default({ windowMs: 60_000, activations: 3 }),
  /** Longest a timed shelve (and the safety limit of a one-shot shelve) may last. */
  maxShelveMs: z
    .number()
    .int()
    .positive()
    .default(12 * 3_600_000),
});
export type AlarmsConfig = z.output<typeof AlarmsConfigSchema>;
export type AlarmsConfigInput = z.input<typeof AlarmsConfigSchema>;
