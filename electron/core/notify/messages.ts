import type { AlarmView, FloodStatus, AlarmPriority } from '../alarms/schemas';
import type { NotificationMessage } from './schemas';

/*
 * Message texts, one place for every channel: the same title/body/fields go to the desktop, the
 * webhook and the e-mail, so what an operator reads on the phone matches the console.
 */

export interface MessageContext {
  id: string;
  at: number;
  sound: boolean;
}

const PRIORITY_LABEL: Record<AlarmPriority, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

function alarmFields(alarm: AlarmView): NotificationMessage['fields'] {
  const fields = [
    { label: 'Asset', value: alarm.assetId },
    { label: 'Priority', value: PRIORITY_LABEL[alarm.priority] },
    { label: 'State', value: alarm.state },
  ];
  if (alarm.tagId) fields.push({ label: 'Tag', value: alarm.tagId });
  if (alarm.value !== null) {
    fields.push({
      label: 'Value',
      value: `${formatNumber(alarm.value)}${alarm.limit !== null ? ` (limit ${formatNumber(alarm.limit)})` : ''}`,
    });
  }
  if (alarm.activeSince !== null)
    fields.push({ label: 'Active since', value: new Date(alarm.activeSince).toISOString() });
  if (alarm.suggestedAction) fields.push({ label: 'Suggested action', value: alarm.suggestedAction });
  fields.push({ label: 'Alarm', value: alarm.id });
  if (alarm.correlationId) fields.push({ label: 'Correlation id', value: alarm.correlationId });
  return fields;
}

function bodyOf(lead: string, fields: NotificationMessage['fields']): string {
  return [lead, '', ...fields.map((f) => `${f.label}: ${f.value}`)].join('\n');
}

export function alarmMessage(
  alarm: AlarmView,
  kind: 'alarm' | 'return' | 'acknowledge',
  ctx: MessageContext,
  actor?: string,
): NotificationMessage {
  const label = PRIORITY_LABEL[alarm.priority];
  const what =
    kind === 'alarm'
      ? ''
      : kind === 'return'
        ? ' (returned to normal)'
        : ` (acknowledged${actor ? ` by ${actor}` : ''})`;
  const fields = alarmFields(alarm);
  return {
    id: ctx.id,
    kind,
    title: `[${label}] ${alarm.name}: ${alarm.message}${what}`,
    body: bodyOf(alarm.message, fields),
    priority: alarm.priority,
    alarmId: alarm.id,
    assetId: alarm.assetId,
    correlationId: alarm.correlationId ?? ctx.id,
    at: ctx.at,
    escalationLevel: 0,
    sound: ctx.sound,
    fields,
  };
}

export function escalationMessage(
  alarm: AlarmView,
  level: number,
  afterMinutes: number,
  ctx: MessageContext,
): NotificationMessage {
  const fields = [{ label: 'Escalation level', value: String(level) }, ...alarmFields(alarm)];
  return {
    id: ctx.id,
    kind: 'escalation',
    title: `ESCALATION ${level}: [${PRIORITY_LABEL[alarm.priority]}] ${alarm.name} unacknowledged for ${afterMinutes} min`,
    body: bodyOf(`${alarm.message} has not been acknowledged for ${afterMinutes} minutes.`, fields),
    priority: alarm.priority,
    alarmId: alarm.id,
    assetId: alarm.assetId,
    correlationId: alarm.correlationId ?? ctx.id,
    at: ctx.at,
    escalationLevel: level,
    sound: ctx.sound,
    fields,
  };
}

export function floodMessage(
  status: FloodStatus,
  phase: 'start' | 'end',
  held: readonly AlarmView[],
  correlationId: string,
  ctx: MessageContext,
): NotificationMessage {
  const minutes = Math.round(status.windowMs / 60_000);
  const fields: NotificationMessage['fields'] = [];
  if (status.firstOutAlarmId) fields.push({ label: 'First out', value: status.firstOutAlarmId });
  for (const g of status.groups.slice(0, 10)) {
    fields.push({
      label: g.assetId,
      value: `${g.alarmIds.length} alarm(s): ${g.alarmIds.slice(0, 5).join(', ')}${g.alarmIds.length > 5 ? ', ...' : ''}`,
    });
  }
  if (phase === 'end' && held.length) {
    fields.push({ label: 'Alarms not sent one by one', value: String(held.length) });
  }
  const title =
    phase === 'start'
      ? `Alarm flood: more than ${status.rateInWindow - 1} alarms in ${minutes} min`
      : `Alarm flood over (${held.length} alarm(s) during the flood were summarised)`;
  const lead =
    phase === 'start'
      ? 'Vigil is in flood mode: alarms are grouped by asset in first-out order. Start with the first-out alarm.'
      : 'The alarm rate is back below the flood threshold.';
  return {
    id: ctx.id,
    kind: phase === 'start' ? 'flood' : 'flood_end',
    title,
    body: bodyOf(lead, fields),
    priority: 'high',
    alarmId: status.firstOutAlarmId,
    assetId: null,
    correlationId,
    at: ctx.at,
    escalationLevel: 0,
    sound: ctx.sound,
    fields,
  };
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
}

/** Slack-compatible incoming-webhook JSON ("text" plus a coloured attachment with fields). */
export function slackPayload(message: NotificationMessage): Record<string, unknown> {
  const color: Record<AlarmPriority, string> = {
    critical: '#d00000',
    high: '#f08c00',
    medium: '#f5c400',
    low: '#2f80ed',
  };
  return {
    text: message.title,
    attachments: [
      {
        color: color[message.priority],
        fallback: message.title,
        title: message.title,
        text: message.body.split('\n')[0],
        fields: message.fields.map((f) => ({ title: f.label, value: f.value, short: f.value.length < 40 })),
        footer: `Vigil · ${message.correlationId}`,
        ts: Math.floor(message.at / 1000),
      },
    ],
  };
}
