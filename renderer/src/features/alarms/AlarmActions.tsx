import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { AlarmView, ShelveMode } from '../../../../shared/alarms';
import type { AlarmForm } from '../../store/alarmsStore';
import { ACTION_KEYS, type AlarmFormKind } from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';

const BUTTONS: { kind: AlarmFormKind; label: string }[] = [
  { kind: 'acknowledge', label: 'Acknowledge' },
  { kind: 'shelve', label: 'Shelve' },
  { kind: 'unshelve', label: 'Unshelve' },
  { kind: 'comment', label: 'Comment' },
  { kind: 'reset', label: 'Reset' },
];

/** Common shelving times; any whole number of minutes can be typed. */
const SHELVE_PRESETS = [15, 30, 60, 120, 240, 480];

interface AlarmActionsProps {
  /** Alarms the buttons act on (selection, else the focused row). */
  targets: readonly string[];
  alarms: Readonly<Record<string, AlarmView>>;
  onOpenForm: (kind: AlarmFormKind) => void;
  /** Called when a form closes: focus goes back to the queue. */
  onDone: () => void;
}

/** The action buttons (with their keys), the open form, and what the core answered. */
export function AlarmActions({ targets, alarms, onOpenForm, onDone }: AlarmActionsProps) {
  const form = useAlarms((s) => s.form);
  const action = useAlarms((s) => s.action);

  return (
    <div className="alarm-actions">
      <div className="alarm-buttons" role="toolbar" aria-label="Alarm actions">
        {BUTTONS.map((b) => (
          <button
            key={b.kind}
            type="button"
            aria-keyshortcuts={ACTION_KEYS[b.kind]}
            onClick={() => onOpenForm(b.kind)}
            disabled={action.busy}
          >
            {b.label} <kbd>{ACTION_KEYS[b.kind]}</kbd>
          </button>
        ))}
        <span className="alarm-target-count" aria-live="polite">
          {targets.length === 0
            ? 'No alarm selected'
            : targets.length === 1
              ? `1 alarm: ${alarms[targets[0]!]?.name ?? targets[0]}`
              : `${targets.length} alarms selected`}
        </span>
      </div>
      {form && (
        <ActionForm
          key={`${form.kind}:${form.targets.join('|')}`}
          form={form}
          alarms={alarms}
          onDone={onDone}
        />
      )}
      {action.error && (
        <p className="alarm-action-error" role="alert" data-testid="alarm-action-error">
          {action.error}
        </p>
      )}
      {action.notice && !action.error && (
        <p className="alarm-action-notice" role="status">
          {action.notice}
        </p>
      )}
    </div>
  );
}

const TITLES: Record<AlarmFormKind, string> = {
  acknowledge: 'Acknowledge',
  shelve: 'Shelve',
  unshelve: 'Unshelve',
  comment: 'Comment on',
  reset: 'Reset',
};

function ActionForm({
  form,
  alarms,
  onDone,
}: {
  form: AlarmForm;
  alarms: Readonly<Record<string, AlarmView>>;
  onDone: () => void;
}) {
  const store = useAlarmsStore();
  const busy = useAlarms((s) => s.action.busy);
  const [text, setText] = useState('');
  const [mode, setMode] = useState<ShelveMode>('timed');
  const [minutes, setMinutes] = useState('30');

  const close = () => {
    store.getState().closeForm();
    onDone();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const s = store.getState();
    const ids = form.targets;
    let ok: boolean;
    switch (form.kind) {
      case 'acknowledge':
        ok = await s.acknowledge(ids, text);
        break;
      case 'shelve':
        ok = await s.shelve(ids, {
          mode,
          durationMinutes: mode === 'timed' ? Number(minutes) : undefined,
          reason: text,
        });
        break;
      case 'comment':
        ok = await s.comment(ids, text);
        break;
      case 'reset':
        ok = await s.reset(ids, text);
        break;
      case 'unshelve':
        ok = await s.unshelve(ids, text);
        break;
    }
    if (ok) onDone();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  const names = form.targets.map((id) => alarms[id]?.message ?? id);
  const textLabel: Record<AlarmFormKind, ReactNode> = {
    acknowledge: 'Comment (optional)',
    shelve: (
      <>
        Reason <strong>(required)</strong>
      </>
    ),
    comment: 'Comment',
    reset: 'Comment (optional)',
    unshelve: 'Comment (optional)',
  };

  return (
    <form
      className="alarm-form"
      aria-label={`${TITLES[form.kind]} alarms`}
      onSubmit={(e) => void submit(e)}
      onKeyDown={onKeyDown}
      data-testid={`alarm-form-${form.kind}`}
    >
      <p className="alarm-form-title">
        <strong>
          {TITLES[form.kind]} {form.targets.length === 1 ? '1 alarm' : `${form.targets.length} alarms`}:
        </strong>{' '}
        <span className="alarm-form-targets">{names.join('; ')}</span>
      </p>
      {form.kind === 'shelve' && (
        <fieldset className="shelve-mode">
          <legend>Shelve</legend>
          <label>
            <input
              type="radio"
              name="shelve-mode"
              value="timed"
              checked={mode === 'timed'}
              onChange={() => setMode('timed')}
            />
            for
          </label>
          <input
            type="number"
            className="shelve-minutes"
            aria-label="Minutes"
            min={1}
            step={1}
            list="shelve-presets"
            value={minutes}
            disabled={mode !== 'timed'}
            onChange={(e) => setMinutes(e.target.value)}
          />
          <datalist id="shelve-presets">
            {SHELVE_PRESETS.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <span>min</span>
          <label>
            <input
              type="radio"
              name="shelve-mode"
              value="one_shot"
              checked={mode === 'one_shot'}
              onChange={() => setMode('one_shot')}
            />
            one-shot (until it returns to normal)
          </label>
        </fieldset>
      )}
      <label className="alarm-form-text">
        <span>{textLabel[form.kind]}</span>
        <input
          type="text"
          value={text}
          maxLength={form.kind === 'shelve' ? 1000 : 2000}
          onChange={(e) => setText(e.target.value)}
          // The form opens from a key press: typing goes straight into it.
          autoFocus
          data-testid="alarm-form-text"
        />
      </label>
      <div className="alarm-form-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Working…' : TITLES[form.kind].replace(' on', '')}
        </button>
        <button type="button" onClick={close}>
          Cancel <kbd>Esc</kbd>
        </button>
      </div>
    </form>
  );
}
