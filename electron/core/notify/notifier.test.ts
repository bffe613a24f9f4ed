import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { AlarmEngine } from '../alarms/engine';
import { InMemoryAlarmJournal } from '../alarms/journal';
import type { AlarmDefinitionInput, AlarmsConfigInput } from '../alarms/schemas';
import { MapTagCatalog, batchOf, type SampleSpec } from '../alarms/testing';
import { createNotifications } from './notifier';
import { inQuietHours } from './quietHours';
import {
  NotificationsConfigSchema,
  QuietHoursSchema,
  type DesktopNotification,
  type NotificationsConfigInput,
} from './schemas';

// Monday 6 January 2025, 08:00 UTC.
const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MIN = 60_000;

const defs: AlarmDefinitionInput[] = [
  {
    id: 'e1.crit',
    kind: 'high',
    tagId: 'e1/temp',
    limit: 200,
    priority: 'critical',
    message: 'Engine 1 overheating',
    suggestedAction: 'Trip the engine',
  },
  { id: 'e1.low', kind: 'high', tagId: 'e1/temp', limit: 100, priority: 'low', message: 'Engine 1 warm' },
  { id: 'e2.high', kind: 'high', tagId: 'e2/temp', limit: 100, priority: 'high', message: 'Engine 2 hot' },
];

function setup(
  notifications: NotificationsConfigInput,
  definitions: AlarmDefinitionInput[] = defs,
  start = T0,
) {
  const clock = new ManualClock(start);
  const bus = new EventBus((_e, err) => {
    throw err;
  });
  const engine = new AlarmEngine({
    clock,
    journal: new InMemoryAlarmJournal(),
    catalog: new MapTagCatalog({ 'e1/temp': 'engine-1', 'e2/temp': 'engine-2', 'e3/temp': 'engine-3' }),
    config: { definitions: definitions as AlarmsConfigInput['definitions'] },
    events: bus,
  });
  engine.attach(bus);
  const desktop: DesktopNotification[] = [];
  bus.on('notification.desktop', (n) => desktop.push(n));
  const n = createNotifications({
    clock,
    config: notifications,
    events: bus,
    getAlarm: (id) => engine.find(id),
    floodStatus: () => engine.floodStatus(),
  });
  const feed = (rows: SampleSpec[], correlationId?: string) =>
    bus.emit('samples', batchOf(rows, clock.now(), correlationId));
  const deliveries = () =>
    n.queue.list().map((d) => ({
      channel: d.channelId,
      status: d.status,
      kind: d.message.kind,
      alarm: d.message.alarmId,
    }));
  return { clock, bus, engine, n, desktop, feed, deliveries };
}

const channels: NotificationsConfigInput['channels'] = [
  { id: 'desktop', type: 'desktop' },
  { id: 'engine1-team', type: 'desktop' },
  { id: 'oncall', type: 'desktop' },
];

