import type { Tag } from '../../../shared/domain';
import type { ChartSeries } from '../../../shared/historianApi';
import type { RangeCause, TrendStore } from '../store/trendStore';
import type { RendererClient } from '../transport/types';
import { LiveFeed, type FeedStatus } from './liveFeed';
import { LiveSeriesStore } from './liveSeries';
import { loadRecentWithScores, MAX_CHART_WIDTH, queryChartColumns } from './chartQueries';
import { chartToStripData } from './m4Data';
import { scoreTrackFromChart } from './scoreOverlay';
import { SequencedLoader } from './sequencedLoader';
import { TagStrip } from './tagStrip';
import {
  followIntervalMs,
  keyAction,
  keyZoomAnchor,
  wheelAction,
  type TimeView,
  type TrendAction,
  type TrendRange,
} from './timeRange';
import { TREND_WINDOW_MS, windowEnd } from './timeWindow';
import { TrendAnimator } from './trendAnimator';

/** Width asked for scores prefetched for the live window before the strips are laid out. */
const DEFAULT_SCORE_WIDTH = 1000;

export interface TrendControllerOptions {
  client: RendererClient;
  /** The trend section: strips are found by data-tag-id inside it; keys are read on it. */
  container: HTMLElement;
  /** The strips, in order. */
  tags: readonly Tag[];
  /** The anomaly-score tag drawn over each strip (the asset score strip maps to itself). */
  scoreOf: ReadonlyMap<string, string>;
  trend: TrendStore;
  onFeedStatus(status: FeedStatus): void;
  /** Where the "samples dropped" note goes. */
  droppedNote?: HTMLElement | null;
}

interface HistoryPlan {
  key: string;
  from: number;
  to: number;
  width: number;
  /** Strips this request is for. */
  stripIds: string[];
  /** Their tags and their scores. */
  tagIds: string[];
}

/**
 * Runs the trend of one selection, outside React: the strips' charts (created once), the live
 * feed and the animation loop, and the historian queries when the operator looks back.
 *
 * Live: the ring-buffer path (samples arrive batched, charts redraw on animation frames).
 * History: each on-screen strip draws the historian's M4 columns at its own pixel width. The
 * range is applied to every chart with setScale on the next animation frame (all strips move
 * together, nothing is re-created), and the fetch follows, debounced while the operator is
 * still zooming, one request at a time, stale answers dropped.
 */
export class TrendController {
  private readonly strips = new Map<string, TagStrip>();
  private readonly chartHosts = new Map<string, HTMLElement>();
  private readonly live: LiveSeriesStore;
  private readonly feed: LiveFeed;
  private readonly animator: TrendAnimator;
  private readonly loader: SequencedLoader<HistoryPlan, ChartSeries[]>;
  /** Which history request each strip shows (its plan key). */
  private readonly loaded = new Map<string, string>();
  private readonly disposers: (() => void)[] = [];
  private viewFrame: number | null = null;
  private followTimer: ReturnType<typeof setInterval> | null = null;
  /** When the range last changed (performance.now()), for the "drawn in" figure. */
  private changedAt = 0;
  private drawnReported = true;

  constructor(private readonly o: TrendControllerOptions) {
    const stripIds = o.tags.map((t) => t.id);
    const scoreIds = [...new Set(stripIds.map((id) => o.scoreOf.get(id)).filter((id) => id !== undefined))];
    const allIds = [...new Set([...stripIds, ...scoreIds])];
    this.live = new LiveSeriesStore(allIds);
    const now = Date.now();
    for (const tag of o.tags) {
      const figure = o.container.querySelector<HTMLElement>(
        `[data-testid="trend-series"][data-tag-id="${CSS.escape(tag.id)}"]`,
      );
      const chart = figure?.querySelector<HTMLElement>('.strip-chart');
      const latestValue = figure?.querySelector<HTMLElement>('[data-testid="latest-value"]');
      const latestNote = figure?.querySelector<HTMLElement>('.strip-note');
      if (!figure || !chart || !latestValue || !latestNote) continue;
      const latestScore = figure.querySelector<HTMLElement>('[data-testid="anomaly-score"]');
      const scoreId = o.scoreOf.get(tag.id);
      this.chartHosts.set(tag.id, chart);
      this.strips.set(
        tag.id,
        new TagStrip(
          tag,
          this.live.buffer(tag.id)!,
          { figure, chart, latestValue, latestNote, latestScore },
          {
            windowMs: TREND_WINDOW_MS,
            now,
            scoreBuffer: scoreId ? (this.live.buffer(scoreId) ?? null) : null,
            scoreIsSelf: scoreId === tag.id,
            syncKey: `trend-${stripIds[0] ?? ''}`,
            onSelect: (from, to) => o.trend.getState().select(from, to),
            onWheel: (event, anchor, width) => this.wheel(event, anchor, width),
          },
        ),
      );
    }
    const scoreSet = new Set(scoreIds.filter((id) => !stripIds.includes(id)));
    this.feed = new LiveFeed(o.client, this.live, {
      windowMs: TREND_WINDOW_MS,
      onStatus: o.onFeedStatus,
      loadHistory: (tagIds, sinceMs, limit) =>
        loadRecentWithScores(o.client, {
          tagIds,
          sinceMs,
          limit,
          scoreIds: scoreSet,
          width: this.stripWidth(),
          now: Date.now(),
        }),
    });
    let lastDropped = 0;
    this.animator = new TrendAnimator(this.live, this.strips, TREND_WINDOW_MS, {
      versionOf: (id) => {
        const scoreId = o.scoreOf.get(id);
        const own = this.live.version(id);
        return scoreId && scoreId !== id ? own + this.live.version(scoreId) : own;
      },
      afterFrame: () => {
        const note = o.droppedNote;
        if (this.live.dropped === lastDropped || !note) return;
        lastDropped = this.live.dropped;
        note.textContent = `${lastDropped} samples dropped by the link (display fell behind)`;
      },
    });
    this.loader = new SequencedLoader<HistoryPlan, ChartSeries[]>({
      plan: () => this.plan(),
      fetch: (plan) => queryChartColumns(o.client, plan.tagIds, plan.from, plan.to, plan.width),
      onResult: (series, plan, seq) => this.drawHistory(series, plan, seq),
      onError: (err) => o.trend.getState().setHistoryStatus({ error: `History unavailable: ${err.message}` }),
      onLoading: (loading) => {
        o.trend.getState().setHistoryStatus({ loading });
        o.container.dataset.loading = String(loading);
      },
    });
  }

