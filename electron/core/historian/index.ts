/**
 * The local historian (issue 4): every value Vigil sees, kept on the workstation in SQLite.
 * See historian.ts for the lifecycle and fault handling, writer.ts for the storage layout,
 * queries.ts for the read side, and contract-proposal.md for the commands the API exposes.
 */
export { Historian, openHistorian } from './historian';
export type { CloseResult, CommitInfo, HistorianState, HistorianStatus } from './historian';
export type { AppendResult, FlushResult } from './writer';
export {
  HistorianInputError,
  HistorianUnavailableError,
  LockHeldError,
  type HistorianFault,
  type HistorianFaultKind,
} from './faults';
export { IntegrityError, type SynchronousMode } from './database';
export { SCHEMA_VERSION, SchemaTooNewError, NotAHistorianError, migrations } from './schema';
export { backupDatabase, restoreDatabaseFile, validateDatabaseFile } from './backup';
export type { BackupResult, ValidatedFile } from './backup';
export { exportCsv } from './csvExport';
export type { CsvExportOptions, CsvExportResult, RawReader } from './csvExport';
export { openHistorianReader, type HistorianReader } from './reader';
export { resolutionLabel } from './stats';
export {
  AlarmJournal,
  AuditLog,
  DocumentCollection,
  IncidentStore,
  Outbox,
  type AlarmJournalEntry,
  type AuditEntry,
  type Incident,
  type Journals,
  type OutboxMessage,
} from './journals';
export * from './types';
