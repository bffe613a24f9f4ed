import fs from 'node:fs';
import path from 'node:path';
import type { SampleBatch } from '../../../shared/samples';
import { systemClock, type Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import { backupDatabase, restoreDatabaseFile, type BackupResult, type ValidatedFile } from './backup';
import { exportCsv, type CsvExportOptions, type CsvExportResult } from './csvExport';
import { applyQuota, checkIntegrity, openWritableDatabase, type OpenedDatabase } from './database';
import {
  HistorianInputError,
  HistorianUnavailableError,
  spillFault,
  toFault,
  type HistorianFault,
} from './faults';
import { createJournals, type JournalDatabase, type Journals } from './journals';
import { HistorianQueries } from './queries';
import { retentionStep } from './retention';
import { collectStats } from './stats';
import { HistorianStore, type StoreLayout } from './store';
import {
  DEFAULT_RESOLUTIONS,
  DEFAULT_RETENTION,
  DAY,
  MINUTE,
  type AggregateQuery,
  type AggregateSeries,
  type ChartQuery,
  type ChartSeries,
  type HistorianOptions,
  type HistorianStats,
  type IngestStats,
  type LastValue,
  type RawSeries,
  type RetentionPolicy,
} from './types';
import { IngestBuffer, type AppendResult, type FlushResult, type WriterConfig } from './writer';

export interface CommitInfo {
  /** Samples made durable by this commit. */
  samples: number;
  /** Samples made durable since the historian was opened (the acknowledged count). */
  acknowledged: number;
  at: number;
}

export type HistorianState = 'open' | 'faulted' | 'closed';

export interface HistorianStatus {
  state: HistorianState;
  /** Active faults: at most one database fault plus a spill overflow. */
  faults: HistorianFault[];
  ingest: IngestStats;
}

export interface CloseResult {
  /** Samples that could not be written before closing (only when the database was faulted). */
  lostSamples: number;
}

type Listener<T> = (value: T) => void;

function resolveOptions(options: HistorianOptions) {
  const resolutions = [...(options.resolutions ?? DEFAULT_RESOLUTIONS)];
  if (resolutions.length === 0) throw new HistorianInputError('at least one rollup resolution is needed');
  for (let i = 0; i < resolutions.length; i++) {
    const r = resolutions[i]!;
    if (!Number.isInteger(r) || r <= 0)
      throw new HistorianInputError(`resolution ${r} must be a positive integer (ms)`);
    if (i > 0 && r % resolutions[i - 1]! !== 0) {
      throw new HistorianInputError(
        `resolution ${r} must be a multiple of ${resolutions[i - 1]!} (coarser rollups are built from finer ones)`,
      );
    }
  }
  const retention: RetentionPolicy = {
    raw: options.retention?.raw === undefined ? DEFAULT_RETENTION.raw : options.retention.raw,
    rollups: { ...DEFAULT_RETENTION.rollups, ...(options.retention?.rollups ?? {}) },
  };
  const positive = (value: number | undefined, fallback: number, what: string): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0) throw new HistorianInputError(`${what} must be a positive number`);
    return v;
  };
  const writer: WriterConfig = {
    chunkSamples: positive(options.chunkSamples, 4096, 'chunkSamples'),
    maxChunkSpanMs: positive(options.maxChunkSpanMs, DAY, 'maxChunkSpanMs'),
    sealIdleMs: positive(options.sealIdleMs, 15 * MINUTE, 'sealIdleMs'),
    segmentFanIn: 8,
    maxPendingSamples: positive(options.maxPendingSamples, 4_000_000, 'maxPendingSamples'),
    promoteAfterMs: positive(options.promoteAfterMs, 30_000, 'promoteAfterMs'),
  };
  const layout: StoreLayout = {
    resolutions,
    blockBuckets: positive(options.blockBuckets, 256, 'blockBuckets'),
    maxChunkSpanMs: writer.maxChunkSpanMs,
  };
  return {
    file: path.resolve(options.dataDir, options.fileName ?? 'historian.db'),
    clock: options.clock ?? systemClock,
    flushIntervalMs: positive(options.flushIntervalMs, 500, 'flushIntervalMs'),
    retryIntervalMs: positive(options.retryIntervalMs, 2000, 'retryIntervalMs'),
    retentionIntervalMs: positive(options.retentionIntervalMs, MINUTE, 'retentionIntervalMs'),
    retentionBatchRows: positive(options.retentionBatchRows, 500, 'retentionBatchRows'),
    autoFlush: options.autoFlush ?? true,
    maxDatabaseBytes: options.maxDatabaseBytes ?? null,
    writer,
    layout,
    retention,
    database: {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      synchronous: options.synchronous ?? 'full',
      integrityCheck: options.integrityCheck ?? true,
    },
    chartRawBudget: options.chartRawBudget,
  };
}

