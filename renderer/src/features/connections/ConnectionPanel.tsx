import { groupThumbprint, TRUST_LABEL, day } from './certificateModel';
import {
  STATE_INFO,
  formatCount,
  formatSpan,
  securityLabel,
  stateText,
  timeOfDay,
  waitsForCertificate,
  type ConnectionDetails,
} from './connectionModel';
import { useConnections, useConnectionsStore } from './context';
import { DataGaps } from './DataGaps';

interface ConnectionPanelProps {
  details: ConnectionDetails;
  /** Moves the keyboard to the certificate review queue. */
  onReviewCertificate: (thumbprint: string) => void;
  /** The panel closed from the keyboard: focus goes back to the list. */
  onClosed: () => void;
}

/** Everything about one connection, with its actions: reconnect, edit, remove, browse & add tags. */
export function ConnectionPanel({ details, onReviewCertificate, onClosed }: ConnectionPanelProps) {
  const store = useConnectionsStore();
  const id = details.status.id;
  const pending = useConnections((s) => s.pending[id]);
  const error = useConnections((s) => s.errors[id]);
  const { status } = details;
  const info = STATE_INFO[status.state];
  const cert = details.serverCertificate;
  const notConfigured =
    'The built-in simulator is not in the configuration file: its tags come from its address space';

  return (
    <section
      className={`conn-panel level-${info.level}`}
      aria-labelledby="conn-panel-title"
      data-testid="connection-details"
      data-id={id}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || event.defaultPrevented) return;
        event.preventDefault();
        store.getState().openDetails(null);
        onClosed();
      }}
    >
      <div className="conn-panel-head">
        <h3 id="conn-panel-title">
          {details.name} <span className={`conn-state level-${info.level}`}>{info.label}</span>
        </h3>
        <div className="conn-buttons" role="toolbar" aria-label={`Actions on ${details.name}`}>
          <button type="button" onClick={() => void store.getState().reconnect(id)} disabled={!!pending}>
            Reconnect
          </button>
          <button
            type="button"
            onClick={() => store.getState().openEdit(id)}
            disabled={!details.configured || !!pending}
            title={details.configured ? undefined : notConfigured}
          >
            Edit…
          </button>
          <button
            type="button"
            onClick={() => store.getState().openBrowse(id)}
            disabled={!details.configured || !!pending}
            title={details.configured ? undefined : notConfigured}
            data-testid="browse-button"
          >
            Browse &amp; add tags…
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => store.getState().askRemove(id)}
            disabled={!details.configured || !!pending}
            title={details.configured ? undefined : notConfigured}
          >
            Remove…
          </button>
          <button
            type="button"
            onClick={() => {
              store.getState().openDetails(null);
              onClosed();
            }}
          >
            Close <kbd>Esc</kbd>
          </button>
        </div>
      </div>
      {pending && (
        <p className="conn-pending" role="status">
          {pending}
        </p>
      )}
      {error && (
        <p className="conn-error" role="alert" data-testid="connection-error">
          {error}
        </p>
      )}
      {status.state !== 'connected' && (
        <p className={`conn-why-box level-${info.level}`} data-testid="connection-details-why">
          {stateText(status)}
        </p>
      )}
      {waitsForCertificate(details) && cert && (
        <p className="conn-hint">
          The connection waits for a decision on the server certificate.{' '}
          <button type="button" onClick={() => onReviewCertificate(cert.thumbprint)}>
            Review the certificate
          </button>
        </p>
      )}
      {details.warnings.length > 0 && (
        <ul className="conn-warnings" aria-label="Warnings">
          {details.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}

      <dl className="conn-facts">
        <dt>Endpoint</dt>
        <dd className="mono">{status.endpointUrl}</dd>
        <dt>Security</dt>
        <dd>{securityLabel(details.security)}</dd>
        <dt>Identity</dt>
        <dd>{details.identity}</dd>
        <dt>Server certificate</dt>
        <dd>
          {cert ? (
            <>
              {cert.subject} — <span className="mono">{groupThumbprint(cert.thumbprint)}</span> — valid{' '}
              {day(cert.notBefore)} to {day(cert.notAfter)} —{' '}
              {TRUST_LABEL[cert.state as keyof typeof TRUST_LABEL] ?? cert.state}
            </>
          ) : (
            'none (not secured)'
          )}
        </dd>
        <dt>Values</dt>
        <dd>
          {formatCount(status.valuesReceived)} received; {formatCount(details.valuesBackfilled)} backfilled;{' '}
          {formatCount(details.duplicatesDropped)} duplicates dropped; server queue overflows{' '}
          {formatCount(details.serverQueueOverflows)}
        </dd>
        <dt>Monitored items</dt>
        <dd>
          {formatCount(details.monitoredItems)} in {details.subscriptions.length} subscription
          {details.subscriptions.length === 1 ? '' : 's'} ({details.createCalls} create call
          {details.createCalls === 1 ? '' : 's'})
        </dd>
        <dt>Equipment alarms</dt>
        <dd>
          {details.alarms.enabled
            ? `${details.alarms.conditions} condition${details.alarms.conditions === 1 ? '' : 's'}${details.alarms.lastEventAt ? `, last event ${timeOfDay(details.alarms.lastEventAt)}` : ''}${details.alarms.error ? ` — ${details.alarms.error}` : ''}`
            : 'off'}
        </dd>
        <dt>Writes</dt>
        <dd>{details.writesAllowed ? 'allowed' : 'not allowed'}</dd>
        <dt>Last connect</dt>
        <dd>
          connect {formatSpan(details.timings.connectMs)}, discover {formatSpan(details.timings.discoverMs)},
          inspect {formatSpan(details.timings.inspectMs)}, subscribe {formatSpan(details.timings.subscribeMs)}
        </dd>
      </dl>

      {details.subscriptions.length > 0 && (
        <section className="conn-section" aria-labelledby="subs-title">
          <h4 id="subs-title">Subscriptions</h4>
          <table className="conn-table">
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Items</th>
                <th scope="col">Publishing interval</th>
                <th scope="col">Keep-alive</th>
              </tr>
            </thead>
            <tbody>
              {details.subscriptions.map((s) => (
                <tr key={s.subscriptionId}>
                  <td className="mono">{s.subscriptionId}</td>
                  <td className="conn-num">{formatCount(s.items)}</td>
                  <td className="conn-num">{formatSpan(s.publishingIntervalMs)}</td>
                  <td className="conn-num">{formatSpan(s.keepAliveMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {details.tagErrors.length > 0 && (
        <section className="conn-section" aria-labelledby="tag-errors-title">
          <h4 id="tag-errors-title">Tags that cannot be monitored ({details.tagErrors.length})</h4>
          <table className="conn-table">
            <thead>
              <tr>
                <th scope="col">Tag</th>
                <th scope="col">Node</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {details.tagErrors.map((t) => (
                <tr key={t.tagId}>
                  <td className="mono">{t.tagId}</td>
                  <td className="mono">{t.nodeId}</td>
                  <td>{t.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {details.stalls.length > 0 && (
        <section className="conn-section" aria-labelledby="stalls-title">
          <h4 id="stalls-title">Stalled subscriptions ({details.stalls.length})</h4>
          <ul className="conn-list">
            {details.stalls.map((s) => (
              <li key={`${s.at}-${s.subscription}`}>
                {timeOfDay(s.at)}: subscription {s.subscription} silent for {formatSpan(s.silentForMs)}
              </li>
            ))}
          </ul>
        </section>
      )}

      <DataGaps connectionId={id} />
    </section>
  );
}
