import { z } from 'zod';
import type { Permission } from './api';
import { DeliveryRecordSchema, DeliveryStatusSchema, DesktopNotificationSchema } from './notifications';
import {
  RecommendationSchema,
  RecommendationStatusSchema,
  RejectionLabelSchema,
  WorkOrderSchema,
  WorkOrderStatusSchema,
} from './maintenance';
import {
  AlarmDefinitionSchema,
  AlarmJournalEntrySchema,
  AlarmKpisSchema,
  AlarmStateSchema,
  AlarmTransitionSchema,
  AlarmViewSchema,
  FloodStatusSchema,
  ShelveModeSchema,
} from './alarms';

/*
 * PROPOSAL for shared/api.ts: the alarm, notification and maintenance commands and streams, in the
 * shape of `commands` / `streams` there. To adopt: move this file's schemas and the three domain
 * schema files (alarms/schemas.ts, notify/schemas.ts, maintenance/schemas.ts: zod only, browser
 * safe) into shared/, spread `alarmCommands` into `commands` and `alarmStreams` into `streams`, and
 * spread the handlers of ./apiHandlers.ts into createCore's createCoreApi call.
 *
 * Permissions: reading is 'view'; what an operator does at the console (acknowledge, shelve,
 * comment, retry a notification, move a work order) is 'operate'; what changes the alarm system or
 * commits maintenance money (definitions, out of service, approve / reject / defer) is 'configure'.
 */

const alarmId = z.string().min(1).max(300);
const comment = z.string().max(2000).optional();
const epochMs = z.number().finite();

export const DefinitionEntrySchema = z.object({
  definition: AlarmDefinitionSchema,
  origin: z.enum(['config', 'runtime']),
  unresolvedTags: z.array(z.string()),
});

export const RejectionLabelRecordSchema = z.object({
  recommendationId: z.string(),
  assetId: z.string(),
  ruleId: z.string(),
  kind: RecommendationSchema.shape.kind,
  label: RejectionLabelSchema,
  reason: z.string(),
  by: z.string(),
  at: z.number(),
  models: RecommendationSchema.shape.evidence.shape.models,
  scores: RecommendationSchema.shape.evidence.shape.scores,
});

export const ExportFileSchema = z.object({
  filename: z.string(),
  contentType: z.string(),
  content: z.string(),
});