describe('notification routing', () => {
  it('routes by priority and asset, with one delivery per channel and the batch correlation id', async () => {
    const { feed, desktop, deliveries, n } = setup({
      channels,
      routes: [
        { id: 'all-high', priorities: ['critical', 'high'], channels: ['desktop'] },
        { id: 'engine-1', assets: ['engine-1'], channels: ['engine1-team', 'desktop'] },
      ],
    });
    feed([['e1/temp', 150]], 'b-warm'); // e1.low (low, engine-1)
    feed([['e2/temp', 150]], 'b-hot'); // e2.high (high, engine-2)
    await n.queue.idle();
    expect(
      deliveries().sort((a, b) => `${a.alarm}${a.channel}`.localeCompare(`${b.alarm}${b.channel}`)),
    ).toEqual([
      { channel: 'desktop', status: 'delivered', kind: 'alarm', alarm: 'e1.low' },
      { channel: 'engine1-team', status: 'delivered', kind: 'alarm', alarm: 'e1.low' },
      { channel: 'desktop', status: 'delivered', kind: 'alarm', alarm: 'e2.high' },
    ]);
    const hot = desktop.find((d) => d.alarmId === 'e2.high')!;
    expect(hot).toMatchObject({ correlationId: 'b-hot', priority: 'high', sound: false, kind: 'alarm' });
    expect(hot.title).toBe('[HIGH] e2.high: Engine 2 hot');
    expect(hot.body).toContain('Value: 150 (limit 100)');
  });

  it('plays a sound for critical desktop notifications only', async () => {
    const { feed, desktop, n } = setup({ channels, routes: [{ id: 'r', channels: ['desktop'] }] });
    feed([['e1/temp', 250]]);
    await n.queue.idle();
    expect(desktop.map((d) => [d.alarmId, d.sound])).toEqual([
      ['e1.crit', true],
      ['e1.low', false],
    ]);
  });

  it('holds back non-critical notifications in quiet hours, records them as suppressed, lets critical through', async () => {
    // 22:00-06:00 in Berlin (UTC+1 in January); 23:30 Berlin = 22:30 UTC.
    const night = Date.UTC(2025, 0, 6, 22, 30);
    const { feed, deliveries, n } = setup(
      {
        channels,
        routes: [
          {
            id: 'r',
            channels: ['desktop'],
            quietHours: { start: '22:00', end: '06:00', timeZone: 'Europe/Berlin' },
          },
        ],
      },
      defs,
      night,
    );
    feed([['e1/temp', 250]]);
    await n.queue.idle();
    expect(deliveries()).toEqual(
      expect.arrayContaining([
        { channel: 'desktop', status: 'delivered', kind: 'alarm', alarm: 'e1.crit' },
        { channel: 'desktop', status: 'suppressed', kind: 'alarm', alarm: 'e1.low' },
      ]),
    );
    expect(n.queue.list({ status: 'suppressed' })[0]!.reason).toBe('quiet hours');
  });

  it('sends one flood summary instead of a message per alarm, and a closing summary', async () => {
    const many: AlarmDefinitionInput[] = Array.from({ length: 14 }, (_, i) => ({
      id: `a${String(i).padStart(2, '0')}`,
      kind: 'high' as const,
      tagId: ['e1/temp', 'e2/temp', 'e3/temp'][i % 3]!,
      limit: i,
      priority: 'medium' as const,
      message: `alarm ${i}`,
    }));
    const { feed, clock, n } = setup({ channels, routes: [{ id: 'r', channels: ['desktop'] }] }, many);
    for (let i = 0; i < 14; i++) {
      feed([[['e1/temp', 'e2/temp', 'e3/temp'][i % 3]!, i + 0.5]]);
      clock.advance(10_000);
    }
    await n.queue.idle();
    const kinds = n.queue
      .list()
      .reverse()
      .map((d) => d.message.kind);
    // 10 alarms one by one; the 11th starts the flood: it and the rest (4 in all) are summarised.
    expect(kinds).toEqual([...Array(10).fill('alarm'), 'flood']);
    const flood = n.queue.list()[0]!.message;
    expect(flood.title).toMatch(/^Alarm flood/);
    expect(flood.alarmId).toBe('a00'); // first out
    expect(flood.fields.map((f) => f.label)).toEqual(['First out', 'engine-1', 'engine-2', 'engine-3']);
    clock.advance(20 * MIN);
    await n.queue.idle();
    const end = n.queue.list()[0]!.message;
    expect(end.kind).toBe('flood_end');
    expect(end.title).toContain('4 alarm(s)');
  });
});

