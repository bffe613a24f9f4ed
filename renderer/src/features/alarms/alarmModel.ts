import { movedFocus, tabbableRow } from '../../app/gridKeys';
import {
  ALARM_PRIORITIES,
  ANNUNCIATED_STATES,
  isAboveKind,
  type AlarmPriority,
  type AlarmState,
  type AlarmView,
  type FloodStatus,
} from '../../../../shared/alarms';
import type { Asset } from '../../../../shared/domain';

/**
 * How the alarm queue presents what the core says: labels, ordering, filtering, flood grouping and
 * the keyboard model of the table. Pure functions of the stream's data; the alarm rules themselves
 * (states, floods, chattering, what may be acknowledged) are the core's.
 */

export const PRIORITY_LABEL: Record<AlarmPriority, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export interface StateInfo {
  /** What the table cell says. */
  short: string;
  /** A sentence for tooltips and screen readers. */
  long: string;
  /** Order when sorting by state: what needs the operator first. */
  rank: number;
}

/** ISA-18.2 states in operator words (A normal ... H out of service, see shared/alarms.ts). */
export const STATE_INFO: Record<AlarmState, StateInfo> = {
  unack_active: { short: 'Unack active', long: 'Active, not acknowledged', rank: 0 },
  unack_rtn: { short: 'Unack RTN', long: 'Returned to normal, not acknowledged', rank: 1 },
  latched: { short: 'Latched', long: 'Latched: returned to normal, waits for a reset', rank: 2 },
  ack_active: { short: 'Ack active', long: 'Active, acknowledged', rank: 3 },
  shelved: { short: 'Shelved', long: 'Shelved by an operator', rank: 4 },
  suppressed: { short: 'Suppressed', long: 'Suppressed by design (operating state)', rank: 5 },
  out_of_service: { short: 'Out of service', long: 'Out of service', rank: 6 },
  normal: { short: 'Normal', long: 'Normal', rank: 7 },
};

/** The states an operator can filter by, in the order of STATE_INFO ranks. */
export const FILTERABLE_STATES: readonly AlarmState[] = (Object.keys(STATE_INFO) as AlarmState[])
  .filter((s) => s !== 'normal')
  .sort((a, b) => STATE_INFO[a].rank - STATE_INFO[b].rank);

const priorityRank = (p: AlarmPriority) => ALARM_PRIORITIES.indexOf(p);

/** "45 s", "3 min 12 s", "2 h 05 min", "3 d 4 h"; "—" for no duration. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6, useGrouping: false });

export function formatAlarmNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : numberFormat.format(value);
}

/** "1432.1 > 1000" for the value and the limit it crossed, in the direction of the alarm kind. */
export function valueVsLimit(alarm: Pick<AlarmView, 'kind' | 'value' | 'limit'>): string {
  const value = formatAlarmNumber(alarm.value);
  if (alarm.limit === null) return value;
  const limit = formatAlarmNumber(alarm.limit);
  if (alarm.kind === 'deviation') return `${value} (dev. > ${limit})`;
  if (alarm.kind === 'rate_of_change') return `${value} (rate > ${limit}/s)`;
  return `${value} ${isAboveKind(alarm.kind) ? '>' : '<'} ${limit}`;
}

/** The asset's display name; the last part of its id when the asset list does not know it. */
export function assetLabel(assetId: string, names: ReadonlyMap<string, string>): string {
  return names.get(assetId) ?? assetId.split('/').pop() ?? assetId;
}

export function assetNames(assets: readonly Asset[]): Map<string, string> {
  return new Map(assets.map((a) => [a.id, a.name]));
}

/** The asset and everything below it in the hierarchy (an area filters to its assets). */
export function assetSubtree(assets: readonly Asset[], rootId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const a of assets) {
    if (a.parentId === null) continue;
    const list = children.get(a.parentId) ?? [];
    list.push(a.id);
    children.set(a.parentId, list);
  }
  const out = new Set<string>([rootId]);
  const stack = [rootId];
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (out.has(child)) continue; // a cycle in a broken asset list
      out.add(child);
      stack.push(child);
    }
  }
  return out;
}

export type AssetFilter = { mode: 'all' } | { mode: 'tree' } | { mode: 'asset'; assetId: string };

