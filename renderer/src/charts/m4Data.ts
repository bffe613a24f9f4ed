import type { Series } from '../../../shared/domain';
import type { ChartSeries } from '../../../shared/historianApi';
import { isGood, qualitySeverity, STATUS_UNCERTAIN } from '../../../shared/quality';
import { MARKER_Y, type StripData } from './stripData';

/**
 * The historian's chart answer (M4 columns, Jugel et al., VLDB 2014: per pixel column the
 * first, last, minimum and maximum value with their times) turned into what a strip draws.
 *
 * - The line runs through each column's four points in time order. Drawn at the column's
 *   pixel width, that polyline covers the same pixels as a line through every raw sample, so
 *   no peak is lost however far out the operator zooms.
 * - The band spans each column's min..max, so the envelope reads even where the line is thin.
 * - The historian leaves out columns without samples (count 0): a null point at the start of
 *   the first missing column breaks the line and the band there (a gap).
 * - A column with samples but no usable value (all Bad, or NaN) gets one point with a null
 *   value (a gap in the line) and its quality marker.
 * - A column whose worst quality is Uncertain or Bad gets a marker along the bottom, amber or
 *   red, as live samples do.
 */
export interface HistoryData {
  plot: StripData;
  /** Columns that held at least one sample. */
  columns: number;
  /** Stretches of empty columns, each drawn as a gap. */
  gaps: number;
  /** Whether the last point is the newest value held to the right edge, not a sample. */
  heldPoint: boolean;
  /** Columns whose worst quality was Uncertain / Bad. */
  uncertainColumns: number;
  badColumns: number;
  resolutionMs: number;
  columnMs: number;
  from: number;
  to: number;
}

interface PointSink {
  x: number[];
  line: (number | null)[];
  low: (number | null)[];
  high: (number | null)[];
  uncertain: (number | null)[];
  bad: (number | null)[];
}

function pushPoint(s: PointSink, x: number, v: number | null, low: number | null, high: number | null) {
  // Times must not go back (uPlot wants ascending x); clamp rather than reorder columns.
  const last = s.x.length > 0 ? s.x[s.x.length - 1]! : -Infinity;
  s.x.push(x < last ? last : x);
  s.line.push(v);
  s.low.push(low);
  s.high.push(high);
  s.uncertain.push(null);
  s.bad.push(null);
}

type ChartColumns = ChartSeries['columns'];

/** One column's points: at most four (first, min, max, last), in time order. */
export interface ColumnPoints {
  t: Float64Array;
  v: Float64Array;
}

export function columnPointsBuffer(): ColumnPoints {
  return { t: new Float64Array(4), v: new Float64Array(4) };
}

/**
 * Writes column i's first/min/max/last into `out` in time order (ties keep that order), without
 * repeating a point, and returns how many there are (0 when the column has no usable value).
 * Allocation-free: it runs for every column of every answer.
 */
export function columnPoints(c: ChartColumns, i: number, out: ColumnPoints): number {
  let n = addPoint(out, 0, c.first[i], c.tFirst[i]);
  n = addPoint(out, n, c.min[i], c.tMin[i]);
  n = addPoint(out, n, c.max[i], c.tMax[i]);
  return addPoint(out, n, c.last[i], c.tLast[i]);
}

/** Inserts (t, v) into the n sorted points of `out`; returns the new count. */
function addPoint(
  out: ColumnPoints,
  n: number,
  v: number | null | undefined,
  t: number | null | undefined,
): number {
  if (v === null || v === undefined || t === null || t === undefined) return n;
  if (!Number.isFinite(v) || !Number.isFinite(t)) return n;
  // The same sample again (e.g. the first value is also the minimum) is drawn once.
  for (let k = 0; k < n; k++) if (out.t[k] === t && out.v[k] === v) return n;
  // Insertion sort: stable, and four items at most.
  let j = n;
  while (j > 0 && out.t[j - 1]! > t) {
    out.t[j] = out.t[j - 1]!;
    out.v[j] = out.v[j - 1]!;
    j--;
  }
  out.t[j] = t;
  out.v[j] = v;
  return n + 1;
}

