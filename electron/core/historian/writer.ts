import type { SampleBatch } from '../../../shared/samples';
import { Buckets, bucketize, coarsen, mergeBuckets } from './buckets';
import { ByteWriter } from './codec/bytes';
import { decodeChunkInto, encodeChunk, type SampleColumns } from './codec/chunk';
import { encodeJournal, readJournal } from './codec/journal';
import { decodeRollupBlock, encodeRollupBlock } from './codec/rollupBlock';
import { allocColumns, copyColumns, sortByTime } from './columns';
import type { HistorianStore } from './store';

/**
 * The ingest side of the historian.
 *
 * append() only copies the batch's columns to the end of one in-memory log (the "pending"
 * queue): no SQL, no per-tag work, no allocation per sample. flush() groups the log by tag (a
 * counting sort, which keeps arrival order) and writes everything in ONE transaction, so the
 * samples are durable at commit (the durability bound is the flush interval):
 * - a slow tag's few new samples go into the flush's single journal row, shared by all slow
 *   tags (one row per flush instead of one row, and one scattered index update, per tag);
 * - a little later (promoteAfterMs, spread over flushes) or once they add up, a tag's journal
 *   samples move into a "segment" row of its open chunk; journal rows no tag needs are deleted;
 * - a fast tag (a large share of a chunk per flush) skips the journal;
 * - segments of a tag are merged as they pile up (8 segments of one size class become one of the
 *   next, like a log-structured merge);
 * - when the open chunk reaches chunkSamples samples or spans maxChunkSpanMs, it is sealed: one
 *   packed chunk row replaces the segments and its rollups are folded into the rollup blocks.
 * In-memory state changes only after the commit succeeds; a failed flush leaves the pending
 * samples in place to be retried, so nothing acknowledged is lost and nothing is written twice.
 */

export interface WriterConfig {
  chunkSamples: number;
  maxChunkSpanMs: number;
  /** Seal the open chunk of a tag that received nothing for this long (wall clock, ms). */
  sealIdleMs: number;
  /** Segments of one size class merged at once. */
  segmentFanIn: number;
  /** Samples held in memory while the database cannot be written; beyond: refused and counted. */
  maxPendingSamples: number;
  /** How long a slow tag's samples stay in the journal before moving to its own rows (ms). */
  promoteAfterMs: number;
}

interface Segment {
  id: number;
  n: number;
  t0: number;
  t1: number;
  bytes: number;
}

/** What the historian knows about one tag's storage. Its pending samples are in the log. */
export class TagBuffer {
  /** Database id, null until the tag row exists in the current file. */
  id: number | null = null;
  // The open chunk on disk (committed segments).
  segments: Segment[] = [];
  openN = 0;
  openT0 = Infinity;
  openT1 = -Infinity;
  openSorted = true;
  /** Clock time of the last flush that carried new samples of this tag. */
  lastAppendAt = 0;
  /** Samples committed to journal rows and not yet in this tag's own rows (arrival order). */
  journaled: SampleColumns = allocColumns(0);
  journaledN = 0;
  /** Ids of the oldest and newest journal rows holding those samples (Infinity / 0: none). */
  oldestJournalId = Infinity;
  newestJournalId = 0;
  /** Clock time the oldest of them was committed. */
  journaledSince = 0;

  constructor(
    readonly name: string,
    /** Index in the ingest buffer's tag table (what the log stores per sample). */
    readonly index: number,
  ) {}

  resetOpenChunk(): void {
    this.segments = [];
    this.openN = 0;
    this.openT0 = Infinity;
    this.openT1 = -Infinity;
    this.openSorted = true;
  }

  addJournaled(cols: SampleColumns, from: number, to: number, journalId: number, now: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.journaledN === 0) this.journaledSince = now;
    if (this.journaledN + n > this.journaled.t.length) {
      const bigger = allocColumns(Math.max(16, (this.journaledN + n) * 2));
      copyColumns(this.journaled, 0, this.journaledN, bigger, 0);
      this.journaled = bigger;
    }
    copyColumns(cols, from, to, this.journaled, this.journaledN);
    this.journaledN += n;
    this.oldestJournalId = Math.min(this.oldestJournalId, journalId);
    this.newestJournalId = Math.max(this.newestJournalId, journalId);
  }

  clearJournaled(): void {
    this.journaledN = 0;
    this.oldestJournalId = Infinity;
    this.newestJournalId = 0;
    if (this.journaled.t.length > 4096) this.journaled = allocColumns(0);
  }
}

