import { describe, expect, it } from 'vitest';
import type { Asset } from '../../../shared/domain';
import { buildAssetTree, firstAssetId, treeKeyAction, visibleTreeItems, type AssetTree } from './assetTree';

function asset(id: string, parentId: string | null, kind: Asset['kind'], name = id): Asset {
  return { id, parentId, kind, name, description: '', connectionId: null };
}

const plant: Asset[] = [
  asset('e10', 'hall', 'asset', 'Engine 10'),
  asset('e2', 'hall', 'asset', 'Engine 2'),
  asset('site', null, 'site', 'Plant North'),
  asset('pumps', 'site', 'area', 'Pump house'),
  asset('hall', 'site', 'area', 'Engine hall'),
  asset('p1', 'pumps', 'asset', 'Pump 1'),
];

function names(tree: AssetTree): unknown {
  const walk = (nodes: AssetTree['roots']): unknown[] =>
    nodes.map((n) => (n.children.length ? [n.asset.name, walk(n.children)] : n.asset.name));
  return walk(tree.roots);
}

describe('buildAssetTree', () => {
  it('nests site > area > asset and sorts siblings by name with numbers compared as numbers', () => {
    const tree = buildAssetTree(plant);
    expect(names(tree)).toEqual([
      [
        'Plant North',
        [
          ['Engine hall', ['Engine 2', 'Engine 10']],
          ['Pump house', ['Pump 1']],
        ],
      ],
    ]);
    expect(tree.problems).toEqual([]);
    expect(tree.parentOf.get('e2')).toBe('hall');
    expect(tree.parentOf.get('site')).toBeNull();
  });

  it('keeps an asset whose parent is unknown at the top level and says so', () => {
    const tree = buildAssetTree([...plant, asset('lost', 'nowhere', 'asset', 'Lost pump')]);
    expect(tree.roots.map((r) => r.asset.name)).toEqual(['Plant North', 'Lost pump']);
    expect(tree.problems).toEqual([expect.stringContaining('unknown parent "nowhere"')]);
  });

  it('breaks parent cycles instead of losing the assets in them', () => {
    const tree = buildAssetTree([
      asset('a', 'b', 'area', 'A'),
      asset('b', 'a', 'area', 'B'),
      asset('s', 's', 'site'),
    ]);
    const all = [...tree.byId.keys()];
    expect(all.sort()).toEqual(['a', 'b', 's']);
    const shown = visibleTreeItems(tree, new Set()).map((i) => i.id);
    expect(shown.sort()).toEqual(['a', 'b', 's']);
    expect(tree.problems.some((p) => p.includes('cycle'))).toBe(true);
    expect(tree.problems.some((p) => p.includes('its own parent'))).toBe(true);
  });

  it('shows the first of duplicate ids and reports the duplicate', () => {
    const tree = buildAssetTree([asset('x', null, 'site', 'First'), asset('x', null, 'site', 'Second')]);
    expect(tree.roots.map((r) => r.asset.name)).toEqual(['First']);
    expect(tree.problems).toEqual([expect.stringContaining('Duplicate asset id "x"')]);
  });

  it('finds the first asset in display order', () => {
    expect(firstAssetId(buildAssetTree(plant))).toBe('e2');
    expect(firstAssetId(buildAssetTree([asset('s', null, 'site')]))).toBeNull();
  });
});

describe('visibleTreeItems', () => {
  const tree = buildAssetTree(plant);

  it('lists every row with its ARIA level, set size and position when all is expanded', () => {
    const rows = visibleTreeItems(tree, new Set());
    expect(rows.map((r) => [r.name, r.level, r.posInSet, r.setSize, r.expanded])).toEqual([
      ['Plant North', 1, 1, 1, true],
      ['Engine hall', 2, 1, 2, true],
      ['Engine 2', 3, 1, 2, false],
      ['Engine 10', 3, 2, 2, false],
      ['Pump house', 2, 2, 2, true],
      ['Pump 1', 3, 1, 1, false],
    ]);
  });

  it('hides the descendants of a collapsed node', () => {
    const rows = visibleTreeItems(tree, new Set(['hall']));
    expect(rows.map((r) => r.name)).toEqual(['Plant North', 'Engine hall', 'Pump house', 'Pump 1']);
    expect(rows[1]!.expanded).toBe(false);
    expect(rows[1]!.hasChildren).toBe(true);
  });
});

describe('treeKeyAction', () => {
  const tree = buildAssetTree(plant);
  const rows = visibleTreeItems(tree, new Set());
  const collapsedHall = visibleTreeItems(tree, new Set(['hall']));

  it('moves focus with the arrow keys, Home and End, stopping at the ends', () => {
    expect(treeKeyAction(rows, 'site', 'ArrowDown')).toEqual({ focus: 'hall' });
    expect(treeKeyAction(rows, 'hall', 'ArrowUp')).toEqual({ focus: 'site' });
    expect(treeKeyAction(rows, 'site', 'ArrowUp')).toEqual({ focus: 'site' });
    expect(treeKeyAction(rows, 'p1', 'ArrowDown')).toEqual({ focus: 'p1' });
    expect(treeKeyAction(rows, 'e2', 'Home')).toEqual({ focus: 'site' });
    expect(treeKeyAction(rows, 'e2', 'End')).toEqual({ focus: 'p1' });
  });

  it('opens, enters, closes and leaves nodes with Right and Left', () => {
    expect(treeKeyAction(collapsedHall, 'hall', 'ArrowRight')).toEqual({ focus: 'hall', expand: 'hall' });
    expect(treeKeyAction(rows, 'hall', 'ArrowRight')).toEqual({ focus: 'e2' });
    expect(treeKeyAction(rows, 'hall', 'ArrowLeft')).toEqual({ focus: 'hall', collapse: 'hall' });
    expect(treeKeyAction(rows, 'e10', 'ArrowLeft')).toEqual({ focus: 'hall' });
    expect(treeKeyAction(rows, 'site', 'ArrowLeft')).toEqual({ focus: 'site', collapse: 'site' });
  });

  it('selects an asset with Enter or Space and only opens a site or area', () => {
    expect(treeKeyAction(rows, 'e10', 'Enter')).toEqual({ focus: 'e10', select: 'e10' });
    expect(treeKeyAction(rows, 'p1', ' ')).toEqual({ focus: 'p1', select: 'p1' });
    expect(treeKeyAction(rows, 'hall', 'Enter')).toEqual({ focus: 'hall' });
    expect(treeKeyAction(collapsedHall, 'hall', 'Enter')).toEqual({ focus: 'hall', expand: 'hall' });
  });

  it('starts from the first row when nothing is focused and leaves other keys alone', () => {
    expect(treeKeyAction(rows, null, 'ArrowDown')).toEqual({ focus: 'hall' });
    expect(treeKeyAction(rows, 'site', 'a')).toBeNull();
    expect(treeKeyAction([], null, 'ArrowDown')).toBeNull();
  });
});