/**
 * The local historian: every sample Vigil sees, kept on the workstation (see writer.ts for the
 * write path, queries.ts for reads, retention.ts, backup.ts, journals.ts).
 *
 * Faults never throw out of append(): when the database cannot be written (disk full, read
 * only, corrupt, locked) samples wait in memory up to maxPendingSamples, onFault tells the
 * owner (who raises a system alarm), the database is retried every retryIntervalMs, and
 * onRecovered follows once a write succeeds. Samples beyond the bound are refused and counted
 * (a spill_overflow fault), never dropped silently.
 */
export class Historian implements Disposable {
  readonly file: string;
  private readonly o: ReturnType<typeof resolveOptions>;
  private readonly clock: Clock;
  private readonly ingest: IngestBuffer;
  private opened: OpenedDatabase | null = null;
  private store: HistorianStore | null = null;
  private queryEngine: HistorianQueries | null = null;
  private dbFault: HistorianFault | null = null;
  private overflowFault: HistorianFault | null = null;
  /** For faults that only a changed file can fix (corrupt, too new): the file as it was. */
  private faultedFileSignature: string | null = null;
  private closed = false;
  private nextRetryAt = 0;
  private nextRetentionAt = 0;
  private retentionBacklog = false;
  private timer: Disposable | null = null;
  private readonly counters = {
    acknowledged: 0,
    dropped: 0,
    rejected: 0,
    lastCommitAt: null as number | null,
    lastFlushMs: null as number | null,
  };
  private readonly committedListeners = new Set<Listener<CommitInfo>>();
  private readonly faultListeners = new Set<Listener<HistorianFault>>();
  private readonly recoveredListeners = new Set<Listener<HistorianFault>>();
  /** The alarm journal, audit log, incidents and outbox stored in the same file. */
  readonly journals: Journals;

  constructor(options: HistorianOptions) {
    this.o = resolveOptions(options);
    this.file = this.o.file;
    this.clock = this.o.clock;
    this.ingest = new IngestBuffer(this.o.writer);
    const journalDb: JournalDatabase = {
      run: (where, fn) => {
        const store = this.requireStore();
        try {
          return fn(store.db);
        } catch (err) {
          if (err instanceof HistorianInputError) throw err;
          const fault = toFault(err, where, this.clock.now());
          this.raiseDbFault(fault);
          throw new HistorianUnavailableError(fault);
        }
      },
    };
    this.journals = createJournals(journalDb);
    this.tryOpen();
    this.nextRetentionAt = this.clock.now();
    if (this.o.autoFlush) {
      this.timer = this.clock.setInterval(() => this.tick(), this.o.flushIntervalMs);
    }
  }

  // ---------------------------------------------------------------- events

  /** After every commit that made samples durable. */
  onCommitted(listener: Listener<CommitInfo>): Disposable {
    this.committedListeners.add(listener);
    return { dispose: () => void this.committedListeners.delete(listener) };
  }

