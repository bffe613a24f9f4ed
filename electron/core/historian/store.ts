import type Database from 'better-sqlite3';

/**
 * Prepared statements and small helpers over one open historian database. Everything that
 * touches SQL for samples and rollups goes through here, so the write path, the queries and
 * retention agree on the layout (see schema.ts).
 */

export interface ChunkRow {
  id: number;
  t0: number;
  t1: number;
  n: number;
  sealed: number;
  data: Buffer;
}

export interface SegmentMeta {
  id: number;
  tag: number;
  t0: number;
  t1: number;
  n: number;
  bytes: number;
}

export interface StoreLayout {
  /** Rollup resolutions in ms, ascending, each a multiple of the previous one. */
  resolutions: number[];
  /** Buckets per rollup block: a block spans res * blockBuckets ms, aligned to the epoch. */
  blockBuckets: number;
  /** No chunk row spans more than this (ms); range queries rely on it. */
  maxChunkSpanMs: number;
}

type Usage = { rows: number; bytes: number; items: number };

export class HistorianStore {
  readonly layout: StoreLayout;
  private readonly s;
  private pendingUsage = new Map<number, Usage>();

  /** `requested` null: read-only use, take the layout stored in the file. */
  constructor(
    readonly db: Database.Database,
    requested: StoreLayout | null,
  ) {
    this.s = {
      metaGet: db.prepare<[string], string>(`SELECT value FROM meta WHERE key = ?`).pluck(),
      metaSet: db.prepare(
        `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      tagInsert: db.prepare(`INSERT INTO tag (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`),
      tagId: db.prepare<[string], number>(`SELECT id FROM tag WHERE name = ?`).pluck(),
      tagCount: db.prepare<[], number>(`SELECT COUNT(*) FROM tag`).pluck(),
      tagNames: db.prepare<[], { id: number; name: string; journal_through: number }>(
        `SELECT id, name, journal_through FROM tag`,
      ),
      tagJournalThrough: db.prepare(`UPDATE tag SET journal_through = ? WHERE id = ?`),
      tagJournalThroughOf: db
        .prepare<[number], number>(`SELECT journal_through FROM tag WHERE id = ?`)
        .pluck(),
      openSegments: db.prepare<[], SegmentMeta>(
        `SELECT id, tag, t0, t1, n, length(data) AS bytes FROM raw_chunk INDEXED BY raw_chunk_open
          WHERE sealed = 0 ORDER BY tag, id`,
      ),
      segmentsOfTag: db.prepare<[number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk INDEXED BY raw_chunk_open
          WHERE tag = ? AND sealed = 0 ORDER BY id`,
      ),
      chunkById: db.prepare<[number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk WHERE id = ?`,
      ),
      chunkInsert: db.prepare(
        `INSERT INTO raw_chunk (tag, t0, t1, n, sealed, covers, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      coveringInRange: db.prepare<[number, number, number, number, number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk INDEXED BY raw_chunk_covering
          WHERE tag = ? AND covers = ? AND covers > 0 AND t1 >= ? AND t1 <= ? AND t0 <= ? ORDER BY t1`,
      ),
      chunkDelete: db.prepare(`DELETE FROM raw_chunk WHERE id = ?`),
      rowsInRange: db.prepare<[number, number, number, number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk
          WHERE tag = ? AND t1 >= ? AND t1 <= ? AND t0 <= ? ORDER BY t1`,
      ),
      countsInRange: db.prepare<[number, number, number, number], { t0: number; t1: number; n: number }>(
        `SELECT t0, t1, n FROM raw_chunk WHERE tag = ? AND t1 >= ? AND t1 <= ? AND t0 <= ?`,
      ),
      openInRange: db.prepare<[number, number, number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk INDEXED BY raw_chunk_open
          WHERE tag = ? AND sealed = 0 AND t1 >= ? AND t0 <= ? ORDER BY id`,
      ),
      newestRows: db.prepare<[number, number], ChunkRow>(
        `SELECT id, t0, t1, n, sealed, data FROM raw_chunk WHERE tag = ? AND t1 > ? ORDER BY t1 DESC`,
      ),
      blockGet: db.prepare<[number, number, number], { id: number; n: number; data: Buffer }>(
        `SELECT id, n, data FROM rollup WHERE tag = ? AND res = ? AND block = ?`,
      ),
      blockInsert: db.prepare(`INSERT INTO rollup (tag, res, block, n, data) VALUES (?, ?, ?, ?, ?)`),
      blockUpdate: db.prepare(`UPDATE rollup SET n = ?, data = ? WHERE id = ?`),
      blocksInRange: db.prepare<[number, number, number, number], { block: number; data: Buffer }>(
        `SELECT block, data FROM rollup WHERE tag = ? AND res = ? AND block >= ? AND block <= ? ORDER BY block`,
      ),
      usageAdd: db.prepare(
        `INSERT INTO usage (res, rows, bytes, items) VALUES (?, ?, ?, ?)
           ON CONFLICT (res) DO UPDATE SET rows = rows + excluded.rows,
             bytes = bytes + excluded.bytes, items = items + excluded.items`,
      ),
      expiredChunks: db.prepare<[number, number, number], { id: number; n: number; bytes: number }>(
        `SELECT id, n, length(data) AS bytes FROM raw_chunk INDEXED BY raw_chunk_expiry
          WHERE covers = ? AND t1 < ? AND sealed = 1 ORDER BY t1 LIMIT ?`,
      ),
      expiredBlocks: db.prepare<[number, number, number], { id: number; n: number; bytes: number }>(
        `SELECT id, n, length(data) AS bytes FROM rollup WHERE res = ? AND block <= ? ORDER BY block LIMIT ?`,
      ),
      blockDelete: db.prepare(`DELETE FROM rollup WHERE id = ?`),
      rawOldest: db
        .prepare<[number], number | null>(
          `SELECT MIN(t0) FROM raw_chunk WHERE t1 <= (SELECT MIN(t1) FROM raw_chunk) + ?`,
        )
        .pluck(),
      rawNewest: db.prepare<[], number | null>(`SELECT MAX(t1) FROM raw_chunk`).pluck(),
      edgeBlocks: db.prepare<[number, number], { block: number; data: Buffer }>(
        `SELECT block, data FROM rollup WHERE res = ? AND block = ?`,
      ),
      minBlock: db.prepare<[number], number | null>(`SELECT MIN(block) FROM rollup WHERE res = ?`).pluck(),
      maxBlock: db.prepare<[number], number | null>(`SELECT MAX(block) FROM rollup WHERE res = ?`).pluck(),
      journalInsert: db.prepare(`INSERT INTO journal (n, data) VALUES (?, ?)`),
      journalDeleteBelow: db.prepare(`DELETE FROM journal WHERE id < ?`),
      journalAll: db.prepare<[], { id: number; data: Buffer }>(`SELECT id, data FROM journal ORDER BY id`),
      usageAll: db.prepare<[], { res: number } & Usage>(`SELECT res, rows, bytes, items FROM usage`),
    };
    this.layout = this.settleLayout(requested);
  }

  /**
   * The layout is fixed when the file is created: rollups already written use it. A different
   * request later keeps the stored resolutions and block size; the chunk span only grows.
   */
  private settleLayout(requested: StoreLayout | null): StoreLayout {
    const stored = this.metaGet('layout');
    if (requested === null) {
      if (stored === undefined) throw new Error('the historian file has no layout record');
      return JSON.parse(stored) as StoreLayout;
    }
    if (stored === undefined) {
      this.metaSet('layout', JSON.stringify(requested));
      return requested;
    }
    const parsed = JSON.parse(stored) as StoreLayout;
    const layout: StoreLayout = {
      resolutions: parsed.resolutions,
      blockBuckets: parsed.blockBuckets,
      maxChunkSpanMs: Math.max(parsed.maxChunkSpanMs, requested.maxChunkSpanMs),
    };
    if (layout.maxChunkSpanMs !== parsed.maxChunkSpanMs) this.metaSet('layout', JSON.stringify(layout));
    return layout;
  }

  metaGet(key: string): string | undefined {
    return this.s.metaGet.get(key);
  }

  metaSet(key: string, value: string): void {
    this.s.metaSet.run(key, value);
  }

  /** Oldest intact time of a source (0 = raw, else a resolution): data at or after it is complete. */
  horizon(res: number): number {
    const value = this.metaGet(`horizon:${res}`);
    return value === undefined ? -Infinity : Number(value);
  }

  setHorizon(res: number, at: number): void {
    if (at > this.horizon(res)) this.metaSet(`horizon:${res}`, String(at));
  }

  tagId(name: string): number | undefined {
    return this.s.tagId.get(name);
  }

  ensureTag(name: string, now: number): number {
    this.s.tagInsert.run(name, now);
    return this.s.tagId.get(name)!;
  }

  tagCount(): number {
    return this.s.tagCount.get()!;
  }

  tagNames(): Map<number, string> {
    return new Map(this.s.tagNames.all().map((row) => [row.id, row.name]));
  }

  /** Per tag id: journal rows up to this id hold none of its samples any more. */
  journalThrough(): Map<number, number> {
    return new Map(this.s.tagNames.all().map((row) => [row.id, row.journal_through]));
  }

  journalThroughOf(tag: number): number {
    return this.s.tagJournalThroughOf.get(tag) ?? 0;
  }

  setJournalThrough(tag: number, journalId: number): void {
    this.s.tagJournalThrough.run(journalId, tag);
  }

  openSegments(): SegmentMeta[] {
    return this.s.openSegments.all();
  }

  segmentsOfTag(tag: number): ChunkRow[] {
    return this.s.segmentsOfTag.all(tag);
  }

  chunkById(id: number): ChunkRow | undefined {
    return this.s.chunkById.get(id);
  }

  insertChunk(
    tag: number,
    t0: number,
    t1: number,
    n: number,
    sealed: boolean,
    data: Buffer,
    covers = 0,
  ): number {
    const info = this.s.chunkInsert.run(tag, t0, t1, n, sealed ? 1 : 0, covers, data);
    this.countUsage(0, 1, data.length, n);
    return Number(info.lastInsertRowid);
  }

  deleteChunk(id: number, n: number, bytes: number): void {
    this.s.chunkDelete.run(id);
    this.countUsage(0, -1, -bytes, -n);
  }

  /**
   * Rows of a tag that may hold samples in [from, to], ordered by end time. The statements
   * above name their index where the planner (which has no statistics) could pick one that
   * reads every blob of the tag.
   */
  rowsInRange(tag: number, from: number, to: number): ChunkRow[] {
    return this.s.rowsInRange.all(tag, from, to + this.layout.maxChunkSpanMs, to);
  }

  iterateRowsInRange(tag: number, from: number, to: number): IterableIterator<ChunkRow> {
    return this.s.rowsInRange.iterate(tag, from, to + this.layout.maxChunkSpanMs, to);
  }

  /**
   * Estimates the samples of a tag in [from, to] from the chunk index (rows that straddle an end
   * count in proportion to their overlap), stopping once above `cap`. Reads no blobs.
   */
  countUpTo(tag: number, from: number, to: number, cap: number): number {
    let total = 0;
    for (const row of this.s.countsInRange.iterate(tag, from, to + this.layout.maxChunkSpanMs, to)) {
      const span = row.t1 - row.t0;
      const overlap = span > 0 ? (Math.min(row.t1, to) - Math.max(row.t0, from)) / span : 1;
      total += row.n * Math.min(1, Math.max(0, overlap));
      if (total > cap) break;
    }
    return total;
  }

  /** Open (unsealed) segments of a tag overlapping [from, to]: samples not yet in rollups. */
  openInRange(tag: number, from: number, to: number): ChunkRow[] {
    return this.s.openInRange.all(tag, from, to);
  }

  newestRows(tag: number, after: number): IterableIterator<ChunkRow> {
    return this.s.newestRows.iterate(tag, after);
  }

  getBlock(tag: number, res: number, block: number): { id: number; n: number; data: Buffer } | undefined {
    return this.s.blockGet.get(tag, res, block);
  }

  insertBlock(tag: number, res: number, block: number, n: number, data: Buffer): void {
    this.s.blockInsert.run(tag, res, block, n, data);
    this.countUsage(res, 1, data.length, n);
  }

  updateBlock(id: number, res: number, oldN: number, oldBytes: number, n: number, data: Buffer): void {
    this.s.blockUpdate.run(n, data, id);
    this.countUsage(res, 0, data.length - oldBytes, n - oldN);
  }

  blocksInRange(
    tag: number,
    res: number,
    fromBlock: number,
    toBlock: number,
  ): { block: number; data: Buffer }[] {
    return this.s.blocksInRange.all(tag, res, fromBlock, toBlock);
  }

  insertJournal(n: number, data: Buffer): number {
    return Number(this.s.journalInsert.run(n, data).lastInsertRowid);
  }

  /** Deletes journal rows with an id below `id` (their samples now live in per-tag rows). */
  deleteJournalBelow(id: number): void {
    this.s.journalDeleteBelow.run(id);
  }

  journalRows(): { id: number; data: Buffer }[] {
    return this.s.journalAll.all();
  }

  /** Up to `limit` sealed chunks with this `covers` value that end before `cutoff`. */
  expiredChunks(covers: number, cutoff: number, limit: number): { id: number; n: number; bytes: number }[] {
    return this.s.expiredChunks.all(covers, cutoff, limit);
  }

  /** Sealed chunks of a tag overlapping [from, to] that stand in for rollups at `res` (and finer). */
  coveringInRange(tag: number, res: number, from: number, to: number): ChunkRow[] {
    const rows: ChunkRow[] = [];
    for (const covers of this.layout.resolutions) {
      if (covers < res) continue;
      rows.push(...this.s.coveringInRange.all(tag, covers, from, to + this.layout.maxChunkSpanMs, to));
    }
    return rows;
  }

  /** Up to `limit` blocks of `res` that end at or before `cutoff`. */
  expiredBlocks(res: number, cutoff: number, limit: number): { id: number; n: number; bytes: number }[] {
    return this.s.expiredBlocks.all(res, cutoff - this.blockSpan(res), limit);
  }

  deleteBlock(id: number, res: number, n: number, bytes: number): void {
    this.s.blockDelete.run(id);
    this.countUsage(res, -1, -bytes, -n);
  }

  rawTimeRange(): { oldest: number | null; newest: number | null } {
    return {
      oldest: this.s.rawOldest.get(this.layout.maxChunkSpanMs) ?? null,
      newest: this.s.rawNewest.get() ?? null,
    };
  }

  /** Rollup blocks at the oldest and newest block start of a resolution (all tags). */
  edgeBlocks(res: number): {
    oldest: { block: number; data: Buffer }[];
    newest: { block: number; data: Buffer }[];
  } {
    const min = this.s.minBlock.get(res);
    const max = this.s.maxBlock.get(res);
    return {
      oldest: min === null || min === undefined ? [] : this.s.edgeBlocks.all(res, min),
      newest: max === null || max === undefined ? [] : this.s.edgeBlocks.all(res, max),
    };
  }

  blockSpan(res: number): number {
    return res * this.layout.blockBuckets;
  }

  /** Usage changes are collected during a transaction and written once by commitUsage(). */
  countUsage(res: number, rows: number, bytes: number, items: number): void {
    const u = this.pendingUsage.get(res);
    if (u) {
      u.rows += rows;
      u.bytes += bytes;
      u.items += items;
    } else {
      this.pendingUsage.set(res, { rows, bytes, items });
    }
  }

  /** Call at the end of every write transaction. */
  commitUsage(): void {
    for (const [res, u] of this.pendingUsage) {
      if (u.rows !== 0 || u.bytes !== 0 || u.items !== 0) this.s.usageAdd.run(res, u.rows, u.bytes, u.items);
    }
    this.pendingUsage.clear();
  }

  /** Call when a write transaction rolled back. */
  discardUsage(): void {
    this.pendingUsage.clear();
  }

  usage(): Map<number, Usage> {
    return new Map(this.s.usageAll.all().map(({ res, ...u }) => [res, u]));
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so a busy
   * database fails at BEGIN, not halfway through) with usage counters kept consistent.
   */
  write<T>(fn: () => T): T {
    try {
      return this.db
        .transaction(() => {
          const result = fn();
          this.commitUsage();
          return result;
        })
        .immediate();
    } catch (err) {
      this.discardUsage();
      throw err;
    }
  }
}
