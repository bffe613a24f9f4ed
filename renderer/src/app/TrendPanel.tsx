import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Tag } from '../../../shared/domain';
import { describeResolution, formatDuration } from '../charts/format';
import { PRESETS, rangeLabel } from '../charts/timeRange';
import { TrendController } from '../charts/trendController';
import '../charts/trend.css';
import { selectTrendBadge, selectTrendTags } from '../store/selectors';
import { createTrendStore, type TrendStore } from '../store/trendStore';
import { useActions, useAppState, useServices } from './AppContext';

export function TrendPanel() {
  const selectedId = useAppState((s) => s.selectedAssetId);
  const assetName = useAppState((s) =>
    s.selectedAssetId
      ? (s.assets.data.find((a) => a.id === s.selectedAssetId)?.name ?? s.selectedAssetId)
      : null,
  );
  const tags = useAppState((s) => s.tags);
  const trendTags = useAppState(selectTrendTags);
  const actions = useActions();
  // The range outlives a selection: an operator comparing engines over a week keeps the week.
  const [trend] = useState(() => createTrendStore());

  if (!selectedId) {
    return <p className="panel-message">Select an asset to see its live trend.</p>;
  }
  if (tags.status === 'loading' || tags.status === 'idle') {
    return (
      <p className="panel-message" role="status">
        Loading the tags of {assetName}…
      </p>
    );
  }
  if (tags.status === 'error') {
    return (
      <div className="panel-message error" role="alert">
        <p>
          Cannot load the tags of {assetName}: {tags.error}
        </p>
        <button type="button" onClick={() => void actions.selectAsset(selectedId)}>
          Retry
        </button>
      </div>
    );
  }
  if (trendTags.tags.length === 0) {
    return <p className="panel-message">{assetName} has no tags to trend.</p>;
  }
  // Keyed by asset: a new selection gets fresh strip elements and fresh charts.
  return (
    <TrendStrips
      key={selectedId}
      assetName={assetName ?? selectedId}
      tags={trendTags.tags}
      allTags={tags.data}
      hidden={trendTags.hidden}
      trend={trend}
    />
  );
}

/**
 * The anomaly score drawn over each strip: `<tagId>#anomaly` (a tag with `derivedFrom`) over
 * its measured tag; the asset's own score strip shades its own values.
 */
function scoreTagsOf(strips: readonly Tag[], allTags: readonly Tag[]): Map<string, string> {
  const byDerived = new Map<string, string>();
  for (const t of allTags) if (t.kind === 'anomaly' && t.derivedFrom) byDerived.set(t.derivedFrom, t.id);
  const scoreOf = new Map<string, string>();
  for (const tag of strips) {
    if (tag.kind === 'anomaly') scoreOf.set(tag.id, tag.id);
    else {
      const score = byDerived.get(tag.id);
      if (score) scoreOf.set(tag.id, score);
    }
  }
  return scoreOf;
}

