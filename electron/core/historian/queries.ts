import { Buckets } from './buckets';
import { chunkLength, decodeChunkInto, type SampleColumns } from './codec/chunk';
import { decodeRollupBlock } from './codec/rollupBlock';
import { allocColumns, isSortedByTime, lowerBound, sortByTime, upperBound } from './columns';
import { HistorianInputError } from './faults';
import type { ChunkRow, HistorianStore } from './store';
import type {
  AggregateQuery,
  AggregateSeries,
  ChartQuery,
  ChartSeries,
  ColumnStats,
  LastValue,
  RawSeries,
  SourcePart,
} from './types';

/**
 * Read side of the historian. Every query sees committed data (chunks, open segments, rollup
 * blocks) plus the samples still pending in memory, so what the operator sees does not depend
 * on when the last flush happened.
 *
 * Chart and aggregate queries pick their source per part of the time range:
 * - raw samples when there are few enough of them (exact M4);
 * - otherwise the coarsest rollup whose bucket fits in a pixel column (or divides the interval);
 * - older parts whose finer data retention has removed go to the next coarser rollup
 *   ("horizons", see retention.ts), so a year-long trend stays complete.
 * Rollups cover sealed chunks only; the open chunk of each tag (at most one chunk of samples)
 * is read raw and folded in, and so are sealed chunks too sparse to have rollups at the
 * resolution asked (see coveredResolution in writer.ts).
 */

export interface PendingSamples {
  t: Float64Array;
  v: Float64Array;
  q: Uint32Array;
  n: number;
}

export type PendingLookup = (tagId: string) => PendingSamples | undefined;

const MAX_WIDTH = 20_000;
const MAX_INTERVALS = 200_000;
const MAX_RAW_LIMIT = 10_000_000;

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to))
    throw new HistorianInputError('from and to must be finite epoch ms');
  if (!(to > from)) throw new HistorianInputError(`empty time range: from ${from} is not before to ${to}`);
}

function checkTags(tagIds: readonly string[]): void {
  if (!Array.isArray(tagIds) || tagIds.length === 0)
    throw new HistorianInputError('tagIds must list at least one tag');
  for (const id of tagIds) {
    if (typeof id !== 'string' || id.length === 0)
      throw new HistorianInputError('tag ids must be non-empty strings');
  }
}

export class HistorianQueries {
  private decodeBuffer: SampleColumns = allocColumns(4096);

  constructor(
    private readonly store: HistorianStore,
    private readonly pending: PendingLookup,
    private readonly chartRawBudget: (width: number) => number = (width) => Math.max(20_000, width * 64),
  ) {}

  private tagId(name: string): number | undefined {
    return this.store.tagId(name);
  }

  /** Decodes a row into the shared scratch buffer; returns the sample count. */
  private decodeRow(row: ChunkRow): number {
    const n = chunkLength(row.data);
    if (this.decodeBuffer.t.length < n)
      this.decodeBuffer = allocColumns(Math.max(n, this.decodeBuffer.t.length * 2));
    return decodeChunkInto(row.data, this.decodeBuffer, 0);
  }

