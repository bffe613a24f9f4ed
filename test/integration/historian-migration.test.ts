import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistorian, SCHEMA_VERSION, type HistorianFault } from '../../electron/core/historian';
import { ByteWriter } from '../../electron/core/historian/codec/bytes';
import { encodeChunk } from '../../electron/core/historian/codec/chunk';
import { encodeRollupBlock } from '../../electron/core/historian/codec/rollupBlock';
import { Buckets, bucketize } from '../../electron/core/historian/buckets';
import { tempDataDir } from '../../electron/core/historian/testing/fixtures';

/**
 * Schema migrations (issue 4, point 4): a database written by the first schema version, made
 * here by hand with the exact DDL that version shipped, opens with the current code, is
 * migrated step by step, and keeps every sample, rollup and tag. Files from a newer Vigil and
 * SQLite files that are not historians are refused with a clear fault, never modified.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const T0 = Date.UTC(2023, 5, 1);
const MINUTE = 60_000;

/** Schema version 1 as released. Never change this text: it is the old file format. */
const V1_DDL = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE tag (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
    journal_through INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE raw_chunk (
    id INTEGER PRIMARY KEY, tag INTEGER NOT NULL REFERENCES tag (id), t0 REAL NOT NULL,
    t1 REAL NOT NULL, n INTEGER NOT NULL, sealed INTEGER NOT NULL,
    covers INTEGER NOT NULL DEFAULT 0, data BLOB NOT NULL);
  CREATE INDEX raw_chunk_by_tag ON raw_chunk (tag, t1, t0, n);
  CREATE INDEX raw_chunk_by_time ON raw_chunk (t1);
  CREATE INDEX raw_chunk_open ON raw_chunk (tag, id) WHERE sealed = 0;
  CREATE INDEX raw_chunk_covering ON raw_chunk (tag, covers, t1) WHERE covers > 0;
  CREATE INDEX raw_chunk_expiry ON raw_chunk (covers, t1) WHERE sealed = 1;
  CREATE TABLE rollup (
    id INTEGER PRIMARY KEY, tag INTEGER NOT NULL REFERENCES tag (id), res INTEGER NOT NULL,
    block REAL NOT NULL, n INTEGER NOT NULL, data BLOB NOT NULL);
  CREATE UNIQUE INDEX rollup_key ON rollup (tag, res, block);
  CREATE INDEX rollup_by_time ON rollup (res, block);
  CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, data BLOB NOT NULL);