describe('escalation', () => {
  const config: NotificationsConfigInput = {
    channels,
    routes: [
      {
        id: 'critical',
        priorities: ['critical'],
        channels: ['desktop'],
        escalation: [
          { afterMinutes: 15, channels: ['oncall'] },
          { afterMinutes: 45, channels: ['oncall', 'engine1-team'] },
        ],
      },
    ],
  };

  it('escalates while the alarm stays unacknowledged, level by level, and stops at acknowledgement', async () => {
    const { feed, clock, engine, n, desktop } = setup(config);
    feed([['e1/temp', 250]], 'b-crit');
    clock.advance(15 * MIN - 1);
    await n.queue.idle();
    expect(n.queue.list().map((d) => d.message.kind)).toEqual(['alarm']);
    clock.advance(1);
    await n.queue.idle();
    const level1 = n.queue.list()[0]!;
    expect(level1).toMatchObject({
      channelId: 'oncall',
      message: { kind: 'escalation', escalationLevel: 1, correlationId: 'b-crit' },
    });
    expect(level1.message.title).toMatch(/^ESCALATION 1: \[CRITICAL\] e1\.crit unacknowledged for 15 min/);
    engine.acknowledge(['e1.crit'], 'alice');
    clock.advance(60 * MIN);
    await n.queue.idle();
    expect(n.queue.list().filter((d) => d.message.kind === 'escalation')).toHaveLength(1);
    expect(n.service.pendingEscalations()).toEqual([]);
    expect(desktop.filter((d) => d.kind === 'escalation')).toHaveLength(1);
  });

  it('reaches the second level and keeps escalating an alarm that returned to normal unacknowledged', async () => {
    const { feed, clock, n } = setup(config);
    feed([['e1/temp', 250]]);
    clock.advance(20 * MIN);
    feed([['e1/temp', 50]]); // back to normal, still not acknowledged
    clock.advance(25 * MIN);
    await n.queue.idle();
    const escalations = n.queue
      .list()
      .filter((d) => d.message.kind === 'escalation')
      .map((d) => `${d.message.escalationLevel}:${d.channelId}`)
      .sort();
    expect(escalations).toEqual(['1:oncall', '2:engine1-team', '2:oncall']);
  });

  it('does not escalate a shelved alarm', async () => {
    const { feed, clock, engine, n } = setup(config);
    feed([['e1/temp', 250]]);
    engine.shelve(
      { alarmId: 'e1.crit', mode: 'timed', durationMs: 60 * MIN, reason: 'known, crew on site' },
      'alice',
    );
    clock.advance(50 * MIN);
    await n.queue.idle();
    expect(n.queue.list().filter((d) => d.message.kind === 'escalation')).toEqual([]);
  });
});

describe('notification configuration', () => {
  it('names unknown channels, bad times and time zones', () => {
    const result = NotificationsConfigSchema.safeParse({
      channels: [{ id: 'desktop', type: 'desktop' }],
      routes: [
        {
          id: 'r',
          channels: ['pager'],
          escalation: [
            { afterMinutes: 10, channels: ['desktop'] },
            { afterMinutes: 5, channels: ['desktop'] },
          ],
          quietHours: { start: '25:00', end: '06:00', timeZone: 'Mars/Olympus' },
        },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'routes.0.channels.0: unknown channel "pager"',
        'routes.0.escalation.1.afterMinutes: escalation steps must come later and later',
        'routes.0.quietHours.start: use HH:mm (24 h)',
        expect.stringMatching(/^routes\.0\.quietHours\.timeZone: unknown time zone/),
      ]),
    );
  });

  it('quiet windows cross midnight and belong to the day they start', () => {
    const weeknights = QuietHoursSchema.parse({
      start: '22:00',
      end: '06:00',
      days: [1, 2, 3, 4, 5],
      timeZone: 'UTC',
    });
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 6, 23, 0))).toBe(true); // Monday 23:00
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 7, 5, 59))).toBe(true); // Tuesday 05:59, Monday's night
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 7, 6, 0))).toBe(false);
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 11, 3, 0))).toBe(true); // Saturday 03:00, Friday's night
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 11, 23, 0))).toBe(false); // Saturday night is not quiet
    expect(inQuietHours(weeknights, Date.UTC(2025, 0, 6, 3, 0))).toBe(false); // Monday 03:00, Sunday's night
    const lunch = QuietHoursSchema.parse({ start: '12:00', end: '13:00', timeZone: 'America/New_York' });
    expect(inQuietHours(lunch, Date.UTC(2025, 6, 1, 16, 30))).toBe(true); // 12:30 EDT
    expect(inQuietHours(lunch, Date.UTC(2025, 0, 6, 16, 30))).toBe(false); // 11:30 EST
  });
});