function TrendStrips({
  assetName,
  tags,
  allTags,
  hidden,
  trend,
}: {
  assetName: string;
  tags: Tag[];
  allTags: Tag[];
  hidden: number;
  trend: TrendStore;
}) {
  const { client } = useServices();
  const status = useAppState((s) => s.trend);
  const liveBadge = useAppState(selectTrendBadge);
  const mode = useStore(trend, (s) => s.range.mode);
  const actions = useActions();
  const containerRef = useRef<HTMLElement>(null);
  const droppedRef = useRef<HTMLSpanElement>(null);
  const controllerRef = useRef<TrendController | null>(null);
  const scoreOf = useMemo(() => scoreTagsOf(tags, allTags), [tags, allTags]);

  // Charts, buffers, the subscription and the history queries live for one selection: created
  // here once, fed outside React, torn down when the selection changes or the panel unmounts.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const controller = new TrendController({
      client,
      container,
      tags,
      scoreOf,
      trend,
      onFeedStatus: (s) => actions.setTrendStatus(s),
      droppedNote: droppedRef.current,
    });
    controllerRef.current = controller;
    controller.start();
    return () => {
      controllerRef.current = null;
      controller.dispose();
    };
  }, [client, tags, scoreOf, trend, actions]);

  const badge = mode === 'history' ? { state: 'history', text: 'History' } : liveBadge;
  return (
    <section
      className="trend"
      data-testid="trend"
      aria-label={`Trend of ${assetName}`}
      aria-describedby="trend-keys"
      aria-keyshortcuts="+ - ArrowLeft ArrowRight L"
      tabIndex={0}
      ref={containerRef}
    >
      <div className="trend-header">
        <h2 className="panel-title">{assetName}</h2>
        <span className={`trend-state state-${badge.state}`} role="status">
          {badge.text}
        </span>
        {status.message && (
          <span className="trend-message" role="alert">
            {status.message}
          </span>
        )}
        <span className="trend-dropped" ref={droppedRef} />
      </div>
      <RangeBar trend={trend} onRetry={() => controllerRef.current?.retry()} />
      {hidden > 0 && (
        <p className="panel-note warning">
          Showing the first {tags.length} tags; {hidden} more are not drawn.
        </p>
      )}
      <div className="strips">
        {tags.map((tag) => (
          <figure
            key={tag.id}
            className="strip"
            data-testid="trend-series"
            data-tag-id={tag.id}
            data-score-tag-id={scoreOf.get(tag.id)}
            aria-label={tag.unit ? `${tag.name} in ${tag.unit}` : tag.name}
          >
            <figcaption className="strip-header">
              <span className="strip-name" title={tag.description || tag.id}>
                {tag.name}
              </span>
              {tag.unit && <span className="strip-unit">{tag.unit}</span>}
              {tag.range && (
                <span className="strip-range" title="Expected range">
                  {tag.range.low} … {tag.range.high}
                </span>
              )}
              <span className="strip-latest">
                {/* Written by the strip's chart loop, not by React (see charts/tagStrip.ts). */}
                {scoreOf.has(tag.id) && scoreOf.get(tag.id) !== tag.id && (
                  <span
                    className="strip-score"
                    data-testid="anomaly-score"
                    title="Anomaly score of this tag (0 normal, 0.5 at its threshold; — while the detector is still learning it): the orange line, shaded red above 0.5"
                  />
                )}
                <span className="strip-value" data-testid="latest-value" aria-live="off" />
                <span className="strip-note" />
              </span>
            </figcaption>
            <div className="strip-chart" />
          </figure>
        ))}
      </div>
    </section>
  );
}

/** The time range control: presets, what is shown, and how loading it goes. */
function RangeBar({ trend, onRetry }: { trend: TrendStore; onRetry: () => void }) {
  const range = useStore(trend, (s) => s.range);
  const history = useStore(trend, (s) => s.history);
  const choose = useStore(trend, (s) => s.choosePreset);
  const active = range.mode === 'live' ? 'live' : range.follow ? range.preset : null;
  return (
    <div className="trend-range" role="group" aria-label="Time range">
      <div className="range-presets">
        {PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            className="range-preset"
            data-preset={p.id}
            aria-pressed={active === p.id}
            aria-label={p.title}
            title={p.title}
            onClick={() => choose(p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
      <span className="range-label" data-testid="range-label">
        {rangeLabel(range)}
      </span>
      {range.mode === 'history' && history.resolutionMs !== null && history.columnMs !== null && (
        <span className="range-source" data-testid="range-source">
          {describeResolution(history.resolutionMs)}, {formatDuration(history.columnMs)} per pixel
        </span>
      )}
      {range.mode === 'history' && history.loading && (
        <span className="range-loading" role="status" data-testid="range-loading">
          Loading history…
        </span>
      )}
      {range.mode === 'history' && history.error && (
        <span className="range-error" role="alert">
          {history.error}{' '}
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </span>
      )}
      <span className="range-keys" id="trend-keys">
        Wheel or drag on a chart to zoom · + / − zoom · ← / → pan · L live
      </span>
    </div>
  );
}
