import { describe, expect, it } from 'vitest';
import { STATUS_BAD, STATUS_UNCERTAIN } from '../../../shared/quality';
import { CoreError } from '../app/api';
import { ManualClock } from '../app/clock';
import { EventBus } from '../app/eventBus';
import { AlarmEngine } from './engine';
import type { ExternalConditionPort } from './ports';
import type { DataQualityEvent } from '../validation';
import type { AlarmTransitionEvent } from './events';
import { InMemoryAlarmJournal, PartialAppendError, type AlarmJournal } from './journal';
import type { AlarmDefinitionInput, AlarmsConfigInput } from './schemas';
import { MapTagCatalog, batchOf, type SampleSpec } from './testing';

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

function setup(
  definitions: AlarmDefinitionInput[],
  extra: Partial<AlarmsConfigInput> = {},
  journal?: AlarmJournal,
) {
  const clock = new ManualClock(T0);
  const bus = new EventBus((_e, err) => {
    throw err;
  });
  const catalog = new MapTagCatalog({
    'e1/temp': 'engine-1',
    'e1/sp': 'engine-1',
    'e1/running': 'engine-1',
    'e1/rul': 'engine-1',
    'e2/temp': 'engine-2',
    'e3/temp': 'engine-3',
  });
  const store = journal ?? new InMemoryAlarmJournal();
  const engine = new AlarmEngine({
    clock,
    journal: store,
    catalog,
    config: { definitions: definitions as AlarmsConfigInput['definitions'], ...extra },
    events: bus,
  });
  engine.attach(bus);
  const transitions: AlarmTransitionEvent[] = [];
  bus.on('alarm.transition', (e) => transitions.push(e));
  const feed = (rows: SampleSpec[], correlationId?: string) =>
    bus.emit('samples', batchOf(rows, clock.now(), correlationId));
  return { clock, bus, engine, journal: store, transitions, feed, catalog };
}

const high = (over: Partial<AlarmDefinitionInput> = {}): AlarmDefinitionInput =>
  ({
    id: 'e1.temp.hi',
    kind: 'high',
    tagId: 'e1/temp',
    limit: 100,
    priority: 'high',
    message: 'Engine 1 temperature high',
    suggestedAction: 'Reduce load',
    ...over,
  }) as AlarmDefinitionInput;

function expectCoreError(fn: () => unknown, code: string, message: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CoreError);
    expect((err as CoreError).code).toBe(code);
    expect((err as CoreError).message).toMatch(message);
    return;
  }
  throw new Error('expected a CoreError');
}

