import { SampleBatchBuilder, SampleColumns, type SampleBatch } from '../../../shared/samples';

/** One value read back from history for the gap of one tag. */
export interface BackfillSample {
  t: number;
  v: number;
  q: number;
}

export interface CollectorStats {
  /** Values handed to the pipeline (live and backfilled). */
  accepted: number;
  /** Exact repeats of the last value of a tag (same time, value and status) that were not passed on. */
  duplicates: number;
  backfilled: number;
}

/**
 * Collects values per tag slot into columnar batches and keeps each tag's stream clean across
 * reconnections:
 * - an exact repeat of a tag's last sample (same source time, value and status) is a re-sent initial
 *   value after monitored items were re-created, not a new sample; it is counted and dropped;
 * - while `hold()` is in force (connection lost, gap being backfilled) nothing is flushed, so backfilled
 *   values can be emitted first and every tag's samples reach the pipeline in time order.
 */
export class SampleCollector {
  private readonly builder = new SlotBatchBuilder(4096);
  private tagIds: string[] = [];
  private readonly slotById = new Map<string, number>();
  private lastT = new Float64Array(64).fill(-Infinity);
  private lastV = new Float64Array(64);
  private lastQ = new Uint32Array(64);
  private holding = false;
  private gapStart = new Float64Array(0);
  private firstLive = new Float64Array(0);
  private readonly arrayStart = new Map<number, number>();
  /** Array values that came during a hold, each still its own batch. */
  private heldArrays: SampleBatch[] = [];
  readonly stats: CollectorStats = { accepted: 0, duplicates: 0, backfilled: 0 };

  constructor(
    private readonly emit: (batch: SampleBatch) => void,
    private readonly newCorrelationId: () => string,
  ) {}

  /** The slot of a tag id; a tag keeps its slot (and its last sample) for the collector's life. */
  slotOf(tagId: string): number {
    let slot = this.slotById.get(tagId);
    if (slot === undefined) {
      slot = this.tagIds.length;
      this.tagIds.push(tagId);
      this.slotById.set(tagId, slot);
      if (slot >= this.lastT.length) this.grow(slot + 1);
    }
    return slot;
  }

  tagIdOf(slot: number): string {
    return this.tagIds[slot]!;
  }

  /** Source time of the tag's newest sample, -Infinity before the first one. */
  lastTimestamp(slot: number): number {
    return this.lastT[slot] ?? -Infinity;
  }

  get isHolding(): boolean {
    return this.holding;
  }

  /** Hot path: one value of one tag. Returns false for a dropped duplicate. */
  push(slot: number, t: number, v: number, q: number): boolean {
    const lastT = this.lastT[slot]!;
    if (
      t === lastT &&
      q === this.lastQ[slot] &&
      (v === this.lastV[slot] || (v !== v && this.lastV[slot] !== this.lastV[slot]))
    ) {
      this.stats.duplicates++;
      return false;
    }
    if (t > lastT) {
      this.lastT[slot] = t;
      this.lastV[slot] = v;
      this.lastQ[slot] = q;
    }
    if (this.holding && this.firstLive[slot] === Infinity) this.firstLive[slot] = t;
    this.builder.push(slot, t, v, q);
    this.stats.accepted++;
    return true;
  }

  /**
   * One array value (a waveform): element i at `t + i * dtMs`. It goes to the pipeline as a batch of
   * its own, so a 4,096-point waveform is one message, not 4,096; an array re-sent with the start time
   * of the previous one is a duplicate.
   */
  pushArray(slot: number, t: number, values: ArrayLike<number>, q: number, dtMs: number): boolean {
    const previousStart = this.arrayStart.get(slot);
    if (previousStart !== undefined && t <= previousStart) {
      this.stats.duplicates++;
      return false;
    }
    this.arrayStart.set(slot, t);
    // Whatever came before goes first, so the pipeline sees this tag's samples in order.
    this.flush();
    const tagId = this.tagIds[slot]!;
    const builder = new SampleBatchBuilder(Math.max(1, values.length));
    for (let i = 0; i < values.length; i++) builder.push(tagId, t + i * dtMs, values[i]!, q);
    const batch = builder.take(this.newCorrelationId());
    const last = t + Math.max(0, values.length - 1) * dtMs;
    if (last > this.lastT[slot]!) this.lastT[slot] = last;
    if (this.holding && this.firstLive[slot] === Infinity) this.firstLive[slot] = t;
    this.stats.accepted += values.length;
    if (this.holding) this.heldArrays.push(batch);
    else this.emit(batch);
    return true;
  }

  /** Hands everything collected to the pipeline as one batch (nothing while holding). */
  flush(): void {
    if (this.holding || this.builder.size === 0) return;
    this.emit(this.builder.take(this.tagIds, this.newCorrelationId()));
  }

