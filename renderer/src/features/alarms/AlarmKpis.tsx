import { useState } from 'react';
import { ALARM_PRIORITIES, type AlarmKpis as Kpis } from '../../../../shared/alarms';
import type { KpiRange } from '../../store/alarmsStore';
import { PRIORITY_LABEL, assetLabel, formatAlarmNumber } from './alarmModel';
import { useAlarms, useAlarmsStore } from './context';

const RATING_TEXT: Record<Kpis['rateRating'], string> = {
  acceptable: 'Acceptable',
  manageable: 'Manageable',
  overloaded: 'Overloaded',
};

const RANGES: { range: KpiRange; label: string }[] = [
  { range: '24h', label: 'Last 24 h' },
  { range: '7d', label: 'Last 7 days' },
];

const pct = (v: number) => `${formatAlarmNumber(Math.round(v * 10) / 10)} %`;

/**
 * Alarm system performance (ANSI/ISA-18.2 / EEMUA 191 metrics computed by the core's getAlarmKpis),
 * loaded when the panel is opened and on demand.
 */
export function AlarmKpis({ names }: { names: ReadonlyMap<string, string> }) {
  const store = useAlarmsStore();
  const kpis = useAlarms((s) => s.kpis);
  const [open, setOpen] = useState(false);

  const load = (range: KpiRange) => void store.getState().loadKpis(range);

  return (
    <details
      className="alarm-kpis"
      open={open}
      onToggle={(e) => {
        const isOpen = (e.currentTarget as HTMLDetailsElement).open;
        setOpen(isOpen);
        if (isOpen && kpis.status !== 'loading') load(kpis.range);
      }}
    >
      <summary>Alarm system performance (KPIs)</summary>
      <div className="kpi-toolbar">
        <div role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button
              key={r.range}
              type="button"
              aria-pressed={kpis.range === r.range}
              onClick={() => load(r.range)}
            >
              {r.label}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => load(kpis.range)} disabled={kpis.status === 'loading'}>
          Refresh
        </button>
        {kpis.status === 'loading' && <span role="status">Computing…</span>}
      </div>
      {kpis.status === 'error' && (
        <p className="panel-message error" role="alert">
          Cannot compute the KPIs: {kpis.error}
        </p>
      )}
      {kpis.data && <KpiFigures data={kpis.data} names={names} />}
    </details>
  );
}

function KpiFigures({ data, names }: { data: Kpis; names: ReadonlyMap<string, string> }) {
  const t = data.targets;
  return (
    <div className="kpi-body" data-testid="alarm-kpis">
      <dl className="kpi-figures">
        <div className={`kpi rating-${data.rateRating}`}>
          <dt>Alarms per 10 min (average)</dt>
          <dd>
            <span className="kpi-value">
              {formatAlarmNumber(Math.round(data.averagePerTenMinutes * 100) / 100)}
            </span>
            <span className="kpi-rating">{RATING_TEXT[data.rateRating]}</span>
            <span className="kpi-target">
              target ≤ {t.acceptablePerTenMinutes} acceptable, ≤ {t.manageablePerTenMinutes} manageable
            </span>
          </dd>
        </div>
        <div className="kpi">
          <dt>Peak per 10 min</dt>
          <dd>
            <span className="kpi-value">{data.peakPerTenMinutes}</span>
            <span className="kpi-target">{data.activations} activations in all</span>
          </dd>
        </div>
        <div className={`kpi${data.percentTimeInFlood > t.floodPercent ? ' over' : ''}`}>
          <dt>Time in flood</dt>
          <dd>
            <span className="kpi-value">{pct(data.percentTimeInFlood)}</span>
            <span className="kpi-target">
              target &lt; {t.floodPercent} % · {data.floods} flood{data.floods === 1 ? '' : 's'}
            </span>
          </dd>
        </div>
        <div className={`kpi${data.standingOver24h.length > t.standingMax ? ' over' : ''}`}>
          <dt>Standing &gt; 24 h</dt>
          <dd>
            <span className="kpi-value">{data.standingOver24h.length}</span>
            <span className="kpi-target">target ≤ {t.standingMax}</span>
          </dd>
        </div>
        <div className={`kpi${data.chatteringAlarms.length ? ' over' : ''}`}>
          <dt>Chattering alarms</dt>
          <dd>
            <span className="kpi-value">{data.chatteringAlarms.length}</span>
            <span className="kpi-target">target 0</span>
          </dd>
        </div>
      </dl>

      <div className="kpi-tables">
        <section aria-labelledby="kpi-mix-title">
          <h4 id="kpi-mix-title">Priority mix</h4>
          <ul className="kpi-mix">
            {ALARM_PRIORITIES.map((p) => (
              <li key={p}>
                <span className={`prio prio-${p}`}>{PRIORITY_LABEL[p]}</span>
                <span className="kpi-bar" aria-hidden="true">
                  <span
                    className={`kpi-bar-fill prio-${p}`}
                    style={{ width: `${data.priorityMix[p].percent}%` }}
                  />
                </span>
                <span className="kpi-mix-figure">
                  {data.priorityMix[p].count} ({pct(data.priorityMix[p].percent)})
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="kpi-bad-title">
          <h4 id="kpi-bad-title">
            Top 10 bad actors{' '}
            <span className="kpi-target">({pct(data.topTenPercent)} of all activations)</span>
          </h4>
          {data.topBadActors.length === 0 ? (
            <p className="panel-message">No activations in this range.</p>
          ) : (
            <table className="kpi-table">
              <thead>
                <tr>
                  <th scope="col">Alarm</th>
                  <th scope="col">Asset</th>
                  <th scope="col">Activations</th>
                  <th scope="col">Share</th>
                </tr>
              </thead>
              <tbody>
                {data.topBadActors.map((b) => (
                  <tr key={b.alarmId}>
                    <td>{b.alarmId}</td>
                    <td>{assetLabel(b.assetId, names)}</td>
                    <td className="num">{b.activations}</td>
                    <td className="num">{pct(b.percent)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {data.standingOver24h.length > 0 && (
          <section aria-labelledby="kpi-standing-title">
            <h4 id="kpi-standing-title">Standing alarms</h4>
            <ul className="kpi-list">
              {data.standingOver24h.map((s) => (
                <li key={s.alarmId}>
                  {s.alarmId} ({assetLabel(s.assetId, names)}) since{' '}
                  {new Date(s.activeSince).toLocaleString()}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
