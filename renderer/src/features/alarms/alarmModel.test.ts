import { describe, expect, it } from 'vitest';
import type { AlarmView, FloodStatus } from '../../../../shared/alarms';
import type { Asset } from '../../../../shared/domain';
import {
  DEFAULT_SORT,
  NO_FILTERS,
  actionTargets,
  alarmBadge,
  assetScope,
  buildAlarmTable,
  formatDuration,
  tabbableRow,
  tableKeyAction,
  valueVsLimit,
} from './alarmModel';

const T = 1_700_000_000_000;

function alarm(id: string, over: Partial<AlarmView> = {}): AlarmView {
  return {
    id,
    source: 'vigil',
    kind: 'high',
    name: id,
    tagId: `${id}/tag`,
    assetId: 'e1',
    priority: 'medium',
    message: `message ${id}`,
    suggestedAction: '',
    state: 'unack_active',
    conditionActive: true,
    acknowledged: false,
    activeSince: T,
    lastChangeAt: T,
    value: 1,
    limit: 0,
    correlationId: null,
    shelved: null,
    outOfService: null,
    suppressedByDesign: false,
    chattering: false,
    suggestion: null,
    ackPending: false,
    activations: 1,
    ...over,
  };
}

const byId = (...alarms: AlarmView[]) => Object.fromEntries(alarms.map((a) => [a.id, a]));
const asset = (id: string, parentId: string | null, name = id): Asset => ({
  id,
  parentId,
  kind: parentId === null ? 'site' : 'asset',
  name,
  description: '',
  connectionId: null,
});

