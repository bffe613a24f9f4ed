import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { AlarmEngine } from './engine';
import { InMemoryAlarmJournal, type NewJournalEntry } from './journal';
import type { AlarmPriority, AlarmState } from './schemas';
import { MapTagCatalog } from './testing';

const D0 = Date.UTC(2025, 2, 3, 0, 0, 0);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

function row(
  alarmId: string,
  at: number,
  priority: AlarmPriority,
  over: Partial<NewJournalEntry> = {},
): NewJournalEntry {
  const toState: AlarmState = over.toState ?? 'unack_active';
  return {
    at,
    alarmId,
    assetId: `asset-${alarmId[0]}`,
    tagId: null,
    priority,
    transition: 'activate',
    fromState: 'normal',
    toState,
    user: 'system',
    comment: '',
    correlationId: `c-${alarmId}-${at}`,
    value: 1,
    sampleTime: at,
    activeSince: at,
    acknowledged: false,
    shelvedUntil: null,
    shelveMode: null,
    ...over,
  };
}

/**
 * One constructed day:
 * - alarm A (high): 3 activations within 20 s at 00:00 (chattering), then one every hour 01:00..17:00 (20 in all);
 * - F0..F11 (low): 12 activations 10 s apart from 18:30 (a flood);
 * - S (medium): active since two days before, acknowledged the day before (a standing alarm);
 * - S2 (critical): active since 23:00 (not standing).
 */
function constructedJournal(): InMemoryAlarmJournal {
  const rows: NewJournalEntry[] = [];
  rows.push(row('S', D0 - 48 * H, 'medium'));
  rows.push(
    row('S', D0 - 24 * H, 'medium', {
      transition: 'acknowledge',
      fromState: 'unack_active',
      toState: 'ack_active',
      activeSince: D0 - 48 * H,
      acknowledged: true,
    }),
  );
  for (const t of [0, 10 * S, 20 * S]) rows.push(row('A', D0 + t, 'high'));
  for (let k = 1; k <= 17; k++) rows.push(row('A', D0 + k * H, 'high'));
  for (let i = 0; i < 12; i++) rows.push(row(`F${i}`, D0 + 18.5 * H + i * 10 * S, 'low'));
  rows.push(row('S2', D0 + 23 * H, 'critical'));
  rows.sort((a, b) => a.at - b.at);
  const journal = new InMemoryAlarmJournal();
  journal.append(rows);
  return journal;
}

function engineOn(journal: InMemoryAlarmJournal): AlarmEngine {
  // S, the standing alarm, is still defined (an alarm active for days is in the engine).
  return new AlarmEngine({
    clock: new ManualClock(D0 + 48 * H),
    journal,
    catalog: new MapTagCatalog({ 's/pv': 'asset-S' }),
    config: {
      definitions: [
        { id: 'S', kind: 'high', tagId: 's/pv', limit: 1, priority: 'medium', message: 'standing' },
      ],
    },
  });
}

describe('alarm KPIs on a constructed journal', () => {
  it('computes rates, floods, standing, chattering, bad actors and priority mix', () => {
    const k = engineOn(constructedJournal()).kpis(D0, D0 + 24 * H);
    expect(k.activations).toBe(33);
    expect(k.averagePerTenMinutes).toBeCloseTo(33 / 144, 10);
    expect(k.averagePerDay).toBeCloseTo(33, 10);
    expect(k.rateRating).toBe('acceptable');
    // All 12 flood activations fall into the 10-minute period starting 18:30.
    expect(k.peakPerTenMinutes).toBe(12);
    expect(k.percentPeriodsInFlood).toBeCloseTo(100 / 144, 10);
    // Flood from the 11th activation (18:31:40) until the 8th (18:31:10) leaves the window 10 min later.
    expect(k.floods).toBe(1);
    expect(k.percentTimeInFlood).toBeCloseTo((570 / 86_400) * 100, 10);
    expect(k.standingOver24h).toEqual([{ alarmId: 'S', assetId: 'asset-S', activeSince: D0 - 48 * H }]);
    expect(k.chatteringAlarms).toEqual([{ alarmId: 'A', maxActivationsInWindow: 3 }]);
    expect(k.topBadActors[0]).toEqual({
      alarmId: 'A',
      assetId: 'asset-A',
      activations: 20,
      percent: (20 / 33) * 100,
    });
    expect(k.topBadActors.map((a) => a.alarmId)).toEqual([
      'A',
      'F0',
      'F1',
      'F10',
      'F11',
      'F2',
      'F3',
      'F4',
      'F5',
      'F6',
    ]);
    expect(k.topTenPercent).toBeCloseTo((29 / 33) * 100, 10);
    expect(k.priorityMix).toEqual({
      critical: { count: 1, percent: (1 / 33) * 100 },
      high: { count: 20, percent: (20 / 33) * 100 },
      medium: { count: 0, percent: 0 },
      low: { count: 12, percent: (12 / 33) * 100 },
    });
    expect(k.targets).toMatchObject({ acceptablePerTenMinutes: 1, manageablePerTenMinutes: 2 });
  });

  it('counts only the part of a flood inside the range, including one already running at the start', () => {
    const engine = engineOn(constructedJournal());
    // The range starts in the middle of the flood (18:32) and ends before it is over (18:40).
    const from = D0 + 18.5 * H + 2 * MIN;
    const k = engine.kpis(from, D0 + 18.5 * H + 10 * MIN);
    expect(k.floods).toBe(1);
    // In flood from 18:32:00 to 18:41:10, cut at 18:40:00: the whole 8-minute range.
    expect(k.percentTimeInFlood).toBeCloseTo(100, 10);
    expect(k.activations).toBe(0);
  });

  it('rates a busy range overloaded and needs from < to', () => {
    const journal = new InMemoryAlarmJournal();
    journal.append(Array.from({ length: 30 }, (_, i) => row(`B${i}`, D0 + i * 20 * S, 'medium')));
    const engine = engineOn(journal);
    const k = engine.kpis(D0, D0 + 10 * MIN);
    expect(k).toMatchObject({
      activations: 30,
      averagePerTenMinutes: 30,
      rateRating: 'overloaded',
      peakPerTenMinutes: 30,
    });
    expect(() => engine.kpis(D0, D0)).toThrow(/from < to/);
  });
});
