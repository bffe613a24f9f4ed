import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Asset, Tag } from '../../../shared/domain';
import {
  addedNotice,
  checkAddTags,
  defaultFormValues,
  type AddTagsFormValues,
} from '../features/browse/addTagsForm';
import {
  appendPage,
  EMPTY_LIST,
  hasMore,
  nextOffset,
  nodeIdOfKey,
  OBJECTS_FOLDER,
  PAGE_SIZE,
  parentKeyOf,
  rowKey,
  tagsByNode,
  toggleSelection,
  type BrowseEntry,
  type BrowseKeyAction,
  type ChildList,
  type ChildLists,
  type Selection,
} from '../features/browse/browseModel';
import type { RendererClient } from '../transport/types';
import type { LoadStatus } from './appStore';

/**
 * State of one browse panel (one connection): the address-space lists loaded so far (each node's
 * children asked for once, then cached), what is open and focused, the filter, the variables
 * picked, the "Add N tags" form and what the core answered, and the connection's configured tags
 * with their removal. The rules live in features/browse/browseModel.ts and addTagsForm.ts; the
 * core decides what may be added.
 */

export type BrowseClient = Pick<RendererClient, 'call'>;

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

export interface BrowseState {
  connectionId: string;
  lists: ChildLists;
  /** Row keys the operator opened. */
  expanded: ReadonlySet<string>;
  focusedKey: string | null;
  filter: string;
  selection: Selection;
  /** Why the last Space did nothing, and similar one-line answers. */
  notice: Notice | null;
  /** Assets and tags of the whole console (tag ids and asset ids are global). */
  catalog: { status: LoadStatus; assets: Asset[]; tags: Tag[]; error: string | null };
  /** Whether the connection is in the configuration file (only then can tags be added); null = unknown. */
  configured: boolean | null;
  form: AddTagsFormValues | null;
  /** The last addTags: on its way, refused (why), or done (what was added). */
  adding: { busy: boolean; error: string | null; notice: string | null; added: Tag[] };
  removal: { confirm: Tag[] | null; busy: boolean; error: string | null; notice: string | null };
}

export interface BrowseActions {
  /** Loads the top level, the catalog and the connection's details; returns the function that stops the panel. */
  start(): () => void;
  /** Applies what a key press or a click asked for. */
  apply(action: BrowseKeyAction): void;
  focus(key: string): void;
  expand(key: string): void;
  collapse(key: string): void;
  /** Loads the next page of a list (also the retry after an error). */
  loadMore(listId: string): Promise<void>;
  /** Loads every remaining page of a list, one after the other, until stopped. */
  loadAll(listId: string): Promise<void>;
  stopLoadAll(listId: string): void;
  setFilter(text: string): void;
  /** Selects or unselects the variable of a node row. */
  toggle(key: string): void;
  unselect(nodeId: string): void;
  clearSelection(): void;
  dismissNotice(): void;
  loadCatalog(): Promise<void>;
  openForm(): void;
  closeForm(): void;
  setForm(patch: Partial<AddTagsFormValues>): void;
  /** Resolves true when the core added the tags. */
  submit(): Promise<boolean>;
  askRemove(tags: readonly Tag[]): void;
  cancelRemove(): void;
  confirmRemove(): Promise<boolean>;
}

export type BrowseStore = StoreApi<BrowseState & BrowseActions>;

