import { rowWith, useRovingFocus } from '../../app/useRovingFocus';
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';
import type { AlarmView } from '../../../../shared/alarms';
import {
  PRIORITY_LABEL,
  STATE_INFO,
  assetLabel,
  formatDuration,
  tabbableRow,
  tableKeyAction,
  valueVsLimit,
  type AlarmFormKind,
  type AlarmSortKey,
  type AlarmTable as AlarmTableModel,
} from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';
import { useNow } from './useNow';

const COLUMNS: { key: AlarmSortKey | null; label: string; className: string }[] = [
  { key: null, label: 'Selected', className: 'col-select' },
  { key: 'priority', label: 'Priority', className: 'col-priority' },
  { key: 'state', label: 'State', className: 'col-state' },
  { key: 'asset', label: 'Asset', className: 'col-asset' },
  { key: 'message', label: 'Message', className: 'col-message' },
  { key: 'value', label: 'Value / limit', className: 'col-value' },
  { key: 'active', label: 'Active for', className: 'col-active' },
  { key: null, label: 'Suggested action', className: 'col-action' },
];

function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

interface AlarmTableProps {
  table: AlarmTableModel;
  names: ReadonlyMap<string, string>;
  gridRef: RefObject<HTMLTableElement | null>;
  onOpenForm: (kind: AlarmFormKind) => void;
}

/**
 * The alarm queue as a WAI-ARIA grid with one tabbable row (roving tabindex). Arrow keys move the
 * row focus, Space selects, the action letters open their form (see tableKeyAction).
 */
export function AlarmTable({ table, names, gridRef, onOpenForm }: AlarmTableProps) {
  const store = useAlarmsStore();
  const focusedId = useAlarms((s) => s.focusedId);
  const selected = useAlarms((s) => s.selected);
  const sort = useAlarms((s) => s.sort);
  const now = useNow(1000);
  const tabId = tabbableRow(table.order, focusedId);

  // Where the focused row was: when it leaves the queue (acknowledged back to normal), the focus
  // goes to the row that took its place rather than jumping to the top.
  const lastIndex = useRef(-1);
  useEffect(() => {
    const at = focusedId === null ? -1 : table.order.indexOf(focusedId);
    if (at >= 0) {
      lastIndex.current = at;
      return;
    }
    if (focusedId === null || lastIndex.current < 0 || !table.order.length) return;
    const next = table.order[Math.min(lastIndex.current, table.order.length - 1)]!;
    store.getState().focus(next);
  }, [focusedId, table.order, store]);

  // DOM focus follows the row focus while the grid has it.
  const focusHandlers = useRovingFocus(gridRef, rowWith('data-id', tabId));

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    if ((event.target as HTMLElement).closest('thead')) return; // the sort buttons keep their keys
    const action = tableKeyAction(table.order, focusedId, event.key, {
      ctrl: event.ctrlKey,
      alt: event.altKey,
      meta: event.metaKey,
      shift: event.shiftKey,
    });
    if (!action) return;
    event.preventDefault();
    const s = store.getState();
    if (action.focus) s.focus(action.focus);
    if (action.toggle) s.toggleSelected(action.toggle);
    if (action.clearSelection) s.clearSelection();
    if (action.selectAll) s.setSelection(table.order);
    if (action.open) onOpenForm(action.open);
  };

  const row = (alarm: AlarmView) => {
    const info = STATE_INFO[alarm.state];
    const isSelected = selected.has(alarm.id);
    return (
      <tr
        key={alarm.id}
        data-id={alarm.id}
        data-state={alarm.state}
        data-testid="alarm-row"
        className={`alarm-row st-${alarm.state}${isSelected ? ' selected' : ''}${alarm.id === focusedId ? ' focused' : ''}`}
        aria-selected={isSelected}
        tabIndex={alarm.id === tabId ? 0 : -1}
        onFocus={() => store.getState().focus(alarm.id)}
        onClick={(e) => {
          if (e.ctrlKey || e.metaKey) store.getState().toggleSelected(alarm.id);
          store.getState().focus(alarm.id);
        }}
      >
        <td className="col-select">
          <span
            className={`row-check${isSelected ? ' on' : ''}`}
            aria-hidden="true"
            onClick={(e) => {
              e.stopPropagation();
              store.getState().toggleSelected(alarm.id);
              store.getState().focus(alarm.id);
            }}
          />
        </td>
        <td className="col-priority">
          <span className={`prio prio-${alarm.priority}`}>{PRIORITY_LABEL[alarm.priority]}</span>
        </td>
        <td className="col-state">
          <span className={`alarm-state st-${alarm.state}`} title={info.long} data-testid="alarm-state">
            {info.short}
          </span>
          {alarm.shelved && (
            <span className="alarm-sub" title={`${alarm.shelved.by}: ${alarm.shelved.reason}`}>
              {alarm.shelved.mode === 'one_shot' ? 'one-shot' : `until ${timeOfDay(alarm.shelved.until)}`}
            </span>
          )}
          {alarm.ackPending && <span className="alarm-sub">ack pending at equipment</span>}
        </td>
        <td className="col-asset" title={alarm.assetId}>
          {assetLabel(alarm.assetId, names)}
        </td>
        <td className="col-message">
          <span className="alarm-message">{alarm.message}</span>
          {alarm.suggestion && (
            <span className="alarm-suggestion" data-testid="alarm-suggestion">
              {alarm.suggestion}
            </span>
          )}
          {alarm.outOfService && (
            <span className="alarm-sub">
              {alarm.outOfService.by}: {alarm.outOfService.reason}
            </span>
          )}
        </td>
        <td className="col-value">{valueVsLimit(alarm)}</td>
        <td className="col-active">
          {formatDuration(alarm.activeSince === null ? null : now - alarm.activeSince)}
        </td>
        <td className="col-action">{alarm.suggestedAction}</td>
      </tr>
    );
  };

  return (
    <table
      className="alarm-grid"
      role="grid"
      aria-label="Alarm queue"
      aria-multiselectable="true"
      aria-rowcount={table.order.length + 1}
      ref={gridRef}
      onKeyDown={onKeyDown}
      {...focusHandlers}
      data-testid="alarm-grid"
    >
      <thead>
        <tr>
          {COLUMNS.map((c) => {
            const sorted = c.key !== null && sort.key === c.key;
            return (
              <th
                key={c.label}
                className={c.className}
                scope="col"
                aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.key === null ? (
                  <span className={c.className === 'col-select' ? 'visually-hidden' : undefined}>
                    {c.label}
                  </span>
                ) : (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => store.getState().sortBy(c.key!)}
                    title={`Sort by ${c.label.toLowerCase()}`}
                  >
                    {c.label}
                    <span className="sort-mark" aria-hidden="true">
                      {sorted ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                    </span>
                  </button>
                )}
              </th>
            );
          })}
        </tr>
      </thead>
      {table.groups.map((group) => (
        <tbody key={group.key}>
          {group.title !== null && (
            <tr className={`group-row${group.firstOut ? ' first-out' : ''}`}>
              <th colSpan={COLUMNS.length} scope="rowgroup">
                {group.title}
                {group.firstAt !== null && (
                  <span className="group-meta"> — first alarm {timeOfDay(group.firstAt)}</span>
                )}
                {group.firstOut && <span className="group-tag">first out</span>}
                <span className="group-meta"> ({group.rows.length})</span>
              </th>
            </tr>
          )}
          {group.rows.map(row)}
        </tbody>
      ))}
    </table>
  );
}
