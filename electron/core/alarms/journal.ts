import type { AlarmJournalEntry, AlarmTransition } from './schemas';

export interface AlarmJournalQuery {
  /** Inclusive lower bound on `at`. */
  from?: number;
  /** Exclusive upper bound on `at`. */
  to?: number;
  alarmId?: string;
  assetId?: string;
  transitions?: readonly AlarmTransition[];
  /** Newest first when 'desc' (for the journal view), oldest first otherwise (for KPIs). */
  order?: 'asc' | 'desc';
  limit?: number;
}

/** An entry before the journal has numbered it. */
export type NewJournalEntry = Omit<AlarmJournalEntry, 'seq'>;

/**
 * Where every alarm transition is kept. Synchronous on purpose: the engine appends the rows of one
 * sample batch in one call (one SQLite transaction) before it announces the transitions, so no
 * event is ever published for a transition that was not stored.
 */
export interface AlarmJournal {
  /**
   * Stores the rows in order and returns them with their sequence numbers. Throws if it cannot;
   * a PartialAppendError when the first rows were stored and the rest were not.
   */
  append(entries: readonly NewJournalEntry[]): AlarmJournalEntry[];
  query(query: AlarmJournalQuery): AlarmJournalEntry[];
  /**
   * The newest row of every alarm with `at` <= the given time: the state each alarm was in.
   * `alarmIds` limits the answer to those alarms (a store may use it to look them up by index).
   */
  latestPerAlarm(atOrBefore: number, alarmIds?: readonly string[]): AlarmJournalEntry[];
}

/** Some rows (the first ones, in order) were stored before the journal failed. */
export class PartialAppendError extends Error {
  constructor(
    readonly stored: AlarmJournalEntry[],
    cause: unknown,
  ) {
    super(
      `alarm journal stored ${stored.length} row(s), then failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'PartialAppendError';
  }
}

/** The journal kept in memory: for tests and for a core run without a historian. */
export class InMemoryAlarmJournal implements AlarmJournal {
  private readonly rows: AlarmJournalEntry[] = [];
  private seq = 0;

  append(entries: readonly NewJournalEntry[]): AlarmJournalEntry[] {
    const stored = entries.map((e) => ({ ...e, seq: ++this.seq }));
    this.rows.push(...stored);
    return stored;
  }

  query(q: AlarmJournalQuery): AlarmJournalEntry[] {
    const transitions = q.transitions ? new Set(q.transitions) : null;
    const matches = this.rows.filter(
      (r) =>
        (q.from === undefined || r.at >= q.from) &&
        (q.to === undefined || r.at < q.to) &&
        (q.alarmId === undefined || r.alarmId === q.alarmId) &&
        (q.assetId === undefined || r.assetId === q.assetId) &&
        (transitions === null || transitions.has(r.transition)),
    );
    // Rows are appended in time order per alarm; sort by time then seq for a total order.
    matches.sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (q.order === 'desc') matches.reverse();
    return q.limit === undefined ? matches : matches.slice(0, q.limit);
  }

  latestPerAlarm(atOrBefore: number, alarmIds?: readonly string[]): AlarmJournalEntry[] {
    const wanted = alarmIds ? new Set(alarmIds) : null;
    const latest = new Map<string, AlarmJournalEntry>();
    for (const row of this.rows) {
      if (row.at > atOrBefore || (wanted && !wanted.has(row.alarmId))) continue;
      const prev = latest.get(row.alarmId);
      if (!prev || row.at > prev.at || (row.at === prev.at && row.seq > prev.seq))
        latest.set(row.alarmId, row);
    }
    return [...latest.values()];
  }

  get size(): number {
    return this.rows.length;
  }
}
