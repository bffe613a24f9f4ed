import { qualitySeverity } from '../../../shared/quality';
import { allocateColumns, type SampleColumns, type SampleRingBuffer } from './ringBuffer';

/** Quality markers sit on their own fixed 0..1 scale along the bottom of a strip. */
export const MARKER_Y = 0.04;

/**
 * uPlot's aligned data for one strip: x, the value line, Uncertain markers, Bad markers, and
 * the low and high edges of the min/max band (history only; all null for live samples). Live
 * and history data share this shape so one chart shows either with setData.
 */
export type StripData = [
  x: Float64Array,
  good: (number | null)[],
  uncertain: (number | null)[],
  bad: (number | null)[],
  low: (number | null)[],
  high: (number | null)[],
];

/** Series indices of StripData (0 is x). */
export const SERIES = { line: 1, uncertain: 2, bad: 3, low: 4, high: 5 } as const;

/**
 * Turns a tag's ring buffer into what its strip chart draws, reusing the same arrays frame
 * after frame (a view of them is valid until the next build).
 *
 * - Samples that are not Good are left out of the line (a gap) and become markers, so a
 *   garbage Bad value never distorts the y axis.
 * - The last sample before the window is included, and the newest Good value is held to the
 *   window's right edge: OPC UA reports by exception, so a steady tag sends one sample and
 *   then nothing, and its line must still run through the whole window.
 */
export class StripDataBuilder {
  private readonly columns: SampleColumns;
  private readonly good: (number | null)[] = [];
  private readonly uncertain: (number | null)[] = [];
  private readonly bad: (number | null)[] = [];
  private readonly noBand: (number | null)[] = [];
  /** Whether the last point of the latest build is the held value, not a real sample. */
  heldPoint = false;

  constructor(capacity: number) {
    this.columns = allocateColumns(capacity + 1); // + the held point at the right edge
  }

  build(buffer: SampleRingBuffer, windowStart: number, windowEnd: number): StripData {
    const first = buffer.indexSince(windowStart);
    const since = first > 0 ? buffer.timeAt(first - 1) : -Infinity;
    let n = buffer.copyInto(this.columns, since);
    const { t, v, q } = this.columns;
    this.good.length = n;
    this.uncertain.length = n;
    this.bad.length = n;
    for (let i = 0; i < n; i++) {
      const value = v[i]!;
      const severity = qualitySeverity(q[i]!);
      this.good[i] = severity === 'good' && Number.isFinite(value) ? value : null;
      this.uncertain[i] = severity === 'uncertain' ? MARKER_Y : null;
      this.bad[i] = severity === 'bad' ? MARKER_Y : null;
    }
    const last = n - 1;
    this.heldPoint = false;
    if (n > 0 && this.good[last] !== null && t[last]! < windowEnd) {
      this.heldPoint = true;
      t[n] = windowEnd;
      this.good.push(this.good[last]!);
      this.uncertain.push(null);
      this.bad.push(null);
      n++;
    }
    // Live samples are drawn one by one: no band. Only grows or shrinks, never reallocated.
    const band = this.noBand;
    if (band.length !== n) {
      const before = band.length;
      band.length = n;
      if (n > before) band.fill(null, before);
    }
    return [t.subarray(0, n), this.good, this.uncertain, this.bad, band, band];
  }
}

/**
 * The y range of a strip from its data's min and max (null when it has none in view). A flat
 * line (a steady tag) is centred in the tag's configured range when it lies inside it, else
 * given a 1 % margin, instead of uPlot's default of a span many times the value.
 */
export function yRange(
  min: number | null,
  max: number | null,
  tagRange: { low: number; high: number } | null,
): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) {
    return tagRange && tagRange.high > tagRange.low ? [tagRange.low, tagRange.high] : [0, 1];
  }
  const span = max - min;
  if (span <= Math.abs(max) * 1e-9) {
    if (tagRange && tagRange.high > tagRange.low && min >= tagRange.low && max <= tagRange.high) {
      return [tagRange.low, tagRange.high];
    }
    const pad = Math.abs(min) * 0.01 || 1;
    return [min - pad, max + pad];
  }
  return [min - span * 0.05, max + span * 0.05];
}
