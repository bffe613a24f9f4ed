import type Database from 'better-sqlite3';
import { HistorianInputError } from './faults';

/**
 * Small repositories over the journal tables that live in the historian file (schema v2):
 * the alarm journal, the audit log, incidents and the outbox. They share the historian's
 * connection, durability and backups. Writes are synchronous single-row transactions; a
 * database fault surfaces as HistorianUnavailableError (and raises the historian fault), so a
 * caller never believes an alarm transition or an audit entry was stored when it was not.
 */

export interface JournalDatabase {
  /** Runs `fn` with the open database, turning database errors into typed historian faults. */
  run<T>(where: string, fn: (db: Database.Database) => T): T;
}

function toJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? {});
  } catch (err) {
    throw new HistorianInputError(`${what} is not serialisable as JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw new HistorianInputError(`${what} is not serialisable as JSON`);
  return text;
}

function checkTime(at: number, what: string): void {
  if (!Number.isFinite(at)) throw new HistorianInputError(`${what} must be a finite epoch ms`);
}

function checkText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0)
    throw new HistorianInputError(`${what} must be a non-empty string`);
}

function clampLimit(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new HistorianInputError('limit must be an integer from 1 to 100000');
  return n;
}

/** Builds "WHERE a AND b" from optional filters. */
function where(filters: [string, unknown][]): { sql: string; params: unknown[] } {
  const used = filters.filter(([, value]) => value !== undefined && value !== null);
  return {
    sql: used.length ? `WHERE ${used.map(([clause]) => clause).join(' AND ')}` : '',
    params: used.map(([, value]) => value),
  };
}

export interface AlarmJournalEntry {
  id: number;
  alarmId: string;
  /** What happened: e.g. raise, ack, clear, shelve, unshelve, suppress, comment. */
  transition: string;
  /** The ISA-18.2 state after the transition, e.g. UNACK_ALM. */
  state: string;
  at: number;
  user: string | null;
  comment: string | null;
  correlationId: string | null;
  data: unknown;
}

type AlarmRow = {
  id: number;
  alarm_id: string;
  transition: string;
  state: string;
  at: number;
  user: string | null;
  comment: string | null;
  correlation_id: string | null;
  data: string;
};

export class AlarmJournal {
  constructor(private readonly database: JournalDatabase) {}

  append(
    entry: Omit<AlarmJournalEntry, 'id' | 'data' | 'user' | 'comment' | 'correlationId'> & {
      user?: string | null;
      comment?: string | null;
      correlationId?: string | null;
      data?: unknown;
    },
  ): number {
    checkText(entry.alarmId, 'alarmId');
    checkText(entry.transition, 'transition');
    checkText(entry.state, 'state');
    checkTime(entry.at, 'at');
    const data = toJson(entry.data, 'alarm journal data');
    return this.database.run('Appending to the alarm journal', (db) =>
      Number(
        db
          .prepare(
            `INSERT INTO alarm_journal (alarm_id, transition, state, at, user, comment, correlation_id, data)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            entry.alarmId,
            entry.transition,
            entry.state,
            entry.at,
            entry.user ?? null,
            entry.comment ?? null,
            entry.correlationId ?? null,
            data,
          ).lastInsertRowid,
      ),
    );
  }

  /** Newest first. `beforeId` pages backwards. */
  query(
    filter: { alarmId?: string; from?: number; to?: number; limit?: number; beforeId?: number } = {},
  ): AlarmJournalEntry[] {
    const limit = clampLimit(filter.limit, 500);
    const w = where([
      ['alarm_id = ?', filter.alarmId],
      ['at >= ?', filter.from],
      ['at <= ?', filter.to],
      ['id < ?', filter.beforeId],
    ]);
    return this.database.run('Reading the alarm journal', (db) =>
      (
        db
          .prepare(`SELECT * FROM alarm_journal ${w.sql} ORDER BY at DESC, id DESC LIMIT ?`)
          .all(...w.params, limit) as AlarmRow[]
      ).map((r) => ({
        id: r.id,
        alarmId: r.alarm_id,
        transition: r.transition,
        state: r.state,
        at: r.at,
        user: r.user,
        comment: r.comment,
        correlationId: r.correlation_id,
        data: JSON.parse(r.data) as unknown,
      })),
    );
  }
}

export interface AuditEntry {
  id: number;
  at: number;
  user: string;
  /** What was done, e.g. alarm.ack, config.change, historian.restore. */
  action: string;
  target: string | null;
  details: unknown;
}

type AuditRow = {
  id: number;
  at: number;
  user: string;
  action: string;
  target: string | null;
  details: string;
};

export class AuditLog {
  constructor(private readonly database: JournalDatabase) {}

  append(entry: {
    at: number;
    user: string;
    action: string;
    target?: string | null;
    details?: unknown;
  }): number {
    checkTime(entry.at, 'at');
    checkText(entry.user, 'user');
    checkText(entry.action, 'action');
    const details = toJson(entry.details, 'audit details');
    return this.database.run('Appending to the audit log', (db) =>
      Number(
        db
          .prepare(`INSERT INTO audit_log (at, user, action, target, details) VALUES (?, ?, ?, ?, ?)`)
          .run(entry.at, entry.user, entry.action, entry.target ?? null, details).lastInsertRowid,
      ),
    );
  }