export const alarmCommands = {
  // ---- alarm queue
  listAlarms: {
    input: z
      .object({
        states: z.array(AlarmStateSchema).min(1).optional(),
        assetId: z.string().min(1).optional(),
        /** Include alarms in the normal state (every defined alarm). */
        includeNormal: z.boolean().default(false),
      })
      .strict(),
    output: z.array(AlarmViewSchema),
    permission: 'view',
  },
  acknowledgeAlarms: {
    input: z.object({ alarmIds: z.array(alarmId).min(1).max(1000), comment }).strict(),
    output: z.array(AlarmViewSchema),
    permission: 'operate',
  },
  resetAlarm: {
    input: z.object({ alarmId, comment }).strict(),
    output: AlarmViewSchema,
    permission: 'operate',
  },
  shelveAlarm: {
    input: z
      .object({
        alarmId,
        mode: ShelveModeSchema,
        /** Required for timed shelving. */
        durationMinutes: z
          .number()
          .positive()
          .max(7 * 24 * 60)
          .optional(),
        reason: z.string().trim().min(1, 'a reason is required').max(1000),
      })
      .strict(),
    output: AlarmViewSchema,
    permission: 'operate',
  },
  unshelveAlarm: {
    input: z.object({ alarmId, comment }).strict(),
    output: AlarmViewSchema,
    permission: 'operate',
  },
  commentAlarm: {
    input: z
      .object({ alarmId, comment: z.string().trim().min(1, 'the comment is empty').max(2000) })
      .strict(),
    output: AlarmViewSchema,
    permission: 'operate',
  },
  setAlarmOutOfService: {
    input: z.object({ alarmId, reason: z.string().trim().min(1, 'a reason is required').max(1000) }).strict(),
    output: AlarmViewSchema,
    permission: 'configure',
  },
  returnAlarmToService: {
    input: z.object({ alarmId, comment }).strict(),
    output: AlarmViewSchema,
    permission: 'configure',
  },
  getFloodStatus: {
    input: z.object({}).strict(),
    output: FloodStatusSchema,
    permission: 'view',
  },
  queryAlarmJournal: {
    input: z
      .object({
        from: epochMs.optional(),
        to: epochMs.optional(),
        alarmId: alarmId.optional(),
        assetId: z.string().min(1).optional(),
        transitions: z.array(AlarmTransitionSchema).min(1).optional(),
        limit: z.number().int().positive().max(10_000).default(500),
      })
      .strict(),
    /** Newest first. */
    output: z.array(AlarmJournalEntrySchema),
    permission: 'view',
  },
  getAlarmKpis: {
    input: z.object({ from: epochMs, to: epochMs }).strict(),
    output: AlarmKpisSchema,
    permission: 'view',
  },
  // ---- alarm definitions
  listAlarmDefinitions: {
    input: z.object({}).strict(),
    output: z.array(DefinitionEntrySchema),
    permission: 'view',
  },
  upsertAlarmDefinition: {
    input: z.object({ definition: AlarmDefinitionSchema }).strict(),
    output: AlarmDefinitionSchema,
    permission: 'configure',
  },
  removeAlarmDefinition: {
    input: z.object({ id: alarmId }).strict(),
    output: z.object({ removed: z.literal(true) }),
    permission: 'configure',
  },
  // ---- notifications
  listNotificationDeliveries: {
    input: z
      .object({
        status: DeliveryStatusSchema.optional(),
        limit: z.number().int().positive().max(5000).default(200),
      })
      .strict(),
    output: z.array(DeliveryRecordSchema),
    permission: 'view',
  },
  retryNotificationDelivery: {
    input: z.object({ deliveryId: z.string().min(1) }).strict(),
    output: DeliveryRecordSchema,
    permission: 'operate',
  },
  // ---- maintenance decisions
  listRecommendations: {
    input: z
      .object({ status: RecommendationStatusSchema.optional(), assetId: z.string().min(1).optional() })
      .strict(),
    output: z.array(RecommendationSchema),
    permission: 'view',
  },
  approveRecommendation: {
    input: z.object({ recommendationId: z.string().min(1), comment, dueDate: epochMs.optional() }).strict(),
    output: z.object({ recommendation: RecommendationSchema, workOrder: WorkOrderSchema }),
    permission: 'configure',
  },
  rejectRecommendation: {
    input: z
      .object({
        recommendationId: z.string().min(1),
        reason: z.string().trim().min(1, 'a reason is required').max(2000),
        label: RejectionLabelSchema.default('other'),
      })
      .strict(),
    output: RecommendationSchema,
    permission: 'configure',
  },
  deferRecommendation: {
    input: z.object({ recommendationId: z.string().min(1), until: epochMs, comment }).strict(),
    output: RecommendationSchema,
    permission: 'configure',
  },
  listRejectionLabels: {
    input: z.object({}).strict(),
    output: z.array(RejectionLabelRecordSchema),
    permission: 'view',
  },
  listWorkOrders: {
    input: z
      .object({ status: WorkOrderStatusSchema.optional(), assetId: z.string().min(1).optional() })
      .strict(),
    output: z.array(WorkOrderSchema),
    permission: 'view',
  },
  updateWorkOrderStatus: {
    input: z.object({ workOrderId: z.string().min(1), status: WorkOrderStatusSchema, comment }).strict(),
    output: WorkOrderSchema,
    permission: 'operate',
  },
  exportWorkOrders: {
    input: z
      .object({
        format: z.enum(['csv', 'json']),
        status: WorkOrderStatusSchema.optional(),
        assetId: z.string().min(1).optional(),
      })
      .strict(),
    output: ExportFileSchema,
    permission: 'view',
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType; permission: Permission }>;

/** Alarm list updates: a snapshot first, then the alarms that changed (at most 30 messages a second). */
export const AlarmsMessageSchema = z.object({
  snapshot: z.boolean(),
  /** Snapshot: every alarm not in the normal state. Update: the alarms that changed, as they are now. */
  alarms: z.array(AlarmViewSchema),
  flood: FloodStatusSchema,
});

/** Decision queue updates: what changed since the last message. */
export const DecisionsMessageSchema = z.object({
  recommendations: z.array(RecommendationSchema),
  workOrders: z.array(WorkOrderSchema),
});

export const alarmStreams = {
  alarms: {
    params: z.object({}).strict(),
    message: AlarmsMessageSchema,
    permission: 'view',
  },
  /** Desktop notifications for the headless console (the Electron main shows them itself). */
  notifications: {
    params: z.object({}).strict(),
    message: DesktopNotificationSchema,
    permission: 'view',
  },
  decisions: {
    params: z.object({}).strict(),
    message: DecisionsMessageSchema,
    permission: 'view',
  },
} as const satisfies Record<string, { params: z.ZodType; message: z.ZodType; permission: Permission }>;

export type AlarmCommandName = keyof typeof alarmCommands;
export type AlarmStreamName = keyof typeof alarmStreams;
