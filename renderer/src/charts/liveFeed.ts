import type { LiveSamplesMessage } from '../../../shared/api';
import type { Series } from '../../../shared/domain';
import type { RendererClient } from '../transport/types';
import type { LiveSeriesStore } from './liveSeries';

export type FeedState = 'loading' | 'live' | 'failed';

export interface FeedStatus {
  state: FeedState;
  /** Something the operator should know (history missing, stream refused); null when all is well. */
  message: string | null;
}

export interface LiveFeedOptions {
  /** How much history to prefill, in ms before now. */
  windowMs: number;
  now?: () => number;
  onStatus?: (status: FeedStatus) => void;
  /**
   * How the history before the live stream is fetched (default: getRecent for every tag, up
   * to the buffers' capacity). The trend fetches its anomaly scores as M4 columns instead.
   */
  loadHistory?: (tagIds: string[], sinceMs: number, limit: number) => Promise<Series[]>;
}

/**
 * Fills a LiveSeriesStore for a set of tags: subscribes to liveSamples first, then prefills
 * with getRecent, holding live messages back meanwhile so history always lands before them
 * (the ring buffers keep time order and refuse the overlap). After a reconnect, `resync()`
 * fetches the gap the same way.
 */
export class LiveFeed {
  /** Live messages held back while history is loading; null when passing straight through. */
  private held: LiveSamplesMessage[] | null = null;
  private unsubscribe: (() => void) | null = null;
  private generation = 0;
  private disposed = false;
  /** Set when the host ended the stream; it stays the headline until the feed is replaced. */
  private streamError: string | null = null;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<RendererClient, 'call' | 'subscribe'>,
    private readonly store: LiveSeriesStore,
    private readonly options: LiveFeedOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Subscribes and prefills. Resolves once history is in (or has failed). */
  start(): Promise<void> {
    const tagIds = this.store.tagIds;
    if (tagIds.length === 0) {
      this.report({ state: 'live', message: null });
      return Promise.resolve();
    }
    this.held = [];
    this.unsubscribe = this.client.subscribe(
      'liveSamples',
      { tagIds },
      (message) => this.onMessage(message),
      (error) => {
        this.streamError = `Live updates stopped: ${error.message}`;
        this.report({ state: 'failed', message: this.streamError });
      },
    );
    return this.fill(this.now() - this.options.windowMs);
  }

  /**
   * Refetches what may have been missed (e.g. while the link was down). Call it before the
   * stream resumes (RendererClient reports `open` before re-subscribing) so nothing new is
   * stored ahead of the gap.
   */
  resync(): Promise<void> {
    if (this.disposed || !this.unsubscribe) return Promise.resolve();
    const windowStart = this.now() - this.options.windowMs;
    const hasEmptyTag = this.store.tagIds.some((id) => (this.store.buffer(id)?.length ?? 0) === 0);
    const oldestLast = this.store.oldestLastTime();
    const since = hasEmptyTag || Number.isNaN(oldestLast) ? windowStart : Math.max(windowStart, oldestLast);
    this.held ??= [];
    return this.fill(since);
  }

  dispose(): void {
    this.disposed = true;
    this.held = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private onMessage(message: LiveSamplesMessage): void {
    if (this.disposed) return;
    if (this.held) this.held.push(message);
    else this.store.ingest(message.series, message.dropped);
  }

  private async fill(sinceMs: number): Promise<void> {
    const generation = ++this.generation;
    if (!this.streamError) this.report({ state: 'loading', message: null });
    let problem: string | null = null;
    try {
      const history = this.options.loadHistory
        ? await this.options.loadHistory(this.store.tagIds, sinceMs, this.store.capacity)
        : await this.client.call('getRecent', {
            tagIds: this.store.tagIds,
            sinceMs,
            limit: this.store.capacity,
          });
      if (this.disposed || generation !== this.generation) return;
      this.store.ingest(history);
    } catch (err) {
      if (this.disposed || generation !== this.generation) return;
      problem = `History unavailable, showing live values only: ${(err as Error).message}`;
    }
    const held = this.held ?? [];
    this.held = null;
    for (const message of held) this.store.ingest(message.series, message.dropped);
    if (this.streamError) this.report({ state: 'failed', message: this.streamError });
    else this.report({ state: 'live', message: problem });
  }

  private report(status: FeedStatus): void {
    if (!this.disposed) this.options.onStatus?.(status);
  }
}
