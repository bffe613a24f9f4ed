import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  followNow,
  LIVE_RANGE,
  panRange,
  presetRange,
  selectRange,
  zoomRange,
  type PresetId,
  type TimeView,
  type TrendRange,
} from '../charts/timeRange';

/**
 * UI state of the trend: which time range it shows and how loading it goes. The charts read
 * the range outside React (charts/trendController.ts subscribes); the range control renders
 * from it. Samples never come here.
 */

/** Why the range changed: continuous gestures (wheel) are debounced, discrete choices are not. */
export type RangeCause = 'init' | 'preset' | 'key' | 'wheel' | 'select' | 'follow';

export interface HistoryStatus {
  /** A history request has been running for a noticeable time. */
  loading: boolean;
  /** Why the last history request failed; null when it did not. */
  error: string | null;
  /** Finest source of the last answer drawn (0 = raw samples, else the rollup in ms); null in live. */
  resolutionMs: number | null;
  /** Time per pixel column of the last answer drawn; null in live. */
  columnMs: number | null;
}

export interface TrendState {
  range: TrendRange;
  cause: RangeCause;
  history: HistoryStatus;
}

export interface TrendActions {
  choosePreset(id: PresetId, now?: number): void;
  /** Zooms the view shown now (`view`: the live window, or the history range). */
  zoom(view: TimeView, factor: number, anchor: number, cause: 'key' | 'wheel', now?: number): void;
  pan(view: TimeView, fraction: number, cause: 'key' | 'wheel', now?: number): void;
  select(from: number, to: number, now?: number): void;
  goLive(): void;
  /** Moves a following history range up to now (no-op otherwise). */
  follow(now?: number): void;
  setHistoryStatus(status: Partial<HistoryStatus>): void;
}

export type TrendStore = StoreApi<TrendState & TrendActions>;

const IDLE: HistoryStatus = { loading: false, error: null, resolutionMs: null, columnMs: null };

export function createTrendStore(options: { now?: () => number; initial?: TrendRange } = {}): TrendStore {
  const clock = options.now ?? Date.now;
  return createStore<TrendState & TrendActions>()((set, get) => {
    const setRange = (range: TrendRange, cause: RangeCause) => {
      // Going live clears what history said; a new history range keeps the last answer's
      // figures until the next one lands (the charts still show that answer meanwhile).
      set({ range, cause, ...(range.mode === 'live' ? { history: IDLE } : {}) });
    };
    return {
      range: options.initial ?? LIVE_RANGE,
      cause: 'init',
      history: IDLE,

      choosePreset(id, now = clock()) {
        setRange(presetRange(id, now), 'preset');
      },
      zoom(view, factor, anchor, cause, now = clock()) {
        setRange(zoomRange(view, factor, anchor, now), cause);
      },
      pan(view, fraction, cause, now = clock()) {
        setRange(panRange(view, fraction, now), cause);
      },
      select(from, to, now = clock()) {
        setRange(selectRange(from, to, now), 'select');
      },
      goLive() {
        if (get().range.mode !== 'live') setRange(LIVE_RANGE, 'preset');
      },
      follow(now = clock()) {
        const { range } = get();
        const next = followNow(range, now);
        if (next !== range) setRange(next, 'follow');
      },
      setHistoryStatus(status) {
        const { history } = get();
        const next = { ...history, ...status };
        const same = (Object.keys(next) as (keyof HistoryStatus)[]).every((k) =>
          Object.is(next[k], history[k]),
        );
        if (!same) set({ history: next });
      },
    };
  });
}
