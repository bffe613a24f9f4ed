import path from 'node:path';
import type Database from 'better-sqlite3';
import { exportCsv, type CsvExportOptions, type CsvExportResult } from './csvExport';
import { openReadOnlyDatabase } from './database';
import { HistorianInputError } from './faults';
import type { SampleColumns } from './codec/chunk';
import { readJournal } from './codec/journal';
import { allocColumns, copyColumns } from './columns';
import { HistorianQueries, type PendingSamples } from './queries';
import { SCHEMA_VERSION } from './schema';
import { collectStats } from './stats';
import { HistorianStore } from './store';
import { DEFAULT_RETENTION, type HistorianStats, type RetentionPolicy } from './types';

/**
 * Read-only access to a historian file from another process (the `vigil historian` CLI while
 * the console runs, or with it stopped): same queries and export, no lock, no writes. It sees
 * what the running core has committed (WAL readers see the last commit).
 */
export interface HistorianReader {
  readonly file: string;
  readonly queries: HistorianQueries;
  readonly db: Database.Database;
  stats(retention?: RetentionPolicy): HistorianStats;
  exportCsv(options: CsvExportOptions): Promise<CsvExportResult>;
  close(): void;
}

export function openHistorianReader(file: string, options: { nativeBinding?: string } = {}): HistorianReader {
  const resolved = path.resolve(file);
  const db = openReadOnlyDatabase(resolved, options);
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION) {
      throw new HistorianInputError(
        `${resolved} is at schema version ${version}, this Vigil reads ${SCHEMA_VERSION}: start Vigil once to migrate it`,
      );
    }
    const store = new HistorianStore(db, null);
    // Samples of slow tags may still sit in journal rows: part of what is committed.
    const journaled = (tagId: string): PendingSamples | undefined => {
      const tag = store.tagId(tagId);
      if (tag === undefined) return undefined;
      const parts: SampleColumns[] = [];
      const through = store.journalThroughOf(tag);
      for (const row of store.journalRows()) {
        if (row.id > through) readJournal(row.data, (_, cols) => parts.push(cols), tag);
      }
      const n = parts.reduce((sum, p) => sum + p.t.length, 0);
      const out = { ...allocColumns(n), n };
      let at = 0;
      for (const p of parts) {
        copyColumns(p, 0, p.t.length, out, at);
        at += p.t.length;
      }
      return out;
    };
    const queries = new HistorianQueries(store, journaled);
    return {
      file: resolved,
      queries,
      db,
      stats: (retention = DEFAULT_RETENTION) =>
        collectStats(
          store,
          resolved,
          retention,
          { acknowledged: 0, pending: 0, dropped: 0, rejected: 0, lastCommitAt: null, lastFlushMs: null },
          null,
        ),
      exportCsv: (o) => exportCsv(queries, o),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