export interface AppendResult {
  accepted: number;
  /** Refused because the pending queue is full (counted, never silent). */
  dropped: number;
  /** Refused because the timestamp is not a finite number. */
  rejected: number;
}

export interface FlushResult {
  /** Samples made durable by this flush. */
  samples: number;
  tags: number;
  sealedChunks: number;
}

/**
 * The coarsest resolution (a prefix of the ladder) at which the sorted samples t[from, to)
 * average at most two samples per occupied bucket, or 0. Reading those samples costs no more
 * than reading buckets, so the chunk serves those resolutions itself instead of storing rollups
 * that would be as large as the data (a 1 Hz tag at 1 s resolution).
 */
export function coveredResolution(
  t: Float64Array,
  from: number,
  to: number,
  resolutions: readonly number[],
): number {
  const n = to - from;
  let covers = 0;
  for (const res of resolutions) {
    let buckets = 1;
    let current = Math.floor(t[from]! / res);
    for (let i = from + 1; i < to; i++) {
      const b = Math.floor(t[i]! / res);
      if (b !== current) {
        buckets++;
        current = b;
      }
    }
    if (n > 2 * buckets) break;
    covers = res;
  }
  return covers;
}

function levelOf(n: number, fanIn: number): number {
  return Math.floor(Math.log(Math.max(1, n)) / Math.log(fanIn) + 1e-9);
}

export class IngestBuffer {
  private readonly byName = new Map<string, TagBuffer>();
  private readonly tags: TagBuffer[] = [];
  private readonly writer = new ByteWriter(1 << 16);
  private readonly levelScratch: Buckets[] = [];
  private readonly storedScratch = new Buckets(256);
  private readonly mergedScratch = new Buckets(512);
  // The pending log: one entry per sample, in arrival order.
  private logTag = new Uint32Array(1024);
  private logT = new Float64Array(1024);
  private logV = new Float64Array(1024);
  private logQ = new Uint32Array(1024);
  private logN = 0;
  /** Reused between flushes: the log grouped by tag. */
  private groupScratch: SampleColumns = allocColumns(1024);
  private lastDictionary: readonly string[] | null = null;
  private lastIndexes = new Uint32Array(0);

  constructor(private readonly config: WriterConfig) {}

  get pendingTotal(): number {
    return this.logN;
  }

  get(name: string): TagBuffer | undefined {
    return this.byName.get(name);
  }

  all(): readonly TagBuffer[] {
    return this.tags;
  }

  private buffer(name: string): TagBuffer {
    let buf = this.byName.get(name);
    if (!buf) {
      buf = new TagBuffer(name, this.tags.length);
      this.byName.set(name, buf);
      this.tags.push(buf);
    }
    return buf;
  }

  append(batch: SampleBatch, _now: number): AppendResult {
    const n = batch.length;
    const room = Math.max(0, this.config.maxPendingSamples - this.logN);
    const take = Math.min(n, room);
    this.reserveLog(take);
    const indexes = this.indexesFor(batch.tagIds);
    const known = indexes.length;
    const { tagIndex, timestamps, values, quality } = batch;
    const logTag = this.logTag;
    const logT = this.logT;
    const logV = this.logV;
    const logQ = this.logQ;
    let at = this.logN;
    let rejected = 0;
    for (let i = 0; i < take; i++) {
      const k = tagIndex[i]!;
      const t = timestamps[i]!;
      // t - t is NaN for NaN and +-Infinity: a timestamp must be a finite number.
      if (k >= known || t - t !== 0) {
        rejected++;
        continue;
      }
      logTag[at] = indexes[k]!;
      logT[at] = t;
      logV[at] = values[i]!;
      logQ[at] = quality[i]!;
      at++;
    }
    const accepted = at - this.logN;
    this.logN = at;
    return { accepted, dropped: n - take, rejected };
  }

