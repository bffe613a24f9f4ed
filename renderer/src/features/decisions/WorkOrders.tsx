import { useMemo } from 'react';
import type { WorkOrderStatus } from '../../../../shared/maintenance';
import { assetLabel } from '../alarms/alarmModel';
import { useDecisions, useDecisionsStore } from './context';
import {
  URGENCY_LABEL,
  WORK_ORDER_STATUS_LABEL,
  dueIn,
  formatDateTime,
  sortedWorkOrders,
} from './decisionModel';
import { offerDownload } from './download';

const STATUSES = Object.keys(WORK_ORDER_STATUS_LABEL) as WorkOrderStatus[];

/** Work orders created by approvals: status changes and CSV / JSON export. */
export function WorkOrders({ names, now }: { names: ReadonlyMap<string, string>; now: number }) {
  const store = useDecisionsStore();
  const workOrders = useDecisions((s) => s.workOrders);
  const pending = useDecisions((s) => s.pending);
  const errors = useDecisions((s) => s.errors);
  const exporting = useDecisions((s) => s.exporting);
  const orders = useMemo(() => sortedWorkOrders(workOrders), [workOrders]);

  const exportAs = async (format: 'csv' | 'json') => {
    const file = await store.getState().exportWorkOrders(format);
    if (file) offerDownload(file);
  };

  return (
    <section className="work-orders" aria-labelledby="work-orders-title">
      <div className="decisions-section-head">
        <h3 id="work-orders-title">Work orders ({orders.length})</h3>
        <div className="export-buttons" role="group" aria-label="Export work orders">
          {(['csv', 'json'] as const).map((format) => (
            <button
              key={format}
              type="button"
              onClick={() => void exportAs(format)}
              disabled={exporting.format !== null}
            >
              {exporting.format === format ? 'Exporting…' : `Export ${format.toUpperCase()}`}
            </button>
          ))}
        </div>
      </div>
      {exporting.error && (
        <p className="decision-error" role="alert">
          Export failed: {exporting.error}
        </p>
      )}
      {orders.length === 0 ? (
        <p className="panel-message">No work orders yet: approving a recommendation creates one.</p>
      ) : (
        <table className="wo-table" data-testid="work-orders">
          <thead>
            <tr>
              <th scope="col">Work order</th>
              <th scope="col">Asset</th>
              <th scope="col">Urgency</th>
              <th scope="col">Due</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((w) => {
              const due = dueIn(w.dueDate, now);
              return (
                <tr key={w.id} data-testid="work-order" data-id={w.id} data-status={w.status}>
                  <td>
                    <span className="wo-title">{w.title}</span>
                    <span className="dim mono wo-id">{w.id}</span>
                    {errors[w.id] && (
                      <span className="decision-error" role="alert">
                        {errors[w.id]}
                      </span>
                    )}
                  </td>
                  <td>{assetLabel(w.assetId, names)}</td>
                  <td>
                    <span className={`urgency urgency-${w.urgency}`}>{URGENCY_LABEL[w.urgency]}</span>
                  </td>
                  <td className={due.overdue && w.status !== 'done' ? 'overdue' : undefined}>
                    {formatDateTime(w.dueDate)} <span className="dim">({due.text})</span>
                  </td>
                  <td>
                    <select
                      aria-label={`Status of ${w.title}`}
                      value={w.status}
                      disabled={pending[w.id] !== undefined}
                      onChange={(e) =>
                        void store.getState().setWorkOrderStatus(w.id, e.target.value as WorkOrderStatus)
                      }
                    >
                      {STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {WORK_ORDER_STATUS_LABEL[s]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {w.createdBy} <span className="dim">{formatDateTime(w.createdAt)}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
