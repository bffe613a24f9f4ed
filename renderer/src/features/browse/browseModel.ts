import type { z } from 'zod';
import type { BrowseEntrySchema, BrowsePageSchema } from '../../../../shared/acquisitionApi';
import type { Tag } from '../../../../shared/domain';

/**
 * The address-space tree of the browse panel as plain data and pure functions: lists of children
 * loaded page by page, the rows the tree shows (WAI-ARIA APG "Tree View":
 * https://www.w3.org/WAI/ARIA/apg/patterns/treeview/), the keyboard, the filter and the selection
 * of variables. The store (store/browseStore.ts) calls the core and keeps one of these.
 *
 * A node can appear under several parents (OPC UA Organizes and HasComponent both show), and a
 * server may even have reference cycles, so rows are keyed by their path of node ids, not by node
 * id: each occurrence folds on its own, and an endless chain only grows as far as it is opened.
 */

export type BrowseEntry = z.infer<typeof BrowseEntrySchema>;
export type BrowsePage = z.infer<typeof BrowsePageSchema>;
export type VariableInfo = NonNullable<BrowseEntry['variable']>;

/** The standard Objects folder (OPC 10000-5, ObjectsFolder = i=85): where browsing starts. */
export const OBJECTS_FOLDER = 'i=85';
/** Children asked for per browseNode call (the command's default). */
export const PAGE_SIZE = 500;

export interface ChildList {
  /** idle: never asked; loading: a page is on its way; error: the last page failed (retry). */
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The children loaded so far, each node once. */
  entries: BrowseEntry[];
  /**
   * References the server sent so far: the offset of the next page. It can exceed entries.length,
   * since a server may reference one child twice (HasComponent and HasNotifier, say).
   */
  fetched: number;
  /** Children (references) in total as the server last said; null before the first page. */
  total: number | null;
  error: string | null;
  /** "Load all" is running on this list (stopped by the operator or at the first error). */
  loadingAll: boolean;
}

export const EMPTY_LIST: ChildList = {
  status: 'idle',
  entries: [],
  fetched: 0,
  total: null,
  error: null,
  loadingAll: false,
};

/** Child lists by the node id whose children they are (the same node shares one cached list). */
export type ChildLists = Readonly<Record<string, ChildList>>;

// ------------------------------------------------------------------ row keys

const SEP = '\n';
/** Path key of a row: the node ids from the top level down, joined. */
export function rowKey(parentKey: string, segment: string): string {
  return parentKey === '' ? segment : `${parentKey}${SEP}${segment}`;
}

export function parentKeyOf(key: string): string {
  const at = key.lastIndexOf(SEP);
  return at < 0 ? '' : key.slice(0, at);
}

/** The node id of a node row's key (its last segment). */
export function nodeIdOfKey(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}

/** Node ids never start with '#', so these cannot collide with a node's key. */
const MORE = '#more';
const LOADING = '#loading';
const ERROR = '#error';
const EMPTY = '#empty';

// ------------------------------------------------------------------ paging

/**
 * A page merged into its list. Pages are asked for at offset = references fetched so far; a child
 * referenced twice (in one page or across pages, or moved while paging) is kept once.
 */
export function appendPage(list: ChildList, page: Pick<BrowsePage, 'entries' | 'total'>): ChildList {
  const known = new Set(list.entries.map((e) => e.nodeId));
  const entries = [...list.entries];
  for (const entry of page.entries) {
    if (known.has(entry.nodeId)) continue;
    known.add(entry.nodeId);
    entries.push(entry);
  }
  const fetched = list.fetched + page.entries.length;
  return {
    status: 'ready',
    entries,
    fetched,
    // An empty page before the announced end means the folder shrank: stop there.
    total: page.entries.length === 0 ? fetched : Math.max(page.total, fetched),
    error: null,
    loadingAll: list.loadingAll,
  };
}

export function hasMore(list: ChildList): boolean {
  return list.total !== null && list.fetched < list.total;
}

/** The offset of the next page to ask for. */
export function nextOffset(list: ChildList): number {
  return list.fetched;
}

const counter = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => counter.format(n);

/** "Loaded 500 of 10,000". */
export function progressText(list: Pick<ChildList, 'fetched' | 'total'>): string {
  const total = list.total ?? 0;
  return `Loaded ${formatCount(list.fetched)} of ${formatCount(total)}`;
}

/** Lists that are loading, for the panel's status line (largest first). */
export function busyLists(lists: ChildLists): { nodeId: string; list: ChildList }[] {
  return Object.entries(lists)
    .filter(([, l]) => l.status === 'loading' || l.loadingAll)
    .map(([nodeId, list]) => ({ nodeId, list }))
    .sort((a, b) => (b.list.total ?? 0) - (a.list.total ?? 0));
}

