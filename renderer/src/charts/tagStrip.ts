import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Tag } from '../../../shared/domain';
import { formatValue, latestLabel } from './format';
import type { SampleRingBuffer } from './ringBuffer';
import { StripDataBuilder, yRange } from './stripData';
import { chartRedrawIntervalMs } from './timeWindow';

/** Where a strip writes: the chart host and the header texts React rendered for it. */
export interface TagStripElements {
  chart: HTMLElement;
  latestValue: HTMLElement;
  latestNote: HTMLElement;
}

export const STRIP_HEIGHT_PX = 96;

/** Colours of the dark control-room theme (kept in step with styles.css). */
const theme = {
  line: '#4fc3f7',
  axis: '#9fb3c8',
  grid: 'rgba(159, 179, 200, 0.12)',
  uncertain: '#ffb300',
  bad: '#ff5252',
};

/**
 * One tag's small-multiple strip chart: a uPlot instance created once per selection, fed with
 * setData only when its buffer changed, scrolled with setScale when only time moved on.
 * Samples that are not Good are left out of the line (a gap) and drawn as markers along
 * the bottom, amber for Uncertain, red for Bad.
 */
export class TagStrip {
  private readonly plot: uPlot;
  private readonly data: StripDataBuilder;
  private windowStart = 0;
  private windowEndMs = 0;
  private drawnVersion = -1;
  private lastChartDraw = -Infinity;
  /** Whether the chart currently shows no samples: then new data is drawn at once, unthrottled. */
  private drawnEmpty = true;
  /** Off-screen strips keep their latest value current but skip painting the chart. */
  private onScreen = true;
  private lastNote = '';
  private lastValue = '';
  private lastSeverity = '';

  constructor(
    private readonly tag: Tag,
    private readonly buffer: SampleRingBuffer,
    private readonly elements: TagStripElements,
    private readonly windowMs: number,
    now: number,
  ) {
    this.data = new StripDataBuilder(buffer.capacity);
    this.windowEndMs = now;
    this.windowStart = now - windowMs;
    const unit = tag.unit;
    const opts: uPlot.Options = {
      width: Math.max(elements.chart.clientWidth, 200),
      height: STRIP_HEIGHT_PX,
      ms: 1, // timestamps are epoch milliseconds, as on the wire
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { show: false } },
      padding: [6, 16, 0, 0],
      scales: {
        x: { time: true, range: () => [this.windowStart, this.windowEndMs] },
        y: { range: (_u, min, max) => yRange(min, max, tag.range) },
        quality: { auto: false, range: [0, 1] },
      },
      axes: [
        {
          stroke: theme.axis,
          grid: { stroke: theme.grid, width: 1 },
          ticks: { stroke: theme.grid, width: 1, size: 4 },
          size: 24,
          space: 72, // room for an "HH:MM:SS" label between ticks
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map(formatClock),
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
            filter: (u, seriesIdx, show) => {
              if (!show || !this.data.heldPoint) return null;
              const last = u.data[0].length - 1;
              return Array.from({ length: last }, (_, i) => i);
            },
          },
          spanGaps: false,
        },
        markerSeries('Uncertain quality', theme.uncertain),
        markerSeries('Bad quality', theme.bad),
      ],
    };
    this.plot = new uPlot(opts, [[], [], [], []], elements.chart);
  }

  /**
   * Brings the strip up to date for a window ending at `windowEnd`. The latest value is written
   * every time; the chart is redrawn at most once per pixel of time (chartRedrawIntervalMs),
   * re-reading the buffer only if it changed since the last draw (`version`), otherwise just
   * scrolling the time axis. A skipped change is drawn by a later call (the animator ticks).
   */
  render(version: number, windowEnd: number, now: number): void {
    this.renderLatest();
    if (!this.onScreen) return;
    const changed = version !== this.drawnVersion;
    if (!changed && windowEnd === this.windowEndMs) return;
    const plotWidth = this.plot.width - 72; // minus the y axis and padding
    if (!this.drawnEmpty && now - this.lastChartDraw < chartRedrawIntervalMs(this.windowMs, plotWidth))
      return;
    this.lastChartDraw = now;
    this.windowEndMs = windowEnd;
    this.windowStart = windowEnd - this.windowMs;
    if (changed) {
      this.drawnVersion = version;
      const data = this.data.build(this.buffer, this.windowStart, this.windowEndMs);
      this.drawnEmpty = data[0].length === 0;
      this.plot.setData(data);
    } else {
      this.plot.setScale('x', { min: this.windowStart, max: this.windowEndMs });
    }
  }

  setOnScreen(onScreen: boolean): void {
    this.onScreen = onScreen;
  }

  resize(width: number): void {
    const w = Math.max(Math.floor(width), 200);
    if (w !== this.plot.width) this.plot.setSize({ width: w, height: STRIP_HEIGHT_PX });
  }

  destroy(): void {
    this.plot.destroy();
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
  }
}

const clockMinutes = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const clockSeconds = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** 24-hour clock labels, as control rooms read them; seconds only where a tick needs them. */
function formatClock(ms: number): string {
  return (ms % 60_000 === 0 ? clockMinutes : clockSeconds).format(ms);
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