  /** Raw samples of one tag in [from, to] (to exclusive when toExclusive), ascending. */
  raw(
    tagId: string,
    from: number,
    to: number,
    options: { limit?: number; toExclusive?: boolean } = {},
  ): RawSeries {
    checkRange(from, to);
    const limit = options.limit ?? 1_000_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RAW_LIMIT) {
      throw new HistorianInputError(`limit must be an integer from 1 to ${MAX_RAW_LIMIT}`);
    }
    const exclusive = options.toExclusive === true;
    const id = this.tagId(tagId);
    const parts: { id: number; cols: SampleColumns }[] = [];
    let at = 0;
    let overlap = false;
    let maxT = -Infinity;
    if (id !== undefined) {
      for (const row of this.store.iterateRowsInRange(id, from, to)) {
        // Rows come in end-time order: once enough samples are in and this row starts after
        // all of them, no later row can hold an earlier sample.
        if (at >= limit && row.t0 > maxT) break;
        const n = this.decodeRow(row);
        const t = this.decodeBuffer.t;
        const lo = lowerBound(t, 0, n, from);
        const hi = exclusive ? lowerBound(t, lo, n, to) : upperBound(t, lo, n, to);
        if (hi <= lo) continue;
        // Equal times across rows count too: their order must follow arrival.
        if (t[lo]! <= maxT) overlap = true;
        maxT = Math.max(maxT, t[hi - 1]!);
        parts.push({ id: row.id, cols: sliceColumns(this.decodeBuffer, lo, hi) });
        at += hi - lo;
      }
    }
    const p = this.pending(tagId);
    if (p && p.n > 0) {
      const keep = filterColumns(p, p.n, (t) => t >= from && (exclusive ? t < to : t <= to));
      if (keep.t.length > 0) {
        parts.push({ id: Number.MAX_SAFE_INTEGER, cols: keep });
        at += keep.t.length;
        overlap = true;
      }
    }
    const all = concatInArrivalOrder(parts, overlap);
    const n = Math.min(at, limit);
    return {
      tagId,
      t: all.t.slice(0, n),
      v: all.v.slice(0, n),
      q: all.q.slice(0, n),
      truncated: at > limit,
    };
  }

  /** The newest `limit` samples of each tag with t > sinceMs, ascending (live trend backfill). */
  recent(tagIds: readonly string[], sinceMs: number | undefined, limit: number): RawSeries[] {
    checkTags(tagIds);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RAW_LIMIT) {
      throw new HistorianInputError(`limit must be an integer from 1 to ${MAX_RAW_LIMIT}`);
    }
    const since = sinceMs ?? -Infinity;
    return tagIds.map((tagId) => {
      // Rows are read newest first, until `limit` samples are certainly in.
      const parts: { id: number; cols: SampleColumns }[] = [];
      let collected = 0;
      let oldestRowStart = Infinity;
      const id = this.tagId(tagId);
      if (id !== undefined) {
        for (const row of this.store.newestRows(id, since)) {
          // Enough samples, and this row ends before every row read so far starts: done.
          if (collected >= limit && row.t1 < oldestRowStart) break;
          const n = this.decodeRow(row);
          const lo = upperBound(this.decodeBuffer.t, 0, n, since);
          parts.push({ id: row.id, cols: sliceColumns(this.decodeBuffer, lo, n) });
          collected += n - lo;
          oldestRowStart = Math.min(oldestRowStart, row.t0);
        }
      }
      const p = this.pending(tagId);
      if (p && p.n > 0)
        parts.push({ id: Number.MAX_SAFE_INTEGER, cols: filterColumns(p, p.n, (t) => t > since) });
      const all = concatInArrivalOrder(parts, true);
      const total = all.t.length;
      const start = Math.max(0, total - limit);
      return {
        tagId,
        t: all.t.slice(start),
        v: all.v.slice(start),
        q: all.q.slice(start),
        truncated: start > 0,
      };
    });
  }

  /** The newest sample of each tag (by timestamp), or null for a tag without samples. */
  last(tagIds: readonly string[]): (LastValue | null)[] {
    checkTags(tagIds);
    return tagIds.map((tagId) => {
      let best: LastValue | null = null;
      const id = this.tagId(tagId);
      if (id !== undefined) {
        for (const row of this.store.newestRows(id, -Infinity)) {
          const n = this.decodeRow(row);
          const t = this.decodeBuffer.t;
          // The row with the latest end holds the latest sample; take the last one at that time.
          let i = n - 1;
          let bestI = i;
          for (; i >= 0; i--) if (t[i]! > t[bestI]!) bestI = i;
          best = { tagId, t: t[bestI]!, v: this.decodeBuffer.v[bestI]!, q: this.decodeBuffer.q[bestI]! };
          break;
        }
      }
      const p = this.pending(tagId);
      if (p) {
        for (let i = 0; i < p.n; i++) {
          if (best === null || p.t[i]! >= best.t) best = { tagId, t: p.t[i]!, v: p.v[i]!, q: p.q[i]! };
        }
      }
      return best;
    });
  }

  chart(query: ChartQuery): ChartSeries[] {
    checkTags(query.tagIds);
    checkRange(query.from, query.to);
    const { from, to, width } = query;
    if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH) {
      throw new HistorianInputError(`width must be an integer from 1 to ${MAX_WIDTH}`);
    }
    const step = (to - from) / width;
    const ladder = [0, ...this.store.layout.resolutions];
    return query.tagIds.map((tagId) => {
      const id = this.tagId(tagId);
      const acc = new Buckets(width);
      for (let i = 0; i < width; i++) acc.pushEmpty(from + i * step);
      const column = (t: number): number => Math.min(width - 1, Math.max(0, Math.floor((t - from) / step)));
      let chosen = 0;
      if (id !== undefined) {
        const budget = this.chartRawBudget(width);
        const estimate = this.store.countUpTo(id, from, to, budget);
        if (estimate > budget) {
          for (let i = ladder.length - 1; i >= 1; i--) {
            if (ladder[i]! <= step) {
              chosen = i;
              break;
            }
          }
        }
      }
      const parts = this.stitch(ladder.slice(chosen), from, to, false);
      for (const part of parts) this.feed(acc, column, tagId, id, part);
      return {
        tagId,
        from,
        to,
        width,
        columnMs: step,
        resolutionMs: ladder[chosen]!,
        sources: parts.map(({ resolutionMs, from: a, to: b }) => ({ resolutionMs, from: a, to: b })),
        columns: toColumnStats(acc, true),
      };
    });
  }

  aggregate(query: AggregateQuery): AggregateSeries[] {
    checkTags(query.tagIds);
    checkRange(query.from, query.to);
    const { from, to, intervalMs } = query;
    if (!Number.isFinite(intervalMs) || intervalMs <= 0)
      throw new HistorianInputError('intervalMs must be a positive number');
    const count = Math.ceil((to - from) / intervalMs);
    if (count > MAX_INTERVALS) {
      throw new HistorianInputError(
        `${count} intervals requested; at most ${MAX_INTERVALS} (use a longer interval)`,
      );
    }
    // Only resolutions whose buckets tile the intervals exactly can answer an aggregate.
    const eligible = [
      0,
      ...this.store.layout.resolutions.filter((r) => intervalMs % r === 0 && ((from % r) + r) % r === 0),
    ];
    return query.tagIds.map((tagId) => {
      const id = this.tagId(tagId);
      const acc = new Buckets(count);
      for (let i = 0; i < count; i++) acc.pushEmpty(from + i * intervalMs);
      const column = (t: number): number => Math.floor((t - from) / intervalMs);
      const chosen = eligible.length - 1;
      const parts = this.stitch(eligible.slice(chosen), from, to, false);
      // Data older than the coarsest eligible source's horizon is gone at this granularity.
      for (const part of parts) this.feed(acc, column, tagId, id, part);
      return {
        tagId,
        intervalMs,
        resolutionMs: eligible[chosen]!,
        sources: parts.map(({ resolutionMs, from: a, to: b }) => ({ resolutionMs, from: a, to: b })),
        columns: toColumnStats(acc, false),
      };
    });
  }

  /**
   * Splits [from, to] between sources, newest part first: each source serves the range from
   * its horizon on, the next coarser one the rest. Part boundaries are aligned to the coarser
   * source's buckets so no bucket is counted twice. The last source serves everything older,
   * whatever its own horizon: what still exists is drawn.
   */
  private stitch(
    ladder: number[],
    from: number,
    to: number,
    inclusiveEnd = true,
  ): (SourcePart & { inclusive: boolean })[] {
    const parts: (SourcePart & { inclusive: boolean })[] = [];
    let end = to;
    let inclusive = inclusiveEnd;
    for (let i = 0; i < ladder.length; i++) {
      const res = ladder[i]!;
      const next = ladder[i + 1];
      const horizon = this.store.horizon(res);
      if (next === undefined || horizon <= from) {
        parts.push({ resolutionMs: res, from, to: end, inclusive });
        break;
      }
      const start = Math.ceil(horizon / next) * next;
      if (start < end) {
        parts.push({ resolutionMs: res, from: Math.max(start, from), to: end, inclusive });
        end = Math.max(start, from);
        inclusive = false;
      }
      if (end <= from) break;
    }
    return parts;
  }

  private feed(
    acc: Buckets,
    column: (t: number) => number,
    tagId: string,
    id: number | undefined,
    part: SourcePart & { inclusive: boolean },
  ): void {
    const { from, to, inclusive } = part;
    const addSamples = (cols: SampleColumns, start: number, end: number, sorted: boolean): void => {
      if (sorted) {
        const lo = lowerBound(cols.t, start, end, from);
        const hi = inclusive ? upperBound(cols.t, lo, end, to) : lowerBound(cols.t, lo, end, to);
        for (let i = lo; i < hi; i++) acc.addSample(column(cols.t[i]!), cols.t[i]!, cols.v[i]!, cols.q[i]!);
        return;
      }
      for (let i = start; i < end; i++) {
        const t = cols.t[i]!;
        if (t >= from && (inclusive ? t <= to : t < to)) acc.addSample(column(t), t, cols.v[i]!, cols.q[i]!);
      }
    };
    if (id !== undefined) {
      if (part.resolutionMs === 0) {
        for (const row of this.store.iterateRowsInRange(id, from, to)) {
          const n = this.decodeRow(row);
          addSamples(this.decodeBuffer, 0, n, true);
        }
      } else {
        this.feedRollup(acc, column, id, part);
        // Chunks too sparse to have rollups at this resolution are their own buckets.
        for (const row of this.store.coveringInRange(id, part.resolutionMs, from, to)) {
          const n = this.decodeRow(row);
          addSamples(this.decodeBuffer, 0, n, true);
        }
        for (const row of this.store.openInRange(id, from, to)) {
          const n = this.decodeRow(row);
          addSamples(this.decodeBuffer, 0, n, true);
        }
      }
    }
    const p = this.pending(tagId);
    if (p && p.n > 0) addSamples(p, 0, p.n, isSortedByTime(p.t, 0, p.n));
  }

  private feedRollup(
    acc: Buckets,
    column: (t: number) => number,
    id: number,
    part: SourcePart & { inclusive: boolean },
  ): void {
    const res = part.resolutionMs;
    const span = this.store.blockSpan(res);
    const blocks = this.store.blocksInRange(id, res, Math.floor(part.from / span) * span, part.to);
    const buckets = new Buckets(this.store.layout.blockBuckets);
    for (const { block, data } of blocks) {
      buckets.length = 0;
      decodeRollupBlock(data, block, res, buckets);
      for (let j = 0; j < buckets.length; j++) {
        const start = buckets.start[j]!;
        if (start + res <= part.from) continue;
        if (part.inclusive ? start > part.to : start >= part.to) continue;
        acc.addBucket(column(Math.max(start, part.from)), buckets, j);
      }
    }
  }
}

