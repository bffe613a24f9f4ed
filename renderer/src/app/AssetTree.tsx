import { useEffect, useRef, type KeyboardEvent } from 'react';
import { isSelectable, treeKeyAction, type TreeKeyAction, type VisibleTreeItem } from '../store/assetTree';
import { rovingTabId, selectAssetTree, selectVisibleTreeItems } from '../store/selectors';
import { useActions, useAppState } from './AppContext';

/**
 * The site > area > asset tree (WAI-ARIA tree view). Rows are rendered flat with aria-level,
 * aria-setsize and aria-posinset, so each treeitem's text is just its own name. One row holds
 * tabindex=0 (roving tabindex); arrow keys move it, Enter selects.
 */
/** A mouse click on a caret (or on a site/area row) folds or unfolds it. */
function toggle(item: VisibleTreeItem): TreeKeyAction {
  if (!item.hasChildren) return { focus: item.id };
  return item.expanded ? { focus: item.id, collapse: item.id } : { focus: item.id, expand: item.id };
}

export function AssetTree() {
  const assets = useAppState((s) => s.assets);
  const items = useAppState(selectVisibleTreeItems);
  const problems = useAppState((s) => selectAssetTree(s).problems);
  const focusedId = useAppState((s) => s.focusedId);
  const selectedId = useAppState((s) => s.selectedAssetId);
  const actions = useActions();
  const treeRef = useRef<HTMLUListElement>(null);
  const tabId = rovingTabId(items, focusedId, selectedId);

  // Move DOM focus with the roving tabindex, but only while the tree has focus: an automatic
  // selection must not steal focus from elsewhere.
  useEffect(() => {
    const tree = treeRef.current;
    if (!tree || !tabId || !tree.contains(document.activeElement)) return;
    const row = tree.querySelector<HTMLElement>(`[data-id="${CSS.escape(tabId)}"]`);
    if (row && row !== document.activeElement) row.focus();
  }, [tabId]);

  if (assets.status === 'error' && assets.data.length === 0) {
    return (
      <div className="panel-message error" role="alert">
        <p>Cannot load the asset list: {assets.error}</p>
        <button type="button" onClick={() => void actions.loadAssets()}>
          Retry
        </button>
      </div>
    );
  }
  if ((assets.status === 'loading' || assets.status === 'idle') && assets.data.length === 0) {
    return (
      <p className="panel-message" role="status">
        Loading assets…
      </p>
    );
  }
  if (items.length === 0) {
    return <p className="panel-message">No assets are configured.</p>;
  }

  const apply = (action: TreeKeyAction) => {
    if (action.expand) actions.setExpanded(action.expand, true);
    if (action.collapse) actions.setExpanded(action.collapse, false);
    if (action.focus) actions.focusTreeItem(action.focus);
    if (action.select) void actions.selectAsset(action.select);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const action = treeKeyAction(items, tabId, event.key);
    if (!action) return;
    event.preventDefault();
    apply(action);
  };

  const onRowClick = (item: VisibleTreeItem) => {
    if (isSelectable(item)) apply({ focus: item.id, select: item.id });
    else apply(toggle(item));
  };

  return (
    <>
      <h2 className="panel-title" id="asset-tree-title">
        Assets
      </h2>
      {assets.status === 'error' && (
        <p className="panel-note error" role="alert">
          Refreshing the asset list failed: {assets.error}
        </p>
      )}
      <ul className="tree" role="tree" aria-labelledby="asset-tree-title" ref={treeRef} onKeyDown={onKeyDown}>
        {items.map((item) => (
          <li
            key={item.id}
            role="treeitem"
            data-id={item.id}
            data-kind={item.kind}
            className={`tree-row kind-${item.kind}${item.id === selectedId ? ' selected' : ''}`}
            aria-level={item.level}
            aria-setsize={item.setSize}
            aria-posinset={item.posInSet}
            aria-expanded={item.hasChildren ? item.expanded : undefined}
            aria-selected={isSelectable(item) ? item.id === selectedId : undefined}
            tabIndex={item.id === tabId ? 0 : -1}
            onClick={() => onRowClick(item)}
            onFocus={() => actions.focusTreeItem(item.id)}
            style={{ paddingLeft: `${0.5 + (item.level - 1) * 1.1}rem` }}
          >
            <span
              className={`tree-caret${item.hasChildren ? (item.expanded ? ' open' : ' closed') : ''}`}
              aria-hidden="true"
              onClick={(e) => {
                if (!item.hasChildren) return;
                e.stopPropagation();
                apply(toggle(item));
              }}
            />
            <span className="tree-icon" aria-hidden="true" />
            <span className="tree-name">{item.name}</span>
          </li>
        ))}
      </ul>
      {problems.length > 0 && (
        <ul className="panel-note warning" aria-label="Problems in the asset list">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </>
  );
}
