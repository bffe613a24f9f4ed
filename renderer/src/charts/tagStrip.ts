import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Tag } from '../../../shared/domain';
import { formatTick, formatValue, latestLabel } from './format';
import type { HistoryData } from './m4Data';
import type { SampleRingBuffer } from './ringBuffer';
import { isGood } from '../../../shared/quality';
import {
  ABNORMAL_SCORE,
  EMPTY_SCORE_TRACK,
  LiveScoreTrack,
  paintScoreOverlay,
  type ScoreTrack,
} from './scoreOverlay';
import { SERIES, StripDataBuilder, yRange } from './stripData';
import { chartRedrawIntervalMs } from './timeWindow';

/** Where a strip writes: the chart host and the header texts React rendered for it. */
export interface TagStripElements {
  /** The strip's figure: state for tests and styles goes in its data attributes. */
  figure: HTMLElement;
  chart: HTMLElement;
  latestValue: HTMLElement;
  latestNote: HTMLElement;
  /** The latest anomaly score of the tag (absent for the asset score strip: it is its value). */
  latestScore?: HTMLElement | null;
}

export interface TagStripOptions {
  /** Span of the live window (ms). */
  windowMs: number;
  now: number;
  /** Live samples of the tag's anomaly score (null: the tag has none). */
  scoreBuffer: SampleRingBuffer | null;
  /** The strip plots the score itself (the asset score strip): shade only, no second line. */
  scoreIsSelf: boolean;
  /** Strips with the same key share the cursor (uPlot cursor sync). */
  syncKey: string;
  /** The operator dragged over [from, to] on this chart. */
  onSelect?(from: number, to: number): void;
  /** A wheel event over the plot, with the time under the pointer and the plot's width. */
  onWheel?(event: WheelEvent, anchor: number, plotWidthPx: number): void;
}

export const STRIP_HEIGHT_PX = 96;
/** Drags narrower than this are clicks, not selections. */
const MIN_SELECT_PX = 4;

/** Colours of the dark control-room theme (kept in step with styles.css and trend.css). */
const theme = {
  line: '#4fc3f7',
  band: 'rgba(79, 195, 247, 0.22)',
  axis: '#9fb3c8',
  grid: 'rgba(159, 179, 200, 0.12)',
  uncertain: '#ffb300',
  bad: '#ff5252',
  abnormal: 'rgba(255, 82, 82, 0.18)',
  abnormalMark: '#ff5252',
  score: 'rgba(255, 171, 64, 0.75)',
};

export type StripMode = 'live' | 'history';

/** Data attributes a strip's figure carries while it shows history (tests and the benchmark read them). */
const HISTORY_ATTRIBUTES = [
  'columns',
  'resolutionMs',
  'gaps',
  'badColumns',
  'abnormalSpans',
  'viewFrom',
  'viewTo',
] as const;

/**
 * One tag's small-multiple strip chart: a uPlot instance created once per selection and never
 * re-created, whatever the range. Live: fed from the tag's ring buffer with setData when it
 * changed, scrolled with setScale when only time moved on. History: the historian's M4 columns
 * (setData once per answer), zoomed and panned with setScale only.
 *
 * Samples that are not Good are left out of the line (a gap) and drawn as markers along the
 * bottom, amber for Uncertain, red for Bad. The tag's anomaly score is painted underneath:
 * shaded where above 0.5, and as a faint line on a fixed 0..1 scale.
 */
