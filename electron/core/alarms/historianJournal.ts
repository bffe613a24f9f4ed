import type {
  AlarmJournal as HistorianAlarmRepository,
  AlarmJournalEntry as HistorianAlarmRow,
} from '../historian/journals';
import {
  PartialAppendError,
  type AlarmJournal,
  type AlarmJournalQuery,
  type NewJournalEntry,
} from './journal';
import {
  AlarmPrioritySchema,
  AlarmStateSchema,
  AlarmTransitionSchema,
  ShelveModeSchema,
  type AlarmJournalEntry,
} from './schemas';

/** The historian's repository reads at most this many rows per query. */
const PAGE = 10_000;

/** What goes into the `data` JSON column: the fields of an entry the table has no column for. */
interface RowData {
  assetId: string;
  tagId: string | null;
  priority: string;
  fromState: string;
  value: number | null;
  sampleTime: number | null;
  activeSince: number | null;
  acknowledged: boolean;
  shelvedUntil: number | null;
  shelveMode: string | null;
}

/**
 * The alarm journal in the historian's SQLite file (table alarm_journal, through the historian's
 * AlarmJournal repository). The sequence number is the row id. Fields without a column of their
 * own travel in the row's `data` JSON.
 *
 * The repository writes one row per transaction; with the historian's default synchronous=full
 * that is one fsync per transition (about 1 ms here), which is why an appendMany in one
 * transaction is asked of the historian.
 */
export class HistorianAlarmJournal implements AlarmJournal {
  constructor(private readonly repository: HistorianAlarmRepository) {}

  append(entries: readonly NewJournalEntry[]): AlarmJournalEntry[] {
    const stored: AlarmJournalEntry[] = [];
    for (const e of entries) {
      const data: RowData = {
        assetId: e.assetId,
        tagId: e.tagId,
        priority: e.priority,
        fromState: e.fromState,
        value: e.value,
        sampleTime: e.sampleTime,
        activeSince: e.activeSince,
        acknowledged: e.acknowledged,
        shelvedUntil: e.shelvedUntil,
        shelveMode: e.shelveMode,
      };
      let id: number;
      try {
        id = this.repository.append({
          alarmId: e.alarmId,
          transition: e.transition,
          state: e.toState,
          at: e.at,
          user: e.user,
          comment: e.comment,
          correlationId: e.correlationId,
          data,
        });
      } catch (err) {
        if (stored.length) throw new PartialAppendError(stored, err);
        throw err;
      }
      stored.push({ ...e, seq: id });
    }
    return stored;
  }

  query(q: AlarmJournalQuery): AlarmJournalEntry[] {
    const transitions = q.transitions ? new Set<string>(q.transitions) : null;
    // Newest first from the repository; a descending query with a limit can stop early.
    const stopAt = q.order === 'desc' && q.limit !== undefined ? q.limit : Infinity;
    const rows: AlarmJournalEntry[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = this.repository.query({
        alarmId: q.alarmId,
        from: q.from,
        to: q.to,
        limit: PAGE,
        beforeId,
      });
      for (const raw of page) {
        const e = fromRow(raw);
        if (!e) continue;
        // The repository's `to` is inclusive, the port's exclusive.
        if (q.to !== undefined && e.at >= q.to) continue;
        if (q.assetId !== undefined && e.assetId !== q.assetId) continue;
        if (transitions && !transitions.has(e.transition)) continue;
        rows.push(e);
        if (rows.length >= stopAt) return rows;
      }
      if (page.length < PAGE) break;
      beforeId = page[page.length - 1]!.id;
    }
    if (q.order !== 'desc') rows.reverse();
    return q.limit === undefined ? rows : rows.slice(0, q.limit);
  }

  /**
   * One indexed lookup per alarm (alarm_id, at). Without `alarmIds` the whole journal up to the
   * time is read, which is slow on a large journal; the engine always passes them.
   */
  latestPerAlarm(atOrBefore: number, alarmIds?: readonly string[]): AlarmJournalEntry[] {
    if (alarmIds) {
      const out: AlarmJournalEntry[] = [];
      for (const alarmId of alarmIds) {
        const [row] = this.repository.query({ alarmId, to: atOrBefore, limit: 1 });
        const e = row ? fromRow(row) : null;
        if (e) out.push(e);
      }
      return out;
    }
    const latest = new Map<string, AlarmJournalEntry>();
    for (const e of this.query({ to: atOrBefore + 1, order: 'desc' })) {
      if (e.at <= atOrBefore && !latest.has(e.alarmId)) latest.set(e.alarmId, e);
    }
    return [...latest.values()];
  }
}

/** A stored row as a journal entry; null for rows this engine did not write (unknown transition). */
function fromRow(r: HistorianAlarmRow): AlarmJournalEntry | null {
  const transition = AlarmTransitionSchema.safeParse(r.transition);
  const toState = AlarmStateSchema.safeParse(r.state);
  if (!transition.success || !toState.success) return null;
  const d = (r.data && typeof r.data === 'object' ? r.data : {}) as Partial<RowData>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const fromState = AlarmStateSchema.safeParse(d.fromState);
  const priority = AlarmPrioritySchema.safeParse(d.priority);
  const shelveMode = ShelveModeSchema.safeParse(d.shelveMode);
  return {
    seq: r.id,
    at: r.at,
    alarmId: r.alarmId,
    assetId: typeof d.assetId === 'string' ? d.assetId : 'unknown',
    tagId: typeof d.tagId === 'string' ? d.tagId : null,
    priority: priority.success ? priority.data : 'low',
    transition: transition.data,
    fromState: fromState.success ? fromState.data : toState.data,
    toState: toState.data,
    user: r.user ?? 'system',
    comment: r.comment ?? '',
    correlationId: r.correlationId ?? '',
    value: num(d.value),
    sampleTime: num(d.sampleTime),
    activeSince: num(d.activeSince),
    acknowledged: d.acknowledged === true,
    shelvedUntil: num(d.shelvedUntil),
    shelveMode: shelveMode.success ? shelveMode.data : null,
  };
}
