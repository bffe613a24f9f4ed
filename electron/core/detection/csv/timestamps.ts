/**
 * Timestamps of a CSV file: ISO 8601 ("2020-03-09T10:14:33Z", "...+01:00", fractions),
 * "YYYY-MM-DD HH:MM:SS[.fff]", or epoch numbers (seconds when below 1e11, else milliseconds:
 * 1e11 s is the year 5138, 1e11 ms is 1973). Times without a zone are read as UTC, so a file
 * written in local wall-clock time keeps its hours of the day and has no DST gaps.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?$/;
const EPOCH = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ZONED = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** Epoch milliseconds, or NaN when the text is not a timestamp. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (s === '') return NaN;
  if (EPOCH.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const m = DATE_TIME.exec(s);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, ms);
    // Date.UTC rolls over (Feb 30 -> Mar 2); a real calendar date survives the round trip.
    const check = new Date(t);
    if (check.getUTCDate() !== +m[3]! || check.getUTCMonth() !== +m[2]! - 1) return NaN;
    if ((m[4] && +m[4] > 23) || (m[5] && +m[5] > 59) || (m[6] && +m[6] > 60)) return NaN;
    return t;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(s) && ZONED.test(s)) {
    const t = Date.parse(s);
    return Number.isFinite(t) ? t : NaN;
  }
  return NaN;
}