// ------------------------------------------------------------------ variables

/** Whether a variable holds an array (waveform) rather than one value. */
export function isArrayVariable(v: VariableInfo): boolean {
  return v.valueRank >= 1 || (v.arrayDimensions !== null && v.arrayDimensions.length > 0);
}

/** "Scalar", "Array [2048]", "Array, 2 dimensions [4 × 8]", "Scalar or array (ValueRank -2)". */
export function shapeText(v: VariableInfo): string {
  const dims = v.arrayDimensions?.length
    ? ` [${v.arrayDimensions.map((d) => (d === 0 ? '?' : formatCount(d))).join(' × ')}]`
    : '';
  switch (v.valueRank) {
    case -1:
      return 'Scalar';
    case 0:
      return 'Scalar or array (ValueRank 0: one or more dimensions)';
    case -2:
      return 'Scalar or array (ValueRank -2: any)';
    case -3:
      return 'Scalar or one-dimensional array (ValueRank -3)';
    case 1:
      return `Array${dims || ' (length not given)'}`;
    default:
      return `Array, ${v.valueRank} dimensions${dims}`;
  }
}

/** "read, write, history" / "none". */
export function accessText(v: VariableInfo): string {
  const parts = [
    v.access.read && 'read',
    v.access.write && 'write',
    v.access.history && 'history read',
  ].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join(', ') : 'none';
}

/** Built-in types the core can trend (acquisition/discovery.ts NUMERIC_TYPES). */
const NUMERIC = new Set([
  'Boolean',
  'SByte',
  'Byte',
  'Int16',
  'UInt16',
  'Int32',
  'UInt32',
  'Int64',
  'UInt64',
  'Float',
  'Double',
]);

/**
 * Why a variable cannot become a tag, in a sentence, or null when it can. The core decides
 * (`trendable`); this only explains its answer with the same rule: a numeric built-in type, as a
 * scalar or a one-dimensional array (acquisition/browse.ts).
 */
export function whyNotTrendable(v: VariableInfo): string | null {
  if (v.trendable) return null;
  if (!NUMERIC.has(v.dataType)) {
    return `It holds ${v.dataType} values, and Vigil trends numbers only (Boolean, integers, Float, Double).`;
  }
  if (v.valueRank !== -1 && v.valueRank !== 1) {
    return `Its shape is not fixed to a value or a one-dimensional array (${shapeText(v)}), so samples could not be stored as one series.`;
  }
  return 'The server describes it in a way Vigil cannot trend.';
}

// ------------------------------------------------------------------ rows

export interface NodeRow {
  type: 'node';
  key: string;
  parentKey: string;
  nodeId: string;
  entry: BrowseEntry;
  /** aria-level, 1 for the children of Objects. */
  level: number;
  /** aria-setsize / aria-posinset: the server's total, even when not all are loaded yet. */
  setSize: number;
  posInSet: number;
  expandable: boolean;
  expanded: boolean;
  /** Its children are loading (aria-busy). */
  busy: boolean;
  /** Shown open because the filter matched below it (the operator did not open it). */
  forced: boolean;
  selectable: boolean;
  selected: boolean;
  /** The tag this variable already is, when configured. */
  tag: Tag | null;
}

export interface StatusRow {
  type: 'more' | 'loading' | 'error' | 'empty';
  key: string;
  parentKey: string;
  /** Node id of the list the row belongs to. */
  listId: string;
  level: number;
  text: string;
  /** `more` while its next page is loading. */
  busy: boolean;
}

export type BrowseRow = NodeRow | StatusRow;

export interface RowContext {
  lists: ChildLists;
  /** Row keys the operator opened. */
  expanded: ReadonlySet<string>;
  /** Selected variables by node id. */
  selected: ReadonlyMap<string, unknown>;
  /** Configured tags of this connection by node id. */
  tagsByNode: ReadonlyMap<string, Tag>;
  /** Case-insensitive text the display names must contain; empty = no filter. */
  filter: string;
}

/** Configured tags of a connection by the node they read. */
export function tagsByNode(tags: readonly Tag[], connectionId: string): Map<string, Tag> {
  const out = new Map<string, Tag>();
  for (const tag of tags) {
    if (tag.source?.connectionId === connectionId) out.set(tag.source.nodeId, tag);
  }
  return out;
}

