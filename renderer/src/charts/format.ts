import { qualitySeverity, type QualitySeverity } from '../../../shared/quality';

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(locale: string | undefined): Intl.NumberFormat {
  const key = locale ?? '';
  let f = formatters.get(key);
  if (!f) {
    // Six significant digits keep the small drifts that matter for degradation visible
    // (a fan speed of 2388.06 vs 2388.08 rpm), without grouping noise.
    f = new Intl.NumberFormat(locale, { maximumSignificantDigits: 6, useGrouping: false });
    formatters.set(key, f);
  }
  return f;
}

/** A sample value for a label: "2388.06", "0.0234", "—" when there is no number. */
export function formatValue(value: number, locale?: string): string {
  if (!Number.isFinite(value)) return '—';
  return formatterFor(locale).format(value);
}

/** Value and unit, e.g. "2388.06 rpm"; the unit is omitted when the tag has none. */
export function formatWithUnit(value: number, unit: string, locale?: string): string {
  const text = formatValue(value, locale);
  return unit && text !== '—' ? `${text} ${unit}` : text;
}

export interface LatestLabel {
  /** The value with its unit. */
  value: string;
  /** Data quality of that sample. */
  severity: QualitySeverity | 'none';
  /** Short status next to the value: "BAD", "UNCERTAIN", "no data", or "". */
  note: string;
}

/**
 * What the strip header says about the newest sample of a tag. Its age is not judged here:
 * OPC UA reports by exception, so an old sample of a steady tag is still its current value;
 * a lost source shows as Bad quality samples from the core, a lost link in the trend badge.
 */
export function latestLabel(
  latest: { v: number; q: number } | null,
  unit: string,
  locale?: string,
): LatestLabel {
  // Empty rather than a dash: the value element holds text only once there is a value.
  if (!latest) return { value: '', severity: 'none', note: 'no data' };
  const severity = qualitySeverity(latest.q);
  const note = severity === 'bad' ? 'BAD' : severity === 'uncertain' ? 'UNCERTAIN' : '';
  return { value: formatWithUnit(latest.v, unit, locale), severity, note };
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const tickFormats = new Map<string, Intl.DateTimeFormat>();

function tickFormat(kind: 'seconds' | 'minutes' | 'day' | 'month', locale: string | undefined) {
  const key = `${kind}|${locale ?? ''}`;
  let f = tickFormats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'seconds'
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }
        : kind === 'minutes'
          ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : kind === 'day'
            ? { day: 'numeric', month: 'short' }
            : { month: 'short', year: 'numeric' };
    f = new Intl.DateTimeFormat(locale, options);
    tickFormats.set(key, f);
  }
  return f;
}

/**
 * A time axis label for a tick, by the spacing of the ticks: "Mar 2026" a month or more apart,
 * "12 Mar" a day or more, "14:05" a minute or more, "14:05:30" below that (24-hour clock, as
 * control rooms read it). Midnight ticks of an hourly axis show the date, so a day boundary
 * is visible when zoomed between hours and days.
 */
export function formatTick(ms: number, tickSpacingMs: number, locale?: string): string {
  if (tickSpacingMs >= 28 * DAY_MS) return tickFormat('month', locale).format(ms);
  if (tickSpacingMs >= DAY_MS) return tickFormat('day', locale).format(ms);
  if (tickSpacingMs >= MINUTE_MS) {
    const d = new Date(ms);
    const midnight = d.getHours() === 0 && d.getMinutes() === 0;
    return (
      midnight && tickSpacingMs >= 60 * MINUTE_MS ? tickFormat('day', locale) : tickFormat('minutes', locale)
    ).format(ms);
  }
  return tickFormat('seconds', locale).format(ms);
}

/** A duration in the largest unit that fits: "250 ms", "1.8 s", "4.4 h", "3 d". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size) {
      const n = ms / size;
      return `${n >= 10 || Number.isInteger(n) ? Math.round(n) : n.toFixed(1)} ${unit}`;
    }
  }
  return `${Math.round(ms)} ms`;
}

/** Where a history answer came from: "raw samples" or "1 min rollups". */
export function describeResolution(resolutionMs: number): string {
  return resolutionMs === 0 ? 'raw samples' : `${formatDuration(resolutionMs)} rollups`;
}
