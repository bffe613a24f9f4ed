import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { LOCAL_OPERATOR } from '../app/api';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import type { CallContext } from '../app/types';
import { MaintenanceService } from '../maintenance/service';
import { InMemoryRecommendationStore, InMemoryWorkOrderStore } from '../maintenance/stores';
import { createNotifications } from '../notify/notifier';
import { localOsUser } from './actor';
import { createAlarmApiHandlers } from './apiHandlers';
import { alarmCommands, alarmStreams, type AlarmCommandName } from '../../../shared/alarmsApi';
import { AlarmEngine } from './engine';
import { InMemoryAlarmJournal } from './journal';
import { MapTagCatalog, batchOf } from './testing';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

function setup() {
  const clock = new ManualClock(T0);
  const events = new EventBus((_e, err) => {
    throw err;
  });
  const journal = new InMemoryAlarmJournal();
  const engine = new AlarmEngine({
    clock,
    journal,
    catalog: new MapTagCatalog({ 'e1/temp': 'engine-1', 'e1/rul': 'engine-1' }),
    config: {
      definitions: [
        { id: 'hi', kind: 'high', tagId: 'e1/temp', limit: 100, priority: 'high', message: 'hot' },
        {
          id: 'hihi',
          kind: 'high_high',
          tagId: 'e1/temp',
          limit: 120,
          priority: 'critical',
          message: 'very hot',
        },
      ],
    },
    events,
  });
  engine.attach(events);
  const notifications = createNotifications({ clock, events, getAlarm: (id) => engine.find(id) });
  const maintenance = new MaintenanceService({
    clock,
    config: { rules: [{ id: 'rul', kind: 'rul_below', threshold: 50, suggestedAction: 'Overhaul' }] },
    recommendations: new InMemoryRecommendationStore(),
    workOrders: new InMemoryWorkOrderStore(),
    events,
  });
  const { commands, streams } = createAlarmApiHandlers({ engine, notifications, maintenance, events, clock });
  /** What the core API does with a call: parse with the contract schema, then run the handler. */
  const call = async <N extends AlarmCommandName>(
    name: N,
    input: unknown,
    context: CallContext = LOCAL_OPERATOR,
  ) => {
    const parsed = alarmCommands[name].input.safeParse(input);
    if (!parsed.success)
      return {
        ok: false as const,
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      };
    const handler = commands[name] as (i: unknown, c: CallContext) => unknown;
    const result = await handler(parsed.data, context);
    return {
      ok: true as const,
      result: alarmCommands[name].output.parse(result) as z.output<(typeof alarmCommands)[N]['output']>,
    };
  };
  const feed = (rows: [string, number][], correlationId?: string) =>
    events.emit('samples', batchOf(rows, clock.now(), correlationId));
  return { clock, events, engine, journal, maintenance, streams, call, feed };
}