function nodeRow(
  ctx: RowContext,
  entry: BrowseEntry,
  parentKey: string,
  level: number,
  setSize: number,
  index: number,
  expanded: boolean,
  forced: boolean,
): NodeRow {
  const key = rowKey(parentKey, entry.nodeId);
  const list = ctx.lists[entry.nodeId];
  return {
    type: 'node',
    key,
    parentKey,
    nodeId: entry.nodeId,
    entry,
    level,
    setSize,
    posInSet: index + 1,
    expandable: entry.hasChildren,
    expanded,
    busy: list?.status === 'loading',
    forced,
    selectable: entry.variable?.trendable === true,
    selected: ctx.selected.has(entry.nodeId),
    tag: ctx.tagsByNode.get(entry.nodeId) ?? null,
  };
}

/** Status rows of one open list: loading, error (retry), load more, no children. */
function statusRows(
  list: ChildList | undefined,
  listId: string,
  parentKey: string,
  level: number,
): StatusRow[] {
  const row = (type: StatusRow['type'], text: string, busy = false): StatusRow => ({
    type,
    key: rowKey(
      parentKey,
      type === 'more' ? MORE : type === 'loading' ? LOADING : type === 'error' ? ERROR : EMPTY,
    ),
    parentKey,
    listId,
    level,
    text,
    busy,
  });
  if (!list || list.status === 'idle') return [row('loading', 'Loading…')];
  if (list.status === 'error') {
    return [row('error', `Cannot browse: ${list.error ?? 'unknown error'} (Enter: retry)`)];
  }
  if (list.status === 'loading' && list.entries.length === 0) return [row('loading', 'Loading…')];
  if (list.status === 'ready' && list.total === 0) return [row('empty', 'No children')];
  if (hasMore(list) || list.status === 'loading') {
    const busy = list.status === 'loading';
    const left = (list.total ?? 0) - list.fetched;
    return [
      row(
        'more',
        busy
          ? `${progressText(list)}… loading`
          : `${progressText(list)}: load ${formatCount(Math.min(PAGE_SIZE, left))} more`,
        busy,
      ),
    ];
  }
  return [];
}

/**
 * The rows in display order. Without a filter: the open lists with their status rows. With one:
 * the loaded nodes whose display name contains it, with their ancestors (shown open), nothing else.
 */
export function visibleRows(ctx: RowContext): BrowseRow[] {
  return ctx.filter.trim() ? filteredRows(ctx) : openRows(ctx);
}

function openRows(ctx: RowContext): BrowseRow[] {
  const out: BrowseRow[] = [];
  const walk = (listId: string, parentKey: string, level: number) => {
    const list = ctx.lists[listId];
    const entries = list?.entries ?? [];
    // The server's count while paging (a guess at the end, which references twice can make high).
    const setSize = list && hasMore(list) ? Math.max(list.total ?? 0, entries.length) : entries.length;
    entries.forEach((entry, i) => {
      const key = rowKey(parentKey, entry.nodeId);
      const expanded = entry.hasChildren && ctx.expanded.has(key);
      out.push(nodeRow(ctx, entry, parentKey, level, setSize, i, expanded, false));
      if (expanded) walk(entry.nodeId, key, level + 1);
    });
    out.push(...statusRows(list, listId, parentKey, level));
  };
  walk(OBJECTS_FOLDER, '', 1);
  return out;
}

function filteredRows(ctx: RowContext): BrowseRow[] {
  const needle = ctx.filter.trim().toLocaleLowerCase();
  const matches = (e: BrowseEntry) =>
    e.displayName.toLocaleLowerCase().includes(needle) || e.browseName.toLocaleLowerCase().includes(needle);
  // Rows of one list that match or lead to a match; `ancestors` stops reference cycles.
  const walk = (
    listId: string,
    parentKey: string,
    level: number,
    ancestors: ReadonlySet<string>,
  ): BrowseRow[] => {
    const list = ctx.lists[listId];
    if (!list) return [];
    const kept: { entry: BrowseEntry; below: BrowseRow[] }[] = [];
    for (const entry of list.entries) {
      const below =
        entry.hasChildren && !ancestors.has(entry.nodeId)
          ? walk(
              entry.nodeId,
              rowKey(parentKey, entry.nodeId),
              level + 1,
              new Set([...ancestors, entry.nodeId]),
            )
          : [];
      if (below.length || matches(entry)) kept.push({ entry, below });
    }
    return kept.flatMap(({ entry, below }, i) => [
      nodeRow(ctx, entry, parentKey, level, kept.length, i, below.length > 0, below.length > 0),
      ...below,
    ]);
  };
  return walk(OBJECTS_FOLDER, '', 1, new Set([OBJECTS_FOLDER]));
}

/** Nodes loaded so far (every list), for the filter's "n of m loaded nodes" line. */
export function loadedCount(lists: ChildLists): number {
  let n = 0;
  for (const list of Object.values(lists)) n += list.entries.length;
  return n;
}

