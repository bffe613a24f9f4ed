import { useCallback, useRef } from 'react';
import { BrowsePanel } from '../browse/BrowsePanel';
import { useConnectionsStore } from './context';
import { useDialog } from './useDialog';

/** The browse-and-add-tags panel of one configured connection, as a side sheet over the view. */
export function BrowseSheet({ connectionId, name }: { connectionId: string; name: string }) {
  const store = useConnectionsStore();
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => store.getState().closeBrowse(), [store]);
  const onKeyDown = useDialog(ref, close);
  return (
    <div className="conn-overlay conn-overlay-side">
      <div
        ref={ref}
        className="conn-sheet"
        role="dialog"
        aria-modal="true"
        aria-label={`Browse ${name} and add tags`}
        onKeyDown={onKeyDown}
        data-testid="browse-sheet"
      >
        <BrowsePanel connectionId={connectionId} connectionName={name} onClose={close} />
      </div>
    </div>
  );
}