  start(): void {
    const { container, client, trend } = this.o;
    void this.feed.start();
    this.animator.start();

    // The WebSocket client reports "open" before it re-subscribes: refetch the gap first.
    let wasOpen = client.status.get().state === 'open';
    this.disposers.push(
      client.status.subscribe((s) => {
        const open = s.state === 'open';
        if (open && !wasOpen) {
          void this.feed.resync();
          if (trend.getState().range.mode === 'history') this.loader.schedule(true);
        }
        wasOpen = open;
      }),
    );

    const resize = new ResizeObserver(() => {
      for (const [id, strip] of this.strips) strip.resize(this.chartHosts.get(id)?.clientWidth ?? 0);
      if (trend.getState().range.mode === 'history') this.loader.schedule();
    });
    resize.observe(container);
    this.disposers.push(() => resize.disconnect());

    // Only strips on (or near) the screen paint their charts and fetch history.
    const visibility = new IntersectionObserver(
      (entries) => {
        let appeared = false;
        for (const entry of entries) {
          const tagId = (entry.target as HTMLElement).dataset.tagId;
          const strip = tagId ? this.strips.get(tagId) : undefined;
          if (!strip) continue;
          strip.setOnScreen(entry.isIntersecting);
          appeared ||= entry.isIntersecting;
        }
        this.animator.requestDraw();
        if (appeared && trend.getState().range.mode === 'history') this.loader.schedule();
      },
      { rootMargin: '200px 0px' },
    );
    for (const figure of container.querySelectorAll('[data-testid="trend-series"]'))
      visibility.observe(figure);
    this.disposers.push(() => visibility.disconnect());

    const onKey = (e: KeyboardEvent) => this.key(e);
    container.addEventListener('keydown', onKey);
    this.disposers.push(() => container.removeEventListener('keydown', onKey));

    this.disposers.push(
      trend.subscribe((s, prev) => s.range !== prev.range && this.applyRange(s.range, s.cause)),
    );
    this.applyRange(trend.getState().range, 'init');
  }

  /** Asks the historian again (after an error). */
  retry(): void {
    this.o.trend.getState().setHistoryStatus({ error: null });
    this.loader.schedule(true);
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    if (this.viewFrame !== null) cancelAnimationFrame(this.viewFrame);
    this.viewFrame = null;
    this.stopFollowing();
    this.loader.dispose();
    this.feed.dispose();
    this.animator.dispose();
    for (const strip of this.strips.values()) strip.destroy();
    this.strips.clear();
  }

  /** What the charts show now: the history range, or the live window as it stands. */
  currentView(now = Date.now()): TimeView {
    const range = this.o.trend.getState().range;
    if (range.mode === 'history') return { from: range.from, to: range.to };
    const end = windowEnd(now, this.live.newestTime(), TREND_WINDOW_MS);
    return { from: end - TREND_WINDOW_MS, to: end };
  }

  /** The widest strip's plot width (they share a grid, so all are about the same). */
  private stripWidth(): number {
    let width = 0;
    for (const strip of this.strips.values()) width = Math.max(width, strip.plotWidth());
    return Math.min(MAX_CHART_WIDTH, width || DEFAULT_SCORE_WIDTH);
  }