export interface BrowseStoreOptions {
  /** Told after tags were added or removed, so the asset tree and trends reload. */
  onTagsChanged?: () => void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The list (node id) a row key's node sits in. */
function listIdOfKey(key: string): string {
  const parent = parentKeyOf(key);
  return parent === '' ? OBJECTS_FOLDER : nodeIdOfKey(parent);
}

/** The entry a node row's key stands for, from the cached lists. */
export function entryAt(lists: ChildLists, key: string): BrowseEntry | undefined {
  const nodeId = nodeIdOfKey(key);
  return lists[listIdOfKey(key)]?.entries.find((e) => e.nodeId === nodeId);
}

export function initialBrowseState(connectionId: string): BrowseState {
  return {
    connectionId,
    lists: {},
    expanded: new Set(),
    focusedKey: null,
    filter: '',
    selection: new Map(),
    notice: null,
    catalog: { status: 'idle', assets: [], tags: [], error: null },
    configured: null,
    form: null,
    adding: { busy: false, error: null, notice: null, added: [] },
    removal: { confirm: null, busy: false, error: null, notice: null },
  };
}

export function createBrowseStore(
  client: BrowseClient,
  connectionId: string,
  options: BrowseStoreOptions = {},
): BrowseStore {
  let stopped = false;
  let catalogRequest = 0;

  return createStore<BrowseState & BrowseActions>()((set, get) => {
    const setList = (listId: string, update: (list: ChildList) => ChildList) =>
      set((s) => ({ lists: { ...s.lists, [listId]: update(s.lists[listId] ?? EMPTY_LIST) } }));

    /** One page of a list; false when it could not be loaded (or another load is on its way). */
    const loadPage = async (listId: string): Promise<boolean> => {
      const list = get().lists[listId] ?? EMPTY_LIST;
      if (list.status === 'loading') return false;
      setList(listId, (l) => ({ ...l, status: 'loading', error: null }));
      try {
        const page = await client.call('browseNode', {
          connectionId,
          nodeId: listId,
          offset: nextOffset(list),
          limit: PAGE_SIZE,
        });
        if (stopped) return false;
        setList(listId, (l) => appendPage(l, page));
        return true;
      } catch (err) {
        if (stopped) return false;
        setList(listId, (l) => ({ ...l, status: 'error', error: messageOf(err), loadingAll: false }));
        return false;
      }
    };

    return {
      ...initialBrowseState(connectionId),

      start() {
        stopped = false;
        const s = get();
        if (!s.lists[OBJECTS_FOLDER]) void loadPage(OBJECTS_FOLDER);
        void s.loadCatalog();
        void client.call('getConnectionDetails', { connectionId }).then(
          ([details]) => {
            if (!stopped && details) set({ configured: details.configured });
          },
          // Unknown is fine: the core still refuses addTags for a connection not in the file.
          () => {},
        );
        return () => {
          stopped = true;
        };
      },

      apply(action) {
        const s = get();
        if (action.expand) s.expand(action.expand);
        if (action.collapse) s.collapse(action.collapse);
        if (action.focus) s.focus(action.focus);
        if (action.toggle) s.toggle(action.toggle);
        if (action.loadMore) {
          const listId = action.loadMore;
          const from = get().lists[listId]?.entries.length ?? 0;
          const statusKey = action.focus;
          void s.loadMore(listId).then(() => {
            // From "load more" (or a retry) the keyboard goes on at the first entry that came in.
            const { focusedKey, lists } = get();
            const first = lists[listId]?.entries[from];
            if (statusKey && focusedKey === statusKey && first) {
              set({ focusedKey: rowKey(parentKeyOf(statusKey), first.nodeId) });
            }
          });
        }
      },

      focus(key) {
        if (get().focusedKey !== key) set({ focusedKey: key });
      },

      expand(key) {
        const { expanded, lists } = get();
        if (!expanded.has(key)) set({ expanded: new Set([...expanded, key]) });
        const nodeId = nodeIdOfKey(key);
        const list = lists[nodeId];
        // Asked once: a node's children are cached however often (and wherever) it is opened.
        if (!list || list.status === 'idle' || (list.status === 'error' && list.entries.length === 0)) {
          void loadPage(nodeId);
        }
      },

      collapse(key) {
        const { expanded } = get();
        if (!expanded.has(key)) return;
        const next = new Set(expanded);
        next.delete(key);
        set({ expanded: next });
      },

      async loadMore(listId) {
        await loadPage(listId);
      },

      async loadAll(listId) {
        if (get().lists[listId]?.loadingAll) return;
        setList(listId, (l) => ({ ...l, loadingAll: true }));
        for (;;) {
          const list = get().lists[listId];
          if (stopped || !list?.loadingAll) break;
          if (list.status === 'ready' && !hasMore(list)) break;
          if (!(await loadPage(listId))) break;
        }
        if (!stopped) setList(listId, (l) => ({ ...l, loadingAll: false }));
      },

      stopLoadAll(listId) {
        setList(listId, (l) => ({ ...l, loadingAll: false }));
      },

      setFilter(text) {
        set({ filter: text });
      },

      toggle(key) {
        const { lists, selection } = get();
        const entry = entryAt(lists, key);
        if (!entry) return;
        const parentKey = parentKeyOf(key);
        const parentName = parentKey ? (entryAt(lists, parentKey)?.displayName ?? '') : '';
        const result = toggleSelection(selection, entry, parentName);
        set({
          selection: result.selection,
          notice: result.refused ? { kind: 'error', text: result.refused } : null,
        });
      },

      unselect(nodeId) {
        const next = new Map(get().selection);
        if (!next.delete(nodeId)) return;
        set({ selection: next });
      },

      clearSelection() {
        set({ selection: new Map() });
      },

      dismissNotice() {
        set({ notice: null });
      },

      async loadCatalog() {
        const request = ++catalogRequest;
        set((s) => ({ catalog: { ...s.catalog, status: 'loading', error: null } }));
        try {
          const [assets, tags] = await Promise.all([
            client.call('listAssets', {}),
            client.call('listTags', {}),
          ]);
          if (stopped || request !== catalogRequest) return;
          set({ catalog: { status: 'ready', assets, tags, error: null } });
          // A form opened before the assets were known starts on a sensible target.
          const { form } = get();
          if (form && form.target === 'existing' && !form.assetId) {
            set({ form: { ...form, ...pickTarget(defaultFormValues(assets, connectionId)) } });
          }
        } catch (err) {
          if (stopped || request !== catalogRequest) return;
          set((s) => ({ catalog: { ...s.catalog, status: 'error', error: messageOf(err) } }));
        }
      },

      openForm() {
        const { form, catalog } = get();
        if (form) return;
        set({
          form: defaultFormValues(catalog.assets, connectionId),
          adding: { busy: false, error: null, notice: null, added: [] },
        });
      },

      closeForm() {
        set((s) => ({ form: null, adding: { ...s.adding, error: null } }));
      },

      setForm(patch) {
        const { form } = get();
        if (form) set({ form: { ...form, ...patch } });
      },

      async submit() {
        const { form, selection, catalog, adding } = get();
        if (!form || adding.busy) return false;
        const check = checkAddTags(form, {
          connectionId,
          selection: [...selection.values()],
          assets: catalog.assets,
          tags: catalog.tags,
          tagsByNode: tagsByNode(catalog.tags, connectionId),
        });
        if (!check.request) {
          const first =
            check.problems[0] ?? Object.values(check.fieldErrors)[0] ?? 'The form is not complete.';
          set({ adding: { busy: false, error: first, notice: null, added: [] } });
          return false;
        }
        set({ adding: { busy: true, error: null, notice: null, added: [] } });
        try {
          const added = await client.call('addTags', check.request);
          if (stopped) return true;
          set({
            selection: new Map(),
            form: null,
            adding: { busy: false, error: null, notice: addedNotice(added, check.asset!.name), added },
          });
          options.onTagsChanged?.();
          void get().loadCatalog();
          return true;
        } catch (err) {
          // The selection and the form stay as they were: fix and submit again.
          if (!stopped) {
            set({
              adding: { busy: false, error: `Nothing was added: ${messageOf(err)}`, notice: null, added: [] },
            });
          }
          return false;
        }
      },

      askRemove(tags) {
        if (!tags.length) return;
        set({ removal: { confirm: [...tags], busy: false, error: null, notice: null } });
      },

      cancelRemove() {
        set((s) => ({ removal: { ...s.removal, confirm: null, error: null } }));
      },

      async confirmRemove() {
        const { removal } = get();
        const tags = removal.confirm;
        if (!tags || removal.busy) return false;
        set({ removal: { confirm: tags, busy: true, error: null, notice: null } });
        try {
          const { removed } = await client.call('removeTags', {
            connectionId,
            tagIds: tags.map((t) => t.id),
          });
          if (stopped) return true;
          const names = tags.map((t) => t.name).join(', ');
          set({
            removal: {
              confirm: null,
              busy: false,
              error: null,
              notice: `Removed ${removed === 1 ? '1 tag' : `${removed} tags`}: ${names}. The history already recorded stays.`,
            },
          });
          options.onTagsChanged?.();
          void get().loadCatalog();
          return true;
        } catch (err) {
          if (!stopped) {
            set({
              removal: {
                confirm: tags,
                busy: false,
                error: `Nothing was removed: ${messageOf(err)}`,
                notice: null,
              },
            });
          }
          return false;
        }
      },
    };
  });
}

function pickTarget(values: AddTagsFormValues): Pick<AddTagsFormValues, 'target' | 'assetId'> {
  return { target: values.target, assetId: values.assetId };
}
