import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { openHistorian, type Historian } from '../historian';
import { AlarmEngine } from './engine';
import { HistorianAlarmJournal } from './historianJournal';
import type { AlarmsConfigInput } from './schemas';
import { MapTagCatalog, batchOf } from './testing';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MIN = 60_000;
const dirs: string[] = [];
const open: Historian[] = [];

afterEach(() => {
  for (const h of open.splice(0)) h.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const definitions: AlarmsConfigInput['definitions'] = [
  { id: 'p.hi', kind: 'high', tagId: 'p/pv', limit: 10, priority: 'high', message: 'pressure high' },
  { id: 'p.lo', kind: 'low', tagId: 'p/pv', limit: 2, priority: 'medium', message: 'pressure low' },
];

function start(dataDir: string, clock: ManualClock) {
  const historian = openHistorian({ dataDir, clock, autoFlush: false });
  open.push(historian);
  const bus = new EventBus();
  const engine = new AlarmEngine({
    clock,
    journal: new HistorianAlarmJournal(historian.journals.alarms),
    catalog: new MapTagCatalog({ 'p/pv': 'pump-1' }),
    config: { definitions },
    events: bus,
  });
  engine.attach(bus);
  const feed = (v: number, correlationId?: string) =>
    bus.emit('samples', batchOf([['p/pv', v]], clock.now(), correlationId));
  return { historian, engine, feed, bus };
}

describe('alarm journal in the historian (real SQLite file)', () => {
  it('stores every transition with all its fields and restores alarm states after a restart', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-alarm-journal-'));
    dirs.push(dataDir);
    const clock = new ManualClock(T0);
    const first = start(dataDir, clock);
    first.feed(12, 'b-1');
    clock.advance(MIN);
    first.engine.acknowledge(['p.hi'], 'alice', 'valve checked');
    first.feed(1, 'b-2'); // p.hi returns, p.lo activates
    first.engine.shelve(
      { alarmId: 'p.lo', mode: 'timed', durationMs: 30 * MIN, reason: 'pump stopped for cleaning' },
      'bob',
    );

    const rows = first.engine.queryJournal({ order: 'asc' });
    expect(rows.map((r) => `${r.alarmId}:${r.transition}:${r.fromState}->${r.toState}:${r.user}`)).toEqual([
      'p.hi:activate:normal->unack_active:system',
      'p.hi:acknowledge:unack_active->ack_active:alice',
      'p.hi:return:ack_active->normal:system',
      'p.lo:activate:normal->unack_active:system',
      'p.lo:shelve:unack_active->shelved:bob',
    ]);
    expect(rows[0]).toMatchObject({
      assetId: 'pump-1',
      tagId: 'p/pv',
      priority: 'high',
      value: 12,
      correlationId: 'b-1',
      sampleTime: T0,
    });
    expect(rows[1]).toMatchObject({ comment: 'valve checked', acknowledged: true, activeSince: T0 });
    expect(rows[4]).toMatchObject({
      shelveMode: 'timed',
      shelvedUntil: T0 + 31 * MIN,
      comment: 'pump stopped for cleaning',
    });
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
    // Filters the repository has no column for (asset, transition) and the exclusive end.
    expect(
      first.engine
        .queryJournal({ assetId: 'pump-1', transitions: ['activate'], order: 'asc' })
        .map((r) => r.alarmId),
    ).toEqual(['p.hi', 'p.lo']);
    expect(first.engine.queryJournal({ to: T0 + MIN })).toHaveLength(1);
    expect(first.engine.queryJournal({ order: 'desc', limit: 2 }).map((r) => r.transition)).toEqual([
      'shelve',
      'activate',
    ]);
    first.engine.dispose();
    first.historian.close();

    // A new core on the same file: the shelved alarm is still shelved, nothing is announced again.
    clock.advance(10 * MIN);
    const second = start(dataDir, clock);
    expect(second.engine.get('p.lo')).toMatchObject({
      state: 'shelved',
      shelved: { by: 'bob', until: T0 + 31 * MIN },
    });
    expect(second.engine.get('p.hi').state).toBe('normal');
    second.feed(1);
    expect(second.engine.queryJournal({})).toHaveLength(5);
    clock.advance(30 * MIN); // shelving time is up; the pressure is still low
    expect(second.engine.get('p.lo').state).toBe('unack_active');
    const kpis = second.engine.kpis(T0, clock.now());
    expect(kpis).toMatchObject({ activations: 3, priorityMix: { high: { count: 1 }, medium: { count: 2 } } });
  });

  it('keeps alarms going when the historian cannot store them, and counts the failure', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-alarm-journal-'));
    dirs.push(dataDir);
    const clock = new ManualClock(T0);
    const { historian, engine, feed, bus } = start(dataDir, clock);
    const announced: string[] = [];
    bus.on('alarm.transition', (e) => announced.push(`${e.alarm.id}:${e.entry.transition}:${e.entry.seq}`));
    historian.close();
    feed(12);
    expect(announced).toEqual(['p.hi:activate:-1']);
    expect(engine.get('p.hi').state).toBe('unack_active');
    expect(engine.stats()).toMatchObject({ journalBacklog: 1, journalFailures: 1 });
  });
});
