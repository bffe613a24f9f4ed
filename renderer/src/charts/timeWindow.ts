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

/** Never redraw a chart more often than this, whatever the data rate. */
export const MIN_CHART_REDRAW_MS = 100;

/**
 * How often a strip chart needs redrawing: the time one pixel of the plot stands for. A 5-minute
 * window 500 px wide moves 1 px every 600 ms, so redrawing it at the data rate would repaint
 * an identical picture many times over (measured in headless Chromium, 21 strips at 10 Hz kept
 * a core busy painting; see the renderer report).
 */
export function chartRedrawIntervalMs(windowMs: number, plotWidthPx: number): number {
  return Math.max(MIN_CHART_REDRAW_MS, windowMs / Math.max(1, plotWidthPx));
}