function sliceColumns(cols: SampleColumns, from: number, to: number): SampleColumns {
  return { t: cols.t.slice(from, to), v: cols.v.slice(from, to), q: cols.q.slice(from, to) };
}

function filterColumns(cols: SampleColumns, n: number, keep: (t: number) => boolean): SampleColumns {
  const out = allocColumns(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const t = cols.t[i]!;
    if (!keep(t)) continue;
    out.t[k] = t;
    out.v[k] = cols.v[i]!;
    out.q[k] = cols.q[i]!;
    k++;
  }
  return sliceColumns(out, 0, k);
}

/**
 * Concatenates row parts into one time-ordered series. When rows overlap in time (backfill,
 * re-sent samples), they are laid out in the order they were stored (row id, pending last)
 * before a stable sort, so samples with equal timestamps keep their arrival order.
 */
function concatInArrivalOrder(parts: { id: number; cols: SampleColumns }[], overlap: boolean): SampleColumns {
  const ordered = overlap ? [...parts].sort((a, b) => a.id - b.id) : parts;
  const total = parts.reduce((sum, part) => sum + part.cols.t.length, 0);
  const all = allocColumns(total);
  let at = 0;
  for (const { cols } of ordered) {
    all.t.set(cols.t, at);
    all.v.set(cols.v, at);
    all.q.set(cols.q, at);
    at += cols.t.length;
  }
  if (overlap) sortByTime(all, 0, total);
  return all;
}

