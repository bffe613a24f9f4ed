import { MAX_STREAM_UPDATES_PER_S, type LiveSamplesMessage } from '../../../shared/api';
import type { SampleBatch } from '../../../shared/samples';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';

interface Subscriber {
  tagIds: ReadonlySet<string>;
  pending: Map<string, { t: number[]; v: number[]; q: number[] }>;
  pendingCount: number;
  dropped: number;
  send: (message: LiveSamplesMessage) => void;
}

/**
 * Fans live sample batches out to subscribers (windows, browser tabs). Each subscriber gets at
 * most MAX_STREAM_UPDATES_PER_S messages a second, each holding everything that arrived for its
 * tags since the previous one. A subscriber that cannot keep up loses its oldest pending samples,
 * and the message says how many: nothing disappears without a count.
 */
export class StreamHub implements Disposable {
  private readonly subscribers = new Set<Subscriber>();
  private readonly timer: Disposable;

  constructor(
    clock: Clock,
    private readonly maxPendingPerSubscriber = 200_000,
  ) {
    this.timer = clock.setInterval(() => this.flush(), Math.ceil(1000 / MAX_STREAM_UPDATES_PER_S));
  }

  subscribe(tagIds: readonly string[], send: (message: LiveSamplesMessage) => void): Disposable {
    const subscriber: Subscriber = {
      tagIds: new Set(tagIds),
      pending: new Map(),
      pendingCount: 0,
      dropped: 0,
      send,
    };
    this.subscribers.add(subscriber);
    return {
      dispose: () => {
        this.subscribers.delete(subscriber);
      },
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(batch: SampleBatch): void {
    if (this.subscribers.size === 0) return;
    for (const sub of this.subscribers) {
      const wanted = batch.tagIds.map((id) => (sub.tagIds.has(id) ? id : null));
      if (!wanted.some((w) => w !== null)) continue;
      for (let i = 0; i < batch.length; i++) {
        const tagId = wanted[batch.tagIndex[i]!];
        if (!tagId) continue;
        let series = sub.pending.get(tagId);
        if (!series) {
          series = { t: [], v: [], q: [] };
          sub.pending.set(tagId, series);
        }
        series.t.push(batch.timestamps[i]!);
        series.v.push(batch.values[i]!);
        series.q.push(batch.quality[i]!);
        sub.pendingCount++;
      }
      if (sub.pendingCount > this.maxPendingPerSubscriber) this.shed(sub);
    }
  }

  /** Drops the oldest half of a slow subscriber's backlog and counts it. */
  private shed(sub: Subscriber): void {
    for (const series of sub.pending.values()) {
      const drop = Math.ceil(series.t.length / 2);
      series.t.splice(0, drop);
      series.v.splice(0, drop);
      series.q.splice(0, drop);
      sub.dropped += drop;
      sub.pendingCount -= drop;
    }
  }

  flush(): void {
    for (const sub of this.subscribers) {
      if (sub.pendingCount === 0 && sub.dropped === 0) continue;
      const message: LiveSamplesMessage = {
        series: [...sub.pending].map(([tagId, s]) => ({ tagId, ...s })),
        dropped: sub.dropped,
      };
      sub.pending = new Map();
      sub.pendingCount = 0;
      sub.dropped = 0;
      try {
        sub.send(message);
      } catch {
        // A failing transport must not stop the others; it unsubscribes itself when it closes.
      }
    }
  }

  dispose(): void {
    this.timer.dispose();
    this.subscribers.clear();
  }
}
