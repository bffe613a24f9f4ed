import { describe, expect, it } from 'vitest';
import type { Tag } from '../../../../shared/domain';
import {
  accessText,
  appendPage,
  browseKeyAction,
  EMPTY_LIST,
  hasMore,
  nextOffset,
  OBJECTS_FOLDER,
  progressText,
  rowKey,
  shapeText,
  tabbableKey,
  tagsByNode,
  toggleSelection,
  visibleRows,
  whyNotTrendable,
  type BrowseEntry,
  type BrowseRow,
  type ChildList,
  type RowContext,
  type VariableInfo,
} from './browseModel';

const numeric: VariableInfo = {
  dataType: 'Double',
  valueRank: -1,
  arrayDimensions: null,
  access: { read: true, write: false, history: true },
  historizing: true,
  description: 'Total temperature at LPT outlet',
  unit: '°R',
  range: { low: 1000, high: 1800 },
  trendable: true,
};

function object(nodeId: string, displayName = nodeId): BrowseEntry {
  return {
    nodeId,
    browseName: `1:${displayName}`,
    displayName,
    nodeClass: 'Object',
    hasChildren: true,
    variable: null,
  };
}

function variable(nodeId: string, displayName = nodeId, v: Partial<VariableInfo> = {}): BrowseEntry {
  return {
    nodeId,
    browseName: `1:${displayName}`,
    displayName,
    nodeClass: 'Variable',
    hasChildren: false,
    variable: { ...numeric, ...v },
  };
}

function ready(entries: BrowseEntry[], total = entries.length): ChildList {
  return { status: 'ready', entries, fetched: entries.length, total, error: null, loadingAll: false };
}

function ctx(patch: Partial<RowContext>): RowContext {
  return { lists: {}, expanded: new Set(), selected: new Map(), tagsByNode: new Map(), filter: '', ...patch };
}

const describeRows = (rows: BrowseRow[]) =>
  rows.map(
    (r) => `${'  '.repeat(r.level - 1)}${r.type === 'node' ? r.entry.displayName : `[${r.type}] ${r.text}`}`,
  );

// Objects > Plant > Engine1 > T50, T30 ; Objects > Server
const plant = object('ns=1;s=Plant', 'Plant');
const server = object('i=2253', 'Server');
const engine1 = object('ns=1;s=Plant.Engine1', 'Engine 1');
const engine2 = object('ns=1;s=Plant.Engine2', 'Engine 2');
const t50 = variable('ns=1;s=Plant.Engine1.T50', 'T50');
const t30 = variable('ns=1;s=Plant.Engine1.T30', 'T30');
const label = variable('ns=1;s=Plant.Engine1.Label', 'Label', { dataType: 'String', trendable: false });

const lists = {
  [OBJECTS_FOLDER]: ready([plant, server]),
  [plant.nodeId]: ready([engine1, engine2]),
  [engine1.nodeId]: ready([t50, t30, label]),
};
const kPlant = rowKey('', plant.nodeId);
const kEngine1 = rowKey(kPlant, engine1.nodeId);
const kT50 = rowKey(kEngine1, t50.nodeId);

