import { useEffect, useState, type JSX, type KeyboardEvent } from 'react';
import { useActions, useServices } from '../../app/AppContext';
import { createBrowseStore } from '../../store/browseStore';
import { BrowseTree } from './BrowseTree';
import { busyLists, progressText, tabbableKey } from './browseModel';
import { ConfiguredTags } from './ConfiguredTags';
import { BrowseContext, useBrowse, useBrowseStore } from './context';
import { NodeDetails } from './NodeDetails';
import { SelectionPane } from './SelectionPane';
import { useBrowseRows } from './useBrowseRows';
import './browse.css';

export interface BrowsePanelProps {
  connectionId: string;
  connectionName: string;
  onClose(): void;
}

/**
 * Browse an OPC UA server's address space (lazily, page by page) and add its variables as tags of
 * an asset: what an engineer does instead of typing node ids. One store per connection.
 */
export function BrowsePanel(props: BrowsePanelProps): JSX.Element {
  return <BrowseSession key={props.connectionId} {...props} />;
}

function BrowseSession({ connectionId, connectionName, onClose }: BrowsePanelProps) {
  const { client } = useServices();
  const { loadAssets } = useActions();
  const [store] = useState(() =>
    createBrowseStore(client, connectionId, { onTagsChanged: () => void loadAssets() }),
  );
  useEffect(() => store.getState().start(), [store]);
  return (
    <BrowseContext.Provider value={store}>
      <BrowseLayout connectionName={connectionName} onClose={onClose} />
    </BrowseContext.Provider>
  );
}

function BrowseLayout({ connectionName, onClose }: { connectionName: string; onClose(): void }) {
  const store = useBrowseStore();
  const filter = useBrowse((s) => s.filter);
  const focusedKey = useBrowse((s) => s.focusedKey);
  const notice = useBrowse((s) => s.notice);
  const lists = useBrowse((s) => s.lists);
  const configured = useBrowse((s) => s.configured);
  const { rows } = useBrowseRows();
  const tabKey = tabbableKey(rows, focusedKey);
  const current = rows.find((r) => r.key === tabKey) ?? null;
  const busy = busyLists(lists).filter((b) => (b.list.total ?? 0) > 0 && b.list.fetched > 0);

  const onFilterKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Escape in a filled filter clears it (and stops there); only an empty one lets Escape close the panel.
    if (event.key === 'Escape' && filter) {
      event.preventDefault();
      event.stopPropagation();
      store.getState().setFilter('');
      return;
    }
    // Down from the filter goes to the tree, as in a combobox's list.
    if (event.key !== 'ArrowDown') return;
    event.preventDefault();
    document.querySelector<HTMLElement>('.browse-tree [tabindex="0"]')?.focus();
  };

  return (
    <section className="browse-panel" aria-labelledby="browse-title" data-testid="browse-panel">
      <header className="browse-header">
        <h2 className="panel-title" id="browse-title">
          Browse {connectionName}
        </h2>
        <input
          className="browse-filter"
          type="search"
          placeholder="Filter loaded nodes by name"
          aria-label="Filter loaded nodes by name"
          value={filter}
          onChange={(e) => store.getState().setFilter(e.target.value)}
          onKeyDown={onFilterKey}
        />
        <div className="browse-progress" role="status" aria-live="polite" data-testid="browse-progress">
          {busy.map(({ nodeId, list }) => (
            <span key={nodeId}>
              {progressText(list)}
              {list.loadingAll ? '…' : ''}
              {list.loadingAll && (
                <button type="button" onClick={() => store.getState().stopLoadAll(nodeId)}>
                  Stop
                </button>
              )}
            </span>
          ))}
        </div>
        <button type="button" onClick={onClose} data-testid="browse-close">
          Close
        </button>
      </header>
      {notice && (
        <p className={`browse-line ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}{' '}
          <button type="button" className="browse-dismiss" onClick={() => store.getState().dismissNotice()}>
            Dismiss
          </button>
        </p>
      )}
      <div className="browse-body">
        <div className="browse-tree-pane">
          <h3 className="panel-title" id="browse-tree-title">
            Address space
          </h3>
          <p className="browse-keys">
            <kbd>←</kbd>
            <kbd>→</kbd> close/open · <kbd>Space</kbd> select · <kbd>Enter</kbd> open or load more
          </p>
          <BrowseTree rows={rows} labelId="browse-tree-title" />
        </div>
        <NodeDetails row={current} />
        <SelectionPane configured={configured} />
      </div>
      <ConfiguredTags />
    </section>
  );
}