  private reserveLog(extra: number): void {
    const needed = this.logN + extra;
    if (needed <= this.logT.length) return;
    let c = this.logT.length * 2;
    while (c < needed) c *= 2;
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (size: number) => T): T => {
      const next = make(c);
      next.set(a.subarray(0, this.logN));
      return next;
    };
    this.logTag = grow(this.logTag, (size) => new Uint32Array(size));
    this.logT = grow(this.logT, (size) => new Float64Array(size));
    this.logV = grow(this.logV, (size) => new Float64Array(size));
    this.logQ = grow(this.logQ, (size) => new Uint32Array(size));
  }

  /**
   * Tag-table indexes for a batch's dictionary. Producers usually send the same tags in the same
   * order batch after batch; comparing the strings by identity is much cheaper than hashing them.
   */
  private indexesFor(tagIds: readonly string[]): Uint32Array {
    const last = this.lastDictionary;
    if (last && last.length === tagIds.length) {
      let same = true;
      for (let k = 0; k < tagIds.length; k++) {
        if (last[k] !== tagIds[k]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastIndexes;
    }
    const indexes = Uint32Array.from(tagIds, (name) => this.buffer(name).index);
    this.lastDictionary = tagIds;
    this.lastIndexes = indexes;
    return indexes;
  }

  /**
   * The samples of one tag not yet in its own rows, in arrival order (a copy, for queries): the
   * journaled ones (committed), then the pending ones (not yet committed).
   */
  pendingOf(name: string): SampleColumns & { n: number } {
    const buf = this.byName.get(name);
    let n = buf ? buf.journaledN : 0;
    if (buf) for (let i = 0; i < this.logN; i++) if (this.logTag[i] === buf.index) n++;
    const out = { ...allocColumns(n), n };
    if (n === 0) return out;
    copyColumns(buf!.journaled, 0, buf!.journaledN, out, 0);
    let k = buf!.journaledN;
    for (let i = 0; i < this.logN; i++) {
      if (this.logTag[i] !== buf!.index) continue;
      out.t[k] = this.logT[i]!;
      out.v[k] = this.logV[i]!;
      out.q[k] = this.logQ[i]!;
      k++;
    }
    return out;
  }

  /** Groups the log by tag, keeping arrival order within a tag (counting sort). */
  private groupLog(): { cols: SampleColumns; start: Uint32Array; count: Uint32Array } {
    const tagCount = this.tags.length;
    const count = new Uint32Array(tagCount);
    const n = this.logN;
    const logTag = this.logTag;
    for (let i = 0; i < n; i++) count[logTag[i]!]!++;
    const start = new Uint32Array(tagCount);
    let sum = 0;
    for (let k = 0; k < tagCount; k++) {
      start[k] = sum;
      sum += count[k]!;
    }
    if (this.groupScratch.t.length < n)
      this.groupScratch = allocColumns(Math.max(n, this.groupScratch.t.length * 2));
    const cols = this.groupScratch;
    const next = start.slice();
    const logT = this.logT;
    const logV = this.logV;
    const logQ = this.logQ;
    for (let i = 0; i < n; i++) {
      const j = next[logTag[i]!]!++;
      cols.t[j] = logT[i]!;
      cols.v[j] = logV[i]!;
      cols.q[j] = logQ[i]!;
    }
    return { cols, start, count };
  }

  private clearLog(): void {
    this.logN = 0;
    // Give memory back after an outage filled the queue.
    if (this.logT.length > 1 << 22) this.groupScratch = allocColumns(1024);
    if (this.logT.length > 1 << 22) {
      this.logTag = new Uint32Array(1024);
      this.logT = new Float64Array(1024);
      this.logV = new Float64Array(1024);
      this.logQ = new Uint32Array(1024);
    }
  }

  /** Loads the open chunks of the current file (after open or reopen). Pending samples stay. */
  attach(store: HistorianStore, now: number): void {
    for (const buf of this.tags) {
      buf.id = null;
      buf.resetOpenChunk();
      buf.clearJournaled();
    }
    const names = store.tagNames();
    const through = store.journalThrough();
    for (const row of store.journalRows()) {
      readJournal(row.data, (tag, cols) => {
        const name = names.get(tag);
        // Entries of a tag that were already moved to its own rows are skipped.
        if (name === undefined || row.id <= (through.get(tag) ?? 0)) return;
        const buf = this.buffer(name);
        buf.id = tag;
        buf.addJournaled(cols, 0, cols.t.length, row.id, now);
        buf.lastAppendAt = now;
      });
    }
    for (const seg of store.openSegments()) {
      const name = names.get(seg.tag);
      if (name === undefined) continue;
      const buf = this.buffer(name);
      buf.id = seg.tag;
      if (buf.segments.length > 0 && seg.t0 < buf.openT1) buf.openSorted = false;
      buf.segments.push({ id: seg.id, n: seg.n, t0: seg.t0, t1: seg.t1, bytes: seg.bytes });
      buf.openN += seg.n;
      buf.openT0 = Math.min(buf.openT0, seg.t0);
      buf.openT1 = Math.max(buf.openT1, seg.t1);
      buf.lastAppendAt = now;
    }
  }

  /**
   * Writes all pending samples (and seals idle open chunks) in one transaction. Throws the
   * database error when the transaction fails; nothing in memory changes then.
   */
  flush(store: HistorianStore, now: number): FlushResult {
    const grouped = this.logN > 0 ? this.groupLog() : null;
    const cols = grouped?.cols ?? allocColumns(0);
    const { chunkSamples, promoteAfterMs, sealIdleMs } = this.config;
    const countOf = (buf: TagBuffer): number => (grouped ? grouped.count[buf.index]! : 0);
    const startOf = (buf: TagBuffer): number => (grouped ? grouped.start[buf.index]! : 0);
    // Decide per tag: own rows now (fast tags, journal samples due for promotion, idle open
    // chunks to seal) or the shared journal row.
    const own: TagBuffer[] = [];
    const promoted: TagBuffer[] = [];
    const journal: TagBuffer[] = [];
    const due: TagBuffer[] = [];
    let withJournaled = 0;
    for (const buf of this.tags) {
      const pn = countOf(buf);
      if (buf.journaledN > 0) withJournaled++;
      if (pn === 0 && buf.journaledN === 0) {
        if (buf.segments.length > 0 && now - buf.lastAppendAt >= sealIdleMs) own.push(buf);
      } else if (buf.journaledN === 0 && pn * 8 >= chunkSamples) {
        own.push(buf);
      } else if ((buf.journaledN + pn) * 8 >= chunkSamples) {
        promoted.push(buf);
      } else if (buf.journaledN > 0 && now - buf.journaledSince >= promoteAfterMs) {
        due.push(buf);
      } else {
        journal.push(buf);
      }
    }
    // Promotions that are merely due are spread over flushes (oldest first), so tags that
    // started together do not all move in the same commit.
    due.sort((a, b) => a.journaledSince - b.journaledSince);
    const perFlush = Math.max(8, Math.ceil(withJournaled / 32));
    for (let i = 0; i < due.length; i++) {
      const buf = due[i]!;
      if (i < perFlush || now - buf.journaledSince >= 4 * promoteAfterMs) promoted.push(buf);
      else if (countOf(buf) > 0) journal.push(buf);
    }
    if (own.length === 0 && promoted.length === 0 && journal.length === 0)
      return { samples: 0, tags: 0, sealedChunks: 0 };

    const afterCommit: (() => void)[] = [];
    let sealedChunks = 0;
    store.write(() => {
      for (const buf of own) {
        const outcome = this.flushTag(store, buf, cols, startOf(buf), countOf(buf), now);
        sealedChunks += outcome.sealed;
        afterCommit.push(outcome.apply);
      }
      for (const buf of promoted) {
        // The journaled samples (older) first, then the new ones.
        const pn = countOf(buf);
        const combined = allocColumns(buf.journaledN + pn);
        copyColumns(buf.journaled, 0, buf.journaledN, combined, 0);
        copyColumns(cols, startOf(buf), startOf(buf) + pn, combined, buf.journaledN);
        // A tag that went quiet is sealed on the way, so its rollups are stored.
        const quiet = pn === 0 && now - buf.lastAppendAt >= sealIdleMs;
        const outcome = this.flushTag(store, buf, combined, 0, combined.t.length, now, quiet);
        // The journal rows may live on for other tags: remember this tag's entries are done.
        if (buf.newestJournalId > 0)
          store.setJournalThrough(buf.id ?? store.tagId(buf.name)!, buf.newestJournalId);
        sealedChunks += outcome.sealed;
        afterCommit.push(outcome.apply, () => buf.clearJournaled());
      }
      const entries = journal.filter((buf) => countOf(buf) > 0);
      let journalId = Infinity;
      if (entries.length > 0) {
        const ids = entries.map((buf) => buf.id ?? store.ensureTag(buf.name, now));
        const data = encodeJournal(
          entries.map((buf, k) => ({
            tag: ids[k]!,
            cols,
            from: startOf(buf),
            to: startOf(buf) + countOf(buf),
          })),
        );
        journalId = store.insertJournal(
          entries.reduce((sum, buf) => sum + countOf(buf), 0),
          data,
        );
        entries.forEach((buf, k) => {
          const from = startOf(buf);
          const to = from + countOf(buf);
          // Copy now: the grouped columns are reused by the next flush.
          const copy = allocColumns(to - from);
          copyColumns(cols, from, to, copy, 0);
          afterCommit.push(() => {
            buf.id = ids[k]!;
            buf.addJournaled(copy, 0, copy.t.length, journalId, now);
          });
        });
      }
      // Journal rows older than every sample still waiting in one are no longer needed.
      const leaving = new Set(promoted);
      let oldestNeeded = journalId;
      for (const buf of this.tags) {
        if (buf.journaledN > 0 && !leaving.has(buf))
          oldestNeeded = Math.min(oldestNeeded, buf.oldestJournalId);
      }
      store.deleteJournalBelow(Number.isFinite(oldestNeeded) ? oldestNeeded : Number.MAX_SAFE_INTEGER);
    });
    for (const apply of afterCommit) apply();
    if (grouped) for (const buf of this.tags) if (countOf(buf) > 0) buf.lastAppendAt = now;
    const samples = this.logN;
    this.clearLog();
    return { samples, tags: own.length + promoted.length + journal.length, sealedChunks };
  }

  private flushTag(
    store: HistorianStore,
    buf: TagBuffer,
    all: SampleColumns,
    from: number,
    pn: number,
    now: number,
    sealAll = false,
  ): { sealed: number; apply: () => void } {
    const id = buf.id ?? store.ensureTag(buf.name, now);
    // This tag's pending samples, sorted (stable) when they arrived out of order.
    const pending = allocColumns(0);
    pending.t = all.t.subarray(from, from + pn);
    pending.v = all.v.subarray(from, from + pn);
    pending.q = all.q.subarray(from, from + pn);
    sortByTime(pending, 0, pn);
    const pt0 = pn > 0 ? pending.t[0]! : Infinity;
    const pt1 = pn > 0 ? pending.t[pn - 1]! : -Infinity;
    const t0 = Math.min(buf.openT0, pt0);
    const t1 = Math.max(buf.openT1, pt1);
    const idle = pn === 0 || sealAll;
    // A big flush (a fast tag) is sealed straight away: encoded once, rolled up once.
    const mustSeal =
      idle ||
      pn * 8 >= this.config.chunkSamples ||
      buf.openN + pn >= this.config.chunkSamples ||
      t1 - t0 >= this.config.maxChunkSpanMs;
    const force = idle || pn * 8 >= this.config.chunkSamples;

    if (mustSeal) {
      const result = this.seal(store, id, buf, pending, pn, force);
      return {
        sealed: result.sealed,
        apply: () => {
          buf.id = id;
          buf.resetOpenChunk();
          if (result.remainder) this.addOpenSegment(buf, result.remainder, true);
        },
      };
    }

    const segment = this.insertSegment(store, id, pending, 0, pn);
    const segments = [...buf.segments, segment];
    const merged = this.mergeTail(store, id, segments);
    const sortedAfter = buf.openSorted && (buf.segments.length === 0 || pt0 >= buf.openT1);
    return {
      sealed: 0,
      apply: () => {
        buf.id = id;
        buf.segments = merged;
        buf.openN += pn;
        buf.openT0 = t0;
        buf.openT1 = t1;
        buf.openSorted = sortedAfter;
      },
    };
  }

  private addOpenSegment(buf: TagBuffer, seg: Segment, sorted: boolean): void {
    buf.segments.push(seg);
    buf.openN += seg.n;
    buf.openT0 = Math.min(buf.openT0, seg.t0);
    buf.openT1 = Math.max(buf.openT1, seg.t1);
    buf.openSorted = buf.openSorted && sorted;
  }

  private insertSegment(
    store: HistorianStore,
    id: number,
    cols: SampleColumns,
    from: number,
    to: number,
  ): Segment {
    const data = encodeChunk(this.writer, cols, from, to);
    const t0 = cols.t[from]!;
    const t1 = cols.t[to - 1]!;
    const segId = store.insertChunk(id, t0, t1, to - from, false, data);
    return { id: segId, n: to - from, t0, t1, bytes: data.length };
  }

  /** Merges the newest segments while `fanIn` of them share a size class. */
  private mergeTail(store: HistorianStore, id: number, segments: Segment[]): Segment[] {
    const fanIn = this.config.segmentFanIn;
    let list = segments;
    for (;;) {
      if (list.length < fanIn) return list;
      const tail = list.slice(list.length - fanIn);
      const level = levelOf(tail[0]!.n, fanIn);
      const sameClass = tail.every((s) => levelOf(s.n, fanIn) === level);
      // Safety valve for mixed sizes that never line up: merge everything.
      // A tail that is already half a chunk is left for the seal, which rewrites it anyway.
      const tailSamples = tail.reduce((sum, s) => sum + s.n, 0);
      const worthMerging = sameClass && tailSamples * 2 < this.config.chunkSamples;
      const take = worthMerging ? tail : list.length > fanIn * 4 ? list : null;
      if (!take) return list;
      const cols = this.readSegments(store, take);
      const merged = this.insertSegment(store, id, cols, 0, cols.t.length);
      for (const s of take) store.deleteChunk(s.id, s.n, s.bytes);
      list = [...list.slice(0, list.length - take.length), merged];
    }
  }

  private readSegments(store: HistorianStore, segments: Segment[]): SampleColumns {
    const total = segments.reduce((sum, s) => sum + s.n, 0);
    const cols = allocColumns(total);
    let at = 0;
    for (const s of segments) {
      const row = store.chunkById(s.id);
      if (!row) throw new Error(`historian segment ${s.id} vanished during a flush`);
      at += decodeChunkInto(row.data, cols, at);
    }
    sortByTime(cols, 0, total);
    return cols;
  }

  /**
   * Seals the open chunk plus the pending samples: full chunks are written sealed with their
   * rollups, a tail shorter than a chunk stays open as one segment (unless forced).
   */
  private seal(
    store: HistorianStore,
    id: number,
    buf: TagBuffer,
    pending: SampleColumns,
    pn: number,
    force: boolean,
  ): { sealed: number; remainder: Segment | null } {
    let cols: SampleColumns;
    let total: number;
    if (buf.segments.length === 0) {
      cols = pending;
      total = pn;
    } else {
      const open = this.readSegments(store, buf.segments);
      total = open.t.length + pn;
      cols = allocColumns(total);
      copyColumns(open, 0, open.t.length, cols, 0);
      copyColumns(pending, 0, pn, cols, open.t.length);
      sortByTime(cols, 0, total);
      for (const s of buf.segments) store.deleteChunk(s.id, s.n, s.bytes);
    }
    const { chunkSamples, maxChunkSpanMs } = this.config;
    const t = cols.t;
    let start = 0;
    let sealed = 0;
    while (start < total) {
      let end = start + 1;
      while (end < total && end - start < chunkSamples && t[end]! - t[start]! < maxChunkSpanMs) end++;
      const complete = force || end < total || end - start >= chunkSamples;
      if (!complete) break;
      const data = encodeChunk(this.writer, cols, start, end);
      const covers = coveredResolution(t, start, end, store.layout.resolutions);
      store.insertChunk(id, t[start]!, t[end - 1]!, end - start, true, data, covers);
      this.writeRollups(store, id, cols, start, end, covers);
      sealed++;
      start = end;
    }
    const remainder = start < total ? this.insertSegment(store, id, cols, start, total) : null;
    return { sealed, remainder };
  }

  /**
   * Folds the buckets of sorted samples cols[from, to) into the stored rollup blocks, for the
   * resolutions coarser than `covers` (the chunk itself stands in for the finer ones).
   */
  private writeRollups(
    store: HistorianStore,
    id: number,
    cols: SampleColumns,
    from: number,
    to: number,
    covers: number,
  ): void {
    let previous: Buckets | null = null;
    store.layout.resolutions.forEach((res, level) => {
      if (res <= covers) return;
      // Scratch bucket sets are reused across seals: a seal allocates no typed arrays.
      const buckets = (this.levelScratch[level] ??= new Buckets(256));
      buckets.length = 0;
      if (previous) coarsen(previous, res, buckets);
      else bucketize(cols, from, to, res, buckets);
      this.writeBuckets(store, id, res, buckets);
      previous = buckets;
    });
  }

  private writeBuckets(store: HistorianStore, id: number, res: number, b: Buckets): void {
    const span = store.blockSpan(res);
    let i = 0;
    while (i < b.length) {
      const block = Math.floor(b.start[i]! / span) * span;
      let j = i + 1;
      while (j < b.length && b.start[j]! < block + span) j++;
      const existing = store.getBlock(id, res, block);
      if (existing) {
        const stored = this.storedScratch;
        stored.length = 0;
        decodeRollupBlock(existing.data, block, res, stored);
        const merged = mergeBuckets(stored, b, i, j, this.mergedScratch);
        const data = encodeRollupBlock(this.writer, merged, 0, merged.length, block, res);
        store.updateBlock(existing.id, res, existing.n, existing.data.length, merged.length, data);
      } else {
        const data = encodeRollupBlock(this.writer, b, i, j, block, res);
        store.insertBlock(id, res, block, j - i, data);
      }
      i = j;
    }
  }
}
