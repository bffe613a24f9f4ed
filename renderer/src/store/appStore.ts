import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Health, VigilClient } from '../../../shared/api';
import type { Asset, ConnectionStatus, Tag } from '../../../shared/domain';
import type { FeedStatus } from '../charts/liveFeed';
import type { TransportStatus } from '../transport/types';
import { buildAssetTree, firstAssetId } from './assetTree';

/**
 * UI state only: what is listed, what is selected, how the link and the core are doing.
 * Samples never come here (they live in ring buffers, see charts/liveSeries.ts).
 */

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface Loadable<T> {
  status: LoadStatus;
  data: T;
  error: string | null;
}

export interface HealthState {
  /** Whether the last getHealth call got an answer. */
  reachable: boolean | null;
  value: Health | null;
  error: string | null;
  checkedAt: number | null;
}

export interface AppState {
  assets: Loadable<Asset[]>;
  /** Tree nodes the operator folded; everything else is expanded. */
  collapsed: ReadonlySet<string>;
  /** The tree row holding the roving tabindex. */
  focusedId: string | null;
  selectedAssetId: string | null;
  tags: Loadable<Tag[]> & { assetId: string | null };
  health: HealthState;
  transport: TransportStatus;
  trend: FeedStatus;
}

export interface AppActions {
  loadAssets(): Promise<void>;
  selectAsset(id: string): Promise<void>;
  focusTreeItem(id: string): void;
  setExpanded(id: string, expanded: boolean): void;
  refreshHealth(): Promise<void>;
  setTransport(status: TransportStatus): void;
  setTrendStatus(status: FeedStatus): void;
}

export type AppStore = StoreApi<AppState & AppActions>;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * What of the connections shapes the asset model: which connections exist and how many tags each
 * has. When it changes between two health reports the asset tree is out of date.
 */
export function modelSignature(connections: readonly Pick<ConnectionStatus, 'id' | 'tagCount'>[]): string {
  return connections
    .map((c) => `${c.id}=${c.tagCount}`)
    .sort()
    .join('\n');
}

const sameIds = (a: readonly { id: string }[], b: readonly { id: string }[]) =>
  a.length === b.length && a.every((x, i) => x.id === b[i]!.id);

export function initialAppState(transport: TransportStatus): AppState {
  return {
    assets: { status: 'idle', data: [], error: null },
    collapsed: new Set(),
    focusedId: null,
    selectedAssetId: null,
    tags: { status: 'idle', data: [], error: null, assetId: null },
    health: { reachable: null, value: null, error: null, checkedAt: null },
    transport,
    trend: { state: 'loading', message: null },
  };
}

export function createAppStore(
  client: Pick<VigilClient, 'call'>,
  options: { transport?: TransportStatus; now?: () => number } = {},
): AppStore {
  const now = options.now ?? Date.now;
  // Only the latest asset load counts: a reload may overtake the load it replaces.
  let assetsRequest = 0;
  /**
   * Loads the assets again and, when the selected asset is still there, its tags: after a
   * connection was added or removed, discovered its model, or got tags by browsing.
   */
  const reloadModel = async (
    get: () => AppState & AppActions,
    set: (partial: Partial<AppState>) => void,
  ): Promise<void> => {
    const before = get().selectedAssetId;
    await get().loadAssets();
    const s = get();
    const id = s.selectedAssetId;
    // A newly selected asset had its tags loaded by loadAssets; an unchanged one may have new tags.
    if (id === null || id !== before || s.tags.status !== 'ready' || s.tags.assetId !== id) return;
    try {
      const tags = await client.call('listTags', { assetId: id });
      const latest = get();
      if (latest.selectedAssetId !== id) return;
      // The same tags keep the same array, so the trend does not rebuild for nothing.
      if (latest.tags.status === 'ready' && sameIds(latest.tags.data, tags)) return;
      set({ tags: { status: 'ready', data: tags, error: null, assetId: id } });
    } catch {
      // The previous list stays; the next model change or selection tries again.
    }
  };

  return createStore<AppState & AppActions>()((set, get) => ({
    ...initialAppState(options.transport ?? { state: 'open', lastError: null, attempt: 0 }),

    async loadAssets() {
      const request = ++assetsRequest;
      set((s) => ({ assets: { ...s.assets, status: 'loading', error: null } }));
      let assets: Asset[];
      try {
        assets = await client.call('listAssets', {});
      } catch (err) {
        if (request !== assetsRequest) return;
        set((s) => ({ assets: { ...s.assets, status: 'error', error: messageOf(err) } }));
        return;
      }
      if (request !== assetsRequest) return;
      set({ assets: { status: 'ready', data: assets, error: null } });
      const { selectedAssetId } = get();
      const stillThere = selectedAssetId !== null && assets.some((a) => a.id === selectedAssetId);
      if (stillThere) return;
      // A console that opens on a live trend is more useful than an empty panel.
      const first = firstAssetId(buildAssetTree(assets));
      if (first) await get().selectAsset(first);
      else
        set({
          selectedAssetId: null,
          tags: { status: 'idle', data: [], error: null, assetId: null },
        });
    },

    async selectAsset(id) {
      const current = get();
      const settled = current.tags.status === 'ready' || current.tags.status === 'loading';
      if (current.selectedAssetId === id && settled) return;
      // Unfold the ancestors so the selected row is visible.
      const collapsed = new Set(current.collapsed);
      const parents = buildAssetTree(current.assets.data).parentOf;
      for (let p = parents.get(id) ?? null; p !== null; p = parents.get(p) ?? null) collapsed.delete(p);
      set({
        selectedAssetId: id,
        focusedId: id,
        collapsed,
        tags: { status: 'loading', data: [], error: null, assetId: id },
        trend: { state: 'loading', message: null },
      });
      try {
        const tags = await client.call('listTags', { assetId: id });
        // The operator may have moved on while this was loading: only the latest selection counts.
        if (get().selectedAssetId !== id) return;
        set({ tags: { status: 'ready', data: tags, error: null, assetId: id } });
      } catch (err) {
        if (get().selectedAssetId !== id) return;
        set({ tags: { status: 'error', data: [], error: messageOf(err), assetId: id } });
      }
    },

    focusTreeItem(id) {
      if (get().focusedId !== id) set({ focusedId: id });
    },

    setExpanded(id, expanded) {
      const { collapsed } = get();
      if (collapsed.has(id) === !expanded) return;
      const next = new Set(collapsed);
      if (expanded) next.delete(id);
      else next.add(id);
      set({ collapsed: next });
    },

    async refreshHealth() {
      try {
        const value = await client.call('getHealth', {});
        const before = get().health.value;
        set({ health: { reachable: true, value, error: null, checkedAt: now() } });
        // The first report is what the initial asset load saw; later changes mean a new model.
        if (before && modelSignature(before.connections) !== modelSignature(value.connections))
          void reloadModel(get, set);
      } catch (err) {
        // Keep the last known report: it says what the connections were doing before the loss.
        set((s) => ({
          health: { ...s.health, reachable: false, error: messageOf(err), checkedAt: now() },
        }));
      }
    },

    setTransport(status) {
      const before = get().transport;
      set({ transport: status });
      if (status.state !== 'open' || before.state === 'open') return;
      // The link is back: retry what failed while it was down.
      const s = get();
      void s.refreshHealth();
      if (s.assets.status === 'error') void s.loadAssets();
      else if (s.tags.status === 'error' && s.selectedAssetId) void s.selectAsset(s.selectedAssetId);
    },

    setTrendStatus(status) {
      const { trend } = get();
      if (trend.state !== status.state || trend.message !== status.message) set({ trend: status });
    },
  }));
}
