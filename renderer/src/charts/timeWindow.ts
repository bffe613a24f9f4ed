/** The trend shows the last five minutes. */
export const TREND_WINDOW_MS = 5 * 60_000;

/**
 * Right edge of the time window. Normally the wall clock, so a tag that stops updating visibly
 * falls behind. When the newest sample lies outside [now - window, now] (a replay source with
 * historical timestamps, or a skewed clock) the window follows the data instead, so there is
 * still something to see.
 */
export function windowEnd(now: number, newestSample: number, windowMs: number): number {
  if (Number.isNaN(newestSample)) return now;
  if (newestSample > now || newestSample < now - windowMs) return newestSample;
  return now;
}