  query(
    filter: {
      user?: string;
      action?: string;
      from?: number;
      to?: number;
      limit?: number;
      beforeId?: number;
    } = {},
  ): AuditEntry[] {
    const limit = clampLimit(filter.limit, 500);
    const w = where([
      ['user = ?', filter.user],
      ['action = ?', filter.action],
      ['at >= ?', filter.from],
      ['at <= ?', filter.to],
      ['id < ?', filter.beforeId],
    ]);
    return this.database.run('Reading the audit log', (db) =>
      (
        db
          .prepare(`SELECT * FROM audit_log ${w.sql} ORDER BY at DESC, id DESC LIMIT ?`)
          .all(...w.params, limit) as AuditRow[]
      ).map((r) => ({ ...r, details: JSON.parse(r.details) as unknown })),
    );
  }
}

export interface Incident {
  id: string;
  title: string;
  assetId: string | null;
  startedAt: number;
  /** null while the incident is open. */
  endedAt: number | null;
  correlationId: string | null;
  data: unknown;
  updatedAt: number;
}

type IncidentRow = {
  id: string;
  title: string;
  asset_id: string | null;
  started_at: number;
  ended_at: number | null;
  correlation_id: string | null;
  data: string;
  updated_at: number;
};

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    title: r.title,
    assetId: r.asset_id,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    correlationId: r.correlation_id,
    data: JSON.parse(r.data) as unknown,
    updatedAt: r.updated_at,
  };
}

export class IncidentStore {
  constructor(private readonly database: JournalDatabase) {}

  create(
    incident: {
      id: string;
      title: string;
      assetId?: string | null;
      startedAt: number;
      correlationId?: string | null;
      data?: unknown;
    },
    now: number,
  ): Incident {
    checkText(incident.id, 'id');
    checkText(incident.title, 'title');
    checkTime(incident.startedAt, 'startedAt');
    const data = toJson(incident.data, 'incident data');
    return this.database.run('Creating an incident', (db) => {
      try {
        db.prepare(
          `INSERT INTO incident (id, title, asset_id, started_at, ended_at, correlation_id, data, updated_at)
           VALUES (?, ?, ?, ?, NULL, ?, ?, ?)`,
        ).run(
          incident.id,
          incident.title,
          incident.assetId ?? null,
          incident.startedAt,
          incident.correlationId ?? null,
          data,
          now,
        );
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new HistorianInputError(`incident ${incident.id} already exists`);
        }
        throw err;
      }
      return toIncident(db.prepare(`SELECT * FROM incident WHERE id = ?`).get(incident.id) as IncidentRow);
    });
  }

  update(
    id: string,
    patch: { title?: string; endedAt?: number | null; data?: unknown },
    now: number,
  ): Incident {
    if (patch.title !== undefined) checkText(patch.title, 'title');
    if (patch.endedAt !== undefined && patch.endedAt !== null) checkTime(patch.endedAt, 'endedAt');
    const data = patch.data === undefined ? undefined : toJson(patch.data, 'incident data');
    return this.database.run('Updating an incident', (db) => {
      const info = db
        .prepare(
          `UPDATE incident SET title = COALESCE(?, title),
             ended_at = CASE WHEN ? THEN ? ELSE ended_at END,
             data = COALESCE(?, data), updated_at = ? WHERE id = ?`,
        )
        .run(
          patch.title ?? null,
          patch.endedAt !== undefined ? 1 : 0,
          patch.endedAt ?? null,
          data ?? null,
          now,
          id,
        );
      if (info.changes === 0) throw new HistorianInputError(`no incident ${id}`);
      return toIncident(db.prepare(`SELECT * FROM incident WHERE id = ?`).get(id) as IncidentRow);
    });
  }

  get(id: string): Incident | null {
    return this.database.run('Reading an incident', (db) => {
      const row = db.prepare(`SELECT * FROM incident WHERE id = ?`).get(id) as IncidentRow | undefined;
      return row ? toIncident(row) : null;
    });
  }

  /** Newest first; `from`/`to` filter on the start time. */
  list(
    filter: { assetId?: string; from?: number; to?: number; openOnly?: boolean; limit?: number } = {},
  ): Incident[] {
    const limit = clampLimit(filter.limit, 200);
    const w = where([
      ['asset_id = ?', filter.assetId],
      ['started_at >= ?', filter.from],
      ['started_at <= ?', filter.to],
      ['ended_at IS NULL AND 1 = ?', filter.openOnly ? 1 : undefined],
    ]);
    return this.database.run('Listing incidents', (db) =>
      (
        db
          .prepare(`SELECT * FROM incident ${w.sql} ORDER BY started_at DESC LIMIT ?`)
          .all(...w.params, limit) as IncidentRow[]
      ).map(toIncident),
    );
  }
}

export interface OutboxMessage {
  id: number;
  topic: string;
  payload: unknown;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
}