`;

function writeV1File(file: string): { samples: number[] } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(V1_DDL);
  db.pragma('application_id = 1447642956'); // 'VIGL'
  db.pragma('user_version = 1');
  const layout = { resolutions: [1000, 60_000, 3_600_000], blockBuckets: 256, maxChunkSpanMs: 86_400_000 };
  db.prepare(`INSERT INTO meta (key, value) VALUES ('layout', ?)`).run(JSON.stringify(layout));
  db.prepare(`INSERT INTO tag (id, name, created_at) VALUES (1, 'boiler/temp', ?)`).run(T0);
  // Two hours at 10 s: a sealed chunk with its 1 min and 1 h rollups, then an open segment.
  const values = Array.from({ length: 720 }, (_, i) => Math.round(Math.sin(i / 30) * 1000) / 10);
  const cols = {
    t: Float64Array.from(values, (_, i) => T0 + i * 10_000),
    v: Float64Array.from(values),
    q: new Uint32Array(values.length),
  };
  const w = new ByteWriter();
  const sealedN = 600;
  const insertChunk = db.prepare(
    `INSERT INTO raw_chunk (tag, t0, t1, n, sealed, covers, data) VALUES (1, ?, ?, ?, ?, ?, ?)`,
  );
  insertChunk.run(cols.t[0], cols.t[sealedN - 1], sealedN, 1, 1000, encodeChunk(w, cols, 0, sealedN));
  insertChunk.run(cols.t[sealedN], cols.t[719], 720 - sealedN, 0, 0, encodeChunk(w, cols, sealedN, 720));
  for (const res of [60_000, 3_600_000]) {
    const b = new Buckets();
    bucketize(cols, 0, sealedN, res, b);
    const span = res * 256;
    const block = Math.floor(b.start[0]! / span) * span;
    db.prepare(`INSERT INTO rollup (tag, res, block, n, data) VALUES (1, ?, ?, ?, ?)`).run(
      res,
      block,
      b.length,
      encodeRollupBlock(w, b, 0, b.length, block, res),
    );
  }
  db.close();
  return { samples: values };
}

describe('historian schema migrations', () => {
  it('migrates a version 1 file to the current schema and keeps its data', () => {
    const temp = tempDataDir('vigil-migrate-');
    cleanups.push(temp.remove);
    const file = path.join(temp.dir, 'historian.db');
    const { samples } = writeV1File(file);

    const historian = openHistorian({ dataDir: temp.dir, autoFlush: false });
    cleanups.push(() => historian.close());
    expect(historian.status()).toMatchObject({ state: 'open', faults: [] });
    const stats = historian.stats();
    expect(stats.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    // Version 3 filled the usage counters from the rows already there.
    const raw = stats.sources.find((s) => s.label === 'raw')!;
    expect(raw).toMatchObject({ rows: 2, items: 720, oldest: T0, newest: T0 + 719 * 10_000 });
    expect(stats.sources.find((s) => s.label === '1min')!.items).toBe(100);
    // Raw samples, across the sealed chunk and the open segment.
    const series = historian.raw('boiler/temp', T0, T0 + 3 * 3_600_000);
    expect(Array.from(series.v)).toEqual(samples);
    // Aggregates from the old rollups plus the open segment equal the raw data.
    const [perMinute] = historian.aggregate({
      tagIds: ['boiler/temp'],
      from: T0,
      to: T0 + 120 * MINUTE,
      intervalMs: MINUTE,
    });
    expect(perMinute!.resolutionMs).toBe(MINUTE);
    expect(new Set(perMinute!.columns.count)).toEqual(new Set([6]));
    expect(perMinute!.columns.max[0]).toBe(Math.max(...samples.slice(0, 6)));
    expect(perMinute!.columns.min[119]).toBe(Math.min(...samples.slice(714, 720)));
    // Tables added by version 2 work.
    historian.journals.audit.append({ at: T0, user: 'admin', action: 'migrate' });
    expect(historian.journals.audit.query()).toHaveLength(1);
    // New samples go on where the old file left off (the open segment is picked up).
    historian.append({
      tagIndex: new Uint32Array([0]),
      timestamps: new Float64Array([T0 + 720 * 10_000]),
      values: new Float64Array([1]),
      quality: new Uint32Array([0]),
      tagIds: ['boiler/temp'],
      correlationId: 'c',
      length: 1,
    });
    historian.flush();
    expect(historian.raw('boiler/temp', T0, T0 + 3 * 3_600_000).t.length).toBe(721);
    historian.close();

    // Opening again applies nothing: the version is current.
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(
      db
        .prepare(
          `SELECT name FROM sqlite_schema WHERE name IN ('usage', 'outbox', 'alarm_journal', 'incident', 'audit_log') ORDER BY name`,
        )
        .pluck()
        .all(),
    ).toEqual(['alarm_journal', 'audit_log', 'incident', 'outbox', 'usage']);
    db.close();
  });

  it('refuses a file from a newer Vigil and a foreign SQLite file without touching them', () => {
    const temp = tempDataDir('vigil-migrate-');
    cleanups.push(temp.remove);
    const file = path.join(temp.dir, 'historian.db');
    writeV1File(file);
    const newer = new Database(file);
    newer.pragma('user_version = 99');
    newer.close();
    const before = fs.readFileSync(file);
    const faults: HistorianFault[] = [];
    const historian = openHistorian({ dataDir: temp.dir, autoFlush: false });
    historian.onFault((f) => faults.push(f));
    expect(historian.status().faults[0]).toMatchObject({ kind: 'too_new' });
    expect(historian.status().faults[0]!.message).toMatch(/version 99.*newer/);
    historian.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    const other = path.join(temp.dir, 'other');
    fs.mkdirSync(other);
    const foreign = new Database(path.join(other, 'historian.db'));
    foreign.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    foreign.close();
    const foreignBefore = fs.readFileSync(path.join(other, 'historian.db'));
    const refused = openHistorian({ dataDir: other, autoFlush: false });
    expect(refused.status().faults[0]).toMatchObject({ kind: 'corrupt' });
    expect(refused.status().faults[0]!.message).toMatch(/not a Vigil historian/);
    refused.close();
    expect(fs.readFileSync(path.join(other, 'historian.db')).equals(foreignBefore)).toBe(true);
    expect(fs.existsSync(path.join(other, 'historian.db-wal'))).toBe(false);
  });
});
