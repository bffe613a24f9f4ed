import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveSeriesStore } from './liveSeries';
import { MIN_FRAME_INTERVAL_MS, TrendAnimator, type FrameScheduler } from './trendAnimator';

/** Animation frames run when the test says (there is no browser here). */
function manualFrames() {
  const queued = new Map<number, () => void>();
  let next = 1;
  const frames: FrameScheduler = {
    request: (cb) => {
      queued.set(next, cb);
      return next++;
    },
    cancel: (h) => void queued.delete(h),
  };
  const run = () => {
    const cbs = [...queued.values()];
    queued.clear();
    cbs.forEach((cb) => cb());
  };
  return { frames, run, pending: () => queued.size };
}

const batch = (t: number) => [{ tagId: 'a', t: [t], v: [t], q: [0] }];

afterEach(() => {
  vi.useRealTimers();
});

describe('TrendAnimator', () => {
  it('coalesces many batches into one redraw per frame and redraws only when data arrived', () => {
    vi.useFakeTimers();
    let now = 10_000;
    const store = new LiveSeriesStore(['a'], 16);
    const renders: [number, number][] = [];
    const strips = new Map([
      ['a', { render: (version: number, end: number) => void renders.push([version, end]) }],
    ]);
    const { frames, run, pending } = manualFrames();
    const animator = new TrendAnimator(store, strips, 60_000, { now: () => now, frames });
    animator.start();
    run(); // the first frame draws the (empty) window
    expect(renders).toEqual([[0, 10_000]]);

    now += MIN_FRAME_INTERVAL_MS;
    store.ingest(batch(9_000));
    store.ingest(batch(9_100));
    store.ingest(batch(9_200));
    expect(pending()).toBe(1); // three batches, one frame
    run();
    expect(renders.at(-1)).toEqual([3, 10_100]);

    // Nothing new: no frame is requested until the once-a-second tick.
    expect(pending()).toBe(0);
    now += 1000;
    vi.advanceTimersByTime(1000);
    expect(pending()).toBe(1);
    run();
    expect(renders.at(-1)).toEqual([3, 11_100]); // same data version, the window moved on
    animator.dispose();
  });

  it('waits out the minimum frame interval instead of redrawing on every batch', () => {
    vi.useFakeTimers();
    let now = 0;
    const store = new LiveSeriesStore(['a'], 16);
    let renders = 0;
    const strips = new Map([['a', { render: () => void renders++ }]]);
    const { frames, run, pending } = manualFrames();
    const animator = new TrendAnimator(store, strips, 60_000, { now: () => now, frames });
    animator.start();
    run();
    store.ingest(batch(1)); // arrives 0 ms after the last draw
    expect(pending()).toBe(0);
    now += MIN_FRAME_INTERVAL_MS;
    vi.advanceTimersByTime(MIN_FRAME_INTERVAL_MS);
    expect(pending()).toBe(1);
    run();
    expect(renders).toBe(2);
    animator.dispose();
    store.ingest(batch(2));
    vi.advanceTimersByTime(5000);
    expect(pending()).toBe(0); // disposed: no more frames
  });
});
