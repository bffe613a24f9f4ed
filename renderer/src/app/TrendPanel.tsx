import { useEffect, useRef } from 'react';
import type { Tag } from '../../../shared/domain';
import { LiveFeed } from '../charts/liveFeed';
import { LiveSeriesStore } from '../charts/liveSeries';
import { TagStrip } from '../charts/tagStrip';
import { TREND_WINDOW_MS } from '../charts/timeWindow';
import { TrendAnimator } from '../charts/trendAnimator';
import { selectTrendBadge, selectTrendTags } from '../store/selectors';
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
      hidden={trendTags.hidden}
    />
  );
}

function TrendStrips({ assetName, tags, hidden }: { assetName: string; tags: Tag[]; hidden: number }) {
  const { client } = useServices();
  const status = useAppState((s) => s.trend);
  const badge = useAppState(selectTrendBadge);
  const actions = useActions();
  const containerRef = useRef<HTMLDivElement>(null);
  const droppedRef = useRef<HTMLSpanElement>(null);

  // Charts, buffers and the subscription live for one selection: created here once, fed
  // outside React, torn down when the selection changes or the panel unmounts.
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const now = Date.now();
    const store = new LiveSeriesStore(tags.map((t) => t.id));
    const strips = new Map<string, TagStrip>();
    for (const tag of tags) {
      const figure = container.querySelector<HTMLElement>(`[data-tag-id="${CSS.escape(tag.id)}"]`);
      const chart = figure?.querySelector<HTMLElement>('.strip-chart');
      const latestValue = figure?.querySelector<HTMLElement>('[data-testid="latest-value"]');
      const latestNote = figure?.querySelector<HTMLElement>('.strip-note');
      if (!chart || !latestValue || !latestNote) continue;
      strips.set(
        tag.id,
        new TagStrip(tag, store.buffer(tag.id)!, { chart, latestValue, latestNote }, TREND_WINDOW_MS, now),
      );
    }

    const feed = new LiveFeed(client, store, {
      windowMs: TREND_WINDOW_MS,
      onStatus: (s) => actions.setTrendStatus(s),
    });
    void feed.start();

    let lastDropped = 0;
    const animator = new TrendAnimator(store, strips, TREND_WINDOW_MS, {
      afterFrame: () => {
        if (store.dropped === lastDropped || !droppedRef.current) return;
        lastDropped = store.dropped;
        droppedRef.current.textContent = `${lastDropped} samples dropped by the link (display fell behind)`;
      },
    });
    animator.start();

    // The WebSocket client reports "open" before it re-subscribes: refetch the gap first.
    let wasOpen = client.status.get().state === 'open';
    const stopFollowing = client.status.subscribe((s) => {
      const open = s.state === 'open';
      if (open && !wasOpen) void feed.resync();
      wasOpen = open;
    });

    const resize = new ResizeObserver(() => {
      for (const [tagId, strip] of strips) {
        const chart = container.querySelector<HTMLElement>(
          `[data-tag-id="${CSS.escape(tagId)}"] .strip-chart`,
        );
        if (chart) strip.resize(chart.clientWidth);
      }
    });
    resize.observe(container);

    // Only strips on (or near) the screen paint their charts.
    const visibility = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const tagId = (entry.target as HTMLElement).dataset.tagId;
          if (tagId) strips.get(tagId)?.setOnScreen(entry.isIntersecting);
        }
        animator.requestDraw();
      },
      { rootMargin: '200px 0px' },
    );
    for (const figure of container.querySelectorAll('[data-testid="trend-series"]'))
      visibility.observe(figure);

    return () => {
      visibility.disconnect();
      resize.disconnect();
      stopFollowing();
      feed.dispose();
      animator.dispose();
      for (const strip of strips.values()) strip.destroy();
    };
  }, [client, tags, actions]);

  return (
    <section
      className="trend"
      data-testid="trend"
      aria-label={`Live trend of ${assetName}`}
      ref={containerRef}
    >
      <div className="trend-header">
        <h2 className="panel-title">{assetName}</h2>
        <span className="trend-window">last 5 min</span>
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
