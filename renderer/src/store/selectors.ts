import type { Tag } from '../../../shared/domain';
import type { AppState } from './appStore';
import { buildAssetTree, visibleTreeItems, type AssetTree, type VisibleTreeItem } from './assetTree';

/**
 * Derived views of the store for components. Each is memoised on the identity of its inputs so
 * a selector returns the same object until its inputs change (zustand/useSyncExternalStore
 * requires stable snapshots, and it spares React needless renders).
 */

function memoByRefs<Args extends readonly unknown[], R>(compute: (...args: Args) => R): (...args: Args) => R {
  let last: { args: Args; value: R } | null = null;
  return (...args: Args) => {
    if (last && last.args.length === args.length && last.args.every((a, i) => Object.is(a, args[i]))) {
      return last.value;
    }
    const value = compute(...args);
    last = { args, value };
    return value;
  };
}

const treeOf = memoByRefs(buildAssetTree);
export const selectAssetTree = (s: AppState): AssetTree => treeOf(s.assets.data);

const visibleOf = memoByRefs((tree: AssetTree, collapsed: ReadonlySet<string>) =>
  visibleTreeItems(tree, collapsed),
);
export const selectVisibleTreeItems = (s: AppState): VisibleTreeItem[] =>
  visibleOf(selectAssetTree(s), s.collapsed);

/** The row that holds tabindex=0: the focused one if visible, else the selected, else the first. */
export function rovingTabId(
  items: readonly VisibleTreeItem[],
  focusedId: string | null,
  selectedId: string | null,
) {
  if (focusedId && items.some((i) => i.id === focusedId)) return focusedId;
  if (selectedId && items.some((i) => i.id === selectedId)) return selectedId;
  return items[0]?.id ?? null;
}

/** More strips than this are unreadable and heavy; the rest are counted, not silently hidden. */
export const MAX_TREND_TAGS = 48;

export interface TrendTags {
  assetId: string | null;
  tags: Tag[];
  /** Tags of the asset not drawn because of MAX_TREND_TAGS. */
  hidden: number;
}

/**
 * What the trend draws for an asset: its anomaly score first (the one strip that says whether
 * anything is wrong), then the measured tags. Per-tag anomaly scores are not strips of their own.
 */
export function trendOrder(tags: readonly Tag[]): Tag[] {
  const assetScores = tags.filter((t) => t.kind === 'anomaly' && !t.derivedFrom);
  const measured = tags.filter((t) => t.kind !== 'anomaly');
  return [...assetScores, ...measured];
}

const trendTagsOf = memoByRefs((assetId: string | null, tags: Tag[]): TrendTags => {
  const ordered = trendOrder(tags);
  return {
    assetId,
    tags: ordered.slice(0, MAX_TREND_TAGS),
    hidden: Math.max(0, ordered.length - MAX_TREND_TAGS),
  };
});
const NO_TAGS: Tag[] = []; // one instance, so the memo hits while tags are not ready
export const selectTrendTags = (s: AppState): TrendTags =>
  s.tags.status === 'ready' ? trendTagsOf(s.tags.assetId, s.tags.data) : trendTagsOf(null, NO_TAGS);

export type LinkLevel = 'ok' | 'warning' | 'down' | 'pending';

export interface CoreLink {
  level: LinkLevel;
  /** One line for the header. */
  text: string;
  /** The cause, when there is one. */
  detail: string | null;
}

export const CANNOT_REACH_CORE = 'Cannot reach the Vigil core — retrying';

const coreLinkOf = memoByRefs((transport: AppState['transport'], health: AppState['health']): CoreLink => {
  switch (transport.state) {
    case 'closed':
      return { level: 'down', text: 'Disconnected from the Vigil core', detail: null };
    case 'connecting':
      return { level: 'pending', text: 'Connecting to the Vigil core…', detail: null };
    case 'reconnecting':
      return { level: 'down', text: CANNOT_REACH_CORE, detail: transport.lastError };
    case 'open':
      break;
  }
  if (health.reachable === false) return { level: 'down', text: CANNOT_REACH_CORE, detail: health.error };
  const report = health.value;
  if (!report) return { level: 'pending', text: 'Checking the Vigil core…', detail: null };
  const problems = report.problems.length ? report.problems.join('; ') : null;
  switch (report.status) {
    case 'ok':
      return { level: 'ok', text: 'Core running', detail: problems };
    case 'starting':
      return { level: 'warning', text: 'Core starting', detail: problems };
    case 'degraded':
      return { level: 'warning', text: 'Core degraded', detail: problems };
  }
});
export const selectCoreLink = (s: AppState): CoreLink => coreLinkOf(s.transport, s.health);

export interface TrendBadge {
  state: 'loading' | 'live' | 'paused' | 'failed';
  text: string;
}

const trendBadgeOf = memoByRefs((trend: AppState['trend'], transport: AppState['transport']): TrendBadge => {
  if (trend.state === 'failed') return { state: 'failed', text: 'Stopped' };
  // A live badge over a dead link would lie: the charts are frozen until the link is back.
  if (transport.state !== 'open') return { state: 'paused', text: 'Paused: no link' };
  if (trend.state === 'loading') return { state: 'loading', text: 'Loading history…' };
  return { state: 'live', text: 'Live' };
});
export const selectTrendBadge = (s: AppState): TrendBadge => trendBadgeOf(s.trend, s.transport);