describe('paging a folder', () => {
  it('appends pages, keeps an entry that comes twice once, and says how far it got', () => {
    const first = appendPage(EMPTY_LIST, { entries: [t50, t30], total: 5 });
    expect(first).toMatchObject({ status: 'ready', total: 5 });
    expect(hasMore(first)).toBe(true);
    expect(progressText(first)).toBe('Loaded 2 of 5');
    // The folder changed between two pages: T30 moved down and comes again.
    const second = appendPage(first, { entries: [t30, label], total: 5 });
    expect(second.entries.map((e) => e.displayName)).toEqual(['T50', 'T30', 'Label']);
    expect(progressText({ fetched: 500, total: 10_000 })).toBe('Loaded 500 of 10,000');
  });

  it('pages by references fetched, so a child referenced twice neither shows twice nor stops the paging', () => {
    // The server references T50 twice (HasComponent and HasNotifier, say) in a folder of 4 references.
    const first = appendPage(EMPTY_LIST, { entries: [t50, t50], total: 4 });
    expect(first.entries).toEqual([t50]);
    expect(nextOffset(first)).toBe(2);
    const second = appendPage(first, { entries: [t30, label], total: 4 });
    expect(second.entries.map((e) => e.displayName)).toEqual(['T50', 'T30', 'Label']);
    expect(hasMore(second)).toBe(false);
    expect(progressText(second)).toBe('Loaded 4 of 4');
  });

  it('stops asking when a page brings nothing although more were announced (the folder shrank)', () => {
    const first = appendPage(EMPTY_LIST, { entries: [t50], total: 3 });
    const empty = appendPage(first, { entries: [], total: 3 });
    expect(empty.total).toBe(1);
    expect(hasMore(empty)).toBe(false);
  });
});

