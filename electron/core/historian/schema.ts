import type Database from 'better-sqlite3';

/**
 * The historian database schema, as an ordered list of migrations. `PRAGMA user_version` holds
 * the version a file is at; opening a file applies the missing steps, each in one transaction,
 * so a crash mid-migration leaves the file at the previous version. Never edit a released step:
 * add the next one (migration tests open files written by the old steps).
 */

/** 'VIGL': marks the file as a Vigil historian, so restore refuses any other SQLite file. */
export const APPLICATION_ID = 0x5649474c;

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'historian core: tags, raw chunks, rollup blocks, metadata',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        -- journal_through: journal rows up to this id hold no samples of this tag any more
        -- (they moved to its own rows; the rows stay while other tags still need them).
        CREATE TABLE tag (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          created_at REAL NOT NULL,
          journal_through INTEGER NOT NULL DEFAULT 0
        );
        -- One row per chunk of consecutive samples of a tag. sealed = 0 marks the small
        -- segments of the open chunk, written at every flush; sealing merges them into one
        -- chunk and writes its rollups. Every row spans at most layout.maxChunkSpanMs.
        -- covers = the coarsest rollup resolution (ms) at which this chunk has at most one
        -- sample per bucket (0: none). Such buckets are the samples themselves, so they are not
        -- stored twice: the chunk stands in for those rollups and is kept as long as they are.
        CREATE TABLE raw_chunk (
          id INTEGER PRIMARY KEY,
          tag INTEGER NOT NULL REFERENCES tag (id),
          t0 REAL NOT NULL,
          t1 REAL NOT NULL,
          n INTEGER NOT NULL,
          sealed INTEGER NOT NULL,
          covers INTEGER NOT NULL DEFAULT 0,
          data BLOB NOT NULL
        );
        -- Covering index: range planning reads (t0, n) without touching the blobs.
        CREATE INDEX raw_chunk_by_tag ON raw_chunk (tag, t1, t0, n);
        CREATE INDEX raw_chunk_by_time ON raw_chunk (t1);
        CREATE INDEX raw_chunk_open ON raw_chunk (tag, id) WHERE sealed = 0;
        CREATE INDEX raw_chunk_covering ON raw_chunk (tag, covers, t1) WHERE covers > 0;
        CREATE INDEX raw_chunk_expiry ON raw_chunk (covers, t1) WHERE sealed = 1;
        -- Rollup buckets of one tag at one resolution (ms) in one aligned window (block, ms).
        CREATE TABLE rollup (
          id INTEGER PRIMARY KEY,
          tag INTEGER NOT NULL REFERENCES tag (id),
          res INTEGER NOT NULL,
          block REAL NOT NULL,
          n INTEGER NOT NULL,
          data BLOB NOT NULL
        );
        CREATE UNIQUE INDEX rollup_key ON rollup (tag, res, block);
        CREATE INDEX rollup_by_time ON rollup (res, block);
        -- Samples of slow tags, one row per flush for all of them (see codec/journal.ts),
        -- until they are moved into per-tag segments a little later. AUTOINCREMENT: ids are
        -- compared with tag.journal_through, so an id must never be reused after a delete.
        CREATE TABLE journal (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          n INTEGER NOT NULL,
          data BLOB NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: 'alarm journal, audit log, incidents and outbox for later modules',
    up(db) {
      db.exec(`
        CREATE TABLE alarm_journal (
          id INTEGER PRIMARY KEY,
          alarm_id TEXT NOT NULL,
          transition TEXT NOT NULL,
          state TEXT NOT NULL,
          at REAL NOT NULL,
          user TEXT,
          comment TEXT,
          correlation_id TEXT,
          data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX alarm_journal_by_alarm ON alarm_journal (alarm_id, at);
        CREATE INDEX alarm_journal_by_time ON alarm_journal (at);
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY,
          at REAL NOT NULL,
          user TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT,
          details TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_log_by_time ON audit_log (at);
        CREATE INDEX audit_log_by_user ON audit_log (user, at);
        CREATE TABLE incident (
          id TEXT PRIMARY KEY,
          title TEXT NOT NULL,
          asset_id TEXT,
          started_at REAL NOT NULL,
          ended_at REAL,
          correlation_id TEXT,
          data TEXT NOT NULL DEFAULT '{}',
          updated_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX incident_by_start ON incident (started_at);
        CREATE INDEX incident_by_asset ON incident (asset_id, started_at);
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY,
          topic TEXT NOT NULL,
          payload TEXT NOT NULL,
          created_at REAL NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at REAL NOT NULL,
          last_error TEXT,
          sent_at REAL
        );
        CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
      `);
    },
  },
  {
    version: 3,
    description: 'storage usage counters per resolution, filled from existing data',
    up(db) {
      // Summing blob sizes over a large table takes seconds; counters kept in the same
      // transactions as the writes make disk usage per resolution an O(1) read.
      db.exec(`
        CREATE TABLE usage (
          res INTEGER PRIMARY KEY,
          rows INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          items INTEGER NOT NULL
        );
        INSERT INTO usage (res, rows, bytes, items)
          SELECT 0, COUNT(*), COALESCE(SUM(length(data)), 0), COALESCE(SUM(n), 0) FROM raw_chunk;
        INSERT INTO usage (res, rows, bytes, items)
          SELECT res, COUNT(*), SUM(length(data)), SUM(n) FROM rollup GROUP BY res;
      `);
    },
  },
  {
    version: 4,
    description: 'documents: recommendations, work orders and other records kept whole as JSON',
    up(db) {
      // Records whose shape belongs to their module (recommendations, work orders) are kept
      // whole as JSON, with the columns lists filter on, so they survive restarts and backups.
      db.exec(`
        CREATE TABLE document (
          collection TEXT NOT NULL,
          id TEXT NOT NULL,
          asset_id TEXT,
          status TEXT,
          updated_at INTEGER NOT NULL,
          body TEXT NOT NULL,
          PRIMARY KEY (collection, id)
        ) WITHOUT ROWID;
        CREATE INDEX document_status ON document (collection, status);
        CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      `);
    },
  },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

