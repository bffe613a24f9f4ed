import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CorruptBlobError } from './codec/bytes';
import { LockHeldError } from './faults';
import { migrate, preflight } from './schema';

/**
 * Opening the historian file: lock, pragmas, integrity check, migrations.
 *
 * Durability: WAL journal with synchronous=FULL by default. In WAL mode a commit appends the
 * transaction to the -wal file; with FULL the WAL is fsync'ed before the commit returns, so a
 * committed flush survives a process kill AND a power cut or OS crash. With NORMAL the fsync
 * happens only at checkpoints: a killed process still loses nothing committed (the data is in
 * the OS page cache), but a power cut can roll back the last commits; the file is never
 * corrupted either way (https://www.sqlite.org/pragma.html#pragma_synchronous,
 * https://www.sqlite.org/wal.html). The historian commits a few times per second, so FULL
 * costs a few fsyncs per second: cheap enough to be the default.
 */

export type SynchronousMode = 'full' | 'normal';

export interface OpenDatabaseOptions {
  /** Path to a better_sqlite3.node built for the running ABI (Electron needs its own build). */
  nativeBinding?: string;
  synchronous?: SynchronousMode;
  /** Run PRAGMA quick_check before use (default true). */
  integrityCheck?: boolean;
  /** Disk budget for the database file; writes beyond it fail like a full disk. */
  maxDatabaseBytes?: number | null;
  /** How long a statement waits for another connection's lock before SQLITE_BUSY (ms). */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** Schema versions applied while opening. */
  migrated: number[];
  release(): void;
}

/** Thrown when PRAGMA quick_check / integrity_check reports problems. */
export class IntegrityError extends CorruptBlobError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`integrity check of ${file} failed: ${problems.slice(0, 3).join('; ')}`);
    this.name = 'IntegrityError';
  }
}

export function openWritableDatabase(file: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = acquireLock(`${file}.lock`);
  let db: Database.Database | null = null;
  try {
    db = new Database(file, {
      timeout: options.busyTimeoutMs ?? 2000,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    preflight(db, file);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw Object.assign(new Error(`cannot switch ${file} to WAL (got ${String(mode)})`), {
        code: 'SQLITE_READONLY',
      });
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // Keep the -wal file from staying huge after a burst; checkpoints reuse it.
    db.pragma('journal_size_limit = 67108864');
    db.pragma('temp_store = MEMORY');
    if (options.integrityCheck !== false) checkIntegrity(db, file, 'quick');
    const migrated = migrate(db, file);
    applyQuota(db, options.maxDatabaseBytes ?? null);
    // Prove the file is writable now rather than at the first flush.
    db.prepare(
      `INSERT INTO meta (key, value) VALUES ('opened_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ).run(String(Date.now()));
    const opened = db;
    return {
      db: opened,
      migrated,
      release: () => {
        try {
          if (opened.open) opened.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    try {
      if (db?.open) db.close();
    } catch {
      // The original error is the one worth reporting.
    }
    lock.release();
    throw err;
  }
}

/** A read-only connection (CLI export, stats, backup): no lock, no migration, no writes. */
export function openReadOnlyDatabase(
  file: string,
  options: { nativeBinding?: string } = {},
): Database.Database {
  if (!fs.existsSync(file)) {
    throw Object.assign(new Error(`no historian database at ${file}`), { code: 'ENOENT' });
  }
  return new Database(file, {
    readonly: true,
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
}

export function checkIntegrity(db: Database.Database, file: string, depth: 'quick' | 'full'): void {
  const rows = db.pragma(depth === 'quick' ? 'quick_check' : 'integrity_check') as Record<string, string>[];
  const problems = rows.map((row) => String(Object.values(row)[0]));
  if (problems.length !== 1 || problems[0] !== 'ok') throw new IntegrityError(file, problems);
}

export function applyQuota(db: Database.Database, maxBytes: number | null): void {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  // 0xfffffffe is SQLite's compiled maximum: "no quota".
  const pages = maxBytes === null ? 0xfffffffe : Math.max(1, Math.floor(maxBytes / pageSize));
  db.pragma(`max_page_count = ${pages}`);
}

/**
 * An advisory lock file next to the database holding the owner's pid, so a second Vigil or a
 * CLI restore cannot write the file under a running core. A lock whose process is gone
 * (kill -9, power cut) is stale and taken over.
 */
const heldInThisProcess = new Set<string>();

/** Takes the advisory lock of a database file (`<file>.lock`); throws LockHeldError when held. */
export function lockDatabase(file: string): { release(): void } {
  return acquireLock(`${file}.lock`);
}

function acquireLock(lockFile: string): { release(): void } {
  const key = path.resolve(lockFile);
  if (heldInThisProcess.has(key)) throw new LockHeldError(lockFile.replace(/\.lock$/, ''), process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      heldInThisProcess.add(key);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          heldInThisProcess.delete(key);
          try {
            fs.unlinkSync(lockFile);
          } catch {
            // Already gone (data dir removed): nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new LockHeldError(lockFile.replace(/\.lock$/, ''), pid);
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new LockHeldError(lockFile.replace(/\.lock$/, ''), -1);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