describe('rows of the tree', () => {
  it('starts with a loading row, then the top level, and opens nodes the operator opened', () => {
    expect(describeRows(visibleRows(ctx({})))).toEqual(['[loading] Loading…']);
    expect(describeRows(visibleRows(ctx({ lists })))).toEqual(['Plant', 'Server']);
    const rows = visibleRows(ctx({ lists, expanded: new Set([kPlant, kEngine1]) }));
    expect(describeRows(rows)).toEqual([
      'Plant',
      '  Engine 1',
      '    T50',
      '    T30',
      '    Label',
      '  Engine 2',
      'Server',
    ]);
    const t50Row = rows.find((r) => r.key === kT50)!;
    expect(t50Row).toMatchObject({
      type: 'node',
      level: 3,
      setSize: 3,
      posInSet: 1,
      selectable: true,
      expandable: false,
    });
    expect(rows.find((r) => r.type === 'node' && r.entry === label)).toMatchObject({ selectable: false });
  });

  it('shows loading, error (retry), load more and no-children rows inside the opened node', () => {
    const opened = new Set([kPlant, kEngine1, rowKey(kPlant, engine2.nodeId)]);
    const states: Record<string, ChildList> = {
      ...lists,
      [engine1.nodeId]: { ...ready([t50], 1200), status: 'ready' },
      [engine2.nodeId]: { ...EMPTY_LIST, status: 'error', error: 'BadTimeout' },
      [server.nodeId]: ready([]),
    };
    const rows = visibleRows(
      ctx({ lists: states, expanded: new Set([...opened, rowKey('', server.nodeId)]) }),
    );
    expect(describeRows(rows)).toEqual([
      'Plant',
      '  Engine 1',
      '    T50',
      '    [more] Loaded 1 of 1,200: load 500 more',
      '  Engine 2',
      '    [error] Cannot browse: BadTimeout (Enter: retry)',
      'Server',
      '  [empty] No children',
    ]);
    // aria-setsize says how many the server has, not how many are loaded.
    expect(rows.find((r) => r.key === kT50)).toMatchObject({ setSize: 1200 });
    const loadingMore = visibleRows(
      ctx({
        lists: { ...states, [engine1.nodeId]: { ...states[engine1.nodeId]!, status: 'loading' } },
        expanded: opened,
      }),
    );
    expect(describeRows(loadingMore)).toContain('    [more] Loaded 1 of 1,200… loading');
    expect(loadingMore.find((r) => r.key === kEngine1)).toMatchObject({ busy: true });
  });

  it('keys rows by path: a node under two parents folds on its own, and a reference cycle only grows as far as opened', () => {
    // Engine 1 is also organised under Server; Engine 1 refers back to Plant.
    const cyclic = {
      ...lists,
      [server.nodeId]: ready([engine1]),
      [engine1.nodeId]: ready([t50, plant]),
    };
    const kServerEngine = rowKey(rowKey('', server.nodeId), engine1.nodeId);
    const rows = visibleRows(
      ctx({ lists: cyclic, expanded: new Set([kPlant, kEngine1, rowKey('', server.nodeId)]) }),
    );
    expect(describeRows(rows)).toEqual([
      'Plant',
      '  Engine 1',
      '    T50',
      '    Plant',
      '  Engine 2',
      'Server',
      '  Engine 1',
    ]);
    expect(rows.find((r) => r.key === kServerEngine)).toMatchObject({ expanded: false });
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('marks selected variables and variables that are tags already', () => {
    const tag: Tag = {
      id: 'plant/e1/t50',
      assetId: 'plant/e1',
      name: 'T50',
      description: '',
      unit: '°R',
      range: null,
      source: { connectionId: 'plant', nodeId: t50.nodeId },
    };
    const other: Tag = { ...tag, id: 'sim/x', source: { connectionId: 'sim', nodeId: t30.nodeId } };
    const byNode = tagsByNode([tag, other], 'plant');
    expect([...byNode.keys()]).toEqual([t50.nodeId]);
    const rows = visibleRows(
      ctx({
        lists,
        expanded: new Set([kPlant, kEngine1]),
        tagsByNode: byNode,
        selected: new Map([[t30.nodeId, {}]]),
      }),
    );
    const nodes = rows.filter((r) => r.type === 'node');
    expect(nodes.find((r) => r.nodeId === t50.nodeId)).toMatchObject({ tag, selected: false });
    expect(nodes.find((r) => r.nodeId === t30.nodeId)).toMatchObject({ tag: null, selected: true });
  });
});

describe('filter', () => {
  it('shows the loaded nodes whose name matches, with their ancestors open, even inside closed nodes', () => {
    const rows = visibleRows(ctx({ lists, filter: 't5' }));
    expect(describeRows(rows)).toEqual(['Plant', '  Engine 1', '    T50']);
    expect(rows[0]).toMatchObject({ expanded: true, forced: true });
    expect(rows[2]).toMatchObject({ forced: false, setSize: 1 });
    expect(describeRows(visibleRows(ctx({ lists, filter: 'ENGINE' })))).toEqual([
      'Plant',
      '  Engine 1',
      '  Engine 2',
    ]);
    expect(visibleRows(ctx({ lists, filter: 'nothing like it' }))).toEqual([]);
  });

  it('does not loop on a reference cycle', () => {
    const cyclic = { ...lists, [engine1.nodeId]: ready([t50, plant]) };
    expect(describeRows(visibleRows(ctx({ lists: cyclic, filter: 'T50' })))).toEqual([
      'Plant',
      '  Engine 1',
      '    T50',
    ]);
  });
});

describe('keyboard', () => {
  const rows = visibleRows(
    ctx({
      lists: { ...lists, [engine1.nodeId]: ready([t50, t30, label], 900) },
      expanded: new Set([kPlant, kEngine1]),
    }),
  );
  const more = rows.find((r) => r.type === 'more')!;

  it('moves with Up, Down, Home and End and stays in bounds', () => {
    expect(browseKeyAction(rows, kPlant, 'ArrowDown')).toEqual({ focus: kEngine1 });
    expect(browseKeyAction(rows, kPlant, 'ArrowUp')).toEqual({ focus: kPlant });
    expect(browseKeyAction(rows, kEngine1, 'End')).toEqual({ focus: rows.at(-1)!.key });
    expect(browseKeyAction(rows, kT50, 'Home')).toEqual({ focus: kPlant });
    expect(browseKeyAction(rows, kT50, 'a')).toBeNull();
  });

  it('opens with Right or Enter, enters an open node, closes with Left, then goes to the parent', () => {
    const kEngine2 = rowKey(kPlant, engine2.nodeId);
    expect(browseKeyAction(rows, kEngine2, 'ArrowRight')).toEqual({ focus: kEngine2, expand: kEngine2 });
    expect(browseKeyAction(rows, kEngine2, 'Enter')).toEqual({ focus: kEngine2, expand: kEngine2 });
    expect(browseKeyAction(rows, kEngine1, 'ArrowRight')).toEqual({ focus: kT50 });
    expect(browseKeyAction(rows, kEngine1, 'ArrowLeft')).toEqual({ focus: kEngine1, collapse: kEngine1 });
    expect(browseKeyAction(rows, kT50, 'ArrowLeft')).toEqual({ focus: kEngine1 });
    expect(browseKeyAction(rows, kT50, 'ArrowRight')).toEqual({ focus: kT50 });
    expect(browseKeyAction(rows, kPlant, 'ArrowLeft')).toEqual({ focus: kPlant, collapse: kPlant });
  });

  it('selects a variable with Space, and loads more (or retries) with Enter or Space on the status row', () => {
    expect(browseKeyAction(rows, kT50, ' ')).toEqual({ focus: kT50, toggle: kT50 });
    expect(browseKeyAction(rows, kEngine1, ' ')).toEqual({ focus: kEngine1 });
    expect(browseKeyAction(rows, more.key, 'Enter')).toEqual({ focus: more.key, loadMore: engine1.nodeId });
    expect(browseKeyAction(rows, more.key, ' ')).toEqual({ focus: more.key, loadMore: engine1.nodeId });
  });

  it('in a filtered tree, Left on an ancestor opened by the filter goes to its parent', () => {
    const filtered = visibleRows(ctx({ lists, filter: 'T50' }));
    expect(browseKeyAction(filtered, kEngine1, 'ArrowLeft')).toEqual({ focus: kPlant });
  });

  it('keeps the keyboard near a row that went away: its nearest shown ancestor, else the first row', () => {
    expect(tabbableKey(rows, kT50)).toBe(kT50);
    const folded = visibleRows(ctx({ lists, expanded: new Set([kPlant]) }));
    expect(tabbableKey(folded, kT50)).toBe(kEngine1);
    expect(tabbableKey(folded, rowKey(kEngine1, '#more'))).toBe(kEngine1);
    expect(tabbableKey(folded, 'gone')).toBe(kPlant);
    expect(tabbableKey([], kPlant)).toBeNull();
  });
});

describe('selection', () => {
  it('adds and removes a numeric variable', () => {
    const on = toggleSelection(new Map(), t50, 'Engine 1');
    expect(on.refused).toBeNull();
    expect(on.selection.get(t50.nodeId)).toMatchObject({ displayName: 'T50', parentName: 'Engine 1' });
    const off = toggleSelection(on.selection, t50, 'Engine 1');
    expect(off.selection.size).toBe(0);
  });

  it('refuses what cannot become a tag and says why', () => {
    expect(toggleSelection(new Map(), engine1, 'Plant')).toMatchObject({
      refused: 'Engine 1 is an Object: only variables can become tags.',
    });
    const refused = toggleSelection(new Map(), label, 'Engine 1');
    expect(refused.selection.size).toBe(0);
    expect(refused.refused).toBe(
      'Label cannot be added. It holds String values, and Vigil trends numbers only (Boolean, integers, Float, Double).',
    );
    const matrix = variable('m', 'Matrix', { valueRank: 2, arrayDimensions: [4, 8], trendable: false });
    expect(toggleSelection(new Map(), matrix, '').refused).toMatch(/Array, 2 dimensions \[4 × 8\]/);
  });
});

describe('variable details in words', () => {
  it('describes shape and access', () => {
    expect(shapeText(numeric)).toBe('Scalar');
    expect(shapeText({ ...numeric, valueRank: 1, arrayDimensions: [2048] })).toBe('Array [2,048]');
    expect(shapeText({ ...numeric, valueRank: 1, arrayDimensions: null })).toBe('Array (length not given)');
    expect(shapeText({ ...numeric, valueRank: -2 })).toMatch(/any/);
    expect(accessText(numeric)).toBe('read, history read');
    expect(accessText({ ...numeric, access: { read: false, write: false, history: false } })).toBe('none');
    expect(whyNotTrendable(numeric)).toBeNull();
  });
});
