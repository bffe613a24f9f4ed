import { AddTagsForm } from './AddTagsForm';
import { formatCount } from './browseModel';
import { useBrowse, useBrowseStore } from './context';

/** The variables picked so far, the "Add N tags" button and form, and what the core answered. */
export function SelectionPane({ configured }: { configured: boolean | null }) {
  const store = useBrowseStore();
  const selection = useBrowse((s) => s.selection);
  const form = useBrowse((s) => s.form);
  const adding = useBrowse((s) => s.adding);
  const picked = [...selection.values()];
  const count = picked.length;
  const label = count === 0 ? 'Add tags' : count === 1 ? 'Add 1 tag' : `Add ${formatCount(count)} tags`;

  return (
    <section
      className="browse-selection"
      aria-labelledby="browse-selection-title"
      data-testid="browse-selection"
    >
      <h3 className="panel-title" id="browse-selection-title">
        Selected variables ({formatCount(count)})
      </h3>
      {adding.notice && (
        <p className="browse-notice" role="status" data-testid="browse-added">
          {adding.notice}
        </p>
      )}
      {count === 0 ? (
        <p className="panel-message">Pick variables in the tree with Space (or their check box).</p>
      ) : (
        <ul className="browse-picked" aria-label="Selected variables">
          {picked.map((p) => (
            <li key={p.nodeId}>
              <span className="browse-picked-name">
                {p.parentName ? <span className="browse-dim">{p.parentName} › </span> : null}
                {p.displayName}
              </span>
              <button
                type="button"
                className="browse-unpick"
                aria-label={`Unselect ${p.displayName}`}
                onClick={() => store.getState().unselect(p.nodeId)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {configured === false && (
        <p className="panel-note warning">
          This connection is not in the configuration file (the built-in simulator’s is not), so the core
          cannot save tags for it. Add the server as a connection of its own to add tags.
        </p>
      )}
      {!form && (
        <div className="browse-buttons">
          <button
            type="button"
            className="primary"
            disabled={count === 0}
            onClick={() => store.getState().openForm()}
            data-testid="browse-add-open"
          >
            {label}…
          </button>
          {count > 0 && (
            <button type="button" onClick={() => store.getState().clearSelection()}>
              Clear selection
            </button>
          )}
        </div>
      )}
      {form && <AddTagsForm values={form} />}
    </section>
  );
}
