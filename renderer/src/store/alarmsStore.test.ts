import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmDefinitionInput } from '../../../shared/alarms';
import {
  createAlarmCore,
  type AlarmCore,
  type AlarmCoreOptions,
} from '../../../test/helpers/alarmCoreClient';
import { NO_FILTERS, alarmBadge, buildAlarmTable, DEFAULT_SORT } from '../features/alarms/alarmModel';
import { createAlarmsStore, type AlarmsStore } from './alarmsStore';

const E1 = 'plant/engine-1';
const E2 = 'plant/engine-2';
const catalog = { 'e1/temp': E1, 'e2/temp': E2 };
const definitions: AlarmDefinitionInput[] = [
  {
    id: 'e1.hot',
    kind: 'high',
    tagId: 'e1/temp',
    limit: 100,
    priority: 'high',
    message: 'Engine 1 hot',
    suggestedAction: 'Reduce load',
  },
  {
    id: 'e1.very-hot',
    kind: 'high_high',
    tagId: 'e1/temp',
    limit: 120,
    priority: 'critical',
    message: 'Engine 1 very hot',
  },
  {
    id: 'e2.hot',
    kind: 'high',
    tagId: 'e2/temp',
    limit: 100,
    priority: 'medium',
    message: 'Engine 2 hot',
    latching: true,
  },
];

let core: AlarmCore | null = null;
let stop: (() => void) | null = null;

afterEach(() => {
  stop?.();
  core?.dispose();
  expect(core?.errors ?? []).toEqual([]);
  core = null;
  stop = null;
});

/** The store on the real alarm engine (manual clock), started like the console starts it. */
async function setup(
  options: Partial<AlarmCoreOptions> = {},
): Promise<{ core: AlarmCore; store: AlarmsStore }> {
  core = createAlarmCore({ catalog, alarms: { definitions }, ...options });
  const c = core;
  const store = createAlarmsStore(core.client, { now: () => c.clock.now() });
  stop = store.getState().start();
  await core.settle();
  return { core, store };
}

const stateOf = (store: AlarmsStore, id: string) => store.getState().alarms[id]?.state;

