import { rowWith, useRovingFocus } from '../../app/useRovingFocus';
import { memo, useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { BrowseStore } from '../../store/browseStore';
import {
  browseKeyAction,
  loadedCount,
  tabbableKey,
  type BrowseRow,
  type NodeRow,
  type StatusRow,
} from './browseModel';
import { useBrowse, useBrowseStore } from './context';

/**
 * The lazy address-space tree (WAI-ARIA tree view, multi-selectable). Rows are rendered flat with
 * aria-level / aria-setsize / aria-posinset and a roving tabindex, like the asset tree. Variables
 * that can become tags carry aria-selected; Space picks them. Rows are memoised: moving the focus
 * through a folder of thousands re-renders two rows, not all of them.
 */
export function BrowseTree({ rows, labelId }: { rows: BrowseRow[]; labelId: string }) {
  const store = useBrowseStore();
  const focusedKey = useBrowse((s) => s.focusedKey);
  const filter = useBrowse((s) => s.filter);
  const lists = useBrowse((s) => s.lists);
  const treeRef = useRef<HTMLUListElement>(null);
  const tabKey = tabbableKey(rows, focusedKey);
  // The keyboard stays in the tree when its row is replaced (a "Loading…" row).
  const focusHandlers = useRovingFocus(treeRef, rowWith('data-key', tabKey), rows, { scroll: true });

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const action = browseKeyAction(rows, tabKey, event.key);
    if (!action) return;
    event.preventDefault();
    store.getState().apply(action);
  };

  const filtering = filter.trim() !== '';
  return (
    <>
      {filtering && (
        <p className="browse-filter-count" role="status">
          {rows.filter((r) => r.type === 'node').length} shown of {loadedCount(lists)} loaded nodes (the
          filter looks at loaded nodes only)
        </p>
      )}
      <ul
        className="tree browse-tree"
        role="tree"
        aria-labelledby={labelId}
        aria-multiselectable="true"
        ref={treeRef}
        onKeyDown={onKeyDown}
        {...focusHandlers}
        data-testid="browse-tree"
      >
        {rows.map((row) =>
          row.type === 'node' ? (
            <NodeItem key={row.key} row={row} tabbable={row.key === tabKey} store={store} />
          ) : (
            <StatusItem key={row.key} row={row} tabbable={row.key === tabKey} store={store} />
          ),
        )}
      </ul>
      {filtering && rows.length === 0 && (
        <p className="panel-message">No loaded node matches “{filter.trim()}”.</p>
      )}
    </>
  );
}

interface ItemProps<R> {
  row: R;
  tabbable: boolean;
  store: BrowseStore;
}

const indent = (level: number, extra = 0) => ({ paddingLeft: `${0.5 + (level - 1) * 1.1 + extra}rem` });

const NodeItem = memo(function NodeItem({ row, tabbable, store }: ItemProps<NodeRow>) {
  const { entry } = row;
  const toggleOpen = (event: MouseEvent) => {
    event.stopPropagation();
    if (!row.expandable) return;
    store
      .getState()
      .apply(row.expanded ? { focus: row.key, collapse: row.key } : { focus: row.key, expand: row.key });
  };
  return (
    <li
      role="treeitem"
      data-key={row.key}
      data-node-id={row.nodeId}
      data-node-class={entry.nodeClass}
      className={`tree-row browse-row node-${entry.nodeClass.toLowerCase()}${row.selected ? ' picked' : ''}${tabbable ? ' current' : ''}`}
      aria-level={row.level}
      aria-setsize={row.setSize}
      aria-posinset={row.posInSet}
      aria-expanded={row.expandable ? row.expanded : undefined}
      aria-selected={row.selectable || row.selected ? row.selected : undefined}
      aria-busy={row.busy || undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={() => store.getState().focus(row.key)}
      onDoubleClick={toggleOpen}
      onFocus={() => store.getState().focus(row.key)}
      style={indent(row.level)}
    >
      <span
        className={`tree-caret${row.expandable ? (row.expanded ? ' open' : ' closed') : ''}`}
        aria-hidden="true"
        onClick={toggleOpen}
      />
      {entry.variable ? (
        <span
          className={`browse-check${row.selected ? ' checked' : ''}${row.selectable ? '' : ' disabled'}`}
          aria-hidden="true"
          onClick={(e) => {
            e.stopPropagation();
            store.getState().focus(row.key);
            store.getState().toggle(row.key);
          }}
        />
      ) : (
        <span className="tree-icon browse-icon" aria-hidden="true" />
      )}
      <span className="tree-name">{entry.displayName}</span>
      {row.tag && (
        <span className="browse-badge tag" title={`Configured as tag ${row.tag.id}`}>
          tag
        </span>
      )}
      {entry.variable && !entry.variable.trendable && (
        <span className="browse-badge muted" title="Cannot become a tag: see the details">
          {entry.variable.dataType}
        </span>
      )}
      {row.busy && <span className="browse-spinner" aria-hidden="true" />}
    </li>
  );
});

const StatusItem = memo(function StatusItem({ row, tabbable, store }: ItemProps<StatusRow>) {
  const act = () => {
    if (row.type === 'more' || row.type === 'error')
      store.getState().apply({ focus: row.key, loadMore: row.listId });
    else store.getState().focus(row.key);
  };
  return (
    <li
      role="treeitem"
      data-key={row.key}
      data-status={row.type}
      className={`tree-row browse-status status-${row.type}${tabbable ? ' current' : ''}`}
      aria-level={row.level}
      aria-busy={row.busy || row.type === 'loading' || undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={act}
      onFocus={() => store.getState().focus(row.key)}
      style={indent(row.level, 1.25)}
    >
      <span className="tree-name">{row.text}</span>
    </li>
  );
});