describe('ISA-18.2 lifecycle', () => {
  it('goes normal -> unacknowledged active -> acknowledged active -> normal, journaling who, when and why', () => {
    const { engine, feed, clock, transitions, journal } = setup([high()]);
    feed([['e1/temp', 90]]);
    expect(engine.get('e1.temp.hi').state).toBe('normal');

    feed([['e1/temp', 101]], 'batch-hot');
    const active = engine.get('e1.temp.hi');
    expect(active).toMatchObject({
      state: 'unack_active',
      assetId: 'engine-1',
      value: 101,
      correlationId: 'batch-hot',
    });
    expect(active.activeSince).toBe(T0);

    clock.advance(30_000);
    engine.acknowledge(['e1.temp.hi'], 'alice', 'seen, reducing load');
    expect(engine.get('e1.temp.hi').state).toBe('ack_active');

    clock.advance(30_000);
    feed([['e1/temp', 95]], 'batch-cool');
    expect(engine.get('e1.temp.hi').state).toBe('normal');
    expect(engine.list()).toEqual([]);

    const rows = journal.query({ alarmId: 'e1.temp.hi' });
    expect(rows.map((r) => [r.transition, r.fromState, r.toState, r.user])).toEqual([
      ['activate', 'normal', 'unack_active', 'system'],
      ['acknowledge', 'unack_active', 'ack_active', 'alice'],
      ['return', 'ack_active', 'normal', 'system'],
    ]);
    expect(rows[0]).toMatchObject({ correlationId: 'batch-hot', value: 101, at: T0, sampleTime: T0 });
    // The acknowledgement belongs to the occurrence the batch caused.
    expect(rows[1]).toMatchObject({
      correlationId: 'batch-hot',
      comment: 'seen, reducing load',
      at: T0 + 30_000,
    });
    expect(rows[2]).toMatchObject({ correlationId: 'batch-cool', value: 95 });
    // Every stored row was announced once, with its sequence number, in order.
    expect(transitions.map((t) => t.entry.seq)).toEqual(rows.map((r) => r.seq));
    expect(transitions.map((t) => t.alarm.state)).toEqual(['unack_active', 'ack_active', 'normal']);
  });

  it('keeps an alarm that returned unacknowledged in unack_rtn until acknowledged', () => {
    const { engine, feed } = setup([high()]);
    feed([['e1/temp', 120]]);
    feed([['e1/temp', 80]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'unack_rtn', conditionActive: false });
    expect(engine.list().map((a) => a.id)).toEqual(['e1.temp.hi']);
    engine.acknowledge(['e1.temp.hi'], 'bob');
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'normal', activeSince: null });
  });

  it('re-activates from unack_rtn as a new occurrence', () => {
    const { engine, feed, journal } = setup([high()]);
    feed([['e1/temp', 120]], 'first');
    feed([['e1/temp', 80]]);
    feed([['e1/temp', 130]], 'second');
    expect(engine.get('e1.temp.hi')).toMatchObject({
      state: 'unack_active',
      correlationId: 'second',
      activations: 2,
    });
    expect(journal.query({ transitions: ['activate'] })).toHaveLength(2);
  });

  it('latches: stays latched after the condition clears until reset, acknowledged or not', () => {
    const { engine, feed } = setup([high({ latching: true })]);
    feed([['e1/temp', 120]]);
    engine.acknowledge(['e1.temp.hi'], 'alice');
    feed([['e1/temp', 80]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'latched', acknowledged: true });
    expectCoreError(
      () => engine.acknowledge(['e1.temp.hi'], 'alice'),
      'invalid_input',
      /already acknowledged/,
    );
    engine.reset('e1.temp.hi', 'alice', 'checked locally');
    expect(engine.get('e1.temp.hi').state).toBe('normal');

    // Unacknowledged latched alarm: acknowledging it resets it.
    feed([['e1/temp', 120]]);
    feed([['e1/temp', 80]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'latched', acknowledged: false });
    engine.acknowledge(['e1.temp.hi'], 'alice');
    expect(engine.get('e1.temp.hi').state).toBe('normal');
    expectCoreError(() => engine.reset('e1.temp.hi', 'alice'), 'invalid_input', /not latched/);
  });

  it('does not flicker inside the deadband', () => {
    const { engine, feed, journal } = setup([high({ deadband: 5 })]);
    for (const v of [101, 99, 100.5, 97, 96, 98, 101]) feed([['e1/temp', v]]);
    expect(engine.get('e1.temp.hi').state).toBe('unack_active');
    expect(journal.query({ transitions: ['activate', 'return'] })).toHaveLength(1);
    feed([['e1/temp', 94.9]]);
    expect(engine.get('e1.temp.hi').state).toBe('unack_rtn');
  });

  it('on-delay: a short excursion raises nothing, a lasting one raises the alarm with the causing batch', () => {
    const { engine, feed, clock, journal } = setup([high({ onDelayMs: 5_000 })]);
    feed([['e1/temp', 120]], 'blip');
    clock.advance(3_000);
    feed([['e1/temp', 90]]);
    clock.advance(10_000);
    expect(engine.get('e1.temp.hi').state).toBe('normal');

    feed([['e1/temp', 120]], 'lasting');
    clock.advance(4_999);
    expect(engine.get('e1.temp.hi').state).toBe('normal');
    clock.advance(1);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'unack_active', correlationId: 'lasting' });
    expect(journal.query({ transitions: ['activate'] })[0]!.at).toBe(T0 + 13_000 + 5_000);
  });

  it('off-delay: the alarm returns only after the condition stayed clear for the delay', () => {
    const { engine, feed, clock } = setup([high({ offDelayMs: 10_000 })]);
    feed([['e1/temp', 120]]);
    feed([['e1/temp', 90]]);
    clock.advance(9_000);
    feed([['e1/temp', 110]]); // back above before the delay ran out: still the same occurrence
    clock.advance(20_000);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'unack_active', activations: 1 });
    feed([['e1/temp', 90]]);
    clock.advance(10_000);
    expect(engine.get('e1.temp.hi').state).toBe('unack_rtn');
  });

  it('evaluates low, low-low, RUL, failure risk and anomaly score limits in the right direction', () => {
    const { engine, feed } = setup([
      { id: 'lo', kind: 'low', tagId: 'e1/temp', limit: 10, priority: 'medium', message: 'low' },
      { id: 'lolo', kind: 'low_low', tagId: 'e1/temp', limit: 5, priority: 'critical', message: 'low low' },
      { id: 'rul', kind: 'rul_below', tagId: 'e1/rul', limit: 30, priority: 'high', message: 'RUL low' },
      { id: 'risk', kind: 'failure_risk', tagId: 'e2/temp', limit: 0.7, priority: 'high', message: 'risk' },
      { id: 'score', kind: 'anomaly_score', tagId: 'e3/temp', limit: 3, priority: 'low', message: 'anomaly' },
    ]);
    feed([
      ['e1/temp', 7],
      ['e1/rul', 31],
      ['e2/temp', 0.69],
      ['e3/temp', 3.5],
    ]);
    const state = () =>
      Object.fromEntries(['lo', 'lolo', 'rul', 'risk', 'score'].map((id) => [id, engine.get(id).state]));
    expect(state()).toEqual({
      lo: 'unack_active',
      lolo: 'normal',
      rul: 'normal',
      risk: 'normal',
      score: 'unack_active',
    });
    feed([
      ['e1/temp', 4],
      ['e1/rul', 29],
      ['e2/temp', 0.71],
    ]);
    expect(state()).toMatchObject({ lolo: 'unack_active', rul: 'unack_active', risk: 'unack_active' });
  });

  it('deviation against a fixed setpoint and against a setpoint tag', () => {
    const { engine, feed } = setup([
      {
        id: 'dev.fixed',
        kind: 'deviation',
        tagId: 'e1/temp',
        setpoint: 50,
        limit: 5,
        priority: 'low',
        message: 'dev',
      },
      {
        id: 'dev.tag',
        kind: 'deviation',
        tagId: 'e1/temp',
        setpoint: { tagId: 'e1/sp' },
        limit: 5,
        priority: 'low',
        message: 'dev',
      },
    ]);
    feed([['e1/temp', 56]]);
    // No setpoint value yet: the tag-based one cannot judge.
    expect(engine.get('dev.fixed')).toMatchObject({ state: 'unack_active', value: 6 });
    expect(engine.get('dev.tag').state).toBe('normal');
    feed([['e1/sp', 52]]);
    expect(engine.get('dev.tag').state).toBe('normal');
    feed([['e1/sp', 62]]); // the setpoint moved away from the measured value
    expect(engine.get('dev.tag')).toMatchObject({ state: 'unack_active', value: 6 });
  });

  it('rate of change in units per second, by direction', () => {
    const { engine, feed, clock } = setup([
      {
        id: 'roc',
        kind: 'rate_of_change',
        tagId: 'e1/temp',
        limit: 2,
        direction: 'rising',
        priority: 'medium',
        message: 'rising fast',
      },
    ]);
    feed([['e1/temp', 10]]);
    clock.advance(1000);
    feed([['e1/temp', 30]]); // falling would be ignored; this rises 20 / s
    expect(engine.get('roc')).toMatchObject({ state: 'unack_active', value: 20 });
    clock.advance(1000);
    feed([['e1/temp', 10]]); // -20 / s: not rising
    expect(engine.get('roc').state).toBe('unack_rtn');
  });

  it('raises bad-quality alarms and ignores bad samples for limit alarms', () => {
    const { engine, feed } = setup([
      high(),
      { id: 'q', kind: 'bad_quality', tagId: 'e1/temp', priority: 'medium', message: 'sensor bad' },
      {
        id: 'q2',
        kind: 'bad_quality',
        tagId: 'e1/temp',
        includeUncertain: true,
        priority: 'low',
        message: 'sensor uncertain',
      },
    ]);
    feed([['e1/temp', 500, undefined, STATUS_BAD]]);
    expect(engine.get('q').state).toBe('unack_active');
    expect(engine.get('e1.temp.hi').state).toBe('normal'); // a bad value is no process value
    feed([['e1/temp', 20, undefined, STATUS_UNCERTAIN]]);
    expect(engine.get('q').state).toBe('unack_rtn');
    expect(engine.get('q2').state).toBe('unack_active');
  });

  it('treats validation episodes (stale, frozen, out of range) on the tag as bad data quality', () => {
    const { engine, bus, journal } = setup([
      { id: 'q', kind: 'bad_quality', tagId: 'e1/temp', priority: 'medium', message: 'sensor data bad' },
      {
        id: 'q.status',
        kind: 'bad_quality',
        tagId: 'e1/temp',
        includeValidation: false,
        priority: 'low',
        message: 'status only',
      },
    ]);
    const episode = (rule: DataQualityEvent['rule'], state: 'raised' | 'cleared', correlationId: string) =>
      bus.emit('data.quality', {
        correlationId,
        tagId: 'e1/temp',
        rule,
        state,
        at: T0,
        samples: 1,
        value: NaN,
      });
    episode('QualityUncertain', 'raised', 'v-0'); // uncertain does not count unless asked for
    expect(engine.get('q').state).toBe('normal');
    episode('Stale', 'raised', 'v-1');
    episode('Frozen', 'raised', 'v-2');
    expect(engine.get('q')).toMatchObject({ state: 'unack_active', correlationId: 'v-1' });
    expect(engine.get('q.status').state).toBe('normal');
    episode('Stale', 'cleared', 'v-3');
    expect(engine.get('q').state).toBe('unack_active'); // still frozen
    episode('Frozen', 'cleared', 'v-4');
    expect(engine.get('q').state).toBe('unack_rtn');
    expect(journal.query({ alarmId: 'q' }).map((r) => r.comment)).toEqual([
      'Validation: Stale raised',
      'Validation: Frozen cleared',
    ]);
  });

  it("evaluates the detectors' anomaly scores, which arrive as their own batches", () => {
    const { engine, bus, catalog, clock } = setup([]);
    catalog.add('engine-1/anomaly_score', 'engine-1');
    engine.upsertDefinition(
      {
        id: 'e1.anomaly',
        kind: 'anomaly_score',
        tagId: 'engine-1/anomaly_score',
        limit: 0.5,
        priority: 'medium',
        message: 'Engine 1 behaves unusually',
      },
      'eng',
    );
    bus.emit('scores', batchOf([['engine-1/anomaly_score', 0.72]], clock.now(), 'b-scored'));
    expect(engine.get('e1.anomaly')).toMatchObject({
      state: 'unack_active',
      value: 0.72,
      correlationId: 'b-scored',
    });
  });

  it('ignores samples older than the last one evaluated (backfill, replays)', () => {
    const { engine, feed, clock, journal } = setup([high()]);
    clock.advance(60_000);
    feed([['e1/temp', 90]]);
    feed([['e1/temp', 150, T0]]); // a backfilled sample from a minute ago
    expect(engine.get('e1.temp.hi').state).toBe('normal');
    expect(journal.query({}).length).toBe(0);
  });
});