/**
 * The row that holds tabindex=0: the focused one if shown, else its nearest shown ancestor (a
 * "Loading…" row that turned into entries, a node folded away), else the first row.
 */
export function tabbableKey(rows: readonly BrowseRow[], focusedKey: string | null): string | null {
  if (rows.length === 0) return null;
  const keys = new Set(rows.map((r) => r.key));
  for (let k = focusedKey; k; k = parentKeyOf(k)) {
    if (keys.has(k)) return k;
  }
  return rows[0]!.key;
}

// ------------------------------------------------------------------ keyboard

/** What a key press on the tree asks for; the store applies it. */
export interface BrowseKeyAction {
  focus?: string;
  /** Row key to open (loads its children the first time). */
  expand?: string;
  collapse?: string;
  /** Node row whose variable is selected or unselected. */
  toggle?: string;
  /** List (node id) whose next page to load: "load more" or retry after an error. */
  loadMore?: string;
}

/**
 * Keyboard of the tree (APG): Up/Down move, Home/End jump, Right opens or enters, Left closes or
 * goes to the parent, Enter opens a node, loads more, or retries, Space selects a variable.
 * Returns null for keys the tree does not handle (so the browser keeps them).
 */
export function browseKeyAction(
  rows: readonly BrowseRow[],
  focusedKey: string | null,
  key: string,
): BrowseKeyAction | null {
  if (rows.length === 0) return null;
  const current = tabbableKey(rows, focusedKey);
  const index = Math.max(
    0,
    rows.findIndex((r) => r.key === current),
  );
  const row = rows[index]!;
  const parent = row.parentKey && rows.some((r) => r.key === row.parentKey) ? row.parentKey : row.key;
  switch (key) {
    case 'ArrowDown':
      return { focus: rows[Math.min(index + 1, rows.length - 1)]!.key };
    case 'ArrowUp':
      return { focus: rows[Math.max(index - 1, 0)]!.key };
    case 'Home':
      return { focus: rows[0]!.key };
    case 'End':
      return { focus: rows[rows.length - 1]!.key };
    case 'ArrowRight':
      if (row.type !== 'node' || !row.expandable) return { focus: row.key };
      if (!row.expanded) return { focus: row.key, expand: row.key };
      return { focus: rows[index + 1]?.key ?? row.key };
    case 'ArrowLeft':
      if (row.type === 'node' && row.expanded && !row.forced) return { focus: row.key, collapse: row.key };
      return { focus: parent };
    case 'Enter':
      if (row.type === 'more' || row.type === 'error') return { focus: row.key, loadMore: row.listId };
      if (row.type === 'node' && row.expandable && !row.expanded) return { focus: row.key, expand: row.key };
      return { focus: row.key };
    case ' ':
      if (row.type === 'node' && row.entry.variable) return { focus: row.key, toggle: row.key };
      if (row.type === 'more' || row.type === 'error') return { focus: row.key, loadMore: row.listId };
      return { focus: row.key };
    default:
      return null;
  }
}

// ------------------------------------------------------------------ selection

/** A variable picked to become a tag (kept when its folder is closed or the filter hides it). */
export interface SelectedVariable {
  nodeId: string;
  displayName: string;
  /** Display name of the node it was found under ("Engine 1"), to tell equal names apart. */
  parentName: string;
  variable: VariableInfo;
}

export type Selection = ReadonlyMap<string, SelectedVariable>;

/** The selection with a variable added or removed, or why it cannot be selected. */
export function toggleSelection(
  selection: Selection,
  entry: BrowseEntry,
  parentName: string,
): { selection: Selection; refused: string | null } {
  if (selection.has(entry.nodeId)) {
    const next = new Map(selection);
    next.delete(entry.nodeId);
    return { selection: next, refused: null };
  }
  if (!entry.variable) {
    return {
      selection,
      refused: `${entry.displayName} is ${article(entry.nodeClass)} ${entry.nodeClass}: only variables can become tags.`,
    };
  }
  const why = whyNotTrendable(entry.variable);
  if (why) return { selection, refused: `${entry.displayName} cannot be added. ${why}` };
  const next = new Map(selection);
  next.set(entry.nodeId, {
    nodeId: entry.nodeId,
    displayName: entry.displayName,
    parentName,
    variable: entry.variable,
  });
  return { selection: next, refused: null };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** The display name of the row's parent node ('' at the top level). */
export function parentNameOf(rows: readonly BrowseRow[], row: NodeRow): string {
  const parent = rows.find((r): r is NodeRow => r.type === 'node' && r.key === row.parentKey);
  return parent?.entry.displayName ?? '';
}
