import type { Series } from '../../../shared/domain';
import type { SampleBatch } from '../../../shared/samples';

/** Fixed-capacity ring of (timestamp, value, quality) for one tag; the oldest sample is overwritten. */
class TagRing {
  readonly t: Float64Array;
  readonly v: Float64Array;
  readonly q: Uint32Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
    this.q = new Uint32Array(capacity);
  }

  push(t: number, v: number, q: number): void {
    this.t[this.head] = t;
    this.v[this.head] = v;
    this.q[this.head] = q;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** The newest `limit` samples newer than `sinceMs`, oldest first. */
  read(tagId: string, sinceMs: number, limit: number): Series {
    const series: Series = { tagId, t: [], v: [], q: [] };
    const n = Math.min(this.count, limit);
    let start = (this.head - n + this.capacity) % this.capacity;
    let skip = 0;
    // Skip samples at or before sinceMs (the ring is in arrival order, which is time order per tag).
    while (skip < n && this.t[(start + skip) % this.capacity]! <= sinceMs) skip++;
    start = (start + skip) % this.capacity;
    for (let k = 0; k < n - skip; k++) {
      const i = (start + k) % this.capacity;
      series.t.push(this.t[i]!);
      series.v.push(this.v[i]!);
      series.q.push(this.q[i]!);
    }
    return series;
  }

  get size(): number {
    return this.count;
  }
}

/**
 * The newest samples of every tag, in memory, for live trends. The historian keeps everything;
 * this only serves the live window quickly.
 */
export class RingStore {
  private readonly rings = new Map<string, TagRing>();

  constructor(private readonly capacityPerTag: number) {}

  append(batch: SampleBatch): void {
    const rings: (TagRing | undefined)[] = batch.tagIds.map((id) => this.ringFor(id));
    for (let i = 0; i < batch.length; i++) {
      rings[batch.tagIndex[i]!]!.push(batch.timestamps[i]!, batch.values[i]!, batch.quality[i]!);
    }
  }

  recent(tagId: string, sinceMs = -Infinity, limit = Infinity): Series {
    const ring = this.rings.get(tagId);
    if (!ring) return { tagId, t: [], v: [], q: [] };
    return ring.read(tagId, sinceMs, limit);
  }

  sampleCount(tagId: string): number {
    return this.rings.get(tagId)?.size ?? 0;
  }

  private ringFor(tagId: string): TagRing {
    let ring = this.rings.get(tagId);
    if (!ring) {
      ring = new TagRing(this.capacityPerTag);
      this.rings.set(tagId, ring);
    }
    return ring;
  }
}
