import type { SampleBatch } from '../../../shared/samples';
import { Buckets, bucketize, coarsen, mergeBuckets } from './buckets';
import { ByteWriter } from './codec/bytes';
import { decodeChunkInto, encodeChunk, type SampleColumns } from './codec/chunk';
import { decodeRollupBlock, encodeRollupBlock } from './codec/rollupBlock';
import { allocColumns, copyColumns, isSortedByTime, sortByTime } from './columns';
import type { HistorianStore } from './store';

/**
 * The ingest side of the historian.
 *
 * append() only copies samples into per-tag typed arrays (the "pending" queue): no SQL, no
 * allocation per sample. flush() writes everything pending in ONE transaction:
 * - each tag's new samples become a small "segment" row of its open chunk, so they are durable
 *   at commit (the durability bound is the flush interval);
 * - segments of a tag are merged as they pile up (8 segments of one size class become one of the
 *   next, like a log-structured merge), so a slow tag does not leave thousands of tiny rows;
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
}

interface Segment {
  id: number;
  n: number;
  t0: number;
  t1: number;
  bytes: number;
}

/** Everything the historian holds for one tag. */
export class TagBuffer {
  /** Database id, null until the tag row exists in the current file. */
  id: number | null = null;
  // Pending samples, arrival order.
  t = new Float64Array(16);
  v = new Float64Array(16);
  q = new Uint32Array(16);
  n = 0;
  pendingSorted = true;
  // The open chunk on disk (committed segments).
  segments: Segment[] = [];
  openN = 0;
  openT0 = Infinity;
  openT1 = -Infinity;
  openSorted = true;
  lastAppendAt = 0;

  constructor(readonly name: string) {}

  push(t: number, v: number, q: number): void {
    if (this.n === this.t.length) this.grow();
    const i = this.n++;
    if (i > 0 && t < this.t[i - 1]!) this.pendingSorted = false;
    this.t[i] = t;
    this.v[i] = v;
    this.q[i] = q;
  }

  private grow(): void {
    const c = this.t.length * 2;
    const t = new Float64Array(c);
    t.set(this.t);
    const v = new Float64Array(c);
    v.set(this.v);
    const q = new Uint32Array(c);
    q.set(this.q);
    this.t = t;
    this.v = v;
    this.q = q;
  }

  resetOpenChunk(): void {
    this.segments = [];
    this.openN = 0;
    this.openT0 = Infinity;
    this.openT1 = -Infinity;
    this.openSorted = true;
  }

