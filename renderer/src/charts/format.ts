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