function toColumnStats(acc: Buckets, nonEmptyOnly: boolean): ColumnStats {
  let n = 0;
  for (let i = 0; i < acc.length; i++) if (!nonEmptyOnly || acc.count[i]! > 0) n++;
  const out: ColumnStats = {
    t: new Float64Array(n),
    count: new Float64Array(n),
    validCount: new Float64Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    mean: new Float64Array(n),
    first: new Float64Array(n),
    last: new Float64Array(n),
    tFirst: new Float64Array(n),
    tLast: new Float64Array(n),
    tMin: new Float64Array(n),
    tMax: new Float64Array(n),
    quality: new Uint32Array(n),
  };
  let k = 0;
  for (let i = 0; i < acc.length; i++) {
    if (nonEmptyOnly && acc.count[i] === 0) continue;
    const vc = acc.vcount[i]!;
    out.t[k] = acc.start[i]!;
    out.count[k] = acc.count[i]!;
    out.validCount[k] = vc;
    out.min[k] = acc.min[i]!;
    out.max[k] = acc.max[i]!;
    out.mean[k] = vc > 0 ? acc.sum[i]! / vc : NaN;
    out.first[k] = acc.first[i]!;
    out.last[k] = acc.last[i]!;
    out.tFirst[k] = acc.tFirst[i]!;
    out.tLast[k] = acc.tLast[i]!;
    out.tMin[k] = acc.tMin[i]!;
    out.tMax[k] = acc.tMax[i]!;
    out.quality[k] = acc.worst[i]!;
    k++;
  }
  return out;
}
