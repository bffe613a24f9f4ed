import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { Recommendation, RejectionLabel } from '../../../../shared/maintenance';
import type { DecisionFormKind } from '../../store/decisionsStore';
import { assetLabel } from '../alarms/alarmModel';
import { useDecisions, useDecisionsStore } from './context';
import {
  KIND_LABEL,
  REJECTION_LABELS,
  URGENCY_LABEL,
  dueIn,
  formatDateTime,
  formatScore,
  fromLocalInput,
  toLocalInput,
} from './decisionModel';

const DEFAULT_DEFER_MS = 7 * 86_400_000;

interface Props {
  recommendation: Recommendation;
  names: ReadonlyMap<string, string>;
  now: number;
}

/** One recommendation: what was found, the evidence, and the decision buttons with their forms. */
export function RecommendationCard({ recommendation: r, names, now }: Props) {
  const store = useDecisionsStore();
  const form = useDecisions((s) => (s.form?.id === r.id ? s.form.kind : null));
  const pending = useDecisions((s) => s.pending[r.id] ?? null);
  const error = useDecisions((s) => s.errors[r.id] ?? null);
  const due = dueIn(r.dueDate, now);
  const open = r.status === 'proposed' || r.status === 'deferred';
  const titleId = `rec-${r.id}-title`;

  return (
    <article
      className={`rec-card urgency-${r.urgency}`}
      aria-labelledby={titleId}
      data-testid="recommendation"
      data-id={r.id}
    >
      <header className="rec-head">
        <span className={`urgency urgency-${r.urgency}`}>{URGENCY_LABEL[r.urgency]}</span>
        <h4 className="rec-title" id={titleId}>
          {assetLabel(r.assetId, names)}: {KIND_LABEL[r.kind]}
        </h4>
        <span
          className={`rec-due${due.overdue ? ' overdue' : ''}`}
          title={`Due ${formatDateTime(r.dueDate)}`}
        >
          Due {formatDateTime(r.dueDate)} ({due.text})
        </span>
      </header>
      <p className="rec-finding">{r.finding}</p>
      <p className="rec-action">
        <span className="rec-label">Suggested action</span> {r.suggestedAction}
      </p>
      <details className="rec-evidence">
        <summary>
          Evidence: {r.evidence.scores.length} score{r.evidence.scores.length === 1 ? '' : 's'},{' '}
          {r.evidence.tags.length} tag{r.evidence.tags.length === 1 ? '' : 's'},{' '}
          {r.evidence.models.map((m) => `${m.id} v${m.version}`).join(', ') || 'no model'}
        </summary>
        <dl className="rec-evidence-list">
          <dt>Scores</dt>
          <dd>
            <ul>
              {r.evidence.scores.map((s) => (
                <li key={`${s.name}:${s.tagId}`}>
                  {s.name} = <span className="mono">{formatScore(s.value)}</span>{' '}
                  <span className="dim">at {formatDateTime(s.at)}</span>
                </li>
              ))}
            </ul>
          </dd>
          <dt>Tags</dt>
          <dd className="mono">{r.evidence.tags.join(', ')}</dd>
          <dt>Models</dt>
          <dd>
            {r.evidence.models.map((m) => (
              <span key={`${m.id}@${m.version}`} className="rec-model">
                {m.id} <span className="dim">version {m.version}</span>
              </span>
            ))}
          </dd>
          {r.evidence.relatedAlarms.length > 0 && (
            <>
              <dt>Alarms at the time</dt>
              <dd>{r.evidence.relatedAlarms.map((a) => a.alarmId).join(', ')}</dd>
            </>
          )}
          <dt>Correlation id</dt>
          <dd className="mono">{r.correlationId}</dd>
        </dl>
      </details>
      {r.status === 'deferred' && r.decision?.deferredUntil != null && (
        <p className="rec-note">
          Deferred by {r.decision.by} until {formatDateTime(r.decision.deferredUntil)}
          {r.decision.comment ? `: ${r.decision.comment}` : ''}
        </p>
      )}
      {(r.status === 'approved' || r.status === 'rejected') && r.decision && (
        <p className="rec-note">
          {r.status === 'approved' ? 'Approved' : 'Rejected'} by {r.decision.by} on{' '}
          {formatDateTime(r.decision.at)}
          {r.decision.label ? ` (${REJECTION_LABELS[r.decision.label]})` : ''}
          {r.decision.comment ? `: ${r.decision.comment}` : ''}
          {r.workOrderId ? ` — work order ${r.workOrderId}` : ''}
        </p>
      )}
      {open && (
        <div className="rec-buttons">
          {(['approve', 'reject', 'defer'] as const).map((kind) => (
            <button
              key={kind}
              type="button"
              className={form === kind ? 'primary' : undefined}
              aria-expanded={form === kind}
              disabled={pending !== null}
              onClick={() =>
                form === kind ? store.getState().closeForm() : store.getState().openForm(r.id, kind)
              }
            >
              {kind === 'approve' ? 'Approve…' : kind === 'reject' ? 'Reject…' : 'Defer…'}
            </button>
          ))}
        </div>
      )}
      {open && form && (
        <DecisionForm key={form} kind={form} recommendation={r} now={now} busy={pending !== null} />
      )}
      {error && (
        <p className="decision-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

function DecisionForm({
  kind,
  recommendation: r,
  now,
  busy,
}: {
  kind: DecisionFormKind;
  recommendation: Recommendation;
  now: number;
  busy: boolean;
}) {
  const store = useDecisionsStore();
  const [text, setText] = useState('');
  const [label, setLabel] = useState<RejectionLabel>('false_alarm');
  const [initialWhen] = useState(() => toLocalInput(kind === 'defer' ? now + DEFAULT_DEFER_MS : r.dueDate));
  const [when, setWhen] = useState(initialWhen);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const s = store.getState();
    if (kind === 'approve')
      // The due date is sent only when changed: an overdue recommendation keeps its date.
      void s.approve(r.id, {
        comment: text,
        dueDate: when === initialWhen ? undefined : fromLocalInput(when),
      });
    else if (kind === 'reject') void s.reject(r.id, { reason: text, label });
    else void s.defer(r.id, { until: fromLocalInput(when), comment: text });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    store.getState().closeForm();
  };

  return (
    <form
      className="decision-form"
      aria-label={`${kind} recommendation`}
      onSubmit={submit}
      onKeyDown={onKeyDown}
      data-testid={`decision-form-${kind}`}
    >
      {kind === 'reject' && (
        <label>
          <span>Label</span>
          <select value={label} onChange={(e) => setLabel(e.target.value as RejectionLabel)}>
            {(Object.keys(REJECTION_LABELS) as RejectionLabel[]).map((l) => (
              <option key={l} value={l}>
                {REJECTION_LABELS[l]}
              </option>
            ))}
          </select>
        </label>
      )}
      {kind !== 'reject' && (
        <label>
          <span>{kind === 'approve' ? 'Due' : 'Defer until'}</span>
          <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} required />
        </label>
      )}
      <label className="decision-form-text">
        <span>
          {kind === 'reject' ? (
            <>
              Reason <strong>(required)</strong>
            </>
          ) : (
            'Comment (optional)'
          )}
        </span>
        <input
          type="text"
          value={text}
          maxLength={2000}
          onChange={(e) => setText(e.target.value)}
          autoFocus
          data-testid="decision-form-text"
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Working…' : kind === 'approve' ? 'Approve' : kind === 'reject' ? 'Reject' : 'Defer'}
      </button>
      <button type="button" onClick={() => store.getState().closeForm()}>
        Cancel
      </button>
    </form>
  );
}
