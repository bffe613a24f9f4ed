import { useCallback, useRef } from 'react';
import { formatCount, type ConnectionDetails } from './connectionModel';
import { useConnections, useConnectionsStore } from './context';
import { useDialog } from './useDialog';

/** Asks before removing a connection, and says what stays: the history it recorded. */
export function RemoveConfirm({ details }: { details: ConnectionDetails }) {
  const store = useConnectionsStore();
  const id = details.status.id;
  const pending = useConnections((s) => s.pending[id]);
  const error = useConnections((s) => s.errors[id]);
  const ref = useRef<HTMLDivElement>(null);
  const cancel = useCallback(() => store.getState().cancelRemove(), [store]);
  // Focus starts on Cancel: Enter right after opening must not remove anything.
  const onKeyDown = useDialog(ref, cancel, '[data-cancel]');
  return (
    <div className="conn-overlay">
      <div
        ref={ref}
        className="conn-dialog conn-confirm"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="remove-title"
        aria-describedby="remove-text"
        onKeyDown={onKeyDown}
        data-testid="remove-confirm"
      >
        <h3 id="remove-title">Remove “{details.name}”?</h3>
        <p id="remove-text">
          Vigil disconnects from <span className="mono">{details.status.endpointUrl}</span>, stops collecting
          its {formatCount(details.status.tagCount)} tag{details.status.tagCount === 1 ? '' : 's'} and removes
          the connection and its tag model from the configuration file.{' '}
          <strong>The history already recorded stays in the historian</strong> and can still be viewed and
          exported.
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="conn-dialog-buttons">
          <button
            type="button"
            className="danger"
            disabled={!!pending}
            onClick={() => void store.getState().remove(id)}
            data-testid="confirm-remove"
          >
            {pending ?? 'Remove connection'}
          </button>
          <button type="button" onClick={cancel} data-cancel="">
            Cancel <kbd>Esc</kbd>
          </button>
        </div>
      </div>
    </div>
  );
}