describe('alarm queue model', () => {
  it('formats how long an alarm has been active', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(45_900)).toBe('45 s');
    expect(formatDuration(192_000)).toBe('3 min 12 s');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });

  it('says which way the limit was crossed', () => {
    expect(valueVsLimit({ kind: 'high', value: 1432.123456, limit: 1000 })).toBe('1432.12 > 1000');
    expect(valueVsLimit({ kind: 'rul_below', value: 12, limit: 20 })).toBe('12 < 20');
    expect(valueVsLimit({ kind: 'deviation', value: 7, limit: 5 })).toBe('7 (dev. > 5)');
    expect(valueVsLimit({ kind: 'system', value: null, limit: null })).toBe('—');
  });

  it('sorts by priority, newest first among equals, and by any column both ways', () => {
    const alarms = byId(
      alarm('a', { priority: 'low', activeSince: T }),
      alarm('b', { priority: 'critical', activeSince: T }),
      alarm('c', { priority: 'low', activeSince: T + 1000, assetId: 'e2' }),
      alarm('d', { priority: 'high', activeSince: null, state: 'shelved' }),
    );
    const names = new Map([
      ['e1', 'Engine 1'],
      ['e2', 'Aux pump'],
    ]);
    const order = (sort: typeof DEFAULT_SORT) =>
      buildAlarmTable(alarms, null, NO_FILTERS, sort, null, names).order;
    expect(order(DEFAULT_SORT)).toEqual(['b', 'd', 'c', 'a']);
    expect(order({ key: 'priority', dir: 'desc' })).toEqual(['c', 'a', 'd', 'b']);
    expect(order({ key: 'asset', dir: 'asc' })).toEqual(['c', 'b', 'd', 'a']);
    // Longest active first; an alarm that is not annunciated (no activation time) last.
    expect(order({ key: 'active', dir: 'asc' })).toEqual(['b', 'a', 'c', 'd']);
    expect(order({ key: 'state', dir: 'asc' })).toEqual(['b', 'c', 'a', 'd']);
  });

  it('filters by priority, state and asset subtree (the tree selection or a chosen asset)', () => {
    const assets = [asset('site', null), asset('area', 'site'), asset('e1', 'area'), asset('e2', 'site')];
    const alarms = byId(
      alarm('a', { assetId: 'e1', priority: 'high' }),
      alarm('b', { assetId: 'e2', priority: 'high', state: 'ack_active' }),
      alarm('c', { assetId: 'e1', priority: 'low' }),
    );
    const ids = (filters = NO_FILTERS, tree: string | null = null) =>
      buildAlarmTable(alarms, null, filters, DEFAULT_SORT, assetScope(filters.asset, tree, assets), new Map())
        .order;
    expect(ids({ ...NO_FILTERS, priorities: ['high'] })).toEqual(['a', 'b']);
    expect(ids({ ...NO_FILTERS, states: ['ack_active'] })).toEqual(['b']);
    expect(ids({ ...NO_FILTERS, asset: { mode: 'tree' } }, 'area')).toEqual(['a', 'c']);
    expect(ids({ ...NO_FILTERS, asset: { mode: 'tree' } }, null)).toEqual(['a', 'b', 'c']);
    expect(ids({ ...NO_FILTERS, asset: { mode: 'asset', assetId: 'e2' } })).toEqual(['b']);
    const table = buildAlarmTable(
      alarms,
      null,
      { ...NO_FILTERS, priorities: ['low'] },
      DEFAULT_SORT,
      null,
      new Map(),
    );
    expect([table.order.length, table.total]).toEqual([1, 3]);
  });

  it('groups a flood by asset in first-out order and puts alarms outside it last', () => {
    const alarms = byId(
      alarm('p1', { assetId: 'pump', priority: 'low' }),
      alarm('p2', { assetId: 'pump', priority: 'critical' }),
      alarm('e1', { assetId: 'engine', priority: 'critical' }),
      alarm('x', { assetId: 'other', priority: 'critical' }),
    );
    const flood: FloodStatus = {
      active: true,
      startedAt: T,
      rateInWindow: 12,
      windowMs: 600_000,
      firstOutAlarmId: 'p1',
      groups: [
        { assetId: 'engine', firstAt: T + 5000, alarmIds: ['e1', 'gone'] },
        { assetId: 'pump', firstAt: T, alarmIds: ['p1', 'p2'] },
      ],
    };
    const table = buildAlarmTable(alarms, flood, NO_FILTERS, DEFAULT_SORT, null, new Map([['pump', 'Pump']]));
    expect(table.groups.map((g) => [g.title, g.firstOut, g.rows.map((r) => r.id)])).toEqual([
      ['Pump', true, ['p1', 'p2']],
      ['engine', false, ['e1']],
      ['Other alarms', false, ['x']],
    ]);
    expect(table.order).toEqual(['p1', 'p2', 'e1', 'x']);
    expect(
      buildAlarmTable(alarms, { ...flood, active: false }, NO_FILTERS, DEFAULT_SORT, null, new Map()).flood,
    ).toBe(false);
  });

  it('counts unacknowledged annunciated alarms for the tab badge, with the top priority', () => {
    expect(alarmBadge({})).toEqual({ unacknowledged: 0, priority: null });
    const alarms = byId(
      alarm('a', { priority: 'low' }),
      alarm('b', { priority: 'high', state: 'unack_rtn' }),
      alarm('c', { priority: 'critical', state: 'ack_active', acknowledged: true }),
      alarm('d', { priority: 'critical', state: 'shelved' }),
    );
    expect(alarmBadge(alarms)).toEqual({ unacknowledged: 2, priority: 'high' });
  });

  it('acts on the visible selection, else on the focused row', () => {
    const order = ['a', 'b', 'c'];
    expect(actionTargets(order, new Set(['c', 'a', 'hidden']), 'b')).toEqual(['a', 'c']);
    expect(actionTargets(order, new Set(), 'b')).toEqual(['b']);
    expect(actionTargets(order, new Set(['hidden']), 'gone')).toEqual([]);
    expect(tabbableRow(order, 'gone')).toBe('a');
    expect(tabbableRow([], null)).toBeNull();
  });

  it('maps keys to row focus, selection and actions', () => {
    const order = ['a', 'b', 'c'];
    expect(tableKeyAction(order, 'a', 'ArrowDown')).toEqual({ focus: 'b' });
    expect(tableKeyAction(order, 'c', 'ArrowDown')).toEqual({ focus: 'c' });
    expect(tableKeyAction(order, 'b', 'ArrowUp')).toEqual({ focus: 'a' });
    expect(tableKeyAction(order, null, 'End')).toEqual({ focus: 'c' });
    expect(tableKeyAction(order, 'c', 'Home')).toEqual({ focus: 'a' });
    expect(tableKeyAction(order, 'a', 'PageDown')).toEqual({ focus: 'c' });
    expect(tableKeyAction(order, 'b', ' ')).toEqual({ toggle: 'b' });
    expect(tableKeyAction(order, 'b', 'Escape')).toEqual({ clearSelection: true });
    expect(tableKeyAction(order, 'b', 'a')).toEqual({ open: 'acknowledge' });
    expect(tableKeyAction(order, 'b', 'S')).toEqual({ open: 'shelve' });
    expect(tableKeyAction(order, 'b', 'c')).toEqual({ open: 'comment' });
    expect(tableKeyAction(order, 'b', 'r')).toEqual({ open: 'reset' });
    expect(tableKeyAction(order, 'b', 'u')).toEqual({ open: 'unshelve' });
    expect(tableKeyAction(order, 'b', 'a', { ctrl: true })).toEqual({ selectAll: true });
    // Alt+digit belongs to the view tabs, unknown keys to the browser.
    expect(tableKeyAction(order, 'b', '2', { alt: true })).toBeNull();
    expect(tableKeyAction(order, 'b', 'x')).toBeNull();
    expect(tableKeyAction([], null, ' ')).toBeNull();
  });
});
