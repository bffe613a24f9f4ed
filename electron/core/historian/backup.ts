import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkIntegrity, lockDatabase } from './database';
import { HistorianInputError } from './faults';
import { APPLICATION_ID, NotAHistorianError, SCHEMA_VERSION, SchemaTooNewError } from './schema';

/**
 * Online backup and restore of the historian file.
 *
 * Backup uses SQLite's online backup API (better-sqlite3 `db.backup()`), which copies pages in
 * steps between event-loop turns while ingestion goes on, and yields a consistent snapshot.
 * The copy is written to `<dest>.partial`, checked, then renamed, so a file at `dest` is always
 * a complete, verified backup.
 *
 * Restore validates the source first (a Vigil historian, a schema this build can read or
 * migrate, integrity_check ok), copies it through SQLite next to the target (so a source that
 * is itself a live WAL database is copied consistently), moves the current file and its WAL
 * aside (never deleted: `<file>.before-restore-<time>`), then renames the copy into place.
 */

export interface BackupResult {
  file: string;
  bytes: number;
  durationMs: number;
  schemaVersion: number;
}

export interface ValidatedFile {
  file: string;
  schemaVersion: number;
  bytes: number;
  tags: number;
}

export async function backupDatabase(
  db: Database.Database,
  dest: string,
  options: { overwrite?: boolean; nativeBinding?: string } = {},
): Promise<BackupResult> {
  const started = performance.now();
  const target = path.resolve(dest);
  if (fs.existsSync(target) && !options.overwrite) {
    throw new HistorianInputError(
      `backup target ${target} already exists (choose another name or allow overwrite)`,
    );
  }
  if (!fs.existsSync(path.dirname(target))) {
    throw new HistorianInputError(`backup directory ${path.dirname(target)} does not exist`);
  }
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  try {
    await db.backup(partial);
    makeStandalone(partial, options);
    const checked = validateDatabaseFile(partial, options);
    fs.renameSync(partial, target);
    return {
      file: target,
      bytes: checked.bytes,
      durationMs: performance.now() - started,
      schemaVersion: checked.schemaVersion,
    };
  } finally {
    removeWithSidecars(partial);
  }
}

/**
 * A backup copy inherits WAL mode from its source; switching it to a rollback journal makes it
 * one self-contained file (no -wal / -shm beside it) that can be moved and read anywhere.
 */
function makeStandalone(file: string, options: { nativeBinding?: string }): void {
  const db = new Database(file, {
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

function removeWithSidecars(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
}

/** Opens `file` read-only and checks it is a complete, readable Vigil historian. */
export function validateDatabaseFile(file: string, options: { nativeBinding?: string } = {}): ValidatedFile {
  if (!fs.existsSync(file)) throw new HistorianInputError(`${file} does not exist`);
  const db = new Database(file, {
    readonly: true,
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) throw new NotAHistorianError(file, applicationId);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (schemaVersion > SCHEMA_VERSION) throw new SchemaTooNewError(schemaVersion, SCHEMA_VERSION);
    checkIntegrity(db, file, 'full');
    const tags = db.prepare('SELECT COUNT(*) FROM tag').pluck().get() as number;
    return { file, schemaVersion, bytes: fs.statSync(file).size, tags };
  } finally {
    db.close();
  }
}

/**
 * Replaces the database at `target` with a validated copy of `source`. The caller must have
 * closed its own connection; the file lock keeps other Vigil processes out meanwhile.
 */
export async function restoreDatabaseFile(
  target: string,
  source: string,
  options: { nativeBinding?: string; now?: number } = {},
): Promise<{ movedAside: string | null; restored: ValidatedFile }> {
  const src = path.resolve(source);
  const dst = path.resolve(target);
  if (src === dst) throw new HistorianInputError('cannot restore a database onto itself');
  const restored = validateDatabaseFile(src, options);
  const lock = lockDatabase(dst);
  const tmp = `${dst}.restore-tmp`;
  try {
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.rmSync(tmp, { force: true });
    const reader = new Database(src, {
      readonly: true,
      fileMustExist: true,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    try {
      await reader.backup(tmp);
    } finally {
      reader.close();
    }
    makeStandalone(tmp, options);
    fsyncFile(tmp);
    let movedAside: string | null = null;
    if (fs.existsSync(dst)) {
      const stamp = new Date(options.now ?? Date.now()).toISOString().replace(/[:.]/g, '-');
      movedAside = `${dst}.before-restore-${stamp}`;
      fs.renameSync(dst, movedAside);
      // The old WAL belongs to the old file: next to the new one SQLite would replay it into it.
      if (fs.existsSync(`${dst}-wal`)) fs.renameSync(`${dst}-wal`, `${movedAside}-wal`);
      fs.rmSync(`${dst}-shm`, { force: true });
    }
    fs.renameSync(tmp, dst);
    fsyncDirectory(path.dirname(dst));
    return { movedAside, restored: { ...restored, file: dst } };
  } finally {
    removeWithSidecars(tmp);
    lock.release();
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported on every platform (Windows); the rename itself is atomic.
  }
}
