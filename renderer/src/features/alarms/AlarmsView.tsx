import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useAppState } from '../../app/AppContext';
import { AlarmActions } from './AlarmActions';
import { AlarmFilters } from './AlarmFilters';
import { AlarmJournal } from './AlarmJournal';
import { AlarmKpis } from './AlarmKpis';
import { AlarmTable } from './AlarmTable';
import {
  actionTargets,
  assetLabel,
  assetNames,
  assetScope,
  buildAlarmTable,
  tabbableRow,
  type AlarmFormKind,
} from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';
import './alarms.css';

/** The journal follows the row focus; wait for the arrow keys to rest before asking the core. */
const JOURNAL_DEBOUNCE_MS = 150;

/** The alarm queue: filters, flood banner, actions, the table, the focused alarm's journal, KPIs. */
export function AlarmsView() {
  const store = useAlarmsStore();
  const alarms = useAlarms((s) => s.alarms);
  const flood = useAlarms((s) => s.flood);
  const feed = useAlarms((s) => s.feed);
  const filters = useAlarms((s) => s.filters);
  const sort = useAlarms((s) => s.sort);
  const focusedId = useAlarms((s) => s.focusedId);
  const selected = useAlarms((s) => s.selected);
  const assets = useAppState((s) => s.assets.data);
  const treeSelection = useAppState((s) => s.selectedAssetId);
  const gridRef = useRef<HTMLTableElement>(null);

  const names = useMemo(() => assetNames(assets), [assets]);
  const scope = useMemo(
    () => assetScope(filters.asset, treeSelection, assets),
    [filters.asset, treeSelection, assets],
  );
  const table = useMemo(
    () => buildAlarmTable(alarms, flood, filters, sort, scope, names),
    [alarms, flood, filters, sort, scope, names],
  );
  const targets = useMemo(
    () => actionTargets(table.order, selected, focusedId),
    [table.order, selected, focusedId],
  );
  const current = tabbableRow(table.order, focusedId);
  const currentAlarm = current === null ? null : (alarms[current] ?? null);
  const currentChange = currentAlarm?.lastChangeAt ?? null;

  useEffect(() => {
    const timer = setTimeout(() => void store.getState().loadJournal(current), JOURNAL_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [store, current, currentChange]);

  const focusGrid = useCallback(() => {
    gridRef.current?.querySelector<HTMLElement>('tbody tr[tabindex="0"]')?.focus();
  }, []);

  const openForm = useCallback(
    (kind: AlarmFormKind) => store.getState().openForm(kind, targets),
    [store, targets],
  );

  const floodFirst = flood?.firstOutAlarmId ? alarms[flood.firstOutAlarmId] : undefined;

  return (
    <section className="alarms-view" aria-labelledby="alarms-title" data-testid="alarms-view">
      <div className="alarms-header">
        <h2 className="panel-title" id="alarms-title">
          Alarm queue
        </h2>
        <FeedBadge state={feed.state} />
        {feed.error && <span className="alarms-feed-error">{feed.error}</span>}
        {feed.state === 'error' && (
          <button type="button" onClick={() => store.getState().retryFeed()}>
            Reconnect
          </button>
        )}
      </div>

      <AlarmFilters
        alarms={alarms}
        names={names}
        treeSelection={treeSelection}
        shown={table.order.length}
        total={table.total}
      />

      {table.flood && flood && (
        <div className="flood-banner" role="alert" data-testid="flood-banner">
          <strong>Alarm flood</strong>
          <span>
            {flood.rateInWindow} alarms in {Math.round(flood.windowMs / 60_000)} min
            {flood.startedAt !== null &&
              ` since ${new Date(flood.startedAt).toLocaleTimeString(undefined, { hour12: false })}`}
            . Grouped by asset, first out first.
          </span>
          {floodFirst && (
            <span>
              First out: <strong>{floodFirst.message}</strong> ({assetLabel(floodFirst.assetId, names)})
            </span>
          )}
        </div>
      )}

      <AlarmActions targets={targets} alarms={alarms} onOpenForm={openForm} onDone={focusGrid} />

      <div className="alarms-body">
        <div className="alarm-grid-wrap">
          {feed.state === 'connecting' && table.total === 0 ? (
            <p className="panel-message" role="status">
              Loading alarms…
            </p>
          ) : table.total === 0 ? (
            <p className="panel-message" data-testid="alarms-empty">
              No alarms: every alarm is in the normal state.
            </p>
          ) : table.order.length === 0 ? (
            <p className="panel-message">No alarm matches the filters.</p>
          ) : (
            <AlarmTable table={table} names={names} gridRef={gridRef} onOpenForm={openForm} />
          )}
        </div>
        <AlarmJournal alarm={currentAlarm} />
      </div>

      <AlarmKpis names={names} />
    </section>
  );
}

const FEED_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  stale: 'Link lost: the list may be out of date',
  error: 'Stopped',
} as const;

function FeedBadge({ state }: { state: keyof typeof FEED_TEXT }) {
  return (
    <span className={`feed-badge feed-${state}`} role="status" data-testid="alarms-feed">
      {FEED_TEXT[state]}
    </span>
  );
}