export interface AlarmFilters {
  /** Empty: every priority. */
  priorities: readonly AlarmPriority[];
  /** Empty: every state. */
  states: readonly AlarmState[];
  asset: AssetFilter;
}

export const NO_FILTERS: AlarmFilters = { priorities: [], states: [], asset: { mode: 'all' } };

export type AlarmSortKey = 'priority' | 'state' | 'asset' | 'message' | 'value' | 'active';

export interface AlarmSort {
  key: AlarmSortKey;
  dir: 'asc' | 'desc';
}

/** Most urgent first, newest first among equals (ISA-18.2 practice: priority, then time). */
export const DEFAULT_SORT: AlarmSort = { key: 'priority', dir: 'asc' };

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function primaryCompare(key: AlarmSortKey, a: AlarmView, b: AlarmView, names: ReadonlyMap<string, string>) {
  switch (key) {
    case 'priority':
      return priorityRank(a.priority) - priorityRank(b.priority);
    case 'state':
      return STATE_INFO[a.state].rank - STATE_INFO[b.state].rank;
    case 'asset':
      return collator.compare(assetLabel(a.assetId, names), assetLabel(b.assetId, names));
    case 'message':
      return collator.compare(a.message, b.message);
    case 'value':
      return (a.value ?? -Infinity) - (b.value ?? -Infinity);
    case 'active':
      // Ascending = longest active first (oldest activation); alarms not annunciated last.
      return (a.activeSince ?? Infinity) - (b.activeSince ?? Infinity);
  }
}

export function compareAlarms(sort: AlarmSort, names: ReadonlyMap<string, string>) {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return (a: AlarmView, b: AlarmView): number =>
    sign * primaryCompare(sort.key, a, b, names) ||
    priorityRank(a.priority) - priorityRank(b.priority) ||
    (b.activeSince ?? -Infinity) - (a.activeSince ?? -Infinity) ||
    collator.compare(a.id, b.id);
}

/** Which assets the asset filter lets through; null = all. */
export function assetScope(
  filter: AssetFilter,
  treeSelection: string | null,
  assets: readonly Asset[],
): ReadonlySet<string> | null {
  if (filter.mode === 'all') return null;
  const root = filter.mode === 'tree' ? treeSelection : filter.assetId;
  if (root === null) return null;
  return assetSubtree(assets, root);
}

export function passesFilters(
  alarm: AlarmView,
  filters: AlarmFilters,
  scope: ReadonlySet<string> | null,
): boolean {
  if (filters.priorities.length && !filters.priorities.includes(alarm.priority)) return false;
  if (filters.states.length && !filters.states.includes(alarm.state)) return false;
  if (scope && !scope.has(alarm.assetId)) return false;
  return true;
}

export interface AlarmGroup {
  key: string;
  /** Null outside flood mode (one flat group). */
  assetId: string | null;
  title: string | null;
  /** When the asset's first alarm of the flood activated. */
  firstAt: number | null;
  /** The group holding the flood's first-out alarm. */
  firstOut: boolean;
  rows: AlarmView[];
}

export interface AlarmTable {
  flood: boolean;
  groups: AlarmGroup[];
  /** Visible alarm ids in display order: what the arrow keys walk through. */
  order: string[];
  /** Alarms in the list before filtering. */
  total: number;
}

/**
 * The rows of the queue. Outside a flood: filtered and sorted. During a flood (ISA-18.2 flood
 * handling): grouped by asset in first-out order, each group in activation order, so the alarm
 * nearest the root cause comes first; alarms outside the flood's groups follow, sorted.
 */