type OutboxRow = {
  id: number;
  topic: string;
  payload: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  sent_at: number | null;
};

function toMessage(r: OutboxRow): OutboxMessage {
  return {
    id: r.id,
    topic: r.topic,
    payload: JSON.parse(r.payload) as unknown,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    sentAt: r.sent_at,
  };
}

/**
 * Transactional outbox: a message is stored with the change that caused it and sent later by
 * the sync module, which marks it sent or failed (with the time of the next attempt).
 */
export class Outbox {
  constructor(private readonly database: JournalDatabase) {}

  enqueue(topic: string, payload: unknown, now: number): number {
    checkText(topic, 'topic');
    checkTime(now, 'now');
    const json = toJson(payload, 'outbox payload');
    return this.database.run('Queueing an outbox message', (db) =>
      Number(
        db
          .prepare(
            `INSERT INTO outbox (topic, payload, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)`,
          )
          .run(topic, json, now, now).lastInsertRowid,
      ),
    );
  }

  /** Unsent messages due at `now`, oldest first. */
  due(now: number, limit = 100): OutboxMessage[] {
    const n = clampLimit(limit, 100);
    return this.database.run('Reading the outbox', (db) =>
      (
        db
          .prepare(
            `SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
          )
          .all(now, n) as OutboxRow[]
      ).map(toMessage),
    );
  }

  markSent(id: number, now: number): void {
    this.database.run('Updating the outbox', (db) => {
      const info = db
        .prepare(`UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?`)
        .run(now, id);
      if (info.changes === 0) throw new HistorianInputError(`no outbox message ${id}`);
    });
  }

  markFailed(id: number, error: string, nextAttemptAt: number): void {
    checkTime(nextAttemptAt, 'nextAttemptAt');
    this.database.run('Updating the outbox', (db) => {
      const info = db
        .prepare(
          `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND sent_at IS NULL`,
        )
        .run(error, nextAttemptAt, id);
      if (info.changes === 0) throw new HistorianInputError(`no unsent outbox message ${id}`);
    });
  }

  pendingCount(): number {
    return this.database.run(
      'Reading the outbox',
      (db) => db.prepare(`SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).pluck().get() as number,
    );
  }

  /** Deletes messages sent before `before`; returns how many. */
  purgeSent(before: number): number {
    return this.database.run(
      'Purging the outbox',
      (db) => db.prepare(`DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?`).run(before).changes,
    );
  }
}

/**
 * Whole records as JSON in one collection (schema v4), with the asset and status columns that
 * lists filter on. Writes are single-row transactions: a put that returns has been committed.
 */
export class DocumentCollection<T> {
  constructor(
    private readonly database: JournalDatabase,
    readonly collection: string,
  ) {}

  put(id: string, body: T, meta: { assetId?: string | null; status?: string | null; at: number }): void {
    checkText(id, 'document id');
    checkTime(meta.at, 'document time');
    const json = toJson(body, `${this.collection} ${id}`);
    this.database.run(`Storing ${this.collection} ${id}`, (db) =>
      db
        .prepare(
          `INSERT INTO document (collection, id, asset_id, status, updated_at, body) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (collection, id) DO UPDATE SET asset_id = excluded.asset_id, status = excluded.status,
             updated_at = excluded.updated_at, body = excluded.body`,
        )
        .run(this.collection, id, meta.assetId ?? null, meta.status ?? null, meta.at, json),
    );
  }

  get(id: string): T | undefined {
    const row = this.database.run(`Reading ${this.collection} ${id}`, (db) =>
      db.prepare('SELECT body FROM document WHERE collection = ? AND id = ?').get(this.collection, id),
    ) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as T) : undefined;
  }

  list(filter: { assetId?: string; status?: string } = {}): T[] {
    const w = where([
      ['collection = ?', this.collection],
      ['asset_id = ?', filter.assetId],
      ['status = ?', filter.status],
    ]);
    const rows = this.database.run(`Listing ${this.collection}`, (db) =>
      db.prepare(`SELECT body FROM document ${w.sql} ORDER BY updated_at, id`).all(...w.params),
    ) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as T);
  }

  /** The next value of a named counter (1, 2, ...), committed before it is returned: never repeated. */
  nextNumber(counter: string): number {
    return this.database.run(`Numbering ${counter}`, (db) =>
      db.transaction(() => {
        db.prepare(
          'INSERT INTO counter (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1',
        ).run(counter);
        return (db.prepare('SELECT value FROM counter WHERE name = ?').get(counter) as { value: number })
          .value;
      })(),
    );
  }
}

export interface Journals {
  alarms: AlarmJournal;
  audit: AuditLog;
  incidents: IncidentStore;
  outbox: Outbox;
  documents<T>(collection: string): DocumentCollection<T>;
}

export function createJournals(database: JournalDatabase): Journals {
  return {
    alarms: new AlarmJournal(database),
    audit: new AuditLog(database),
    incidents: new IncidentStore(database),
    outbox: new Outbox(database),
    documents: <T>(collection: string) => new DocumentCollection<T>(database, collection),
  };
}
