import { TREND_WINDOW_MS } from './timeWindow';

/**
 * What time span the trend shows, and the arithmetic of zooming and panning it. Pure: the
 * store (store/trendStore.ts) keeps the current range, the controller applies it to the charts.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

export type PresetId = 'live' | '1h' | '24h' | '7d' | '30d' | '1y';

export interface Preset {
  id: PresetId;
  label: string;
  /** Spoken name, e.g. for aria-label. */
  title: string;
  spanMs: number;
}

export const PRESETS: readonly Preset[] = [
  { id: 'live', label: 'Live', title: 'Live: last 5 minutes, following', spanMs: TREND_WINDOW_MS },
  { id: '1h', label: '1 h', title: 'Last hour', spanMs: HOUR },
  { id: '24h', label: '24 h', title: 'Last 24 hours', spanMs: DAY },
  { id: '7d', label: '7 d', title: 'Last 7 days', spanMs: 7 * DAY },
  { id: '30d', label: '30 d', title: 'Last 30 days', spanMs: 30 * DAY },
  { id: '1y', label: '1 y', title: 'Last year', spanMs: YEAR },
];

/** Closer than this the historian has nothing finer to show (raw samples fill the columns). */
export const MIN_SPAN_MS = 10 * SECOND;
/** The historian keeps hourly rollups for ten years; five fit on a strip and stay readable. */
export const MAX_SPAN_MS = 5 * YEAR;
/** Nothing older is ever panned to. */
export const MAX_LOOKBACK_MS = 10 * YEAR;

/**
 * live: the ring buffers, following the newest samples over the last 5 minutes.
 * history: the historian's M4 columns over [from, to]; `follow` keeps it anchored at now
 * (a preset, or a zoom that kept the right edge at now) and is refreshed as time passes.
 */
export type TrendRange =
  | { mode: 'live'; preset: 'live' }
  | { mode: 'history'; from: number; to: number; preset: PresetId | null; follow: boolean };

export const LIVE_RANGE: TrendRange = { mode: 'live', preset: 'live' };

export interface TimeView {
  from: number;
  to: number;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** A view with its span within limits, never past now, never older than the lookback. */
export function clampView(view: TimeView, now: number): TimeView {
  // No usable view (nothing drawn yet): the live window's span, ending now.
  if (!Number.isFinite(view.from) || !Number.isFinite(view.to))
    return { from: now - TREND_WINDOW_MS, to: now };
  const span = clamp(view.to - view.from, MIN_SPAN_MS, MAX_SPAN_MS);
  let to = Math.min(view.from + span, now);
  to = Math.max(to, now - MAX_LOOKBACK_MS + span);
  return { from: to - span, to };
}

/** Whether a view ends at now (within a pixel's worth of time): then it keeps following. */
export function endsAtNow(view: TimeView, now: number): boolean {
  return view.to >= now - Math.max(SECOND, (view.to - view.from) / 2000);
}

function historyRange(view: TimeView, now: number, preset: PresetId | null = null): TrendRange {
  const v = clampView(view, now);
  return { mode: 'history', from: v.from, to: v.to, preset, follow: endsAtNow(v, now) };
}

export function presetRange(id: PresetId, now: number): TrendRange {
  if (id === 'live') return LIVE_RANGE;
  const preset = PRESETS.find((p) => p.id === id)!;
  return { mode: 'history', from: now - preset.spanMs, to: now, preset: id, follow: true };
}

/**
 * Zooms by `factor` (< 1 in, > 1 out) keeping the time under `anchor` where it is on screen.
 * The result is always a history range: even zooming in on the live window leaves live mode
 * (the ring buffers hold only the last 5 minutes at full rate).
 */
export function zoomRange(view: TimeView, factor: number, anchor: number, now: number): TrendRange {
  if (!(factor > 0) || !Number.isFinite(factor))
    throw new RangeError(`zoom factor must be > 0, got ${factor}`);
  const span = view.to - view.from;
  const spanAfter = clamp(span * factor, MIN_SPAN_MS, MAX_SPAN_MS);
  const at = span > 0 ? clamp((anchor - view.from) / span, 0, 1) : 1;
  const from = anchor - at * spanAfter;
  return historyRange({ from, to: from + spanAfter }, now);
}

/** Moves the view by `fraction` of its span (negative = back in time). */
export function panRange(view: TimeView, fraction: number, now: number): TrendRange {
  const shift = (view.to - view.from) * fraction;
  return historyRange({ from: view.from + shift, to: view.to + shift }, now);
}

/** The span the operator dragged over (in either direction). */
export function selectRange(a: number, b: number, now: number): TrendRange {
  const from = Math.min(a, b);
  const to = Math.max(a, b);
  const mid = (from + to) / 2;
  // A selection narrower than the minimum span zooms to the minimum around its middle.
  const span = Math.max(to - from, MIN_SPAN_MS);
  return historyRange({ from: mid - span / 2, to: mid + span / 2 }, now);
}

/** A following range moved up to now, same span. */
export function followNow(range: TrendRange, now: number): TrendRange {
  if (range.mode !== 'history' || !range.follow) return range;
  const span = range.to - range.from;
  return { ...range, from: now - span, to: now };
}

export type TrendAction =
  { type: 'zoom'; factor: number } | { type: 'pan'; fraction: number } | { type: 'live' };

export const KEY_ZOOM_FACTOR = 2;
export const KEY_PAN_FRACTION = 0.25;

/**
 * Keyboard shortcuts of the trend: + / - zoom (2x), arrows pan (a quarter of the span, a whole
 * span with Shift), L back to live. Shortcuts with Ctrl, Alt or Meta belong to the browser.
 */
export function keyAction(e: {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
}): TrendAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const pan = e.shiftKey ? 1 : KEY_PAN_FRACTION;
  switch (e.key) {
    case '+':
    case '=': // the + key without Shift on most layouts
      return { type: 'zoom', factor: 1 / KEY_ZOOM_FACTOR };
    case '-':
    case '_':
      return { type: 'zoom', factor: KEY_ZOOM_FACTOR };
    case 'ArrowLeft':
      return { type: 'pan', fraction: -pan };
    case 'ArrowRight':
      return { type: 'pan', fraction: pan };
    case 'l':
    case 'L':
      return { type: 'live' };
    default:
      return null;
  }
}