describe('shelving, suppression by design, out of service', () => {
  it('timed shelving hides the alarm and unshelves it automatically, re-announcing an active condition', () => {
    const { engine, feed, clock, journal } = setup([high()]);
    feed([['e1/temp', 120]]);
    engine.shelve(
      { alarmId: 'e1.temp.hi', mode: 'timed', durationMs: 30 * 60_000, reason: 'sensor recalibration' },
      'alice',
    );
    expect(engine.get('e1.temp.hi')).toMatchObject({
      state: 'shelved',
      shelved: { mode: 'timed', reason: 'sensor recalibration', by: 'alice', until: T0 + 30 * 60_000 },
    });
    feed([['e1/temp', 80]]);
    feed([['e1/temp', 130]]);
    expect(engine.get('e1.temp.hi').state).toBe('shelved');
    clock.advance(30 * 60_000);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'unack_active', shelved: null });
    expect(journal.query({ alarmId: 'e1.temp.hi' }).map((r) => `${r.transition}:${r.user}`)).toEqual([
      'activate:system',
      'shelve:alice',
      'unshelve:system',
      'activate:system',
    ]);
  });

  it('one-shot shelving ends when the alarm returns to normal', () => {
    const { engine, feed } = setup([high()]);
    expectCoreError(
      () => engine.shelve({ alarmId: 'e1.temp.hi', mode: 'one_shot', reason: 'known' }, 'alice'),
      'invalid_input',
      /not active/,
    );
    feed([['e1/temp', 120]]);
    engine.shelve(
      { alarmId: 'e1.temp.hi', mode: 'one_shot', reason: 'known upset, operator on it' },
      'alice',
    );
    expect(engine.get('e1.temp.hi').state).toBe('shelved');
    feed([['e1/temp', 80]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'normal', shelved: null });
    feed([['e1/temp', 120]]);
    expect(engine.get('e1.temp.hi').state).toBe('unack_active');
  });

  it('refuses shelving without a reason, too long, twice; nothing changes', () => {
    const { engine, feed, journal } = setup([high()]);
    feed([['e1/temp', 120]]);
    const before = journal.query({}).length;
    expectCoreError(
      () => engine.shelve({ alarmId: 'e1.temp.hi', mode: 'timed', durationMs: 60_000, reason: '  ' }, 'a'),
      'invalid_input',
      /needs a reason/,
    );
    expectCoreError(
      () =>
        engine.shelve({ alarmId: 'e1.temp.hi', mode: 'timed', durationMs: 13 * 3_600_000, reason: 'x' }, 'a'),
      'invalid_input',
      /at most 12 h/,
    );
    expectCoreError(
      () => engine.shelve({ alarmId: 'e1.temp.hi', mode: 'timed', reason: 'x' }, 'a'),
      'invalid_input',
      /positive duration/,
    );
    expectCoreError(
      () => engine.shelve({ alarmId: 'nope', mode: 'timed', durationMs: 1, reason: 'x' }, 'a'),
      'not_found',
      /nope/,
    );
    engine.shelve({ alarmId: 'e1.temp.hi', mode: 'timed', durationMs: 60_000, reason: 'x' }, 'a');
    expectCoreError(
      () => engine.shelve({ alarmId: 'e1.temp.hi', mode: 'timed', durationMs: 60_000, reason: 'y' }, 'a'),
      'invalid_input',
      /already shelved/,
    );
    expect(journal.query({}).length).toBe(before + 1);
    expectCoreError(() => engine.unshelve('e1.temp.hi-x', 'a'), 'not_found', /No alarm/);
  });

  it('suppresses by design while the operating-state condition holds', () => {
    const { engine, feed } = setup([high({ suppressWhen: { tagId: 'e1/running', op: '==', value: 0 } })]);
    feed([['e1/running', 1]]);
    feed([['e1/temp', 120]]);
    expect(engine.get('e1.temp.hi').state).toBe('unack_active');
    feed([['e1/running', 0]]); // engine stopped: the alarm is meaningless now
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'suppressed', suppressedByDesign: true });
    feed([['e1/temp', 130]]);
    expect(engine.get('e1.temp.hi').state).toBe('suppressed');
    feed([['e1/running', 1]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'unack_active', suppressedByDesign: false });
  });

  it('out of service: no annunciation until returned to service', () => {
    const { engine, feed, journal } = setup([high()]);
    expectCoreError(
      () => engine.setOutOfService('e1.temp.hi', '', 'tech'),
      'invalid_input',
      /needs a reason/,
    );
    engine.setOutOfService('e1.temp.hi', 'Thermocouple replaced, work order 4711', 'tech');
    feed([['e1/temp', 120]]);
    expect(engine.get('e1.temp.hi')).toMatchObject({ state: 'out_of_service', conditionActive: true });
    expectCoreError(() => engine.acknowledge(['e1.temp.hi'], 'op'), 'invalid_input', /out of service/);
    engine.returnToService('e1.temp.hi', 'tech', 'sensor back');
    expect(engine.get('e1.temp.hi').state).toBe('unack_active');
    expect(journal.query({ alarmId: 'e1.temp.hi' }).map((r) => r.transition)).toEqual([
      'out_of_service',
      'return_to_service',
      'activate',
    ]);
  });
});

