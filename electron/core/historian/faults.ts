import { CorruptBlobError } from './codec/bytes';
import { NotAHistorianError, SchemaTooNewError } from './schema';

/**
 * What can stop the historian from writing, as conditions an operator can act on.
 * - disk_full: SQLITE_FULL / ENOSPC, or the configured size quota reached. Free space.
 * - read_only: the data directory or database file cannot be written (permissions, read-only
 *   mount). Fix permissions.
 * - corrupt: SQLITE_CORRUPT / SQLITE_NOTADB / failed integrity check / undecodable data, or
 *   a file that is not a Vigil historian. Restore a backup.
 * - locked: another process holds the database (a second Vigil, a restore in progress).
 * - too_new: the file was written by a newer Vigil.
 * - io: any other I/O error reported by SQLite or the file system.
 * - spill_overflow: not a database condition: the in-memory queue that holds samples while
 *   the database is unavailable is full and samples are being refused (and counted).
 */
export type HistorianFaultKind =
  'disk_full' | 'read_only' | 'corrupt' | 'locked' | 'too_new' | 'io' | 'spill_overflow';

export interface HistorianFault {
  kind: HistorianFaultKind;
  /** One line for the operator: what is wrong and what to do. */
  message: string;
  /** The underlying code (SQLITE_FULL, EACCES, ...), when there is one. */
  code: string | null;
  /** Epoch ms (historian clock) when this fault was first seen. */
  since: number;
}

/** Thrown by historian operations that need the database while it is faulted. */
export class HistorianUnavailableError extends Error {
  constructor(readonly fault: HistorianFault) {
    super(`Historian unavailable (${fault.kind}): ${fault.message}`);
    this.name = 'HistorianUnavailableError';
  }
}

/** Invalid arguments to a historian query or command (a caller error, never a fault). */
export class HistorianInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistorianInputError';
  }
}

const ADVICE: Record<HistorianFaultKind, string> = {
  disk_full: 'free disk space or raise the historian size limit; ingestion resumes by itself',
  read_only: 'make the data directory and database writable by the Vigil user; ingestion resumes by itself',
  corrupt:
    'restore a backup (vigil historian restore <file>) or move the damaged file aside; ingestion resumes after that',
  locked: 'another process is using the historian database; stop it and ingestion resumes',
  too_new: 'use the Vigil version that wrote this database, or restore a backup made by this one',
  io: 'check the disk and the data directory; ingestion retries by itself',
  spill_overflow: 'samples are being refused until the historian can write again',
};

function codeOf(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}

export function faultKindOf(err: unknown): HistorianFaultKind {
  if (err instanceof SchemaTooNewError) return 'too_new';
  if (err instanceof NotAHistorianError || err instanceof CorruptBlobError) return 'corrupt';
  if (err instanceof LockHeldError) return 'locked';
  const code = codeOf(err) ?? '';
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') return 'disk_full';
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_AUTH') ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS'
  ) {
    return 'read_only';
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'corrupt';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  return 'io';
}

export function toFault(err: unknown, where: string, now: number): HistorianFault {
  const kind = faultKindOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  return {
    kind,
    message: `${where}: ${detail} (${ADVICE[kind]})`,
    code: codeOf(err),
    since: now,
  };
}

export function spillFault(limit: number, now: number): HistorianFault {
  return {
    kind: 'spill_overflow',
    message: `The historian cannot write and its queue of ${limit} samples is full (${ADVICE.spill_overflow}).`,
    code: null,
    since: now,
  };
}

/** The database is held by another live process (see lockFile.ts). */
export class LockHeldError extends Error {
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`${file} is in use by process ${pid}`);
    this.name = 'LockHeldError';
  }
}
