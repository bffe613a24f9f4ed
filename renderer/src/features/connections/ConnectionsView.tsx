import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useNow } from '../alarms/useNow';
import { BrowseSheet } from './BrowseSheet';
import { CertificatesSection } from './CertificatesSection';
import { ConnectionDialog } from './ConnectionDialog';
import { ConnectionList } from './ConnectionList';
import { ConnectionPanel } from './ConnectionPanel';
import { listSummary, sortConnections } from './connectionModel';
import { useConnections, useConnectionsStore } from './context';
import { RemoveConfirm } from './RemoveConfirm';
import './connections.css';

/**
 * The maintenance engineer's view of every OPC UA connection: the list (with its details, data
 * gaps and actions), the certificate review queue, and the add / edit / remove / browse dialogs.
 * It polls the core while it is shown.
 */
export function ConnectionsView() {
  const store = useConnectionsStore();
  const details = useConnections((s) => s.details);
  const openId = useConnections((s) => s.openId);
  const notice = useConnections((s) => s.notice);
  const form = useConnections((s) => s.form);
  const confirmRemove = useConnections((s) => s.confirmRemove);
  const browse = useConnections((s) => s.browse);
  const now = useNow(1000);
  const gridRef = useRef<HTMLTableElement>(null);
  const certGridRef = useRef<HTMLTableElement>(null);

  useEffect(() => store.getState().watch(), [store]);

  const list = useMemo(() => sortConnections(details.data), [details.data]);
  const open = list.find((d) => d.status.id === openId) ?? null;
  const removing = list.find((d) => d.status.id === confirmRemove) ?? null;

  const reviewCertificate = useCallback(
    (thumbprint: string) => {
      store.getState().focusCertificate(thumbprint);
      const row = certGridRef.current?.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(thumbprint)}"]`);
      row?.focus();
      row?.scrollIntoView({ block: 'center' });
    },
    [store],
  );

  // Alt+4 lands on the panel before the first answer: once the rows arrive, the keyboard goes to
  // the list (only if it is still on the panel, never taken from elsewhere).
  const hasRows = list.length > 0;
  useEffect(() => {
    if (!hasRows) return;
    const active = document.activeElement;
    if (active === document.body || (active instanceof HTMLElement && active.matches('main.main-panel')))
      gridRef.current?.querySelector<HTMLElement>('tbody tr[tabindex="0"]')?.focus();
  }, [hasRows]);

  const focusList = useCallback(() => {
    gridRef.current?.querySelector<HTMLElement>('tbody tr[tabindex="0"]')?.focus();
  }, []);

  return (
    <section className="connections-view" aria-labelledby="connections-title" data-testid="connections-view">
      <div className="conn-header">
        <h2 className="panel-title" id="connections-title">
          Connections
        </h2>
        {details.status === 'ready' || details.data.length ? (
          <span className="conn-summary" role="status">
            {listSummary(list)}
          </span>
        ) : (
          details.status === 'loading' && <span role="status">Loading…</span>
        )}
        <button
          type="button"
          className="primary"
          onClick={() => store.getState().openAdd()}
          data-testid="add-connection"
        >
          Add connection…
        </button>
        {notice && (
          <span className="conn-notice" role="status" data-testid="connections-notice">
            {notice}
          </span>
        )}
      </div>
      {details.error && (
        <p className="panel-note error" role="alert">
          Cannot update the connections: {details.error}
          {details.data.length > 0 && ' — the list shows the last answer.'}
        </p>
      )}

      {list.length > 0 ? (
        <div className="conn-grid-wrap">
          <ConnectionList list={list} now={now} gridRef={gridRef} />
        </div>
      ) : (
        details.status === 'ready' && (
          <p className="panel-message" data-testid="connections-empty">
            No connection yet: add one to start collecting data.
          </p>
        )
      )}
      <p className="conn-keys">
        <kbd>↑</kbd> <kbd>↓</kbd> move, <kbd>Enter</kbd> details, <kbd>Esc</kbd> close them.
      </p>

      {open && (
        <ConnectionPanel details={open} onReviewCertificate={reviewCertificate} onClosed={focusList} />
      )}

      <CertificatesSection connections={list} now={now} gridRef={certGridRef} />

      {form && <ConnectionDialog form={form} now={now} />}
      {removing && <RemoveConfirm details={removing} />}
      {browse && <BrowseSheet connectionId={browse.connectionId} name={browse.name} />}
    </section>
  );
}