describe('bad input', () => {
  it('rejects a definition on a missing tag or with a negative deadband, and changes nothing', () => {
    const { engine, journal } = setup([high()]);
    expectCoreError(
      () => engine.upsertDefinition(high({ id: 'new', tagId: 'e9/ghost' }), 'eng'),
      'not_found',
      /unknown tag: e9\/ghost/,
    );
    expectCoreError(
      () => engine.upsertDefinition(high({ id: 'new', deadband: -1 }), 'eng'),
      'invalid_input',
      /deadband must not be negative/,
    );
    expectCoreError(
      () => engine.upsertDefinition({ id: 'x', kind: 'sideways' }, 'eng'),
      'invalid_input',
      /kind/,
    );
    expectCoreError(() => engine.upsertDefinition(high(), 'eng'), 'invalid_input', /configuration file/);
    expect(engine.listDefinitions().map((d) => d.definition.id)).toEqual(['e1.temp.hi']);
    expect(journal.query({}).length).toBe(0);
  });

  it('rejects acknowledging a missing or already acknowledged alarm, all or nothing', () => {
    const { engine, feed, journal } = setup([high(), high({ id: 'e2.temp.hi', tagId: 'e2/temp' })]);
    feed([
      ['e1/temp', 120],
      ['e2/temp', 120],
    ]);
    expectCoreError(() => engine.acknowledge(['e1.temp.hi', 'ghost'], 'op'), 'not_found', /ghost/);
    expect(engine.get('e1.temp.hi').state).toBe('unack_active'); // the valid one was not acknowledged either
    engine.acknowledge(['e1.temp.hi'], 'op');
    const size = journal.query({}).length;
    expectCoreError(
      () => engine.acknowledge(['e2.temp.hi', 'e1.temp.hi'], 'op'),
      'invalid_input',
      /already acknowledged/,
    );
    expect(engine.get('e2.temp.hi').state).toBe('unack_active');
    expect(journal.query({}).length).toBe(size);
    expectCoreError(() => engine.comment('e1.temp.hi', ' ', 'op'), 'invalid_input', /empty/);
  });

  it('refuses a configuration with duplicate ids or a flood exit above its entry', () => {
    expect(() => setup([high(), high()])).toThrow(/Duplicate alarm definition id "e1.temp.hi"/);
    expect(() => setup([], { flood: { windowMs: 600_000, enterAbove: 5, exitBelow: 10 } })).toThrow(
      /exitBelow/,
    );
  });
});

