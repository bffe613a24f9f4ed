import type uPlot from 'uplot';
import type { ChartSeries } from '../../../shared/historianApi';
import { isGood } from '../../../shared/quality';
import { columnPoints, columnPointsBuffer } from './m4Data';
import { allocateColumns, type SampleColumns, type SampleRingBuffer } from './ringBuffer';

/**
 * A tag's anomaly score (0 normal, 0.5 at its threshold, 1 far outside normal), drawn over the
 * tag's own strip: the stretches above the threshold shaded, and the score itself as a faint
 * line on a fixed 0..1 scale. Painted by a uPlot hook, not as a series, so the score keeps its
 * own timestamps and never has to be aligned with the tag's samples.
 */
export const ABNORMAL_SCORE = 0.5;

/** Live scores further apart than this are not joined (the detector stopped or the link did). */
export const MAX_SCORE_STEP_MS = 10_000;

export interface ScoreTrack {
  /** The score line; NaN values break it. */
  t: ArrayLike<number>;
  v: ArrayLike<number>;
  n: number;
  /** Times where the score was above the threshold, as flat [from, to, from, to, ...]. */
  spans: number[];
  /** The highest score in the track (NaN when there is none). */
  peak: number;
}

export const EMPTY_SCORE_TRACK: ScoreTrack = { t: [], v: [], n: 0, spans: [], peak: NaN };

function addSpan(spans: number[], from: number, to: number): void {
  const n = spans.length;
  if (n >= 2 && spans[n - 1]! >= from) spans[n - 1] = Math.max(spans[n - 1]!, to);
  else spans.push(from, to);
}

/**
 * From the historian's chart answer for a score tag: a column is abnormal when its maximum is
 * above the threshold, so a short excursion inside a year-long view still shades its column.
 */
export function scoreTrackFromChart(series: ChartSeries, threshold = ABNORMAL_SCORE): ScoreTrack {
  const c = series.columns;
  const t: number[] = [];
  const v: number[] = [];
  const spans: number[] = [];
  let peak = NaN;
  let previousColumn = -Infinity;
  const scratch = columnPointsBuffer();
  for (let i = 0; i < c.t.length; i++) {
    if (!((c.count[i] ?? 0) > 0)) continue;
    const start = c.t[i]!;
    const column = Math.round((start - series.from) / series.columnMs);
    if (column > previousColumn + 1 && t.length > 0) {
      t.push(series.from + (previousColumn + 1) * series.columnMs);
      v.push(NaN);
    }
    previousColumn = column;
    const max = c.max[i];
    if (max === null || max === undefined) {
      t.push(start);
      v.push(NaN);
      continue;
    }
    if (!(max <= peak)) peak = max;
    if (max > threshold) addSpan(spans, start, start + series.columnMs);
    const points = columnPoints(c, i, scratch);
    for (let k = 0; k < points; k++) {
      t.push(Math.max(scratch.t[k]!, t.length ? t[t.length - 1]! : -Infinity));
      v.push(scratch.v[k]!);
    }
  }
  return { t, v, n: t.length, spans, peak };
}

/**
 * From the live ring buffer of a score tag, reusing its arrays frame after frame (the track is
 * valid until the next build). Each Good score above the threshold shades up to the next score
 * (at most MAX_SCORE_STEP_MS; the newest one up to the window's right edge).
 */
export class LiveScoreTrack {
  private columns: SampleColumns;
  private t: Float64Array;
  private v: Float64Array;
  private readonly spans: number[] = [];

  constructor(capacity: number) {
    this.columns = allocateColumns(capacity);
    this.t = new Float64Array(capacity * 2);
    this.v = new Float64Array(capacity * 2);
  }

  build(
    buffer: SampleRingBuffer,
    windowStart: number,
    windowEnd: number,
    threshold = ABNORMAL_SCORE,
  ): ScoreTrack {
    if (this.columns.t.length < buffer.capacity) {
      this.columns = allocateColumns(buffer.capacity);
      this.t = new Float64Array(buffer.capacity * 2);
      this.v = new Float64Array(buffer.capacity * 2);
    }
    const first = buffer.indexSince(windowStart);
    const since = first > 0 ? buffer.timeAt(first - 1) : -Infinity;
    const n = buffer.copyInto(this.columns, since);
    const { t: st, v: sv, q: sq } = this.columns;
    this.spans.length = 0;
    let k = 0;
    let peak = NaN;
    for (let i = 0; i < n; i++) {
      const t = st[i]!;
      const good = isGood(sq[i]!) && Number.isFinite(sv[i]!);
      const value = good ? sv[i]! : NaN;
      if (k > 0 && t - this.t[k - 1]! > MAX_SCORE_STEP_MS) {
        this.t[k] = this.t[k - 1]!;
        this.v[k] = NaN;
        k++;
      }
      this.t[k] = t;
      this.v[k] = value;
      k++;
      if (!good) continue;
      if (!(value <= peak)) peak = value;
      if (value > threshold) {
        const next = i + 1 < n ? st[i + 1]! : Math.max(windowEnd, t);
        addSpan(this.spans, t, Math.min(next, t + MAX_SCORE_STEP_MS));
      }
    }
    return { t: this.t, v: this.v, n: k, spans: this.spans, peak };
  }
}

export interface ScoreOverlayStyle {
  /** Translucent fill over the whole height of an abnormal stretch. */
  shade: string;
  /** Solid bar along the top edge of it: seen at a glance, at any zoom. */
  mark: string;
  line: string;
  /** Draw the score line (off for a strip that already plots the score itself). */
  drawLine: boolean;
}

/** First index with t[i] >= x (n if none). */
function lowerBound(t: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Paints a track into a uPlot chart's plotting area (call from a drawClear hook: under the series). */
export function paintScoreOverlay(u: uPlot, track: ScoreTrack, style: ScoreOverlayStyle): void {
  const { ctx, bbox } = u;
  const xMin = u.scales.x!.min;
  const xMax = u.scales.x!.max;
  if (xMin === undefined || xMax === undefined || (track.n === 0 && track.spans.length === 0)) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  // Abnormal stretches: at least 3 CSS pixels wide, so a short one in a long view is seen.
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
  const minWidth = 3 * dpr;
  for (let i = 0; i + 1 < track.spans.length; i += 2) {
    const from = track.spans[i]!;
    const to = track.spans[i + 1]!;
    if (to < xMin || from > xMax) continue;
    const x0 = u.valToPos(from, 'x', true);
    const width = Math.max(u.valToPos(to, 'x', true) - x0, minWidth);
    ctx.fillStyle = style.shade;
    ctx.fillRect(x0, bbox.top, width, bbox.height);
    ctx.fillStyle = style.mark;
    ctx.fillRect(x0, bbox.top, width, 3 * dpr);
  }
  if (style.drawLine && track.n > 0) {
    const start = Math.max(0, lowerBound(track.t, track.n, xMin) - 1);
    const end = Math.min(track.n, lowerBound(track.t, track.n, xMax) + 1);
    ctx.strokeStyle = style.line;
    ctx.lineWidth = dpr;
    ctx.beginPath();
    let pen = false;
    for (let i = start; i < end; i++) {
      const value = track.v[i]!;
      if (!Number.isFinite(value)) {
        pen = false;
        continue;
      }
      const x = u.valToPos(track.t[i]!, 'x', true);
      const y = bbox.top + bbox.height * (1 - Math.min(1, Math.max(0, value)));
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
  }
  ctx.restore();
}