describe('alarm API handlers', () => {
  it('records the local OS user while nobody is signed in, and the signed-in user otherwise', async () => {
    const { call, feed, journal } = setup();
    feed([['e1/temp', 130]]);
    expect(await call('acknowledgeAlarms', { alarmIds: ['hi'], comment: 'on it' })).toMatchObject({
      ok: true,
    });
    expect(
      await call('acknowledgeAlarms', { alarmIds: ['hihi'] }, { user: 'alice', permissions: ['operate'] }),
    ).toMatchObject({ ok: true });
    const acks = journal.query({ transitions: ['acknowledge'] });
    expect(acks.map((r) => [r.alarmId, r.user])).toEqual([
      ['hi', localOsUser()],
      ['hihi', 'alice'],
    ]);
  });

  it('rejects bad input at the contract with field paths', async () => {
    const { call } = setup();
    expect(
      await call('shelveAlarm', { alarmId: 'hi', mode: 'timed', durationMinutes: 10, reason: '  ' }),
    ).toEqual({
      ok: false,
      issues: ['reason: a reason is required'],
    });
    const bad = await call('upsertAlarmDefinition', {
      definition: {
        id: 'x',
        kind: 'high',
        tagId: 'e1/temp',
        limit: 1,
        deadband: -2,
        priority: 'low',
        message: 'm',
      },
    });
    expect(bad).toEqual({ ok: false, issues: ['definition.deadband: deadband must not be negative'] });
    expect(await call('acknowledgeAlarms', { alarmIds: [] })).toMatchObject({ ok: false });
  });

  it('shelves for minutes, lists, reads the journal newest first and computes KPIs', async () => {
    const { call, feed, clock } = setup();
    feed([['e1/temp', 110]], 'b1');
    const shelved = await call('shelveAlarm', {
      alarmId: 'hi',
      mode: 'timed',
      durationMinutes: 30,
      reason: 'calibration',
    });
    expect(shelved).toMatchObject({
      ok: true,
      result: { state: 'shelved', shelved: { until: T0 + 30 * 60_000, by: localOsUser() } },
    });
    expect(await call('listAlarms', {})).toMatchObject({
      ok: true,
      result: [{ id: 'hi', state: 'shelved' }],
    });
    const journal = await call('queryAlarmJournal', { alarmId: 'hi' });
    expect(journal.ok && journal.result.map((r) => r.transition)).toEqual(['shelve', 'activate']);
    clock.advance(60 * 60_000);
    const kpis = await call('getAlarmKpis', { from: T0, to: clock.now() });
    expect(kpis).toMatchObject({ ok: true, result: { activations: 2, peakPerTenMinutes: 1 } });
  });

  it('runs recommendation -> approval -> work order -> export through commands', async () => {
    const { call, maintenance, clock } = setup();
    const rec = maintenance.observe({
      kind: 'rul',
      assetId: 'engine-1',
      value: 30,
      at: clock.now(),
      tagId: 'e1/rul',
      modelId: 'rul',
      modelVersion: '1',
      correlationId: 'b-rul',
    })!;
    const approved = await call('approveRecommendation', { recommendationId: rec.id, comment: 'go' });
    expect(approved).toMatchObject({
      ok: true,
      result: { workOrder: { id: 'WO-000001', createdBy: localOsUser() } },
    });
    await call('updateWorkOrderStatus', { workOrderId: 'WO-000001', status: 'in_progress' });
    const csv = await call('exportWorkOrders', { format: 'csv' });
    expect(csv.ok && csv.result.content).toMatch(/\r\nWO-000001,engine-1,in_progress,/);
  });

  it('streams an alarm snapshot, then coalesced updates at screen rate', () => {
    const { streams, feed, clock } = setup();
    const messages: { snapshot: boolean; alarms: { id: string; state: string }[] }[] = [];
    const sub = streams.alarms(alarmStreams.alarms.params.parse({}), (m) => messages.push(m), LOCAL_OPERATOR);
    expect(messages).toEqual([expect.objectContaining({ snapshot: true, alarms: [] })]);
    feed([['e1/temp', 130]]); // two activations in one batch
    feed([['e1/temp', 110]]); // hihi returns
    expect(messages).toHaveLength(1);
    clock.advance(34);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.snapshot).toBe(false);
    expect(messages[1]!.alarms.map((a) => `${a.id}:${a.state}`).sort()).toEqual([
      'hi:unack_active',
      'hihi:unack_rtn',
    ]);
    sub.dispose();
    feed([['e1/temp', 50]]);
    clock.advance(100);
    expect(messages).toHaveLength(2);
  });

  it('sends the alarm again when it stops chattering, without the flag', () => {
    const { streams, feed, clock } = setup();
    const messages: { alarms: { id: string; chattering: boolean }[] }[] = [];
    const sub = streams.alarms(alarmStreams.alarms.params.parse({}), (m) => messages.push(m), LOCAL_OPERATOR);
    for (let i = 0; i < 3; i++) {
      feed([['e1/temp', 110]]);
      clock.advance(5_000);
      feed([['e1/temp', 50]]);
      clock.advance(5_000);
    }
    const last = () =>
      messages
        .flatMap((m) => m.alarms)
        .filter((a) => a.id === 'hi')
        .at(-1);
    expect(last()?.chattering).toBe(true);
    // No activation for the length of the window: the queue hears that it stopped.
    clock.advance(10 * 60_000);
    expect(last()?.chattering).toBe(false);
    sub.dispose();
  });

  it('forwards desktop notifications to the notifications stream', async () => {
    const { streams, feed } = setup();
    const got: string[] = [];
    streams.notifications({}, (n) => got.push(`${n.priority}:${n.title}`), LOCAL_OPERATOR);
    feed([['e1/temp', 105]]);
    await new Promise((r) => setTimeout(r, 0));
    expect(got).toEqual(['high:[HIGH] hi: hot']);
  });
});
