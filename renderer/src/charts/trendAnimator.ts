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
 * At most ten redraws a second: a 5-minute strip a few hundred pixels wide moves less than a
 * pixel per 100 ms, and ten value updates a second is more than a person reads. The rest of
 * the frame budget stays free on a shared control-room PC.
 */
export const MIN_FRAME_INTERVAL_MS = 100;

/**
 * Drives the strips of one selection: redraws on an animation frame, requested only when
 * samples arrived (and at most every MIN_FRAME_INTERVAL_MS), plus a once-a-second tick so the
 * time axis scrolls and "stale" labels appear even when nothing arrives.
 */
export class TrendAnimator {
  private frame: number | null = null;
  private delay: ReturnType<typeof setTimeout> | null = null;
  private lastDraw = -Infinity;
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly store: LiveSeriesStore,
    private readonly strips: ReadonlyMap<string, Pick<TagStrip, 'render'>>,
    private readonly windowMs: number,
    private readonly options: {
      now?: () => number;
      frames?: FrameScheduler;
      /** Called after each frame (e.g. to update a dropped-samples note). */
      afterFrame?: () => void;
      /**
       * What a strip's data version is (default: its tag's version in the store). A strip that
       * also draws another tag (its anomaly score) sums both: versions only grow, so the sum
       * changes whenever either does.
       */
      versionOf?: (tagId: string) => number;
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
    if (this.delay !== null) clearTimeout(this.delay);
    this.frame = null;
    this.delay = null;
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Asks for a redraw soon (e.g. strips scrolled into view). */
  requestDraw(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== null || this.delay !== null) return;
    const wait = this.lastDraw + MIN_FRAME_INTERVAL_MS - this.clock();
    if (wait > 0) {
      this.delay = setTimeout(() => {
        this.delay = null;
        this.schedule();
      }, wait);
      return;
    }
    this.frame = (this.options.frames ?? browserFrames).request(() => {
      this.frame = null;
      this.draw();
    });
  }

  private clock(): number {
    return (this.options.now ?? Date.now)();
  }

  private draw(): void {
    const now = this.clock();
    this.lastDraw = now;
    const end = windowEnd(now, this.store.newestTime(), this.windowMs);
    const versionOf = this.options.versionOf ?? ((tagId: string) => this.store.version(tagId));
    for (const [tagId, strip] of this.strips) strip.render(versionOf(tagId), end, now);
    this.options.afterFrame?.();
  }
}