  private applyRange(range: TrendRange, cause: RangeCause): void {
    const ds = this.o.container.dataset;
    this.changedAt = performance.now();
    this.drawnReported = false;
    delete ds.drawnMs;
    ds.mode = range.mode;
    this.stopFollowing();
    if (range.mode === 'live') {
      delete ds.rangeFrom;
      delete ds.rangeTo;
      this.loader.cancel();
      this.loaded.clear();
      for (const strip of this.strips.values()) strip.enterLive();
      this.animator.requestDraw();
      return;
    }
    ds.rangeFrom = String(Math.round(range.from));
    ds.rangeTo = String(Math.round(range.to));
    // The mode changes now (an answer may land before the next frame); the view on the frame.
    for (const strip of this.strips.values()) strip.enterHistory();
    this.scheduleView();
    // A wheel turns in many small steps: wait for it to settle. A discrete choice asks at once,
    // except on opening, where the strips' visibility is not known yet (only those on screen
    // are fetched).
    this.loader.schedule(cause !== 'wheel' && cause !== 'init');
    if (range.follow) {
      const span = range.to - range.from;
      this.followTimer = setInterval(() => this.o.trend.getState().follow(), followIntervalMs(span));
    }
  }

  private stopFollowing(): void {
    if (this.followTimer !== null) clearInterval(this.followTimer);
    this.followTimer = null;
  }

  /** All strips move to the current range on the next frame, once however many changes came before. */
  private scheduleView(): void {
    if (this.viewFrame !== null) return;
    this.viewFrame = requestAnimationFrame(() => {
      this.viewFrame = null;
      const range = this.o.trend.getState().range;
      if (range.mode !== 'history') return;
      for (const strip of this.strips.values()) strip.showRange(range.from, range.to);
    });
  }

  private act(action: TrendAction, cause: 'key' | 'wheel', anchor?: number): void {
    const trend = this.o.trend.getState();
    const now = Date.now();
    const view = this.currentView(now);
    switch (action.type) {
      case 'live':
        trend.goLive();
        break;
      case 'zoom':
        trend.zoom(view, action.factor, anchor ?? keyZoomAnchor(view, now), cause, now);
        break;
      case 'pan':
        trend.pan(view, action.fraction, cause, now);
        break;
    }
  }

  private key(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    const action = keyAction(e);
    if (!action) return;
    e.preventDefault();
    this.act(action, 'key');
  }

  private wheel(event: WheelEvent, anchor: number, plotWidth: number): void {
    const action = wheelAction(event, plotWidth);
    if (action) this.act(action, 'wheel', anchor);
  }

  /** What history the on-screen strips still lack for the current range; null if none. */
  private plan(): HistoryPlan | null {
    const range = this.o.trend.getState().range;
    if (range.mode !== 'history') return null;
    const visible = [...this.strips].filter(([, s]) => s.isOnScreen);
    if (visible.length === 0) return null;
    const width = Math.min(MAX_CHART_WIDTH, Math.max(...visible.map(([, s]) => s.plotWidth())));
    const key = `${range.from}|${range.to}|${width}`;
    const stripIds = visible.filter(([id]) => this.loaded.get(id) !== key).map(([id]) => id);
    if (stripIds.length === 0) return null;
    const tagIds = new Set<string>();
    for (const id of stripIds) {
      tagIds.add(id);
      const score = this.o.scoreOf.get(id);
      if (score) tagIds.add(score);
    }
    return { key, from: range.from, to: range.to, width, stripIds, tagIds: [...tagIds] };
  }

  private drawHistory(series: ChartSeries[], plan: HistoryPlan, seq: number): void {
    const trend = this.o.trend.getState();
    if (trend.range.mode !== 'history') return;
    const byId = new Map(series.map((s) => [s.tagId, s]));
    // A view ending at now holds each tag's newest Good value to its right edge, as live does.
    const range = trend.range;
    const hold = range.follow && range.to === plan.to ? { holdUntil: plan.to } : {};
    let coarsest = -1;
    let columnMs = 0;
    for (const id of plan.stripIds) {
      const strip = this.strips.get(id);
      const own = byId.get(id);
      if (!strip || !own) continue;
      const scoreId = this.o.scoreOf.get(id);
      const score = scoreId ? byId.get(scoreId) : undefined;
      if (strip.showHistory(chartToStripData(own, hold), score ? scoreTrackFromChart(score) : null, seq)) {
        this.loaded.set(id, plan.key);
        coarsest = Math.max(coarsest, own.resolutionMs);
        columnMs = own.columnMs;
      }
    }
    if (coarsest >= 0) trend.setHistoryStatus({ error: null, resolutionMs: coarsest, columnMs });
    this.reportDrawn(plan);
  }

  /**
   * Once every on-screen strip shows the answer for the range chosen last, records how long
   * that took from the choice (data-drawn-ms on the trend: read by the benchmark and tests).
   */
  private reportDrawn(plan: HistoryPlan): void {
    if (this.drawnReported) return;
    const range = this.o.trend.getState().range;
    if (range.mode !== 'history' || range.from !== plan.from || range.to !== plan.to) return;
    for (const [id, strip] of this.strips) if (strip.isOnScreen && this.loaded.get(id) !== plan.key) return;
    this.drawnReported = true;
    const changedAt = this.changedAt;
    // uPlot draws in a microtask after setData; the frame after that is on screen.
    requestAnimationFrame(() => {
      this.o.container.dataset.drawnMs = String(Math.round(performance.now() - changedAt));
    });
  }
}
