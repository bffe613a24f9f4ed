import type { ReactNode } from 'react';
import { formatValue } from '../../charts/format';
import {
  accessText,
  formatCount,
  hasMore,
  PAGE_SIZE,
  progressText,
  shapeText,
  whyNotTrendable,
  type BrowseRow,
  type NodeRow,
} from './browseModel';
import { useBrowse, useBrowseStore } from './context';

/** What the focused row is: a node's attributes, or a list's paging with its actions. */
export function NodeDetails({ row }: { row: BrowseRow | null }) {
  return (
    <section className="browse-details" aria-labelledby="browse-details-title" data-testid="browse-details">
      <h3 className="panel-title" id="browse-details-title">
        Details
      </h3>
      {!row && <p className="panel-message">Move to a node to see its details.</p>}
      {row?.type === 'node' && <NodeAttributes row={row} />}
      {row && row.type !== 'node' && <ListDetails listId={row.listId} />}
    </section>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

function NodeAttributes({ row }: { row: NodeRow }) {
  const store = useBrowseStore();
  const { entry, tag } = row;
  const v = entry.variable;
  const why = v ? whyNotTrendable(v) : null;
  return (
    <>
      <p className="browse-details-name">{entry.displayName}</p>
      <dl className="browse-fields">
        <Field label="Node id" testId="detail-node-id">
          <code>{entry.nodeId}</code>
        </Field>
        {entry.browseName !== entry.displayName && <Field label="Browse name">{entry.browseName}</Field>}
        <Field label="Node class" testId="detail-node-class">
          {entry.nodeClass}
        </Field>
        {v && (
          <>
            <Field label="Data type" testId="detail-data-type">
              {v.dataType}
            </Field>
            <Field label="Shape" testId="detail-shape">
              {shapeText(v)}
            </Field>
            <Field label="Unit" testId="detail-unit">
              {v.unit || <span className="browse-dim">none given</span>}
            </Field>
            <Field label="EU range" testId="detail-range">
              {v.range ? (
                `${formatValue(v.range.low)} to ${formatValue(v.range.high)}${v.unit ? ` ${v.unit}` : ''}`
              ) : (
                <span className="browse-dim">none given</span>
              )}
            </Field>
            <Field label="Access" testId="detail-access">
              {accessText(v)}
            </Field>
            <Field label="Historizing" testId="detail-historizing">
              {v.historizing ? 'yes: the server keeps its history' : 'no'}
            </Field>
            <Field label="Description" testId="detail-description">
              {v.description || <span className="browse-dim">none</span>}
            </Field>
            <Field label="Can be trended" testId="detail-trendable">
              {v.trendable ? 'yes' : <span className="browse-why">no. {why}</span>}
            </Field>
          </>
        )}
        {!v && entry.hasChildren && (
          <Field label="Children">open it to list them (Right arrow or Enter)</Field>
        )}
        {tag && (
          <Field label="Configured as" testId="detail-tag">
            tag <code>{tag.id}</code> ({tag.name})
          </Field>
        )}
      </dl>
      {v?.trendable && (
        <p className="browse-hint">
          {row.selected ? 'Selected. ' : ''}Space {row.selected ? 'removes it from' : 'adds it to'} the
          selection.
          {tag ? ' It is a tag already: adding it again is refused.' : ''}
        </p>
      )}
      {v?.trendable && (
        <button type="button" onClick={() => store.getState().toggle(row.key)}>
          {row.selected ? 'Unselect' : 'Select'}
        </button>
      )}
    </>
  );
}

function ListDetails({ listId }: { listId: string }) {
  const store = useBrowseStore();
  const list = useBrowse((s) => s.lists[listId]);
  if (!list) return null;
  const left = (list.total ?? 0) - list.fetched;
  return (
    <>
      <p className="browse-details-name">
        Children of <code>{listId}</code>
      </p>
      {list.total !== null && <p>{progressText(list)}</p>}
      {list.status === 'error' && (
        <p className="browse-error" role="alert">
          {list.error}
        </p>
      )}
      <div className="browse-buttons">
        {(hasMore(list) || list.status === 'error') && !list.loadingAll && (
          <button
            type="button"
            disabled={list.status === 'loading'}
            onClick={() => void store.getState().loadMore(listId)}
          >
            {list.status === 'error' ? 'Retry' : `Load ${formatCount(Math.min(PAGE_SIZE, left))} more`}
          </button>
        )}
        {hasMore(list) && !list.loadingAll && (
          <button type="button" onClick={() => void store.getState().loadAll(listId)}>
            Load all {formatCount(list.total ?? 0)}
          </button>
        )}
        {list.loadingAll && (
          <button type="button" onClick={() => store.getState().stopLoadAll(listId)}>
            Stop loading
          </button>
        )}
      </div>
    </>
  );
}
