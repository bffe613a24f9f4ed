import { z } from 'zod';
import { ALARM_PRIORITIES, AlarmPrioritySchema } from './alarms';

/*
 * Notification configuration and wire types. Browser-safe (zod only) so the lead can move the
 * wire types (DesktopNotification, DeliveryRecord) into shared/ with the alarm contract.
 */

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const channelId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'use letters, digits, - and _ only');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:mm (24 h)');

export const DesktopChannelSchema = z.object({
  id: channelId,
  type: z.literal('desktop'),
});

export const WebhookChannelSchema = z.object({
  id: channelId,
  type: z.literal('webhook'),
  /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat accept the same JSON). */
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});

export const EmailChannelSchema = z.object({
  id: channelId,
  type: z.literal('email'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** true = TLS from the first byte (port 465); false = plain, upgraded by STARTTLS when offered. */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  requireTLS: z.boolean().default(false),
  /** Verify the server certificate (turn off only for a relay with a self-signed certificate). */
  rejectUnauthorized: z.boolean().default(true),
  auth: z.object({ user: z.string().min(1), pass: z.string() }).optional(),
  from: z.string().min(3),
  to: z.array(z.email()).min(1),
  timeoutMs: z.number().int().positive().max(120_000).default(15_000),
});

export const ChannelConfigSchema = z.discriminatedUnion('type', [
  DesktopChannelSchema,
  WebhookChannelSchema,
  EmailChannelSchema,
]);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type WebhookChannelConfig = z.infer<typeof WebhookChannelSchema>;
export type EmailChannelConfig = z.infer<typeof EmailChannelSchema>;

export const QuietHoursSchema = z.object({
  start: hhmm,
  end: hhmm,
  /** Weekdays (0 = Sunday) on which the quiet window starts; all days when left out. */
  days: z.array(z.number().int().min(0).max(6)).min(1).default([0, 1, 2, 3, 4, 5, 6]),
  /** IANA time zone of start/end; the workstation's zone when left out. */
  timeZone: z
    .string()
    .refine(isTimeZone, 'unknown time zone (use an IANA name like Europe/Berlin)')
    .optional(),
  /** Priorities that still get through during quiet hours. */
  allowPriorities: z.array(AlarmPrioritySchema).default(['critical']),
});
export type QuietHours = z.infer<typeof QuietHoursSchema>;

export const EscalationStepSchema = z.object({
  /** Minutes after activation with the alarm still unacknowledged. */
  afterMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60),
  channels: z.array(z.string()).min(1),
});

export const RouteEventSchema = z.enum(['activate', 'return', 'acknowledge', 'flood']);
export type RouteEvent = z.infer<typeof RouteEventSchema>;

export const RouteSchema = z.object({
  id: z.string().min(1),
  /** Alarm priorities this route carries; all when left out. */
  priorities: z
    .array(AlarmPrioritySchema)
    .min(1)
    .default([...ALARM_PRIORITIES]),
  /** Asset ids (exact) this route carries; every asset when empty. */
  assets: z.array(z.string().min(1)).default([]),
  events: z.array(RouteEventSchema).min(1).default(['activate', 'flood']),
  channels: z.array(z.string()).min(1),
  /** Escalation steps while the alarm stays unacknowledged; escalations ignore quiet hours. */
  escalation: z.array(EscalationStepSchema).default([]),
  quietHours: QuietHoursSchema.optional(),
});
export type Route = z.infer<typeof RouteSchema>;