/** Index of the pixel column that starts at `t` (the historian puts column i at from + i * columnMs). */
function columnIndex(series: ChartSeries, t: number): number {
  return Math.round((t - series.from) / series.columnMs);
}

/**
 * `holdUntil`: for a view that ends at now, the newest value is held up to that time when it
 * was Good, as live strips do: OPC UA reports by exception, so a steady tag's last sample is
 * still its value (history shows every other silence as a gap).
 */
export function chartToStripData(series: ChartSeries, options: { holdUntil?: number } = {}): HistoryData {
  const c = series.columns;
  const n = c.t.length;
  const sink: PointSink = { x: [], line: [], low: [], high: [], uncertain: [], bad: [] };
  const scratch = columnPointsBuffer();
  let previousColumn = -Infinity;
  let columns = 0;
  let gaps = 0;
  let uncertainColumns = 0;
  let badColumns = 0;
  for (let i = 0; i < n; i++) {
    const t = c.t[i]!;
    const count = c.count[i] ?? 0;
    if (!(count > 0)) continue; // the historian omits these; tolerate them anyway
    const column = columnIndex(series, t);
    if (column > previousColumn + 1 && previousColumn !== -Infinity) {
      gaps++;
      pushPoint(sink, series.from + (previousColumn + 1) * series.columnMs, null, null, null);
    }
    previousColumn = column;
    columns++;
    const low = c.min[i] ?? null;
    const high = c.max[i] ?? null;
    const points = columnPoints(c, i, scratch);
    const firstIndex = sink.x.length;
    if (points === 0 || low === null || high === null) {
      pushPoint(sink, t + series.columnMs / 2, null, null, null);
    } else {
      for (let k = 0; k < points; k++) pushPoint(sink, scratch.t[k]!, scratch.v[k]!, low, high);
    }
    const severity = qualitySeverity(c.quality[i] ?? 0);
    if (severity === 'uncertain') {
      uncertainColumns++;
      sink.uncertain[firstIndex] = MARKER_Y;
    } else if (severity === 'bad') {
      badColumns++;
      sink.bad[firstIndex] = MARKER_Y;
    }
  }
  let heldPoint = false;
  const last = sink.x.length - 1;
  const lastValue = last >= 0 ? sink.line[last] : null;
  const holdUntil = options.holdUntil;
  if (
    holdUntil !== undefined &&
    lastValue !== null &&
    lastValue !== undefined &&
    sink.x[last]! < holdUntil &&
    qualitySeverity(c.quality[n - 1] ?? 0) === 'good'
  ) {
    pushPoint(sink, holdUntil, lastValue, null, null);
    heldPoint = true;
  }
  return {
    plot: [Float64Array.from(sink.x), sink.line, sink.uncertain, sink.bad, sink.low, sink.high],
    columns,
    gaps,
    heldPoint,
    uncertainColumns,
    badColumns,
    resolutionMs: series.resolutionMs,
    columnMs: series.columnMs,
    from: series.from,
    to: series.to,
  };
}

/**
 * The M4 points of a chart answer as a plain series, oldest first: every point is a real
 * sample (a column's first, min, max or last), so a ring buffer can be prefilled with them
 * and drawn at the same width without a visible difference (the M4 guarantee). Quality is
 * Good, or Uncertain where the column held anything worse (the values themselves are never
 * Bad ones: the historian leaves those out of value statistics).
 */
export function chartToSeries(series: ChartSeries): Series {
  const c = series.columns;
  const t: number[] = [];
  const v: number[] = [];
  const q: number[] = [];
  const scratch = columnPointsBuffer();
  for (let i = 0; i < c.t.length; i++) {
    if (!((c.count[i] ?? 0) > 0)) continue;
    const quality = isGood(c.quality[i] ?? 0) ? 0 : STATUS_UNCERTAIN;
    const points = columnPoints(c, i, scratch);
    for (let k = 0; k < points; k++) {
      const pt = scratch.t[k]!;
      if (t.length > 0 && pt <= t[t.length - 1]!) continue; // ring buffers take strictly newer samples
      t.push(pt);
      v.push(scratch.v[k]!);
      q.push(quality);
    }
  }
  return { tagId: series.tagId, t, v, q };
}