describe('definitions through commands', () => {
  it('adds, changes and removes a definition, journaling who did it', () => {
    const { engine, feed, journal } = setup([]);
    engine.upsertDefinition(high({ id: 'rt.hi' }), 'eng');
    feed([['e1/temp', 105]]);
    expect(engine.get('rt.hi').state).toBe('unack_active');
    engine.upsertDefinition(high({ id: 'rt.hi', limit: 110 }), 'eng');
    feed([['e1/temp', 106]]); // now inside the new limit
    expect(engine.get('rt.hi').state).toBe('unack_rtn');
    engine.removeDefinition('rt.hi', 'eng');
    expectCoreError(() => engine.get('rt.hi'), 'not_found', /rt\.hi/);
    expect(journal.query({ alarmId: 'rt.hi' }).map((r) => `${r.transition}:${r.user}`)).toEqual([
      'definition_changed:eng',
      'activate:system',
      'definition_changed:eng',
      'return:system',
      'definition_removed:eng',
    ]);
  });

  it('reports config definitions whose tags are not known yet, and evaluates them once tags appear', () => {
    const { engine, catalog, feed } = setup([high({ id: 'later', tagId: 'e4/temp' })]);
    expect(engine.unresolvedDefinitions()).toEqual([{ id: 'later', missingTags: ['e4/temp'] }]);
    catalog.add('e4/temp', 'engine-4');
    engine.refreshCatalog();
    expect(engine.unresolvedDefinitions()).toEqual([]);
    feed([['e4/temp', 200]]);
    expect(engine.get('later')).toMatchObject({ state: 'unack_active', assetId: 'engine-4' });
  });
});