export function buildAlarmTable(
  alarms: Readonly<Record<string, AlarmView>>,
  flood: FloodStatus | null,
  filters: AlarmFilters,
  sort: AlarmSort,
  scope: ReadonlySet<string> | null,
  names: ReadonlyMap<string, string>,
): AlarmTable {
  const all = Object.values(alarms);
  const visible = all.filter((a) => passesFilters(a, filters, scope));
  const byCompare = compareAlarms(sort, names);
  const groups: AlarmGroup[] = [];
  if (flood?.active) {
    const placed = new Set<string>();
    const floodGroups = [...flood.groups].sort((a, b) => a.firstAt - b.firstAt);
    for (const g of floodGroups) {
      const rows: AlarmView[] = [];
      for (const id of g.alarmIds) {
        const alarm = alarms[id];
        if (!alarm || placed.has(id) || !passesFilters(alarm, filters, scope)) continue;
        placed.add(id);
        rows.push(alarm);
      }
      if (!rows.length) continue;
      groups.push({
        key: `flood:${g.assetId}`,
        assetId: g.assetId,
        title: assetLabel(g.assetId, names),
        firstAt: g.firstAt,
        firstOut: flood.firstOutAlarmId !== null && g.alarmIds.includes(flood.firstOutAlarmId),
        rows,
      });
    }
    const rest = visible.filter((a) => !placed.has(a.id)).sort(byCompare);
    if (rest.length)
      groups.push({
        key: 'rest',
        assetId: null,
        title: 'Other alarms',
        firstAt: null,
        firstOut: false,
        rows: rest,
      });
  } else if (visible.length) {
    groups.push({
      key: 'all',
      assetId: null,
      title: null,
      firstAt: null,
      firstOut: false,
      rows: visible.sort(byCompare),
    });
  }
  return {
    flood: flood?.active ?? false,
    groups,
    order: groups.flatMap((g) => g.rows.map((r) => r.id)),
    total: all.length,
  };
}

export interface AlarmBadge {
  /** Annunciated alarms not yet acknowledged. */
  unacknowledged: number;
  /** The most urgent priority among them. */
  priority: AlarmPriority | null;
}

export function alarmBadge(alarms: Readonly<Record<string, AlarmView>>): AlarmBadge {
  let unacknowledged = 0;
  let priority: AlarmPriority | null = null;
  for (const a of Object.values(alarms)) {
    if (a.acknowledged || !ANNUNCIATED_STATES.includes(a.state)) continue;
    unacknowledged++;
    if (priority === null || priorityRank(a.priority) < priorityRank(priority)) priority = a.priority;
  }
  return { unacknowledged, priority };
}

/**
 * What an action applies to: the selected alarms that are visible, or else the focused row.
 * Alarms hidden by a filter are never acted on unseen.
 */
export function actionTargets(
  order: readonly string[],
  selected: ReadonlySet<string>,
  focusedId: string | null,
): string[] {
  const chosen = order.filter((id) => selected.has(id));
  if (chosen.length) return chosen;
  return focusedId !== null && order.includes(focusedId) ? [focusedId] : [];
}

export { tabbableRow };

export type AlarmFormKind = 'acknowledge' | 'shelve' | 'comment' | 'reset' | 'unshelve';

/** Letter keys of the queue (shown on the buttons). */
export const ACTION_KEYS: Record<AlarmFormKind, string> = {
  acknowledge: 'A',
  shelve: 'S',
  comment: 'C',
  reset: 'R',
  unshelve: 'U',
};

export interface TableKeyAction {
  focus?: string;
  toggle?: string;
  open?: AlarmFormKind;
  clearSelection?: true;
  selectAll?: true;
}

/**
 * Keyboard model of the queue (WAI-ARIA APG grid/listbox conventions): arrows, Home/End and
 * PageUp/PageDown move the focused row, Space toggles its selection, Escape clears the selection,
 * Ctrl+A selects every visible row, the action letters open their form.
 */
export function tableKeyAction(
  order: readonly string[],
  focusedId: string | null,
  key: string,
  mods: { ctrl?: boolean; alt?: boolean; meta?: boolean; shift?: boolean } = {},
): TableKeyAction | null {
  if (mods.alt || mods.meta) return null;
  const current = tabbableRow(order, focusedId);
  if (mods.ctrl) return key === 'a' || key === 'A' ? { selectAll: true } : null;
  const moved = movedFocus(order, current, key);
  if (moved !== undefined) return moved === null ? null : { focus: moved };
  switch (key) {
    case ' ':
      return current === null ? null : { toggle: current };
    case 'Escape':
      return { clearSelection: true };
  }
  const letter = key.length === 1 ? key.toUpperCase() : '';
  const form = (Object.keys(ACTION_KEYS) as AlarmFormKind[]).find((k) => ACTION_KEYS[k] === letter);
  return form ? { open: form } : null;
}