/** Where a keyboard zoom is anchored: at now while following (the view stays pinned there), else the middle. */
export function keyZoomAnchor(view: TimeView, now: number): number {
  return endsAtNow(view, now) ? view.to : (view.from + view.to) / 2;
}

/** Pixels of wheel travel per doubling of the span (one notch of a mouse wheel is ~100 px). */
export const WHEEL_PX_PER_DOUBLING = 400;
const LINE_PX = 16;
const PAGE_PX = 400;

/**
 * What a wheel event over a chart does: vertical travel zooms (down = out, as in maps),
 * horizontal travel (a trackpad swipe, or Shift + wheel) pans. Returns null for no travel.
 */
export function wheelAction(
  e: { deltaX: number; deltaY: number; deltaMode: number; shiftKey?: boolean },
  plotWidthPx: number,
): TrendAction | null {
  const unit = e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? PAGE_PX : 1;
  let dx = e.deltaX * unit;
  let dy = e.deltaY * unit;
  if (e.shiftKey && dx === 0) {
    dx = dy;
    dy = 0;
  }
  if (Math.abs(dx) > Math.abs(dy)) {
    return dx === 0 ? null : { type: 'pan', fraction: dx / Math.max(1, plotWidthPx) };
  }
  if (dy === 0) return null;
  return { type: 'zoom', factor: Math.pow(2, dy / WHEEL_PX_PER_DOUBLING) };
}

const labelFormats = new Map<string, Intl.DateTimeFormat>();

function labelFormat(withDate: boolean, withSeconds: boolean, locale: string | undefined) {
  const key = `${withDate}|${withSeconds}|${locale ?? ''}`;
  let f = labelFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      ...(withDate ? { year: 'numeric', month: 'short', day: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    labelFormats.set(key, f);
  }
  return f;
}

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();

/**
 * What the range control says about the range shown: "last 24 hours" for a preset still
 * following, else "Mar 5, 2026, 07:46 – 20:44" (seconds under an hour, the date of the end
 * only when it differs).
 */
export function rangeLabel(range: TrendRange, locale?: string): string {
  if (range.mode === 'live') return 'last 5 min, live';
  const preset = range.preset && range.follow ? PRESETS.find((p) => p.id === range.preset) : undefined;
  if (preset) return preset.title.toLowerCase();
  const seconds = range.to - range.from < HOUR;
  const from = labelFormat(true, seconds, locale).format(range.from);
  const to = labelFormat(!sameDay(range.from, range.to), seconds, locale).format(range.to);
  return `${from} – ${to}${range.follow ? ' (following)' : ''}`;
}

/** How often a following history range is moved up to now and refetched. */
export function followIntervalMs(spanMs: number): number {
  // About every 1/500 of the span (a column or two of a wide strip), at least every 5 s.
  return Math.max(5 * SECOND, spanMs / 500);
}
