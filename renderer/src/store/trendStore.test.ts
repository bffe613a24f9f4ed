import { describe, expect, it } from 'vitest';
import { createTrendStore } from './trendStore';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = Date.UTC(2026, 10, 28, 12);

describe('trend store', () => {
  it('starts live and switches to a preset ending now', () => {
    const store = createTrendStore({ now: () => NOW });
    expect(store.getState().range).toEqual({ mode: 'live', preset: 'live' });
    store.getState().choosePreset('30d');
    expect(store.getState().range).toEqual({
      mode: 'history',
      from: NOW - 30 * DAY,
      to: NOW,
      preset: '30d',
      follow: true,
    });
    expect(store.getState().cause).toBe('preset');
  });

  it('zooms out of the live window into history, pinned to now, and L brings it back', () => {
    const store = createTrendStore({ now: () => NOW });
    const liveView = { from: NOW - 5 * MIN, to: NOW };
    store.getState().zoom(liveView, 2, NOW, 'key');
    expect(store.getState().range).toMatchObject({
      mode: 'history',
      from: NOW - 10 * MIN,
      to: NOW,
      follow: true,
    });
    expect(store.getState().cause).toBe('key');
    store.getState().goLive();
    expect(store.getState().range.mode).toBe('live');
  });

  it('pans and selects, and a following range moves with the clock only while it follows', () => {
    let now = NOW;
    const store = createTrendStore({ now: () => now });
    store.getState().choosePreset('24h');
    now += 10_000;
    store.getState().follow();
    expect(store.getState().range).toMatchObject({ from: now - DAY, to: now, follow: true });
    expect(store.getState().cause).toBe('follow');

    store.getState().pan({ from: now - DAY, to: now }, -0.5, 'wheel');
    const panned = store.getState().range;
    expect(panned).toMatchObject({ from: now - 1.5 * DAY, to: now - 0.5 * DAY, follow: false, preset: null });
    now += 10_000;
    store.getState().follow();
    expect(store.getState().range).toBe(panned);

    store.getState().select(now - 3 * DAY, now - 2 * DAY);
    expect(store.getState().range).toMatchObject({ from: now - 3 * DAY, to: now - 2 * DAY });
    expect(store.getState().cause).toBe('select');
  });

  it('keeps the history status apart, clears it going live, and skips no-op updates', () => {
    const store = createTrendStore({ now: () => NOW });
    store.getState().choosePreset('7d');
    let updates = 0;
    const stop = store.subscribe(() => updates++);
    store.getState().setHistoryStatus({ loading: true });
    store.getState().setHistoryStatus({ loading: true });
    expect(updates).toBe(1);
    store.getState().setHistoryStatus({ loading: false, error: 'History unavailable: disk full' });
    store.getState().setHistoryStatus({ resolutionMs: 3_600_000, columnMs: 1000 });
    expect(store.getState().history).toEqual({
      loading: false,
      error: 'History unavailable: disk full',
      resolutionMs: 3_600_000,
      columnMs: 1000,
    });
    store.getState().goLive();
    expect(store.getState().history).toEqual({
      loading: false,
      error: null,
      resolutionMs: null,
      columnMs: null,
    });
    stop();
  });
});