export const RetryPolicySchema = z.object({
  /** Attempts in all, the first one included. */
  maxAttempts: z.number().int().min(1).max(50).default(6),
  initialDelayMs: z.number().int().positive().default(5_000),
  maxDelayMs: z
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  factor: z.number().min(1).max(10).default(2),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** The `notifications` section of the configuration file. */
export const NotificationsConfigSchema = z
  .object({
    channels: z.array(ChannelConfigSchema).default([{ id: 'desktop', type: 'desktop' }]),
    /** By default critical and high alarms pop up on the desktop; the alarm list shows everything. */
    routes: z.array(RouteSchema).default([
      {
        id: 'desktop-urgent',
        priorities: ['critical', 'high'],
        assets: [],
        events: ['activate', 'flood'],
        channels: ['desktop'],
        escalation: [],
      },
    ]),
    retry: RetryPolicySchema.default({
      maxAttempts: 6,
      initialDelayMs: 5_000,
      maxDelayMs: 15 * 60_000,
      factor: 2,
    }),
    /**
     * During an alarm flood, send one summary at its start and one at its end instead of a
     * message per alarm (critical alarms are still sent one by one).
     */
    floodSummary: z.boolean().default(true),
    /** Desktop notifications of these priorities play a sound. */
    soundFor: z.array(AlarmPrioritySchema).default(['critical']),
    /** Sends in flight per channel at once. */
    concurrencyPerChannel: z.number().int().min(1).max(32).default(2),
  })
  .superRefine((cfg, ctx) => {
    const ids = new Set<string>();
    cfg.channels.forEach((c, i) => {
      if (ids.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'id'],
          message: `duplicate channel id "${c.id}"`,
        });
      ids.add(c.id);
    });
    cfg.routes.forEach((r, i) => {
      const check = (list: string[], path: (string | number)[]) =>
        list.forEach((id, j) => {
          if (!ids.has(id))
            ctx.addIssue({ code: 'custom', path: [...path, j], message: `unknown channel "${id}"` });
        });
      check(r.channels, ['routes', i, 'channels']);
      r.escalation.forEach((s, k) => check(s.channels, ['routes', i, 'escalation', k, 'channels']));
      for (let k = 1; k < r.escalation.length; k++) {
        if (r.escalation[k]!.afterMinutes <= r.escalation[k - 1]!.afterMinutes) {
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'escalation', k, 'afterMinutes'],
            message: 'escalation steps must come later and later',
          });
        }
      }
    });
  });
export type NotificationsConfig = z.output<typeof NotificationsConfigSchema>;
export type NotificationsConfigInput = z.input<typeof NotificationsConfigSchema>;

export const NotificationKindSchema = z.enum([
  'alarm',
  'return',
  'acknowledge',
  'escalation',
  'flood',
  'flood_end',
]);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

/** What is sent, whatever the channel. */
export const NotificationMessageSchema = z.object({
  id: z.string(),
  kind: NotificationKindSchema,
  title: z.string(),
  body: z.string(),
  priority: AlarmPrioritySchema,
  alarmId: z.string().nullable(),
  assetId: z.string().nullable(),
  /** Of the sample batch that caused the alarm: follows it into every channel. */
  correlationId: z.string(),
  at: z.number(),
  escalationLevel: z.number().int().nonnegative(),
  sound: z.boolean(),
  fields: z.array(z.object({ label: z.string(), value: z.string() })),
});
export type NotificationMessage = z.infer<typeof NotificationMessageSchema>;

/**
 * The desktop notification event: the Electron main shows it with `new Notification(...)` (sound
 * unless `silent`), the headless server pushes it to the browser (stream `notifications`).
 */
export const DesktopNotificationSchema = NotificationMessageSchema.omit({ fields: true });
export type DesktopNotification = z.infer<typeof DesktopNotificationSchema>;

export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed', 'suppressed']);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One message to one channel, with its attempts: the list of failed deliveries is made of these. */
export const DeliveryRecordSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  channelType: z.string(),
  status: DeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  createdAt: z.number(),
  lastAttemptAt: z.number().nullable(),
  nextAttemptAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
  lastError: z.string().nullable(),
  /** Why it was not sent (quiet hours) or why it failed for good. */
  reason: z.string().nullable(),
  /** Who sent a failed delivery again, and when, if anyone did. */
  retriedBy: z.string().nullable(),
  retriedAt: z.number().nullable(),
  message: NotificationMessageSchema,
});
export type DeliveryRecord = z.infer<typeof DeliveryRecordSchema>;
