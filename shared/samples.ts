/**
 * Columnar sample batch: the unit in which samples move through the core.
 * One typed array per column instead of one object per sample keeps the hot path
 * allocation-free and lets a batch cross a process boundary as transferable buffers.
 * Index i of every column describes the same sample.
 */
export interface SampleBatch {
  /** Index into the batch's `tagIds` dictionary, per sample. */
  tagIndex: Uint32Array;
  /** Source timestamp, epoch milliseconds, per sample. */
  timestamps: Float64Array;
  values: Float64Array;
  /** OPC UA StatusCode per sample (see quality.ts). */
  quality: Uint32Array;
  /** Tag ids referenced by `tagIndex`. */
  tagIds: readonly string[];
  /** Follows this batch into every event it causes (alarms, notifications, incidents). */
  correlationId: string;
  /** Number of valid samples; the typed arrays may be longer (reused capacity). */
  length: number;
}

/**
 * Growable sample columns (tag index, time, value, quality) filled row by row without per-sample
 * allocation; the batch builders keep their own tag dictionaries around it.
 */
export class SampleColumns {
  private tagIndex: Uint32Array;
  private timestamps: Float64Array;
  private values: Float64Array;
  private quality: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.tagIndex = new Uint32Array(initialCapacity);
    this.timestamps = new Float64Array(initialCapacity);
    this.values = new Float64Array(initialCapacity);
    this.quality = new Uint32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  push(tagIndex: number, timestamp: number, value: number, quality: number): void {
    if (this.count === this.values.length) this.grow();
    const i = this.count++;
    this.tagIndex[i] = tagIndex;
    this.timestamps[i] = timestamp;
    this.values[i] = value;
    this.quality[i] = quality;
  }

  /** The rows so far as a batch over `tagIds` (copies, so the columns can be refilled); empties them. */
  take(tagIds: readonly string[], correlationId: string): SampleBatch {
    const n = this.count;
    this.count = 0;
    return {
      tagIndex: this.tagIndex.slice(0, n),
      timestamps: this.timestamps.slice(0, n),
      values: this.values.slice(0, n),
      quality: this.quality.slice(0, n),
      tagIds,
      correlationId,
      length: n,
    };
  }

  private grow(): void {
    const capacity = this.values.length * 2;
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(a);
      return next;
    };
    this.tagIndex = grow(this.tagIndex, (n) => new Uint32Array(n));
    this.timestamps = grow(this.timestamps, (n) => new Float64Array(n));
    this.values = grow(this.values, (n) => new Float64Array(n));
    this.quality = grow(this.quality, (n) => new Uint32Array(n));
  }
}

/** Builds SampleBatches from individual values keyed by tag id, without per-sample allocation. */
export class SampleBatchBuilder {
  private readonly columns: SampleColumns;
  private readonly dictionary = new Map<string, number>();
  private tagIds: string[] = [];

  constructor(initialCapacity = 1024) {
    this.columns = new SampleColumns(initialCapacity);
  }

  get size(): number {
    return this.columns.size;
  }

  push(tagId: string, timestamp: number, value: number, quality: number): void {
    let index = this.dictionary.get(tagId);
    if (index === undefined) {
      index = this.tagIds.length;
      this.tagIds.push(tagId);
      this.dictionary.set(tagId, index);
    }
    this.columns.push(index, timestamp, value, quality);
  }

  /** Hands over the collected samples as a batch and starts a new, empty one. */
  take(correlationId: string): SampleBatch {
    const batch = this.columns.take(this.tagIds, correlationId);
    this.dictionary.clear();
    this.tagIds = [];
    return batch;
  }
}