  /** Drops the first `count` pending samples (they were committed). */
  consumePending(count: number): void {
    if (count >= this.n) {
      this.n = 0;
      this.pendingSorted = true;
      // Give back memory after a long outage filled the queue.
      if (this.t.length > 65536) {
        this.t = new Float64Array(16);
        this.v = new Float64Array(16);
        this.q = new Uint32Array(16);
      }
      return;
    }
    this.t.copyWithin(0, count, this.n);
    this.v.copyWithin(0, count, this.n);
    this.q.copyWithin(0, count, this.n);
    this.n -= count;
    this.pendingSorted = isSortedByTime(this.t, 0, this.n);
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

function levelOf(n: number, fanIn: number): number {
  return Math.floor(Math.log(Math.max(1, n)) / Math.log(fanIn) + 1e-9);
}

export class IngestBuffer {
  private readonly tags = new Map<string, TagBuffer>();
  private dirty: TagBuffer[] = [];
  private readonly writer = new ByteWriter(1 << 16);
  pendingTotal = 0;

  constructor(private readonly config: WriterConfig) {}

  get(name: string): TagBuffer | undefined {
    return this.tags.get(name);
  }

  all(): IterableIterator<TagBuffer> {
    return this.tags.values();
  }

  private buffer(name: string): TagBuffer {
    let buf = this.tags.get(name);
    if (!buf) {
      buf = new TagBuffer(name);
      this.tags.set(name, buf);
    }
    return buf;
  }

  append(batch: SampleBatch, now: number): AppendResult {
    const n = batch.length;
    const room = Math.max(0, this.config.maxPendingSamples - this.pendingTotal);
    const take = Math.min(n, room);
    const buffers: TagBuffer[] = batch.tagIds.map((name) => this.buffer(name));
    const { tagIndex, timestamps, values, quality } = batch;
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < take; i++) {
      const buf = buffers[tagIndex[i]!];
      const t = timestamps[i]!;
      if (buf === undefined || !Number.isFinite(t)) {
        rejected++;
        continue;
      }
      if (buf.n === 0) this.dirty.push(buf);
      buf.push(t, values[i]!, quality[i]!);
      buf.lastAppendAt = now;
      accepted++;
    }
    this.pendingTotal += accepted;
    return { accepted, dropped: n - take, rejected };
  }

  /** Loads the open chunks of the current file (after open or reopen). Pending samples stay. */
  attach(store: HistorianStore, now: number): void {
    for (const buf of this.tags.values()) {
      buf.id = null;
      buf.resetOpenChunk();
    }
    const names = store.tagNames();
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
    const work = this.dirty.filter((buf) => buf.n > 0);
    for (const buf of this.tags.values()) {
      if (buf.n === 0 && buf.segments.length > 0 && now - buf.lastAppendAt >= this.config.sealIdleMs) {
        work.push(buf);
      }
    }
    if (work.length === 0) return { samples: 0, tags: 0, sealedChunks: 0 };
    const afterCommit: (() => void)[] = [];
    let samples = 0;
    let sealedChunks = 0;
    store.write(() => {
      for (const buf of work) {
        const outcome = this.flushTag(store, buf, now);
        samples += outcome.samples;
        sealedChunks += outcome.sealed;
        afterCommit.push(outcome.apply);
      }
    });
    for (const apply of afterCommit) apply();
    this.dirty = [];
    this.pendingTotal -= samples;
    return { samples, tags: work.length, sealedChunks };
  }

  private flushTag(
    store: HistorianStore,
    buf: TagBuffer,
    now: number,
  ): { samples: number; sealed: number; apply: () => void } {
    const id = buf.id ?? store.ensureTag(buf.name, now);
    const pn = buf.n;
    // The pending samples, sorted (stable) when they arrived out of order.
    let pending: SampleColumns = { t: buf.t, v: buf.v, q: buf.q };
    if (!buf.pendingSorted) {
      pending = allocColumns(pn);
      copyColumns(buf, 0, pn, pending, 0);
      sortByTime(pending, 0, pn);
    }
    const pt0 = pn > 0 ? pending.t[0]! : Infinity;
    const pt1 = pn > 0 ? pending.t[pn - 1]! : -Infinity;
    const t0 = Math.min(buf.openT0, pt0);
    const t1 = Math.max(buf.openT1, pt1);
    const idle = pn === 0;
    const mustSeal =
      idle || buf.openN + pn >= this.config.chunkSamples || t1 - t0 >= this.config.maxChunkSpanMs;

    if (mustSeal) {
      const result = this.seal(store, id, buf, pending, pn, idle);
      return {
        samples: pn,
        sealed: result.sealed,
        apply: () => {
          buf.id = id;
          buf.consumePending(pn);
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
      samples: pn,
      sealed: 0,
      apply: () => {
        buf.id = id;
        buf.consumePending(pn);
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

  private insertSegment(store: HistorianStore, id: number, cols: SampleColumns, from: number, to: number): Segment {
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
      store.insertChunk(id, t[start]!, t[end - 1]!, end - start, true, data);
      sealed++;
      start = end;
    }
    if (start > 0) this.writeRollups(store, id, cols, 0, start);
    const remainder = start < total ? this.insertSegment(store, id, cols, start, total) : null;
    return { sealed, remainder };
  }

  /** Folds the buckets of sorted samples cols[from, to) into the stored rollup blocks. */
  private writeRollups(store: HistorianStore, id: number, cols: SampleColumns, from: number, to: number): void {
    const resolutions = store.layout.resolutions;
    let previous: Buckets | null = null;
    for (const res of resolutions) {
      const buckets: Buckets = new Buckets(previous ? Math.ceil(previous.length / 4) + 1 : 64);
      if (previous) coarsen(previous, res, buckets);
      else bucketize(cols, from, to, res, buckets);
      this.writeBuckets(store, id, res, buckets);
      previous = buckets;
    }
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
        const stored = new Buckets(existing.n + (j - i));
        decodeRollupBlock(existing.data, block, res, stored);
        const merged = mergeBuckets(stored, b, i, j);
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
