import type { AlarmTransition, AlarmView } from '../../../../shared/alarms';
import { STATE_INFO, formatAlarmNumber } from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';

const TRANSITION_LABEL: Record<AlarmTransition, string> = {
  activate: 'Activated',
  return: 'Returned to normal',
  acknowledge: 'Acknowledged',
  reset: 'Reset',
  shelve: 'Shelved',
  unshelve: 'Unshelved',
  suppress: 'Suppressed',
  unsuppress: 'Unsuppressed',
  out_of_service: 'Out of service',
  return_to_service: 'Returned to service',
  comment: 'Comment',
  ack_requested: 'Ack requested',
  ack_failed: 'Ack failed',
  definition_changed: 'Definition changed',
  definition_removed: 'Definition removed',
};

function stamp(ms: number): string {
  const d = new Date(ms);
  const day = d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return `${day} ${d.toLocaleTimeString(undefined, { hour12: false })}`;
}

/** Every transition of the focused alarm: who, when, what, why (queryAlarmJournal, newest first). */
export function AlarmJournal({ alarm }: { alarm: AlarmView | null }) {
  const store = useAlarmsStore();
  const journal = useAlarms((s) => s.journal);

  let body;
  if (!alarm) body = <p className="panel-message">Focus an alarm to see its journal.</p>;
  else if (journal.status === 'error' && journal.alarmId === alarm.id)
    body = (
      <div className="panel-message error" role="alert">
        <p>Cannot load the journal: {journal.error}</p>
        <button type="button" onClick={() => void store.getState().loadJournal(alarm.id)}>
          Retry
        </button>
      </div>
    );
  else if (journal.alarmId !== alarm.id || (journal.status === 'loading' && !journal.entries.length))
    body = (
      <p className="panel-message" role="status">
        Loading the journal…
      </p>
    );
  else if (!journal.entries.length) body = <p className="panel-message">No journal entries yet.</p>;
  else
    body = (
      <ol className="journal-list" data-testid="alarm-journal">
        {journal.entries.map((e) => (
          <li key={e.seq} className={`journal-entry tr-${e.transition}`}>
            <div className="journal-head">
              <span className="journal-what">{TRANSITION_LABEL[e.transition]}</span>
              <time dateTime={new Date(e.at).toISOString()}>{stamp(e.at)}</time>
            </div>
            <div className="journal-meta">
              <span className="journal-user">{e.user}</span>
              {e.fromState !== e.toState && (
                <span>
                  {STATE_INFO[e.fromState].short} → {STATE_INFO[e.toState].short}
                </span>
              )}
              {e.value !== null && <span>value {formatAlarmNumber(e.value)}</span>}
            </div>
            {e.comment && <p className="journal-comment">{e.comment}</p>}
          </li>
        ))}
      </ol>
    );

  return (
    <section className="alarm-journal" aria-labelledby="alarm-journal-title">
      <h3 className="panel-title" id="alarm-journal-title">
        Journal{alarm ? `: ${alarm.name}` : ''}
      </h3>
      {body}
    </section>
  );
}
