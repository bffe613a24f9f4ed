import { rowWith, useRovingFocus } from '../../app/useRovingFocus';
import { useMemo, type KeyboardEvent, type RefObject } from 'react';
import {
  TRUST_LABEL,
  certificateNames,
  certificateValidity,
  day,
  groupThumbprint,
  sortCertificates,
  type TrustState,
} from './certificateModel';
import {
  connectionsUsing,
  dateTime,
  listKeyAction,
  tabbableRow,
  type ConnectionDetails,
  type StoredCertificate,
} from './connectionModel';
import { useConnections, useConnectionsStore } from './context';

const GROUPS: { state: TrustState; title: string; empty: string | null }[] = [
  { state: 'pending', title: 'Waiting for review', empty: 'No certificate waits for review.' },
  { state: 'trusted', title: 'Trusted', empty: null },
  { state: 'rejected', title: 'Rejected', empty: null },
];

const COLUMNS = [
  'State',
  'Subject / issuer',
  'Thumbprint (SHA-1)',
  'Valid',
  'Application / addresses',
  'Actions',
];

interface CertificatesProps {
  connections: readonly ConnectionDetails[];
  now: number;
  gridRef: RefObject<HTMLTableElement | null>;
}

/**
 * Vigil's own certificate and the server certificates: the review queue first. T trusts and R
 * rejects the focused row; nothing is trusted without the engineer's action.
 */
export function CertificatesSection({ connections, now, gridRef }: CertificatesProps) {
  const store = useConnectionsStore();
  const certificates = useConnections((s) => s.certificates);
  const focused = useConnections((s) => s.focusedCertificate);
  const list = certificates.data;
  const sorted = useMemo(() => sortCertificates(list?.servers ?? []), [list]);
  const order = sorted.map((c) => c.thumbprint);
  const orderKey = sorted.map((c) => `${c.state}:${c.thumbprint}`).join('\n');
  const tabId = tabbableRow(order, focused);

  // DOM focus follows the row focus while the grid has it. Rows re-created elsewhere (a trusted
  // certificate moving to its group) lose the DOM focus: the order puts it back then too.
  const focusHandlers = useRovingFocus(gridRef, rowWith('data-id', tabId), orderKey);

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    if ((event.target as HTMLElement).closest('button')) return; // buttons keep Enter and Space
    const action = listKeyAction(order, focused, event.key, {
      letters: true,
      mods: { ctrl: event.ctrlKey, alt: event.altKey, meta: event.metaKey },
    });
    if (!action) return;
    const s = store.getState();
    const cert = (tp: string) => sorted.find((c) => c.thumbprint === tp);
    if (action.focus) s.focusCertificate(action.focus);
    else if (action.trust && cert(action.trust)?.state !== 'trusted') void s.trust(action.trust);
    else if (action.reject && cert(action.reject)?.state !== 'rejected') void s.reject(action.reject);
    else return;
    event.preventDefault();
  };

  const own = list?.own;
  const ownValidity = own ? certificateValidity(own, now) : null;

  return (
    <section className="cert-section" aria-labelledby="certs-title" data-testid="certificates">
      <h3 className="conn-heading" id="certs-title">
        Certificates
      </h3>
      {certificates.error && (
        <p className="panel-note error" role="alert">
          Cannot load the certificates: {certificates.error}
        </p>
      )}
      {own && ownValidity && (
        <div className={`cert-own level-${ownValidity.level}`} data-testid="own-certificate">
          <strong>Vigil’s own certificate</strong>
          <span>{own.subject}</span>
          <span className="mono">{groupThumbprint(own.thumbprint)}</span>
          <span>
            valid {day(own.notBefore)} to {day(own.notAfter)}{' '}
            <span className={`cert-validity level-${ownValidity.level}`}>{ownValidity.text}</span>
          </span>
          {own.applicationUri && <span className="mono">{own.applicationUri}</span>}
          <span className="cert-note">
            Servers must trust this certificate before Vigil can open a secured (Sign or SignAndEncrypt)
            connection: give it to each server’s administrator and compare the thumbprint.
          </span>
        </div>
      )}
      {list && list.warnings.length > 0 && (
        <ul className="conn-warnings" aria-label="Certificate warnings" data-testid="certificate-warnings">
          {list.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <p className="conn-keys">
        <kbd>↑</kbd> <kbd>↓</kbd> move, <kbd>T</kbd> trust, <kbd>R</kbd> reject the focused certificate.
      </p>
      {!list ? (
        <p className="conn-empty">{certificates.status === 'error' ? '' : 'Loading…'}</p>
      ) : (
        <table
          className="conn-grid cert-grid"
          role="grid"
          aria-label="Server certificates"
          ref={gridRef}
          onKeyDown={onKeyDown}
          {...focusHandlers}
          data-testid="certificate-grid"
        >
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          {GROUPS.map((group) => {
            const rows = sorted.filter((c) => c.state === group.state);
            if (!rows.length && !group.empty) return null;
            return (
              <tbody key={group.state}>
                <tr className={`group-row cert-group-${group.state}`}>
                  <th colSpan={COLUMNS.length} scope="rowgroup">
                    {group.title} ({rows.length})
                  </th>
                </tr>
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={COLUMNS.length} className="conn-empty">
                      {group.empty}
                    </td>
                  </tr>
                )}
                {rows.map((c) => (
                  <CertificateRow
                    key={c.thumbprint}
                    cert={c}
                    now={now}
                    tabbable={c.thumbprint === tabId}
                    usedBy={connectionsUsing(c.thumbprint, connections)}
                  />
                ))}
              </tbody>
            );
          })}
        </table>
      )}
    </section>
  );
}

