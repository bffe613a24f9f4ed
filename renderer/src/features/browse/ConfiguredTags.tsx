import { useEffect, useMemo, useRef } from 'react';
import type { Tag } from '../../../../shared/domain';
import { formatCount } from './browseModel';
import { useBrowse, useBrowseStore } from './context';

/** The connection's tags (those read from it), by asset, each with Remove behind a confirmation. */
export function ConfiguredTags() {
  const store = useBrowseStore();
  const connectionId = useBrowse((s) => s.connectionId);
  const catalog = useBrowse((s) => s.catalog);
  const removal = useBrowse((s) => s.removal);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const groups = useMemo(() => {
    const names = new Map(catalog.assets.map((a) => [a.id, a.name]));
    const byAsset = new Map<string, Tag[]>();
    for (const tag of catalog.tags) {
      if (tag.source?.connectionId !== connectionId) continue;
      const list = byAsset.get(tag.assetId) ?? [];
      list.push(tag);
      byAsset.set(tag.assetId, list);
    }
    return [...byAsset.entries()]
      .map(([assetId, tags]) => ({ assetId, name: names.get(assetId) ?? assetId, tags }))
      .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  }, [catalog, connectionId]);
  const total = groups.reduce((n, g) => n + g.tags.length, 0);

  // The confirmation takes the keyboard: Enter confirms, Escape (or Cancel) backs out.
  const confirming = removal.confirm !== null;
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  return (
    <section
      className="browse-configured"
      aria-labelledby="browse-configured-title"
      data-testid="configured-tags"
    >
      <h3 className="panel-title" id="browse-configured-title">
        Configured tags ({formatCount(total)})
      </h3>
      {catalog.status === 'error' && (
        <p className="browse-error" role="alert">
          Cannot list the tags: {catalog.error}{' '}
          <button type="button" onClick={() => void store.getState().loadCatalog()}>
            Retry
          </button>
        </p>
      )}
      {catalog.status === 'loading' && total === 0 && <p className="panel-message">Loading tags…</p>}
      {catalog.status === 'ready' && total === 0 && (
        <p className="panel-message">No tag reads from this connection yet.</p>
      )}
      {removal.notice && (
        <p className="browse-notice" role="status">
          {removal.notice}
        </p>
      )}
      {removal.confirm && (
        <div
          className="browse-confirm"
          role="alertdialog"
          aria-labelledby="browse-remove-question"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              store.getState().cancelRemove();
            }
          }}
        >
          <p id="browse-remove-question">
            Remove {removal.confirm.length === 1 ? 'tag' : `${removal.confirm.length} tags`}{' '}
            {removal.confirm.map((t) => `${t.name} (${t.id})`).join(', ')}? Vigil stops reading{' '}
            {removal.confirm.length === 1 ? 'it' : 'them'}; the history already recorded stays.
          </p>
          {removal.error && (
            <p className="browse-error" role="alert">
              {removal.error}
            </p>
          )}
          <div className="browse-buttons">
            <button
              ref={confirmRef}
              type="button"
              className="danger"
              disabled={removal.busy}
              onClick={() => void store.getState().confirmRemove()}
              data-testid="remove-confirm"
            >
              {removal.busy ? 'Removing…' : 'Remove'}
            </button>
            <button type="button" onClick={() => store.getState().cancelRemove()}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {groups.map((g) => (
        <div key={g.assetId} className="browse-configured-group">
          <p className="browse-configured-asset">{g.name}</p>
          <ul>
            {g.tags.map((tag) => (
              <li key={tag.id} data-tag-id={tag.id}>
                <span className="browse-configured-name">{tag.name}</span>
                {tag.unit && <span className="browse-dim"> {tag.unit}</span>}
                <code className="browse-configured-node" title="OPC UA node id">
                  {tag.source?.nodeId}
                </code>
                <button
                  type="button"
                  aria-label={`Remove tag ${tag.name} (${tag.id})`}
                  disabled={removal.busy}
                  onClick={() => store.getState().askRemove([tag])}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