  /**
   * When a fault starts (or its kind changes). A new listener is first told about the faults
   * already active, so one raised while opening (in the constructor) is never missed.
   */
  onFault(listener: Listener<HistorianFault>): Disposable {
    this.faultListeners.add(listener);
    for (const fault of [this.dbFault, this.overflowFault]) {
      if (fault) {
        try {
          listener(fault);
        } catch {
          // As in emit(): a listener's bug must not break the historian.
        }
      }
    }
    return { dispose: () => void this.faultListeners.delete(listener) };
  }

  /** When a fault is gone (the argument is the fault that cleared). */
  onRecovered(listener: Listener<HistorianFault>): Disposable {
    this.recoveredListeners.add(listener);
    return { dispose: () => void this.recoveredListeners.delete(listener) };
  }

  private emit<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch {
        // A listener's bug must not stop the historian or the other listeners.
      }
    }
  }

  // ---------------------------------------------------------------- ingest

  /** Queues a batch (the hot path: copies into typed arrays, no I/O). Never throws for faults. */
  append(batch: SampleBatch): AppendResult {
    if (this.closed) throw new Error('historian is closed');
    const result = this.ingest.append(batch, this.clock.now());
    this.counters.rejected += result.rejected;
    if (result.dropped > 0) {
      this.counters.dropped += result.dropped;
      if (!this.overflowFault) {
        this.overflowFault = spillFault(this.o.writer.maxPendingSamples, this.clock.now());
        this.emit(this.faultListeners, this.overflowFault);
      }
    }
    return result;
  }

  /**
   * Commits everything pending now. Returns what was written; throws HistorianUnavailableError
   * when the database cannot be written (the samples stay pending and are retried).
   */
  flush(): FlushResult {
    if (this.closed) throw new Error('historian is closed');
    if (!this.store) this.tryOpen();
    const store = this.store;
    if (!store) throw new HistorianUnavailableError(this.dbFault!);
    return this.flushInto(store);
  }

  private flushInto(store: HistorianStore): FlushResult {
    const now = this.clock.now();
    const started = performance.now();
    let result: FlushResult;
    try {
      result = this.ingest.flush(store, now);
      if (result.samples === 0 && this.dbFault) store.write(() => store.metaSet('probe', String(now)));
    } catch (err) {
      const fault = toFault(err, 'Writing samples', now);
      this.raiseDbFault(fault);
      throw new HistorianUnavailableError(fault);
    }
    this.counters.lastFlushMs = performance.now() - started;
    if (this.dbFault) this.clearDbFault();
    if (this.overflowFault && this.ingest.pendingTotal < this.o.writer.maxPendingSamples) {
      const cleared = this.overflowFault;
      this.overflowFault = null;
      this.emit(this.recoveredListeners, cleared);
    }
    if (result.samples > 0) {
      this.counters.acknowledged += result.samples;
      this.counters.lastCommitAt = now;
      this.emit(this.committedListeners, {
        samples: result.samples,
        acknowledged: this.counters.acknowledged,
        at: now,
      });
    }
    return result;
  }

  /** One timer turn: retry a faulted database, flush, and run a retention step when due. */
  tick(): void {
    if (this.closed) return;
    const now = this.clock.now();
    if (this.dbFault && now < this.nextRetryAt) return;
    if (!this.store) {
      this.tryOpen();
      if (!this.store) return;
    }
    let flushed = true;
    try {
      this.flushInto(this.store);
    } catch {
      flushed = false; // Raised as a fault; retried after retryIntervalMs.
    }
    // On a full disk, expiring old data is the one write that can make room.
    const mayExpire = flushed || this.dbFault?.kind === 'disk_full';
    if (mayExpire && (this.retentionBacklog || now >= this.nextRetentionAt)) {
      this.nextRetentionAt = now + this.o.retentionIntervalMs;
      try {
        this.runRetentionStep();
      } catch {
        // Raised as a fault by runRetentionStep.
      }
    }
  }

  /** Runs one bounded retention step now (normally done by the timer). */
  runRetentionStep(): { deletedRows: number; more: boolean } {
    const store = this.requireStore();
    const now = this.clock.now();
    try {
      const result = retentionStep(store, this.o.retention, now, this.o.retentionBatchRows);
      this.retentionBacklog = result.more;
      return result;
    } catch (err) {
      const fault = toFault(err, 'Applying retention', now);
      this.raiseDbFault(fault);
      throw new HistorianUnavailableError(fault);
    }
  }

  // ---------------------------------------------------------------- faults

  private raiseDbFault(fault: HistorianFault): void {
    const now = this.clock.now();
    this.nextRetryAt = now + this.o.retryIntervalMs;
    if (fault.kind === 'corrupt' || fault.kind === 'too_new') {
      // Writing on would make it worse; only a different file (restore, repair) can fix it.
      this.closeDatabase();
      this.faultedFileSignature = this.fileSignature();
    }
    const same = this.dbFault && this.dbFault.kind === fault.kind && this.dbFault.code === fault.code;
    if (same) return;
    this.dbFault = fault;
    this.emit(this.faultListeners, fault);
  }

  private clearDbFault(): void {
    const cleared = this.dbFault;
    this.dbFault = null;
    this.faultedFileSignature = null;
    if (cleared) this.emit(this.recoveredListeners, cleared);
  }

  private fileSignature(): string {
    try {
      const st = fs.statSync(this.file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private tryOpen(): void {
    if (this.store || this.closed) return;
    if (this.faultedFileSignature !== null && this.faultedFileSignature === this.fileSignature()) {
      this.nextRetryAt = this.clock.now() + this.o.retryIntervalMs;
      return;
    }
    const now = this.clock.now();
    try {
      const opened = openWritableDatabase(this.file, {
        ...this.o.database,
        maxDatabaseBytes: this.o.maxDatabaseBytes,
      });
      try {
        const store = new HistorianStore(opened.db, this.o.layout);
        this.ingest.attach(store, now);
        this.opened = opened;
        this.store = store;
        this.queryEngine = new HistorianQueries(
          store,
          (tagId) => this.ingest.pendingOf(tagId),
          this.o.chartRawBudget === undefined ? undefined : () => this.o.chartRawBudget!,
        );
      } catch (err) {
        opened.release();
        throw err;
      }
    } catch (err) {
      this.raiseDbFault(toFault(err, `Opening ${this.file}`, now));
      return;
    }
    if (this.dbFault) {
      // Only a successful write proves a disk-full or read-only condition is over.
      try {
        this.store.write(() => this.store!.metaSet('probe', String(now)));
        this.clearDbFault();
      } catch (err) {
        this.raiseDbFault(toFault(err, 'Writing to the historian', now));
      }
    }
  }

  private closeDatabase(): void {
    const opened = this.opened;
    this.opened = null;
    this.store = null;
    this.queryEngine = null;
    if (opened) {
      try {
        opened.release();
      } catch {
        // Closing a broken connection can fail; the lock is released regardless.
      }
    }
  }

  private requireStore(): HistorianStore {
    if (this.closed) throw new Error('historian is closed');
    if (!this.store) this.tryOpen();
    if (!this.store) throw new HistorianUnavailableError(this.dbFault!);
    return this.store;
  }

  private queries(): HistorianQueries {
    this.requireStore();
    return this.queryEngine!;
  }

  /** Runs a read, mapping database errors (a corrupt page found by a query) to faults. */
  private read<T>(what: string, fn: (q: HistorianQueries) => T): T {
    const q = this.queries();
    try {
      return fn(q);
    } catch (err) {
      if (err instanceof HistorianInputError) throw err;
      const fault = toFault(err, what, this.clock.now());
      if (fault.kind === 'corrupt') this.raiseDbFault(fault);
      throw new HistorianUnavailableError(fault);
    }
  }

  status(): HistorianStatus {
    const faults = [this.dbFault, this.overflowFault].filter((f): f is HistorianFault => f !== null);
    return {
      state: this.closed ? 'closed' : this.dbFault ? 'faulted' : 'open',
      faults,
      ingest: this.ingestStats(),
    };
  }

  private ingestStats(): IngestStats {
    return { ...this.counters, pending: this.ingest.pendingTotal };
  }

  // ---------------------------------------------------------------- queries

  raw(
    tagId: string,
    from: number,
    to: number,
    options: { limit?: number; toExclusive?: boolean } = {},
  ): RawSeries {
    return this.read('Reading raw samples', (q) => q.raw(tagId, from, to, options));
  }

  recent(tagIds: readonly string[], sinceMs: number | undefined, limit: number): RawSeries[] {
    return this.read('Reading recent samples', (q) => q.recent(tagIds, sinceMs, limit));
  }

  last(tagIds: readonly string[]): (LastValue | null)[] {
    return this.read('Reading last values', (q) => q.last(tagIds));
  }

  chart(query: ChartQuery): ChartSeries[] {
    return this.read('Reading a chart', (q) => q.chart(query));
  }

  aggregate(query: AggregateQuery): AggregateSeries[] {
    return this.read('Reading aggregates', (q) => q.aggregate(query));
  }

  stats(): HistorianStats {
    const store = this.requireStore();
    return collectStats(store, this.file, this.o.retention, this.ingestStats(), this.o.maxDatabaseBytes);
  }

  /** Full integrity check (slower than the quick_check run at open). Throws IntegrityError. */
  checkIntegrity(): void {
    const store = this.requireStore();
    checkIntegrity(store.db, this.file, 'full');
  }

  /** Changes the disk budget at run time (null = no limit). */
  setMaxDatabaseBytes(bytes: number | null): void {
    this.o.maxDatabaseBytes = bytes;
    if (this.store) applyQuota(this.store.db, bytes);
  }

  // ---------------------------------------------------------------- files

  /** Online backup to `dest` (a verified, self-contained SQLite file). Flushes first. */
  async backup(dest: string, options: { overwrite?: boolean } = {}): Promise<BackupResult> {
    const store = this.requireStore();
    this.flushQuietly();
    return backupDatabase(store.db, dest, { ...options, ...this.o.database });
  }

  /**
   * Replaces the database with a validated copy of `source`. Data committed after that backup
   * is replaced (the old file is kept beside it as `<file>.before-restore-<time>`); samples
   * still pending in memory are written into the restored file. Clears a corrupt-file fault.
   */
  async restore(source: string): Promise<{ movedAside: string | null; restored: ValidatedFile }> {
    if (this.closed) throw new Error('historian is closed');
    // No flush first: what is pending goes into the restored file, not into the replaced one.
    this.closeDatabase();
    try {
      const result = await restoreDatabaseFile(this.file, source, {
        ...this.o.database,
        now: this.clock.now(),
      });
      this.faultedFileSignature = null;
      return result;
    } finally {
      this.tryOpen();
    }
  }

  /** Writes raw samples of the tags in [from, to) to a CSV file (see csvExport.ts). */
  async exportCsv(options: CsvExportOptions): Promise<CsvExportResult> {
    this.requireStore();
    return exportCsv({ raw: (tagId, from, to, o) => this.raw(tagId, from, to, o) }, options);
  }

  private flushQuietly(): void {
    if (!this.store) return;
    try {
      this.flushInto(this.store);
    } catch {
      // Raised as a fault; the pending samples stay in memory.
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Stops the timers, writes what is pending, closes the file. */
  close(): CloseResult {
    if (this.closed) return { lostSamples: 0 };
    this.timer?.dispose();
    this.timer = null;
    if (!this.store) this.tryOpen();
    this.flushQuietly();
    const lostSamples = this.ingest.pendingTotal;
    this.closed = true;
    this.closeDatabase();
    return { lostSamples };
  }

  dispose(): void {
    this.close();
  }
}

/** Opens (or creates) the historian in `options.dataDir`. Faults do not throw: see status(). */
export function openHistorian(options: HistorianOptions): Historian {
  return new Historian(options);
}