function CertificateRow({
  cert,
  now,
  tabbable,
  usedBy,
}: {
  cert: StoredCertificate;
  now: number;
  tabbable: boolean;
  usedBy: string[];
}) {
  const store = useConnectionsStore();
  const pending = useConnections((s) => s.pending[cert.thumbprint]);
  const error = useConnections((s) => s.errors[cert.thumbprint]);
  const validity = certificateValidity(cert, now);
  return (
    <tr
      data-id={cert.thumbprint}
      data-state={cert.state}
      data-testid="certificate-row"
      className={`cert-row cert-${cert.state} validity-${validity.state}`}
      tabIndex={tabbable ? 0 : -1}
      onFocus={() => store.getState().focusCertificate(cert.thumbprint)}
      onClick={() => store.getState().focusCertificate(cert.thumbprint)}
    >
      <td>
        <span className={`cert-state cert-${cert.state}`}>{TRUST_LABEL[cert.state]}</span>
        {cert.firstSeenAt !== null && (
          <span className="conn-sub" title="First presented by a server">
            seen {dateTime(cert.firstSeenAt)}
          </span>
        )}
        {usedBy.length > 0 && <span className="conn-sub">by {usedBy.join(', ')}</span>}
      </td>
      <td>
        <span className="cert-subject">{cert.subject}</span>
        <span className="conn-sub">issued by {cert.selfSigned ? 'itself (self-signed)' : cert.issuer}</span>
      </td>
      <td className="mono cert-thumbprint" data-testid="certificate-thumbprint">
        {groupThumbprint(cert.thumbprint)}
      </td>
      <td className="cert-dates">
        {day(cert.notBefore)} to {day(cert.notAfter)}
        {validity.state !== 'valid' && (
          <span className={`cert-validity level-${validity.level}`} data-testid="certificate-expiry">
            {validity.text}
          </span>
        )}
      </td>
      <td>
        <span className="mono">{cert.applicationUri ?? '—'}</span>
        <span className="conn-sub">{certificateNames(cert)}</span>
      </td>
      <td className="cert-actions">
        {cert.state !== 'trusted' && (
          <button
            type="button"
            tabIndex={-1}
            className="primary"
            disabled={!!pending}
            onClick={() => void store.getState().trust(cert.thumbprint)}
          >
            Trust <kbd>T</kbd>
          </button>
        )}
        {cert.state !== 'rejected' && (
          <button
            type="button"
            tabIndex={-1}
            disabled={!!pending}
            onClick={() => void store.getState().reject(cert.thumbprint)}
          >
            Reject <kbd>R</kbd>
          </button>
        )}
        {pending && <span className="conn-sub">{pending}</span>}
        {error && (
          <span className="conn-error-inline" role="alert">
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}
