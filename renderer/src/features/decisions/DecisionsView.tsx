import { useMemo, type KeyboardEvent } from 'react';
import { useAppState } from '../../app/AppContext';
import { assetNames } from '../alarms/alarmModel';
import { useNow } from '../alarms/useNow';
import { useDecisions, useDecisionsStore } from './context';
import { decisionQueue } from './decisionModel';
import { RecommendationCard } from './RecommendationCard';
import { WorkOrders } from './WorkOrders';
import './decisions.css';

/**
 * Up and Down move between the cards of a list (to each card's first button), so a long queue is
 * walked without tabbing through every evidence link.
 */
function onListKeyDown(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const target = event.target as HTMLElement;
  if (target.closest('input, select, textarea')) return;
  const card = target.closest('article');
  const cards = [...event.currentTarget.querySelectorAll<HTMLElement>(':scope > li > article')];
  const next = cards[cards.indexOf(card as HTMLElement) + (event.key === 'ArrowDown' ? 1 : -1)];
  const button = next?.querySelector<HTMLElement>('.rec-buttons button, summary');
  if (!button) return;
  event.preventDefault();
  button.focus();
}

/** The maintenance decision queue: open recommendations, deferred ones, work orders, decided ones. */
export function DecisionsView() {
  const store = useDecisionsStore();
  const status = useDecisions((s) => s.status);
  const error = useDecisions((s) => s.error);
  const streamError = useDecisions((s) => s.streamError);
  const notice = useDecisions((s) => s.notice);
  const recommendations = useDecisions((s) => s.recommendations);
  const assets = useAppState((s) => s.assets.data);
  const names = useMemo(() => assetNames(assets), [assets]);
  const queue = useMemo(() => decisionQueue(recommendations), [recommendations]);
  const now = useNow(30_000);
  const empty = Object.keys(recommendations).length === 0;

  const list = (items: typeof queue.open, testId: string) => (
    <ul className="rec-list" data-testid={testId} onKeyDown={onListKeyDown}>
      {items.map((r) => (
        <li key={r.id}>
          <RecommendationCard recommendation={r} names={names} now={now} />
        </li>
      ))}
    </ul>
  );

  return (
    <section className="decisions-view" aria-labelledby="decisions-title" data-testid="decisions-view">
      <div className="decisions-header">
        <h2 className="panel-title" id="decisions-title">
          Maintenance decisions
        </h2>
        {status === 'loading' && <span role="status">Loading…</span>}
        {notice && (
          <span className="decision-notice" role="status">
            {notice}
          </span>
        )}
      </div>
      {streamError && (
        <p className="panel-note warning" role="alert">
          {streamError} — the lists may be out of date.
        </p>
      )}
      {status === 'error' && (
        <div className="panel-message error" role="alert">
          <p>Cannot load the decision queue: {error}</p>
          <button type="button" onClick={() => void store.getState().load()}>
            Retry
          </button>
        </div>
      )}

      <section aria-labelledby="open-recs-title">
        <h3 id="open-recs-title">Open recommendations ({queue.open.length})</h3>
        {queue.open.length === 0 ? (
          <p className="panel-message" data-testid="decisions-empty">
            {status === 'loading' && empty ? 'Loading…' : 'Nothing waits for a decision.'}
          </p>
        ) : (
          list(queue.open, 'open-recommendations')
        )}
      </section>

      {queue.deferred.length > 0 && (
        <details className="decisions-more">
          <summary>Deferred ({queue.deferred.length})</summary>
          {list(queue.deferred, 'deferred-recommendations')}
        </details>
      )}

      <WorkOrders names={names} now={now} />

      {queue.decided.length > 0 && (
        <details className="decisions-more">
          <summary>Decided ({queue.decided.length})</summary>
          {list(queue.decided, 'decided-recommendations')}
        </details>
      )}
    </section>
  );
}