describe('system alarms', () => {
  const systemDefs: AlarmDefinitionInput[] = [
    {
      id: 'sys.conn',
      kind: 'system',
      condition: 'connection_lost',
      priority: 'high',
      onDelayMs: 10_000,
      message: 'Connection lost',
    },
    {
      id: 'sys.restart',
      kind: 'system',
      condition: 'core_restarted',
      priority: 'medium',
      message: 'Core restarted',
    },
  ];

  it('raises connection lost from connection states on the event bus, after its on-delay', () => {
    const { engine, bus, clock } = setup(systemDefs);
    const state = (s: 'connected' | 'reconnecting' | 'failed', id = 'plc1') =>
      bus.emit('connection.state', {
        correlationId: `c-${s}`,
        connectionId: id,
        state: s,
        error: null,
        at: clock.now(),
      });
    state('connected');
    state('reconnecting');
    clock.advance(5_000);
    state('connected'); // a short drop: no alarm
    clock.advance(60_000);
    expect(engine.get('sys.conn').state).toBe('normal');
    state('failed');
    state('reconnecting', 'plc2');
    clock.advance(10_000);
    expect(engine.get('sys.conn')).toMatchObject({
      state: 'unack_active',
      value: 2,
      correlationId: 'c-failed',
    });
    state('connected');
    expect(engine.get('sys.conn').state).toBe('unack_active'); // plc2 is still lost
    state('connected', 'plc2');
    expect(engine.get('sys.conn').state).toBe('unack_rtn');
  });

  it('a core restart is a pulse that waits for acknowledgement', () => {
    const { engine, journal } = setup(systemDefs);
    engine.pulseSystem('core_restarted', '', 'previous run pid 42 ended without shutdown');
    expect(engine.get('sys.restart')).toMatchObject({ state: 'unack_rtn', assetId: 'system' });
    expect(journal.query({ alarmId: 'sys.restart' })[0]!.comment).toMatch(/pid 42/);
  });
});

