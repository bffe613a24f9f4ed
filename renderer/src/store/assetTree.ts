import type { Asset, AssetKind } from '../../../shared/domain';

/**
 * The site > area > asset hierarchy built from listAssets' flat list, and the pure logic of
 * the keyboard-navigable tree view (WAI-ARIA APG "Tree View" pattern:
 * https://www.w3.org/WAI/ARIA/apg/patterns/treeview/).
 */

export interface AssetTreeNode {
  asset: Asset;
  children: AssetTreeNode[];
}

export interface AssetTree {
  roots: AssetTreeNode[];
  byId: ReadonlyMap<string, AssetTreeNode>;
  parentOf: ReadonlyMap<string, string | null>;
  /** What was wrong with the list and how it was shown anyway (unknown parents, cycles, duplicates). */
  problems: string[];
}

const kindRank: Record<AssetKind, number> = { site: 0, area: 1, asset: 2 };
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareNodes(a: AssetTreeNode, b: AssetTreeNode): number {
  return (
    kindRank[a.asset.kind] - kindRank[b.asset.kind] ||
    collator.compare(a.asset.name, b.asset.name) ||
    collator.compare(a.asset.id, b.asset.id)
  );
}

/**
 * Builds the tree. Nothing is dropped: an asset whose parent is unknown, or that sits in a
 * parent cycle, is shown at the top level and the problem is reported. Siblings are ordered
 * by kind, then by name with numbers compared as numbers ("Engine 2" before "Engine 10").
 */
export function buildAssetTree(assets: readonly Asset[]): AssetTree {
  const problems: string[] = [];
  const byId = new Map<string, AssetTreeNode>();
  for (const asset of assets) {
    if (byId.has(asset.id)) {
      problems.push(`Duplicate asset id "${asset.id}": only the first one is shown`);
      continue;
    }
    byId.set(asset.id, { asset, children: [] });
  }

  const parentOf = new Map<string, string | null>();
  const roots: AssetTreeNode[] = [];
  for (const node of byId.values()) {
    const parentId = node.asset.parentId;
    const parent = parentId === null || parentId === node.asset.id ? undefined : byId.get(parentId);
    if (parentId !== null && !parent) {
      problems.push(
        parentId === node.asset.id
          ? `Asset "${node.asset.name}" is its own parent: shown at the top level`
          : `Asset "${node.asset.name}" refers to unknown parent "${parentId}": shown at the top level`,
      );
    }
    if (parent) {
      parent.children.push(node);
      parentOf.set(node.asset.id, parent.asset.id);
    } else {
      roots.push(node);
      parentOf.set(node.asset.id, null);
    }
  }

  // Nodes in a parent cycle are unreachable from any root: cut each cycle at its first member.
  const reached = new Set<string>();
  const mark = (node: AssetTreeNode) => {
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (reached.has(n.asset.id)) continue;
      reached.add(n.asset.id);
      stack.push(...n.children);
    }
  };
  roots.forEach(mark);
  for (const node of byId.values()) {
    if (reached.has(node.asset.id)) continue;
    const parentId = parentOf.get(node.asset.id);
    const parent = parentId ? byId.get(parentId) : undefined;
    if (parent) parent.children = parent.children.filter((c) => c !== node);
    parentOf.set(node.asset.id, null);
    roots.push(node);
    problems.push(`Asset "${node.asset.name}" is part of a parent cycle: shown at the top level`);
    mark(node);
  }

  const sortDeep = (nodes: AssetTreeNode[]) => {
    nodes.sort(compareNodes);
    for (const n of nodes) sortDeep(n.children);
  };
  sortDeep(roots);
  return { roots, byId, parentOf, problems };
}

/** One row of the tree view as rendered: only rows whose ancestors are all expanded. */
export interface VisibleTreeItem {
  id: string;
  name: string;
  kind: AssetKind;
  parentId: string | null;
  /** aria-level, 1 for top-level rows. */
  level: number;
  /** aria-setsize / aria-posinset among siblings. */
  setSize: number;
  posInSet: number;
  hasChildren: boolean;
  expanded: boolean;
}

/** Rows in display order. Nodes are expanded unless their id is in `collapsed`. */
export function visibleTreeItems(tree: AssetTree, collapsed: ReadonlySet<string>): VisibleTreeItem[] {
  const out: VisibleTreeItem[] = [];
  const walk = (nodes: AssetTreeNode[], level: number, parentId: string | null) => {
    nodes.forEach((node, i) => {
      const hasChildren = node.children.length > 0;
      const expanded = hasChildren && !collapsed.has(node.asset.id);
      out.push({
        id: node.asset.id,
        name: node.asset.name,
        kind: node.asset.kind,
        parentId,
        level,
        setSize: nodes.length,
        posInSet: i + 1,
        hasChildren,
        expanded,
      });
      if (expanded) walk(node.children, level + 1, node.asset.id);
    });
  };
  walk(tree.roots, 1, null);
  return out;
}

/** The first `asset`-kind node in display order (what a fresh console shows), or null. */
export function firstAssetId(tree: AssetTree): string | null {
  const stack = [...tree.roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    if (node.asset.kind === 'asset') return node.asset.id;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return null;
}

/** What a key press on the tree asks for; the view applies it. */
export interface TreeKeyAction {
  focus?: string;
  expand?: string;
  collapse?: string;
  select?: string;
}

/** Only `asset` nodes own tags, so only they can be selected. */
export function isSelectable(item: Pick<VisibleTreeItem, 'kind'>): boolean {
  return item.kind === 'asset';
}

/**
 * Keyboard behaviour of the tree (APG): Up/Down move, Right opens or enters, Left closes or
 * goes to the parent, Home/End jump, Enter/Space select an asset or open a site/area.
 * Returns null for keys the tree does not handle (so the browser keeps them).
 */
export function treeKeyAction(
  items: readonly VisibleTreeItem[],
  focusedId: string | null,
  key: string,
): TreeKeyAction | null {
  if (items.length === 0) return null;
  const index = Math.max(
    0,
    items.findIndex((i) => i.id === focusedId),
  );
  const item = items[index]!;
  switch (key) {
    case 'ArrowDown':
      return { focus: items[Math.min(index + 1, items.length - 1)]!.id };
    case 'ArrowUp':
      return { focus: items[Math.max(index - 1, 0)]!.id };
    case 'Home':
      return { focus: items[0]!.id };
    case 'End':
      return { focus: items[items.length - 1]!.id };
    case 'ArrowRight':
      if (!item.hasChildren) return { focus: item.id };
      if (!item.expanded) return { focus: item.id, expand: item.id };
      return { focus: items[index + 1]?.id ?? item.id };
    case 'ArrowLeft':
      if (item.hasChildren && item.expanded) return { focus: item.id, collapse: item.id };
      return { focus: item.parentId ?? item.id };
    case 'Enter':
    case ' ':
      if (isSelectable(item)) return { focus: item.id, select: item.id };
      // Enter only opens a site or area: folding is Left's job, and an Enter that folded would
      // hide the selected asset's row from an operator who meant to go into the node.
      if (item.hasChildren && !item.expanded) return { focus: item.id, expand: item.id };
      return { focus: item.id };
    default:
      return null;
  }
}
