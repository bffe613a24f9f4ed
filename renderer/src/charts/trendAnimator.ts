import type { LiveSeriesStore } from './liveSeries';
import type { TagStrip } from './tagStrip';
import { windowEnd } from './timeWindow';

export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

const browserFrames: FrameScheduler = {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h),
};

/**
 * Drives the strips of one selection: at most one redraw per animation frame, requested only
 * when samples arrived, plus a once-a-second tick so the time axis scrolls and "stale" labels
 * appear even when nothing arrives.
 */
export class TrendAnimator {
  private frame: number | null = null;
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly store: LiveSeriesStore,
    private readonly strips: ReadonlyMap<string, TagStrip>,
    private readonly windowMs: number,
    private readonly options: {
      now?: () => number;
      frames?: FrameScheduler;
      /** Called after each frame (e.g. to update a dropped-samples note). */
      afterFrame?: () => void;
    } = {},
  ) {}

  start(): void {
    this.disposers.push(this.store.onChange(() => this.schedule()));
    const tick = setInterval(() => this.schedule(), 1000);
    this.disposers.push(() => clearInterval(tick));
    this.schedule();
  }

  dispose(): void {
    if (this.frame !== null) (this.options.frames ?? browserFrames).cancel(this.frame);
    this.frame = null;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = (this.options.frames ?? browserFrames).request(() => {
      this.frame = null;
      this.draw();
    });
  }

  private draw(): void {
    const now = (this.options.now ?? Date.now)();
    const end = windowEnd(now, this.store.newestTime(), this.windowMs);
    for (const [tagId, strip] of this.strips) strip.render(this.store.version(tagId), end, now);
    this.options.afterFrame?.();
  }
}
