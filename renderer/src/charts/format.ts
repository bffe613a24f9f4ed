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

/** A short age: "4 s", "3 min", "2 h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.round(min / 60)} h`;
}

/** After this long without a new sample a latest value is flagged as stale. */
export const STALE_AFTER_MS = 10_000;

export interface LatestLabel {
  /** The value with its unit. */
  value: string;
  /** Data quality of that sample. */
  severity: QualitySeverity | 'none';
  /** Short status next to the value: "BAD", "UNCERTAIN", "stale 12 s", "no data", or "". */
  note: string;
}

/** What the strip header says about the newest sample of a tag. */
export function latestLabel(
  latest: { t: number; v: number; q: number } | null,
  unit: string,
  now: number,
  locale?: string,
): LatestLabel {
  if (!latest) return { value: '—', severity: 'none', note: 'no data' };
  const severity = qualitySeverity(latest.q);
  const age = now - latest.t;
  const notes: string[] = [];
  if (severity === 'bad') notes.push('BAD');
  if (severity === 'uncertain') notes.push('UNCERTAIN');
  if (age > STALE_AFTER_MS) notes.push(`stale ${formatAge(age)}`);
  return { value: formatWithUnit(latest.v, unit, locale), severity, note: notes.join(' · ') };
}
