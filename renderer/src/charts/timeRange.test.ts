import { describe, expect, it } from 'vitest';
import {
  clampView,
  followIntervalMs,
  followNow,
  keyAction,
  keyZoomAnchor,
  MAX_LOOKBACK_MS,
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  panRange,
  presetRange,
  rangeLabel,
  selectRange,
  wheelAction,
  zoomRange,
  type TrendRange,
} from './timeRange';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);

function history(range: TrendRange) {
  if (range.mode !== 'history') throw new Error('expected a history range');
  return range;
}

describe('presets', () => {
  it('end at now and follow it; live is its own mode', () => {
    expect(presetRange('live', NOW)).toEqual({ mode: 'live', preset: 'live' });
    const year = history(presetRange('1y', NOW));
    expect(year).toEqual({ mode: 'history', from: NOW - 365 * DAY, to: NOW, preset: '1y', follow: true });
    expect(history(presetRange('24h', NOW)).from).toBe(NOW - DAY);
  });

  it('a following range moves up to now keeping its span; others stay put', () => {
    const day = presetRange('24h', NOW);
    expect(followNow(day, NOW + 5000)).toMatchObject({ from: NOW + 5000 - DAY, to: NOW + 5000 });
    const fixed = history(panRange({ from: NOW - DAY, to: NOW }, -0.5, NOW));
    expect(fixed.follow).toBe(false);
    expect(followNow(fixed, NOW + 5000)).toBe(fixed);
    expect(followIntervalMs(HOUR)).toBe(7200);
    expect(followIntervalMs(5 * MIN)).toBe(5000);
  });
});

describe('zoom', () => {
  it('keeps the time under the pointer where it is on screen', () => {
    const view = { from: NOW - 10 * HOUR, to: NOW - 2 * HOUR };
    const anchor = NOW - 8 * HOUR; // a quarter of the way in
    const zoomed = history(zoomRange(view, 0.5, anchor, NOW));
    expect(zoomed.to - zoomed.from).toBe(4 * HOUR);
    expect((anchor - zoomed.from) / (zoomed.to - zoomed.from)).toBeCloseTo(0.25, 9);
    expect(zoomed.follow).toBe(false);
    expect(zoomed.preset).toBeNull();
  });

  it('never shows the future: zooming out near now slides back and keeps following', () => {
    const live = { from: NOW - 5 * MIN, to: NOW };
    const out = history(zoomRange(live, 8, NOW - MIN, NOW));
    expect(out.to).toBe(NOW);
    expect(out.to - out.from).toBe(40 * MIN);
    expect(out.follow).toBe(true);
  });

  it('zooming in on the live window leaves live mode', () => {
    const zoomed = zoomRange({ from: NOW - 5 * MIN, to: NOW }, 0.5, NOW, NOW);
    expect(zoomed.mode).toBe('history');
  });

  it('stops at the narrowest and widest spans', () => {
    const tiny = history(zoomRange({ from: NOW - 20_000, to: NOW - 10_000 }, 0.01, NOW - 15_000, NOW));
    expect(tiny.to - tiny.from).toBe(MIN_SPAN_MS);
    const huge = history(zoomRange({ from: NOW - 365 * DAY, to: NOW }, 100, NOW, NOW));
    expect(huge.to - huge.from).toBe(MAX_SPAN_MS);
    expect(huge.to).toBe(NOW);
  });

  it('refuses a factor that is not a positive number', () => {
    expect(() => zoomRange({ from: 0, to: 1 }, 0, 0, NOW)).toThrow(RangeError);
    expect(() => zoomRange({ from: 0, to: 1 }, NaN, 0, NOW)).toThrow(RangeError);
  });

  it('keyboard zoom stays pinned to now while following, else zooms on the middle', () => {
    expect(keyZoomAnchor({ from: NOW - HOUR, to: NOW }, NOW)).toBe(NOW);
    expect(keyZoomAnchor({ from: NOW - 3 * HOUR, to: NOW - HOUR }, NOW)).toBe(NOW - 2 * HOUR);
  });
});