export class TagStrip {
  private readonly plot: uPlot;
  private readonly data: StripDataBuilder;
  private readonly liveScore: LiveScoreTrack | null;
  private mode: StripMode = 'live';
  private viewFrom = 0;
  private viewTo = 0;
  /** History: the view changed while the strip was off screen. */
  private viewDirty = false;
  private drawnVersion = -1;
  private lastChartDraw = -Infinity;
  /** Whether the chart currently shows no samples: then new data is drawn at once, unthrottled. */
  private drawnEmpty = true;
  private heldPoint = false;
  private score: ScoreTrack = EMPTY_SCORE_TRACK;
  /** Sequence number of the history answer shown (older answers are refused). */
  private historySeq = -1;
  /** Off-screen strips keep their latest value current but skip painting the chart. */
  private onScreen = true;
  private lastNote = '';
  private lastValue = '';
  private lastSeverity = '';
  private lastScore = '';
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly tag: Tag,
    private readonly buffer: SampleRingBuffer,
    private readonly elements: TagStripElements,
    private readonly options: TagStripOptions,
  ) {
    this.data = new StripDataBuilder(buffer.capacity);
    this.liveScore = options.scoreBuffer ? new LiveScoreTrack(options.scoreBuffer.capacity) : null;
    this.viewTo = options.now;
    this.viewFrom = options.now - options.windowMs;
    const unit = tag.unit;
    const overlayStyle = {
      shade: theme.abnormal,
      mark: theme.abnormalMark,
      line: theme.score,
      drawLine: !options.scoreIsSelf,
    };
    const opts: uPlot.Options = {
      width: Math.max(elements.chart.clientWidth, 200),
      height: STRIP_HEIGHT_PX,
      ms: 1, // timestamps are epoch milliseconds, as on the wire
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        points: { show: false },
        sync: {
          key: options.syncKey,
          setSeries: false,
          // The crosshair follows across strips; a drag selects on its own strip only.
          filters: { pub: (type) => type !== 'mousedown' && type !== 'mouseup' },
        },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      padding: [6, 16, 0, 0],
      scales: {
        x: { time: true, range: () => [this.viewFrom, this.viewTo] },
        y: { range: (_u, min, max) => yRange(min, max, tag.range) },
        quality: { auto: false, range: [0, 1] },
      },
      axes: [
        {
          stroke: theme.axis,
          grid: { stroke: theme.grid, width: 1 },
          ticks: { stroke: theme.grid, width: 1, size: 4 },
          size: 24,
          space: 72, // room for an "HH:MM:SS" or "Mar 2026" label between ticks
          font: '11px system-ui, sans-serif',
          values: (_u, splits, _axis, _space, spacing) => splits.map((v) => formatTick(v, spacing)),
        },
        {
          stroke: theme.axis,
          grid: { stroke: theme.grid, width: 1 },
          ticks: { stroke: theme.grid, width: 1, size: 4 },
          size: 64,
          space: 18, // strips are short: allow a tick every 18 px so there are at least two
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map((v) => formatValue(v)),
        },
      ],
      series: [
        {},
        {
          label: unit ? `${tag.name} (${unit})` : tag.name,
          stroke: theme.line,
          width: 1.5,
          // Dots are drawn by uPlot only where samples are sparse; never on the held value.
          points: {
            size: 4,
            fill: theme.line,
            filter: (u, _seriesIdx, show) => {
              if (!show || !this.heldPoint) return null;
              const last = u.data[0].length - 1;
              return Array.from({ length: last }, (_, i) => i);
            },
          },
          spanGaps: false,
        },
        markerSeries('Uncertain quality', theme.uncertain),
        markerSeries('Bad quality', theme.bad),
        bandEdge('Column minimum'),
        bandEdge('Column maximum'),
      ],
      bands: [{ series: [SERIES.high, SERIES.low], fill: theme.band }],
      hooks: {
        // Painted first, under the grid and the series.
        drawClear: [(u) => paintScoreOverlay(u, this.score, overlayStyle)],
        setSelect: [(u) => this.selected(u)],
      },
    };
    this.plot = new uPlot(opts, [[], [], [], [], [], []], elements.chart);
    this.listenForWheel();
    this.elements.figure.dataset.mode = 'live';
  }

  get currentMode(): StripMode {
    return this.mode;
  }

  /** Width of the plotting area in CSS pixels: one M4 column per pixel. */
  plotWidth(): number {
    return Math.max(1, Math.round(this.plot.over.clientWidth || this.plot.width - 80));
  }

  /**
   * Live: brings the strip up to date for a window ending at `windowEnd`. The latest value is
   * written every time (in history mode too: the header always tells the present); the chart
   * is redrawn at most once per pixel of time (chartRedrawIntervalMs), re-reading the buffers
   * only if they changed since the last draw (`version`), otherwise just scrolling the time
   * axis. A skipped change is drawn by a later call (the animator ticks).
   */
  render(version: number, windowEnd: number, now: number): void {
    this.renderLatest();
    if (!this.onScreen || this.mode !== 'live') return;
    const changed = version !== this.drawnVersion;
    if (!changed && windowEnd === this.viewTo) return;
    const windowMs = this.options.windowMs;
    if (!this.drawnEmpty && now - this.lastChartDraw < chartRedrawIntervalMs(windowMs, this.plotWidthFast()))
      return;
    this.lastChartDraw = now;
    this.viewTo = windowEnd;
    this.viewFrom = windowEnd - windowMs;
    if (changed) {
      this.drawnVersion = version;
      const data = this.data.build(this.buffer, this.viewFrom, this.viewTo);
      this.heldPoint = this.data.heldPoint;
      this.drawnEmpty = data[0].length === 0;
      if (this.liveScore && this.options.scoreBuffer)
        this.score = this.liveScore.build(this.options.scoreBuffer, this.viewFrom, this.viewTo);
      this.plot.setData(data);
    } else {
      this.plot.setScale('x', { min: this.viewFrom, max: this.viewTo });
    }
  }

  /** Back to the ring buffers: the next render() redraws from them at once. */
  enterLive(): void {
    if (this.mode === 'live') return;
    this.mode = 'live';
    this.drawnVersion = -1;
    this.drawnEmpty = true;
    this.historySeq = -1;
    this.viewDirty = false;
    const ds = this.elements.figure.dataset;
    ds.mode = 'live';
    for (const key of HISTORY_ATTRIBUTES) delete ds[key];
    this.score = EMPTY_SCORE_TRACK; // rebuilt from the live buffer by the next render()
  }

  /** Leaves the ring buffers: from now on only history answers and showRange() draw. */
  enterHistory(): void {
    if (this.mode === 'history') return;
    this.mode = 'history';
    this.heldPoint = false;
    this.elements.figure.dataset.mode = 'history';
  }

  /**
   * Shows [from, to] from history. Until the historian answers, whatever the chart holds (the
   * live samples, or the previous answer) is stretched to the new range: zooming responds at
   * once, the finer or wider data follows.
   */
  showRange(from: number, to: number): void {
    this.enterHistory();
    if (from === this.viewFrom && to === this.viewTo && !this.viewDirty) return;
    this.viewFrom = from;
    this.viewTo = to;
    const ds = this.elements.figure.dataset;
    ds.viewFrom = String(Math.round(from));
    ds.viewTo = String(Math.round(to));
    if (!this.onScreen) {
      this.viewDirty = true;
      return;
    }
    this.viewDirty = false;
    this.plot.setScale('x', { min: from, max: to });
  }

  /**
   * Draws a history answer (and the score's, when the tag has one). Refused when the strip is
   * live again or already shows a newer answer: a stale answer never overwrites a fresh one.
   */
  showHistory(data: HistoryData, score: ScoreTrack | null, seq: number): boolean {
    if (this.mode !== 'history' || seq < this.historySeq) return false;
    this.historySeq = seq;
    this.heldPoint = data.heldPoint;
    this.score = score ?? EMPTY_SCORE_TRACK;
    const ds = this.elements.figure.dataset;
    ds.columns = String(data.columns);
    ds.resolutionMs = String(data.resolutionMs);
    ds.gaps = String(data.gaps);
    ds.badColumns = String(data.badColumns);
    ds.abnormalSpans = String(this.score.spans.length / 2);
    this.viewDirty = false;
    this.plot.setData(data.plot);
    return true;
  }

  setOnScreen(onScreen: boolean): void {
    this.onScreen = onScreen;
    if (onScreen && this.viewDirty) {
      this.viewDirty = false;
      this.plot.setScale('x', { min: this.viewFrom, max: this.viewTo });
    }
  }

  get isOnScreen(): boolean {
    return this.onScreen;
  }

  resize(width: number): void {
    const w = Math.max(Math.floor(width), 200);
    if (w !== this.plot.width) this.plot.setSize({ width: w, height: STRIP_HEIGHT_PX });
  }

  destroy(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.plot.destroy();
  }

  /** The plot width from uPlot's own layout (no DOM read on the animation path). */
  private plotWidthFast(): number {
    return this.plot.bbox.width / (typeof devicePixelRatio === 'number' ? devicePixelRatio : 1);
  }

  private selected(u: uPlot): void {
    const { left, width } = u.select;
    if (width < MIN_SELECT_PX) return;
    const from = u.posToVal(left, 'x');
    const to = u.posToVal(left + width, 'x');
    // Hide the selection box: the zoom it asked for is drawn instead.
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.options.onSelect?.(from, to);
  }

  private listenForWheel(): void {
    const over = this.plot.over;
    const onWheel = (e: WheelEvent) => {
      if (!this.options.onWheel) return;
      e.preventDefault(); // the wheel zooms the trend; the page scrolls outside the plots
      const rect = over.getBoundingClientRect();
      const anchor = this.plot.posToVal(e.clientX - rect.left, 'x');
      this.options.onWheel(e, anchor, rect.width);
    };
    over.addEventListener('wheel', onWheel, { passive: false });
    this.disposers.push(() => over.removeEventListener('wheel', onWheel));
  }

  /** Header texts, written to the DOM directly: the firehose never goes through React. */
  private renderLatest(): void {
    const b = this.buffer;
    const label = latestLabel(b.length ? { v: b.lastValue, q: b.lastQuality } : null, this.tag.unit);
    if (label.value !== this.lastValue) {
      this.lastValue = label.value;
      this.elements.latestValue.textContent = label.value;
    }
    if (label.note !== this.lastNote) {
      this.lastNote = label.note;
      this.elements.latestNote.textContent = label.note;
    }
    if (label.severity !== this.lastSeverity) {
      this.lastSeverity = label.severity;
      this.elements.latestValue.dataset.quality = label.severity;
    }
    const scoreElement = this.elements.latestScore;
    const scores = this.options.scoreBuffer;
    if (scoreElement && scores) {
      // A score that is not Good (the detector is still learning the tag) is not a number to read.
      const score = scores.length && isGood(scores.lastQuality) ? scores.lastValue : NaN;
      const text =
        scores.length === 0 ? '' : Number.isFinite(score) ? `anomaly ${score.toFixed(2)}` : 'anomaly —';
      if (text !== this.lastScore) {
        this.lastScore = text;
        scoreElement.textContent = text;
        scoreElement.dataset.abnormal = String(score > ABNORMAL_SCORE);
      }
    }
  }
}

function markerSeries(label: string, color: string): uPlot.Series {
  return {
    label,
    scale: 'quality',
    stroke: color,
    width: 0,
    paths: () => null,
    points: { show: true, size: 6, width: 0, fill: color, stroke: color },
  };
}

/** An edge of the min/max band: not stroked, only filled between (see `bands`). */
function bandEdge(label: string): uPlot.Series {
  return { label, stroke: 'transparent', width: 0, points: { show: false }, spanGaps: false };
}