export class SchemaTooNewError extends Error {
  constructor(
    readonly fileVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `The historian database is at schema version ${fileVersion}, newer than this Vigil ` +
        `supports (${supportedVersion}). Use a newer Vigil, or restore a backup made by this one.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export class NotAHistorianError extends Error {
  constructor(file: string, applicationId: number) {
    super(
      `${file} is an SQLite database but not a Vigil historian ` +
        `(application_id 0x${applicationId.toString(16)}).`,
    );
    this.name = 'NotAHistorianError';
  }
}

/**
 * Checks, without writing anything, that the file is empty or a Vigil historian this build can
 * handle. Run before any pragma that writes, so a foreign or newer file is left untouched.
 */
export function preflight(db: Database.Database, file: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (current === 0 && applicationId === 0) {
    const tables = db.prepare(`SELECT COUNT(*) FROM sqlite_schema`).pluck().get() as number;
    if (tables > 0) throw new NotAHistorianError(file, applicationId);
  } else if (applicationId !== APPLICATION_ID) {
    throw new NotAHistorianError(file, applicationId);
  }
  if (current > SCHEMA_VERSION) throw new SchemaTooNewError(current, SCHEMA_VERSION);
  return current;
}

/** Brings the file to SCHEMA_VERSION. Returns the versions applied (empty when current). */
export function migrate(db: Database.Database, file: string): number[] {
  const current = preflight(db, file);
  const applied: number[] = [];
  for (const step of migrations) {
    if (step.version <= current) continue;
    db.transaction(() => {
      step.up(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
    applied.push(step.version);
  }
  return applied;
}