describe('pan and select', () => {
  it('pans by a fraction of the span and stops at now', () => {
    const view = { from: NOW - 2 * DAY, to: NOW - DAY };
    const back = history(panRange(view, -0.25, NOW));
    expect([back.from, back.to]).toEqual([view.from - 6 * HOUR, view.to - 6 * HOUR]);
    const forward = history(panRange(view, 3, NOW));
    expect([forward.from, forward.to]).toEqual([NOW - DAY, NOW]);
    expect(forward.follow).toBe(true);
  });

  it('stops panning at the lookback limit', () => {
    const old = history(panRange({ from: NOW - MAX_LOOKBACK_MS, to: NOW - MAX_LOOKBACK_MS + DAY }, -5, NOW));
    expect(old.from).toBe(NOW - MAX_LOOKBACK_MS);
    expect(old.to - old.from).toBe(DAY);
  });

  it('selects what was dragged over, in either direction, at least the narrowest span', () => {
    const sel = history(selectRange(NOW - HOUR, NOW - 3 * HOUR, NOW));
    expect([sel.from, sel.to]).toEqual([NOW - 3 * HOUR, NOW - HOUR]);
    const narrow = history(selectRange(NOW - 60_000, NOW - 59_000, NOW));
    expect(narrow.to - narrow.from).toBe(MIN_SPAN_MS);
    expect((narrow.from + narrow.to) / 2).toBe(NOW - 59_500);
  });

  it('clampView repairs a view with no span or a non-finite end', () => {
    // Widened forward from its start, then slid back so it does not pass now.
    expect(clampView({ from: NOW - 10, to: NOW - 10 }, NOW)).toEqual({ from: NOW - MIN_SPAN_MS, to: NOW });
    expect(clampView({ from: NOW - DAY, to: NOW - DAY }, NOW)).toEqual({
      from: NOW - DAY,
      to: NOW - DAY + MIN_SPAN_MS,
    });
    expect(clampView({ from: NaN, to: NaN }, NOW)).toEqual({ from: NOW - 5 * MIN, to: NOW });
  });
});

describe('keys and wheel', () => {
  it('maps + / - / arrows / L, and leaves browser shortcuts alone', () => {
    expect(keyAction({ key: '+' })).toEqual({ type: 'zoom', factor: 0.5 });
    expect(keyAction({ key: '=' })).toEqual({ type: 'zoom', factor: 0.5 });
    expect(keyAction({ key: '-' })).toEqual({ type: 'zoom', factor: 2 });
    expect(keyAction({ key: 'ArrowLeft' })).toEqual({ type: 'pan', fraction: -0.25 });
    expect(keyAction({ key: 'ArrowRight', shiftKey: true })).toEqual({ type: 'pan', fraction: 1 });
    expect(keyAction({ key: 'L' })).toEqual({ type: 'live' });
    expect(keyAction({ key: 'l', ctrlKey: true })).toBeNull();
    expect(keyAction({ key: '-', metaKey: true })).toBeNull();
    expect(keyAction({ key: 'Enter' })).toBeNull();
  });

  it('wheel down zooms out, up zooms in, sideways or with Shift pans', () => {
    expect(wheelAction({ deltaX: 0, deltaY: 400, deltaMode: 0 }, 500)).toEqual({ type: 'zoom', factor: 2 });
    expect(wheelAction({ deltaX: 0, deltaY: -400, deltaMode: 0 }, 500)).toEqual({
      type: 'zoom',
      factor: 0.5,
    });
    expect(wheelAction({ deltaX: 0, deltaY: 25, deltaMode: 1 }, 500)).toEqual({ type: 'zoom', factor: 2 });
    expect(wheelAction({ deltaX: 50, deltaY: 5, deltaMode: 0 }, 500)).toEqual({ type: 'pan', fraction: 0.1 });
    expect(wheelAction({ deltaX: 0, deltaY: -100, deltaMode: 0, shiftKey: true }, 500)).toEqual({
      type: 'pan',
      fraction: -0.2,
    });
    expect(wheelAction({ deltaX: 0, deltaY: 0, deltaMode: 0 }, 500)).toBeNull();
  });
});

describe('rangeLabel', () => {
  it('names live and preset ranges, dates otherwise', () => {
    expect(rangeLabel(presetRange('live', NOW))).toBe('last 5 min, live');
    expect(rangeLabel(presetRange('7d', NOW))).toBe('last 7 days');
    const from = new Date(2026, 2, 5, 7, 46).getTime(); // local time, as the label shows it
    const days = history(panRange({ from, to: from + 3 * DAY }, 0, NOW));
    expect(rangeLabel(days, 'en-US')).toBe('Mar 5, 2026, 07:46 – Mar 8, 2026, 07:46');
    const hours = history(panRange({ from, to: from + 13 * HOUR }, 0, NOW));
    expect(rangeLabel(hours, 'en-US')).toBe('Mar 5, 2026, 07:46 – 20:46');
    const minutes = history(panRange({ from, to: from + 90_000 }, 0, NOW));
    expect(rangeLabel(minutes, 'en-US')).toBe('Mar 5, 2026, 07:46:00 – 07:47:30');
    const following = history(zoomRange({ from: NOW - DAY, to: NOW }, 0.5, NOW, NOW));
    expect(rangeLabel(following, 'en-US')).toMatch(/\(following\)$/);
  });
});