describe('alarm store on the real alarm engine', () => {
  it('follows the stream: snapshot, then changes; alarms back to normal leave the queue', async () => {
    const { core, store } = await setup();
    expect(store.getState().feed.state).toBe('live');
    expect(store.getState().alarms).toEqual({});

    core.feed([['e1/temp', 110]]);
    await core.settle();
    const hot = store.getState().alarms['e1.hot']!;
    expect(hot).toMatchObject({ state: 'unack_active', value: 110, limit: 100, assetId: E1 });
    expect(alarmBadge(store.getState().alarms)).toEqual({ unacknowledged: 1, priority: 'high' });

    core.feed([['e1/temp', 130]]);
    await core.settle();
    expect(alarmBadge(store.getState().alarms)).toEqual({ unacknowledged: 2, priority: 'critical' });
    const s = store.getState();
    const table = buildAlarmTable(s.alarms, s.flood, NO_FILTERS, DEFAULT_SORT, null, new Map());
    expect(table.order).toEqual(['e1.very-hot', 'e1.hot']);

    expect(await store.getState().acknowledge(['e1.hot', 'e1.very-hot'], 'on it')).toBe(true);
    expect(stateOf(store, 'e1.hot')).toBe('ack_active');
    expect(alarmBadge(store.getState().alarms)).toEqual({ unacknowledged: 0, priority: null });
    expect(store.getState().action.notice).toBe('Acknowledged 2 alarms');

    core.feed([['e1/temp', 80]]);
    await core.settle();
    expect(store.getState().alarms).toEqual({});
  });

  it('shows the core’s refusal next to the open form and keeps it open', async () => {
    const { core, store } = await setup();
    core.feed([['e1/temp', 110]]);
    await core.settle();
    store.getState().openForm('acknowledge', ['e1.hot']);
    expect(await store.getState().acknowledge(['e1.hot'], '')).toBe(true);
    expect(store.getState().form).toBeNull();

    store.getState().openForm('acknowledge', ['e1.hot']);
    expect(await store.getState().acknowledge(['e1.hot'], '')).toBe(false);
    expect(store.getState().action.error).toMatch(/already acknowledged/);
    expect(store.getState().form).toEqual({ kind: 'acknowledge', targets: ['e1.hot'] });

    store.getState().openForm('comment', []);
    expect(store.getState().action.error).toMatch(/Select an alarm first/);
  });

  it('refuses to shelve without a reason before sending anything, then shelves and journals it', async () => {
    const { core, store } = await setup();
    core.feed([['e1/temp', 110]]);
    await core.settle();
    store.getState().openForm('shelve', ['e1.hot']);

    const sent = core.calls.length;
    expect(
      await store.getState().shelve(['e1.hot'], { mode: 'timed', durationMinutes: 30, reason: '   ' }),
    ).toBe(false);
    expect(store.getState().action.error).toBe('A reason is required');
    expect(core.calls.slice(sent)).toEqual([]);
    expect(stateOf(store, 'e1.hot')).toBe('unack_active');

    const t = core.clock.now();
    expect(
      await store
        .getState()
        .shelve(['e1.hot'], { mode: 'timed', durationMinutes: 30, reason: 'calibration' }),
    ).toBe(true);
    expect(store.getState().alarms['e1.hot']).toMatchObject({
      state: 'shelved',
      shelved: { mode: 'timed', reason: 'calibration', until: t + 30 * 60_000 },
    });
    expect(store.getState().action.notice).toBe('Shelved 1 alarm for 30 min');
    // A shelved alarm does not ask for the operator.
    expect(alarmBadge(store.getState().alarms).unacknowledged).toBe(0);

    await store.getState().loadJournal('e1.hot');
    const journal = store.getState().journal;
    expect(journal.status).toBe('ready');
    expect(journal.entries.map((e) => e.transition)).toEqual(['shelve', 'activate']);
    expect(journal.entries[0]).toMatchObject({ comment: 'calibration', fromState: 'unack_active' });
  });

  it('acts on several alarms one by one and keeps only the failed ones in the form', async () => {
    const { core, store } = await setup();
    core.feed([
      ['e1/temp', 130],
      ['e2/temp', 110],
    ]);
    await core.settle();
    expect(await store.getState().shelve(['e1.hot'], { mode: 'one_shot', reason: 'known' })).toBe(true);

    store.getState().openForm('shelve', ['e1.hot', 'e2.hot']);
    expect(
      await store
        .getState()
        .shelve(['e1.hot', 'e2.hot'], { mode: 'timed', durationMinutes: 10, reason: 'x' }),
    ).toBe(false);
    const { action, form } = store.getState();
    expect(action.error).toMatch(/^1 of 2 failed: .*already shelved/);
    expect(action.notice).toBe('Shelved 1 alarm for 10 min');
    expect(form?.targets).toEqual(['e1.hot']);
    expect(stateOf(store, 'e2.hot')).toBe('shelved');
  });

  it('resets a latched alarm; the core refuses to reset one that is not latched', async () => {
    const { core, store } = await setup();
    core.feed([['e2/temp', 110]]);
    await core.settle();
    await store.getState().acknowledge(['e2.hot'], '');
    core.feed([['e2/temp', 90]]);
    await core.settle();
    expect(stateOf(store, 'e2.hot')).toBe('latched');

    core.feed([['e1/temp', 110]]);
    await core.settle();
    expect(await store.getState().reset(['e1.hot'], '')).toBe(false);
    expect(store.getState().action.error).toMatch(/not latched/);

    expect(await store.getState().reset(['e2.hot'], 'checked')).toBe(true);
    expect(store.getState().alarms['e2.hot']).toBeUndefined();
  });

  it('groups a flood by asset in first-out order, whatever the sort says', async () => {
    const { core, store } = await setup({
      alarms: { definitions, flood: { windowMs: 600_000, enterAbove: 2, exitBelow: 1 } },
    });
    core.feed([['e2/temp', 110]]);
    await core.settle(1000);
    core.feed([['e1/temp', 130]]);
    await core.settle();
    const s = store.getState();
    expect(s.flood?.active).toBe(true);
    const table = buildAlarmTable(
      s.alarms,
      s.flood,
      NO_FILTERS,
      DEFAULT_SORT,
      null,
      new Map([[E2, 'Engine 2']]),
    );
    expect(table.flood).toBe(true);
    expect(table.groups.map((g) => [g.title, g.firstOut])).toEqual([
      ['Engine 2', true],
      ['engine-1', false],
    ]);
    expect(table.order).toEqual(['e2.hot', 'e1.hot', 'e1.very-hot']);
  });

  it('flags a chattering alarm with the core’s suggestion', async () => {
    const { core, store } = await setup();
    // The core marks the alarm chattering after recording its third activation, so the flag
    // reaches the stream with the next transition (here: the return to normal).
    for (const v of [110, 90, 110, 90, 110, 90]) {
      core.feed([['e1/temp', v]]);
      await core.settle(1000);
    }
    const alarm = store.getState().alarms['e1.hot']!;
    expect(alarm.chattering).toBe(true);
    expect(alarm.suggestion).toMatch(/shelv/i);
  });

  it('marks the list stale while the link is down and takes a fresh snapshot when it is back', async () => {
    const { core, store } = await setup();
    core.setLink('reconnecting');
    expect(store.getState().feed).toMatchObject({ state: 'stale', error: 'link down (test)' });
    core.feed([['e1/temp', 110]]); // announced while the link is down: that message is lost
    await core.settle();
    expect(store.getState().alarms).toEqual({});

    core.setLink('open');
    await core.settle();
    expect(store.getState().feed.state).toBe('live');
    expect(stateOf(store, 'e1.hot')).toBe('unack_active');
  });

  it('drops alarms that left the queue from the selection', async () => {
    const { core, store } = await setup();
    core.feed([['e1/temp', 110]]);
    await core.settle();
    store.getState().toggleSelected('e1.hot');
    await store.getState().acknowledge(['e1.hot'], '');
    expect([...store.getState().selected]).toEqual(['e1.hot']);
    core.feed([['e1/temp', 50]]);
    await core.settle();
    expect(store.getState().selected.size).toBe(0);
  });

  it('loads the KPIs of a range, and says why when it cannot', async () => {
    const { core, store } = await setup();
    core.feed([['e1/temp', 130]]);
    await core.settle(60_000);
    await store.getState().loadKpis('7d');
    const kpis = store.getState().kpis;
    expect(kpis).toMatchObject({ range: '7d', status: 'ready', error: null });
    expect(kpis.data).toMatchObject({
      activations: 2,
      priorityMix: { critical: { count: 1 }, high: { count: 1 } },
    });
    expect(kpis.data!.to - kpis.data!.from).toBe(7 * 86_400_000);

    core.setLink('reconnecting');
    await store.getState().loadKpis('24h');
    expect(store.getState().kpis).toMatchObject({ range: '24h', status: 'error', data: null });
    expect(store.getState().kpis.error).toMatch(/Cannot reach the Vigil core/);
  });

  it('sorts by a column, and the same column again reverses it', () => {
    const store = createAlarmsStore(createAlarmCore({ catalog }).client);
    store.getState().sortBy('asset');
    expect(store.getState().sort).toEqual({ key: 'asset', dir: 'asc' });
    store.getState().sortBy('asset');
    expect(store.getState().sort).toEqual({ key: 'asset', dir: 'desc' });
    store.getState().sortBy('priority');
    expect(store.getState().sort).toEqual({ key: 'priority', dir: 'asc' });
  });
});