  /** Stops flushing and remembers, per tag, where its data stopped: the start of its gap. */
  hold(): void {
    if (this.holding) return;
    this.flush();
    this.holding = true;
    this.gapStart = this.lastT.slice(0, this.tagIds.length);
    this.firstLive = new Float64Array(this.tagIds.length).fill(Infinity);
  }

  /**
   * The open interval of a tag's gap: after its last sample before the outage, before its first
   * sample after it (Infinity while none has come).
   */
  gapOf(slot: number): { after: number; before: number } {
    return { after: this.gapStart[slot] ?? -Infinity, before: this.firstLive[slot] ?? Infinity };
  }

  /**
   * Emits values read from history for the gap, oldest first, as batches of at most `batchSize`,
   * before anything that arrived live during the outage. Values outside a tag's gap are skipped: the
   * pipeline has them already or they are about to come live.
   */
  emitBackfill(perSlot: ReadonlyMap<number, readonly BackfillSample[]>, batchSize = 10_000): number {
    const merged: { slot: number; s: BackfillSample }[] = [];
    for (const [slot, samples] of perSlot) {
      const { after, before } = this.gapOf(slot);
      for (const s of samples) if (s.t > after && s.t < before) merged.push({ slot, s });
    }
    merged.sort((a, b) => a.s.t - b.s.t || a.slot - b.slot);
    const builder = new SampleBatchBuilder(Math.min(batchSize, Math.max(16, merged.length)));
    for (const { slot, s } of merged) {
      builder.push(this.tagIds[slot]!, s.t, s.v, s.q);
      if (builder.size >= batchSize) this.emit(builder.take(this.newCorrelationId()));
    }
    if (builder.size) this.emit(builder.take(this.newCorrelationId()));
    for (const { slot, s } of merged) {
      if (s.t > this.lastT[slot]!) {
        this.lastT[slot] = s.t;
        this.lastV[slot] = s.v;
        this.lastQ[slot] = s.q;
      }
    }
    this.stats.backfilled += merged.length;
    this.stats.accepted += merged.length;
    return merged.length;
  }

  /** Resumes flushing; what arrived during the hold follows the backfilled values. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.flush();
    const arrays = this.heldArrays;
    this.heldArrays = [];
    for (const batch of arrays) this.emit(batch);
  }

  /** Values waiting for the next flush. */
  get pending(): number {
    return this.builder.size;
  }

  private grow(min: number): void {
    const size = Math.max(min, this.lastT.length * 2);
    const t = new Float64Array(size).fill(-Infinity);
    t.set(this.lastT);
    const v = new Float64Array(size);
    v.set(this.lastV);
    const q = new Uint32Array(size);
    q.set(this.lastQ);
    this.lastT = t;
    this.lastV = v;
    this.lastQ = q;
  }
}

/**
 * A columnar batch builder keyed by slot number. It maps slots to the batch's tag dictionary with
 * a stamped index array instead of a Map rebuilt per batch, so adding a value allocates nothing
 * (with 10,000 tags a Map would be refilled and rehashed twenty times a second).
 */
class SlotBatchBuilder {
  private readonly columns: SampleColumns;
  private indexOfSlot = new Uint32Array(64);
  private stampOfSlot = new Uint32Array(64);
  private stamp = 1;
  private slots: number[] = [];

  constructor(capacity: number) {
    this.columns = new SampleColumns(capacity);
  }

  get size(): number {
    return this.columns.size;
  }

  push(slot: number, t: number, v: number, q: number): void {
    if (slot >= this.stampOfSlot.length) this.growSlots(slot + 1);
    let index: number;
    if (this.stampOfSlot[slot] === this.stamp) index = this.indexOfSlot[slot]!;
    else {
      index = this.slots.length;
      this.slots.push(slot);
      this.stampOfSlot[slot] = this.stamp;
      this.indexOfSlot[slot] = index;
    }
    this.columns.push(index, t, v, q);
  }

  take(tagIdOfSlot: readonly string[], correlationId: string): SampleBatch {
    const batch = this.columns.take(
      this.slots.map((slot) => tagIdOfSlot[slot]!),
      correlationId,
    );
    this.slots = [];
    // A new stamp forgets every slot's index at once; after 2^32 batches the stamps start over.
    if (++this.stamp === 0xffffffff) {
      this.stamp = 1;
      this.stampOfSlot.fill(0);
    }
    return batch;
  }

  private growSlots(min: number): void {
    const size = Math.max(min, this.stampOfSlot.length * 2);
    const index = new Uint32Array(size);
    index.set(this.indexOfSlot);
    const stamp = new Uint32Array(size);
    stamp.set(this.stampOfSlot);
    this.indexOfSlot = index;
    this.stampOfSlot = stamp;
  }
}