describe('floods and chattering', () => {
  const manyDefs = (n: number): AlarmDefinitionInput[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `a${i}`,
      kind: 'high' as const,
      tagId: ['e1/temp', 'e2/temp', 'e3/temp'][i % 3]!,
      limit: i,
      priority: 'low' as const,
      message: `alarm ${i}`,
    }));

  it('enters flood above 10 alarms in 10 minutes, groups by asset in first-out order, leaves below 5', () => {
    const { engine, bus, feed, clock } = setup(manyDefs(12));
    const floods: boolean[] = [];
    bus.on('alarm.flood', (e) => floods.push(e.active));
    // One tag rising past limits 0..11, one limit per 30 s. Tags rotate through three assets.
    for (let i = 0; i < 12; i++) {
      const tag = ['e1/temp', 'e2/temp', 'e3/temp'][i % 3]!;
      feed([[tag, i + 0.5]]);
      if (i < 10) expect(engine.floodStatus().active).toBe(false);
      clock.advance(30_000);
    }
    // Samples re-trigger nothing already active; 12 distinct alarms are active.
    const status = engine.floodStatus();
    expect(status.active).toBe(true);
    expect(floods).toEqual([true]);
    expect(status.firstOutAlarmId).toBe('a0');
    expect(status.groups.map((g) => g.assetId)).toEqual(['engine-1', 'engine-2', 'engine-3']);
    expect(status.groups[0]!.alarmIds.slice(0, 2)).toEqual(['a0', 'a3']);
    const firstActivation = T0;
    // 12 activations at T0 + 0..330 s; the count falls below 5 when the 8th one (at 210 s) leaves the window.
    clock.advance(firstActivation + 210_000 + 600_000 - clock.now() - 1);
    expect(engine.floodStatus().active).toBe(true);
    clock.advance(1);
    expect(floods).toEqual([true, false]);
    expect(engine.floodStatus()).toMatchObject({ active: false, groups: [] });
  });

  it('flags a chattering alarm (3 activations in a minute) and suggests shelving it', () => {
    const { engine, bus, feed, clock } = setup([high()]);
    const chatter: string[] = [];
    bus.on('alarm.chattering', (e) => chatter.push(e.suggestion));
    const ended: string[] = [];
    bus.on('alarm.chattering_ended', (e) => ended.push(e.alarmId));
    for (let i = 0; i < 3; i++) {
      feed([['e1/temp', 120]]);
      clock.advance(10_000);
      feed([['e1/temp', 80]]);
      clock.advance(5_000);
    }
    expect(chatter).toHaveLength(1);
    expect(chatter[0]).toMatch(/3 activations within 1 min.*shelving/);
    expect(engine.get('e1.temp.hi')).toMatchObject({ chattering: true });
    expect(engine.get('e1.temp.hi').suggestion).toMatch(/shelving/);
    expect(ended).toEqual([]);
    clock.advance(60_000);
    expect(engine.get('e1.temp.hi')).toMatchObject({ chattering: false, suggestion: null });
    // Announced when the window passed, so screens holding the alarm drop the flag too.
    expect(ended).toEqual(['e1.temp.hi']);
  });
});

describe('restart and journal failures', () => {
  it('restores alarm states from the journal so a restart announces nothing twice', () => {
    const journal = new InMemoryAlarmJournal();
    const first = setup([high(), high({ id: 'e2.temp.hi', tagId: 'e2/temp' })], {}, journal);
    first.feed([
      ['e1/temp', 120],
      ['e2/temp', 120],
    ]);
    first.engine.acknowledge(['e1.temp.hi'], 'op');
    first.engine.shelve(
      { alarmId: 'e2.temp.hi', mode: 'timed', durationMs: 600_000, reason: 'maintenance' },
      'op',
    );
    first.engine.dispose();
    const size = journal.query({}).length;

    const second = setup([high(), high({ id: 'e2.temp.hi', tagId: 'e2/temp' })], {}, journal);
    second.clock.advance(60_000);
    expect(second.engine.get('e1.temp.hi')).toMatchObject({ state: 'ack_active', activeSince: T0 });
    expect(second.engine.get('e2.temp.hi')).toMatchObject({
      state: 'shelved',
      shelved: { until: T0 + 600_000 },
    });
    second.feed([['e1/temp', 125]]);
    expect(journal.query({}).length).toBe(size); // still active: no new activation
    // The shelving time runs on across the restart; afterwards the next sample decides.
    second.clock.advance(540_000);
    expect(second.engine.get('e2.temp.hi')).toMatchObject({ state: 'normal', shelved: null });
    second.feed([['e2/temp', 130]]);
    expect(second.engine.get('e2.temp.hi').state).toBe('unack_active');
  });

  it('keeps announcing alarms when the journal fails and stores the rows once it works again', () => {
    const inner = new InMemoryAlarmJournal();
    let broken = true;
    const flaky: AlarmJournal = {
      append: (rows) => {
        if (broken) throw new Error('database is locked');
        return inner.append(rows);
      },
      query: (q) => inner.query(q),
      latestPerAlarm: (t) => inner.latestPerAlarm(t),
    };
    const { engine, feed, transitions } = setup([high()], {}, flaky);
    feed([['e1/temp', 120]]);
    expect(transitions).toHaveLength(1);
    expect(engine.stats()).toMatchObject({ journalBacklog: 1, journalFailures: 1 });
    broken = false;
    engine.acknowledge(['e1.temp.hi'], 'op');
    expect(inner.query({}).map((r) => r.transition)).toEqual(['activate', 'acknowledge']);
    expect(engine.stats().journalBacklog).toBe(0);
  });
});

