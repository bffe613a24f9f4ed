import type { Series } from '../../../shared/domain';
import { SampleRingBuffer } from './ringBuffer';

/**
 * Enough for the 5-minute window at ~27 samples/s per tag; faster tags keep their newest
 * samples and the window shows what fits (20 bytes a sample: ~160 kB per tag).
 */
export const DEFAULT_TAG_CAPACITY = 8192;

/**
 * The samples of the tags on screen, one ring buffer per tag, outside React.
 * A per-tag version number tells the chart loop what changed since it last drew.
 */
export class LiveSeriesStore {
  private readonly buffers = new Map<string, SampleRingBuffer>();
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private droppedUpstream = 0;

  constructor(
    tagIds: readonly string[],
    readonly capacity = DEFAULT_TAG_CAPACITY,
  ) {
    for (const id of tagIds) {
      this.buffers.set(id, new SampleRingBuffer(capacity));
      this.versions.set(id, 0);
    }
  }

  get tagIds(): string[] {
    return [...this.buffers.keys()];
  }

  buffer(tagId: string): SampleRingBuffer | undefined {
    return this.buffers.get(tagId);
  }

  version(tagId: string): number {
    return this.versions.get(tagId) ?? 0;
  }

  /** Samples the server reported as dropped for this subscriber (it fell behind). */
  get dropped(): number {
    return this.droppedUpstream;
  }

  /** Oldest "newest sample time" across tags that have data; NaN if none has any. */
  oldestLastTime(): number {
    let oldest = NaN;
    for (const b of this.buffers.values()) {
      if (b.length > 0 && !(b.lastTime >= oldest)) oldest = b.lastTime;
    }
    return oldest;
  }

  /** Newest sample time across all tags; NaN if none has data. */
  newestTime(): number {
    let newest = NaN;
    for (const b of this.buffers.values()) {
      if (b.length > 0 && !(b.lastTime <= newest)) newest = b.lastTime;
    }
    return newest;
  }

  /**
   * Appends series to their tags' buffers. Samples of tags not on screen are ignored, samples
   * not newer than what a tag holds are refused by its buffer (overlap of history and live).
   * Returns how many samples were stored.
   */
  ingest(series: readonly Series[], dropped = 0): number {
    let stored = 0;
    this.droppedUpstream += dropped;
    for (const s of series) {
      const buffer = this.buffers.get(s.tagId);
      if (!buffer) continue;
      const n = Math.min(s.t.length, s.v.length, s.q.length);
      let added = 0;
      for (let i = 0; i < n; i++) {
        if (buffer.push(s.t[i]!, s.v[i]!, s.q[i]!)) added++;
      }
      if (added > 0) {
        this.versions.set(s.tagId, this.version(s.tagId) + 1);
        stored += added;
      }
    }
    if (stored > 0 || dropped > 0) for (const listener of this.listeners) listener();
    return stored;
  }

  /** Called after every ingest that changed something; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
