import { rowWith, useRovingFocus } from '../../app/useRovingFocus';
import { type KeyboardEvent, type RefObject } from 'react';
import {
  STATE_INFO,
  connectionWhy,
  formatAge,
  formatCount,
  isQuiet,
  listKeyAction,
  securityLabel,
  stateText,
  subscriptionSummary,
  tabbableRow,
  type ConnectionDetails,
} from './connectionModel';
import { useConnections, useConnectionsStore } from './context';

const COLUMNS = [
  'Connection',
  'State',
  'Security',
  'Identity',
  'Tags',
  'Values',
  'Subscriptions',
  'Reconnects',
  'Tag errors',
  'Warnings',
  'Stalls',
];

interface ConnectionListProps {
  list: readonly ConnectionDetails[];
  now: number;
  gridRef: RefObject<HTMLTableElement | null>;
}

/**
 * Every connection as a WAI-ARIA grid with one tabbable row (roving tabindex): arrow keys move,
 * Enter opens the details below.
 */
export function ConnectionList({ list, now, gridRef }: ConnectionListProps) {
  const store = useConnectionsStore();
  const focusedId = useConnections((s) => s.focusedId);
  const openId = useConnections((s) => s.openId);
  const order = list.map((d) => d.status.id);
  const orderKey = order.join('\n');
  const tabId = tabbableRow(order, focusedId);

  // DOM focus follows the row focus while the grid has it (rows coming and going too).
  const focusHandlers = useRovingFocus(gridRef, rowWith('data-id', tabId), orderKey);

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    const action = listKeyAction(order, focusedId, event.key, {
      mods: { ctrl: event.ctrlKey, alt: event.altKey, meta: event.metaKey },
    });
    if (!action || (action.close && openId === null)) return;
    event.preventDefault();
    const s = store.getState();
    if (action.focus) s.focus(action.focus);
    if (action.open) s.openDetails(action.open);
    if (action.close) s.openDetails(null);
  };

  return (
    <table
      className="conn-grid"
      role="grid"
      aria-label="OPC UA connections"
      aria-rowcount={list.length + 1}
      ref={gridRef}
      onKeyDown={onKeyDown}
      {...focusHandlers}
      data-testid="connection-grid"
    >
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {list.map((d) => {
          const { status } = d;
          const info = STATE_INFO[status.state];
          const quiet = isQuiet(status, now);
          const isOpen = status.id === openId;
          return (
            <tr
              key={status.id}
              data-id={status.id}
              data-state={status.state}
              data-testid="connection-row"
              className={`conn-row level-${info.level}${isOpen ? ' open' : ''}`}
              aria-selected={isOpen}
              aria-expanded={isOpen}
              tabIndex={status.id === tabId ? 0 : -1}
              onFocus={() => store.getState().focus(status.id)}
              onClick={() => {
                store.getState().focus(status.id);
                store.getState().openDetails(status.id);
              }}
            >
              <td className="conn-col-name">
                <span className="conn-name" data-testid="connection-name">
                  {d.name}
                </span>
                {!d.configured && <span className="conn-tag">built in</span>}
                <span className="conn-sub mono">{status.id}</span>
                <span className="conn-sub mono conn-endpoint" data-testid="connection-endpoint">
                  {status.endpointUrl}
                </span>
              </td>
              <td className="conn-col-state">
                <span className={`conn-state level-${info.level}`} data-testid="connection-state">
                  {info.label}
                </span>
                {status.state !== 'connected' && (
                  <span className="conn-why" data-testid="connection-why" title={stateText(status)}>
                    {connectionWhy(d)}
                  </span>
                )}
              </td>
              <td className="conn-col-security">{securityLabel(d.security)}</td>
              <td className="conn-col-identity">{d.identity}</td>
              <td className="conn-num" data-testid="connection-tags">
                {formatCount(status.tagCount)}
              </td>
              <td className="conn-num">
                {formatCount(status.valuesReceived)}
                <span
                  className={`conn-sub${quiet ? ' conn-quiet' : ''}`}
                  title="Age of the last value received"
                >
                  {quiet && 'quiet: '}
                  {formatAge(status.lastValueAt, now)}
                </span>
              </td>
              <td className="conn-num">{subscriptionSummary(d.subscriptions)}</td>
              <td className={`conn-num${d.reconnects ? ' conn-warn' : ''}`}>{d.reconnects}</td>
              <td
                className={`conn-num${d.tagErrors.length ? ' conn-bad' : ''}`}
                title={d.tagErrors.map((t) => `${t.tagId}: ${t.error}`).join('\n') || undefined}
              >
                {d.tagErrors.length}
              </td>
              <td
                className={`conn-num${d.warnings.length ? ' conn-warn' : ''}`}
                title={d.warnings.join('\n') || undefined}
              >
                {d.warnings.length}
              </td>
              <td className={`conn-num${d.stalls.length ? ' conn-warn' : ''}`}>{d.stalls.length}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