describe('partial journal failures', () => {
  it('stores the rows that did not go in later, in order, without duplicating the ones that did', () => {
    const inner = new InMemoryAlarmJournal();
    let capacity = 1; // rows the "disk" still takes before failing
    const flaky: AlarmJournal = {
      append: (rows) => {
        const stored: ReturnType<AlarmJournal['append']> = [];
        for (const row of rows) {
          if (capacity <= 0) {
            const err = new Error('disk full');
            if (stored.length) throw new PartialAppendError(stored, err);
            throw err;
          }
          capacity--;
          stored.push(...inner.append([row]));
        }
        return stored;
      },
      query: (q) => inner.query(q),
      latestPerAlarm: (t, ids) => inner.latestPerAlarm(t, ids),
    };
    const { feed, transitions, engine } = setup(
      [high(), high({ id: 'e2.temp.hi', tagId: 'e2/temp' })],
      {},
      flaky,
    );
    feed([
      ['e1/temp', 120],
      ['e2/temp', 120],
    ]);
    expect(transitions.map((t) => t.entry.seq)).toEqual([1, -1]); // both announced, one stored
    expect(engine.stats().journalBacklog).toBe(1);
    capacity = 10;
    engine.acknowledge(['e1.temp.hi'], 'op');
    expect(inner.query({}).map((r) => `${r.alarmId}:${r.transition}`)).toEqual([
      'e1.temp.hi:activate',
      'e2.temp.hi:activate',
      'e1.temp.hi:acknowledge',
    ]);
  });
});

describe('external (OPC UA) conditions', () => {
  it('sends acknowledgements back through the port and shows them pending until the equipment confirms', async () => {
    const calls: unknown[] = [];
    let refuse = false;
    const port: ExternalConditionPort = {
      acknowledge: async (req) => {
        calls.push(req);
        if (refuse) throw new Error('BadConditionBranchAlreadyAcked');
      },
    };
    const clock = new ManualClock(T0);
    const journal = new InMemoryAlarmJournal();
    const engine = new AlarmEngine({ clock, journal, catalog: new MapTagCatalog(), externalPort: port });
    const update = {
      id: 'opcua:plc1:Boiler.HighLevel',
      name: 'Boiler level high',
      assetId: 'boiler-1',
      tagId: null,
      priority: 'high' as const,
      message: 'Drum level high',
      suggestedAction: '',
      ref: { conditionId: 'ns=2;s=Boiler.HighLevel', eventId: 'abc' },
      active: true,
      acknowledged: false,
      at: T0,
      correlationId: 'opcua-event-1',
    };
    engine.applyExternalCondition(update);
    expect(engine.get(update.id)).toMatchObject({ source: 'opcua', state: 'unack_active' });

    const [view] = engine.acknowledge([update.id], 'alice', 'on it');
    expect(view).toMatchObject({ state: 'unack_active', ackPending: true });
    expect(calls).toEqual([{ alarmId: update.id, ref: update.ref, comment: 'on it', user: 'alice' }]);
    expectCoreError(() => engine.acknowledge([update.id], 'alice'), 'invalid_input', /pending/);

    engine.applyExternalCondition({ ...update, acknowledged: true, acknowledgedBy: 'alice' });
    expect(engine.get(update.id)).toMatchObject({ state: 'ack_active', ackPending: false });

    engine.applyExternalCondition({ ...update, active: false, acknowledged: true });
    engine.applyExternalCondition({ ...update, correlationId: 'opcua-event-2' });
    refuse = true;
    engine.acknowledge([update.id], 'bob');
    await new Promise((r) => setTimeout(r, 0));
    expect(engine.get(update.id)).toMatchObject({ state: 'unack_active', ackPending: false });
    expect(journal.query({ alarmId: update.id }).map((r) => r.transition)).toEqual([
      'activate',
      'ack_requested',
      'acknowledge',
      'return',
      'activate',
      'ack_requested',
      'ack_failed',
    ]);
  });
});
