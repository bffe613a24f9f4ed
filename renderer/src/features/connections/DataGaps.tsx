import { useMemo } from 'react';
import {
  CAUSE_TEXT,
  formatCount,
  formatSpan,
  gapRecovery,
  sortGaps,
  timeOfDay,
  dateTime,
  type DataGap,
} from './connectionModel';
import { useConnections } from './context';

/** Outages of one connection and how much of each came back (listDataGaps). */
export function DataGaps({ connectionId }: { connectionId: string }) {
  const gaps = useConnections((s) => s.gaps);
  const mine = gaps.connectionId === connectionId;
  const rows = useMemo(() => (mine ? sortGaps(gaps.data) : []), [mine, gaps.data]);
  const incomplete = rows.filter((g) => !gapRecovery(g).complete).length;

  return (
    <section className="conn-section" aria-labelledby="gaps-title" data-testid="data-gaps">
      <h4 id="gaps-title">
        Data gaps ({rows.length})
        {incomplete > 0 && (
          <span className="gap-alert" data-testid="gaps-incomplete">
            {incomplete} not fully backfilled
          </span>
        )}
      </h4>
      {mine && gaps.error && (
        <p className="panel-note error" role="alert">
          Cannot load the data gaps: {gaps.error}
        </p>
      )}
      {!mine || (gaps.status === 'loading' && !rows.length) ? (
        <p className="conn-empty">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="conn-empty">No gap: every value since the start was received.</p>
      ) : (
        <table className="conn-table gap-table">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Duration</th>
              <th scope="col">Cause</th>
              <th scope="col">Recovery</th>
              <th scope="col">Values backfilled</th>
              <th scope="col">Tags not backfilled</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((g) => (
              <GapRow key={g.id} gap={g} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function GapRow({ gap }: { gap: DataGap }) {
  const recovery = gapRecovery(gap);
  return (
    <tr
      className={recovery.complete ? 'gap-complete' : 'gap-incomplete'}
      data-testid="gap-row"
      data-complete={recovery.complete}
    >
      <td className="mono" title={dateTime(gap.from)}>
        {timeOfDay(gap.from)}
      </td>
      <td className="mono" title={dateTime(gap.to)}>
        {timeOfDay(gap.to)}
      </td>
      <td className="mono">{formatSpan(gap.to - gap.from)}</td>
      <td>{CAUSE_TEXT[gap.cause]}</td>
      <td>
        {!recovery.complete && <span className="gap-mark">Incomplete</span>} {recovery.text}
        {gap.errors.map((e) => (
          <span key={e} className="conn-sub">
            {e}
          </span>
        ))}
      </td>
      <td className="conn-num">{formatCount(gap.valuesBackfilled)}</td>
      <td
        className={`conn-num${gap.tagsNotBackfilled ? ' conn-bad' : ''}`}
        title={gap.unfilledTagIds.join('\n') || undefined}
      >
        {formatCount(gap.tagsNotBackfilled)}
      </td>
    </tr>
  );
}
