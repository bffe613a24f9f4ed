import { STATUS_BAD, STATUS_GOOD, STATUS_UNCERTAIN } from '../../../shared/quality';
import type { SampleBatch } from '../../../shared/samples';
import { INVALID_MASK } from '../validation/flags';
import { assetOfTagId, assetScoreTagId, isDerivedTagId, tagScoreTagId } from './derivedTags';
import { MultivariateModel } from './multivariate';
import { detectorOptions, type DetectorOptions, type DetectorOptionsInput } from './options';
import { chiSquare1UpperQuantile, chiSquareUpperQuantile, growFloat64, growInt32 } from './stats';
import { TagModels } from './tagModel';

export interface DetectionStageOptions {
  detector?: DetectorOptionsInput;
  /** Asset of a tag id when setTags() did not name it; default: the id up to its last "/". */
  assetOf?: (tagId: string) => string;
  /** Write a `<tagId>#anomaly` score sample for every valid input sample (default true). */
  emitTagScores?: boolean;
  /** Evaluations below the threshold before a raised anomaly is cleared (default 5). */
  clearAfter?: number;
  /**
   * Clock of the daily/weekly profiles: 'local' (live data, real instants) or a fixed UTC
   * offset in ms (0 for files whose timestamps are wall-clock times read as UTC).
   */
  utcOffsetMs?: number | 'local';
}

export interface TagContribution {
  tagId: string;
  /** The tag's share of the asset statistic, in threshold units (1 = alone at the threshold). */
  contribution: number;
}

/** The state of one asset after a batch. */
export interface AssetScore {
  assetId: string;
  /** Latest sample time of the asset in the batch. */
  timestamp: number;
  /** 0..1, 0.5 at the anomaly threshold; NaN when no tag of the asset had a valid sample. */
  score: number;
  isAnomaly: boolean;
  /** False while the asset's tags are still learning (score 0). */
  warm: boolean;
  /** The tags that contributed most, highest first (at most 3). */
  topTags: TagContribution[];
}

export interface AnomalyEvent {
  correlationId: string;
  assetId: string;
  state: 'raised' | 'cleared';
  at: number;
  score: number;
  topTags: string[];
}

export interface DetectionResult {
  /** Derived samples: `<assetId>/anomaly_score` per evaluated asset and `<tagId>#anomaly` per valid sample. */
  scores: SampleBatch;
  assets: AssetScore[];
  events: AnomalyEvent[];
}

const TOP = 3;

/**
 * Streaming anomaly detection over validated sample batches, for the live pipeline and
 * `vigil detect` alike. Learns each tag (TagModels) and each asset (MultivariateModel) from
 * the stream itself; scores every valid sample and every asset touched by a batch; learns
 * only from what it currently judges normal, so an anomaly is not absorbed as the new normal
 * while it lasts (the level still follows slow drift, see TagModels).
 *
 * An asset is evaluated once per batch, after all its samples in the batch were applied.
 * Feed one batch per time step (as the CLI does, one per CSV row) to get one asset score per
 * step.
 */
export class DetectionStage {
  private readonly opts: DetectorOptions;
  private readonly tags: TagModels;
  private readonly assetOf: (tagId: string) => string;
  private readonly emitTagScores: boolean;
  private readonly clearAfter: number;
  private readonly explicitAsset = new Map<string, string>();

  // Tag slots.
  private readonly slotOf = new Map<string, number>();
  private slotTagId: string[] = [];
  private slotScoreId: string[] = [];
  private slotAsset = new Int32Array(0);
  /** 1 when the slot's latest sample was valid; invalid samples take the tag out of its asset's score. */
  private slotValid = new Int32Array(0);
  private slotIgnored = new Int32Array(0);
  /** Consecutive samples a slot was kept from learning (see acceptAfterSamples). */
  private slotBlocked = new Int32Array(0);

  // Assets.
  private readonly assetIndex = new Map<string, number>();
  private assetIds: string[] = [];
  private assetScoreIds: string[] = [];
  private assetMembers: number[][] = [];
  private assetMv: (MultivariateModel | null)[] = [];
  private assetMvStale: boolean[] = [];
  private assetRatio = new Float64Array(0);
  private assetTime = new Float64Array(0);
  private assetSeen = new Int32Array(0);
  private assetAnomalous = new Int32Array(0);
  private assetBelow = new Int32Array(0);
  /** Consecutive evaluations below the threshold (learning resumes at resumeLearningAfter). */
  private assetQuiet = new Int32Array(0);
  private batchSeq = 0;

  // Per batch scratch.
  private lut = new Int32Array(0);
  private touched: number[] = [];
  private outIndex = new Int32Array(0);
  private outIds: string[] = [];
  private readonly uniThreshold: number[] = [];
  private readonly mvThreshold: number[] = [];
  private readonly tagThreshold: number;
  private readonly topSlot = new Int32Array(TOP);
  private readonly topValue = new Float64Array(TOP);

  constructor(options: DetectionStageOptions = {}) {
    this.opts = detectorOptions(options.detector);
    this.tags = new TagModels(this.opts, options.utcOffsetMs ?? 'local');
    this.assetOf = options.assetOf ?? assetOfTagId;
    this.emitTagScores = options.emitTagScores ?? true;
    this.clearAfter = options.clearAfter ?? 5;
    this.tagThreshold = this.uniRatio(this.opts.falseAlarmRate);
  }

  get options(): Readonly<DetectorOptions> {
    return this.opts;
  }

  /** Names the asset of each tag (e.g. from discovery); tags already seen move if it changed. */
  setTags(tags: readonly { id: string; assetId: string }[]): void {
    for (const t of tags) {
      this.explicitAsset.set(t.id, t.assetId);
      const slot = this.slotOf.get(t.id);
      if (slot !== undefined && this.assetIds[this.slotAsset[slot]!] !== t.assetId)
        this.moveSlot(slot, t.assetId);
    }
  }

  /** Takes tags out of their assets' scores until their next valid sample (e.g. when they went stale). */
  invalidate(tagIds: Iterable<string>): void {
    for (const id of tagIds) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) this.slotValid[slot] = 0;
    }
  }

  /** Current state of an asset, or undefined if it was never seen. */
  assetState(assetId: string): { ratio: number; anomalous: boolean } | undefined {
    const a = this.assetIndex.get(assetId);
    if (a === undefined) return undefined;
    return { ratio: this.assetRatio[a]!, anomalous: this.assetAnomalous[a] === 1 };
  }

  process(batch: SampleBatch, flags: Uint32Array | null): DetectionResult {
    const seq = ++this.batchSeq;
    const dictionary = batch.tagIds;
    if (this.lut.length < dictionary.length)
      this.lut = new Int32Array(Math.max(dictionary.length, this.lut.length * 2));
    for (let d = 0; d < dictionary.length; d++) this.lut[d] = this.slotFor(dictionary[d]!);

    const n = batch.length;
    const capacity = (this.emitTagScores ? n : 0) + Math.min(n, dictionary.length);
    const outTag = new Uint32Array(capacity);
    const outT = new Float64Array(capacity);
    const outV = new Float64Array(capacity);
    const outQ = new Uint32Array(capacity);
    let out = 0;
    this.startOutput();
    this.touched.length = 0;

    const { tagIndex, timestamps, values } = batch;
    const u = this.tags.latest.u;
    for (let i = 0; i < n; i++) {
      const slot = this.lut[tagIndex[i]!]!;
      if (slot < 0) continue;
      const a = this.slotAsset[slot]!;
      const t = timestamps[i]!;
      if (this.assetSeen[a] !== seq) {
        this.assetSeen[a] = seq;
        this.assetTime[a] = t;
        this.touched.push(a);
      } else if (t > this.assetTime[a]!) {
        this.assetTime[a] = t;
      }
      const v = values[i]!;
      if ((flags !== null && (flags[i]! & INVALID_MASK) !== 0) || v - v !== 0) {
        this.slotValid[slot] = 0;
        continue;
      }
      const threshold = this.uniRatioFor(this.assetMembers[a]!.length);
      // A tag still warming up learns from everything (it is not scored yet and needs data);
      // a warm tag learns only while its asset is quiet and the tag itself looks normal.
      const warm = u[slot] === u[slot];
      let learn = !warm || (this.assetQuiet[a]! >= this.opts.resumeLearningAfter && !(u[slot]! >= threshold));
      if (learn) this.slotBlocked[slot] = 0;
      else if (++this.slotBlocked[slot]! >= this.opts.acceptAfterSamples) learn = true;
      const stat = this.tags.update(slot, t, v, learn);
      this.slotValid[slot] = 1;
      if (this.emitTagScores) {
        outTag[out] = this.outputIndex(this.slotScoreId, slot, 0);
        outT[out] = t;
        if (stat === stat) {
          const r = stat / this.tagThreshold;
          outV[out] = r / (1 + r);
          outQ[out] = STATUS_GOOD;
        } else {
          outV[out] = 0;
          outQ[out] = STATUS_UNCERTAIN;
        }
        out++;
      }
    }

    const assets: AssetScore[] = [];
    const events: AnomalyEvent[] = [];
    for (const a of this.touched) {
      const score = this.evaluateAsset(a, batch.correlationId, events);
      assets.push(score);
      outTag[out] = this.outputIndex(this.assetScoreIds, a, 1);
      outT[out] = score.timestamp;
      outV[out] = score.score;
      outQ[out] = score.score !== score.score ? STATUS_BAD : score.warm ? STATUS_GOOD : STATUS_UNCERTAIN;
      out++;
    }

    const scores: SampleBatch = {
      tagIndex: outTag,
      timestamps: outT,
      values: outV,
      quality: outQ,
      tagIds: this.outIds,
      correlationId: batch.correlationId,
      length: out,
    };
    return { scores, assets, events };
  }

  private evaluateAsset(a: number, correlationId: string, events: AnomalyEvent[]): AssetScore {
    const members = this.assetMembers[a]!;
    const u = this.tags.latest.u;
    let anyValid = false;
    let warm = 0;
    for (const slot of members) {
      if (this.slotValid[slot] !== 1) continue;
      anyValid = true;
      if (u[slot] === u[slot]) warm++;
    }
    const assetId = this.assetIds[a]!;
    const timestamp = this.assetTime[a]!;
    // No valid sample: no score, and no change of state (invalid data must not count).
    if (!anyValid) return { assetId, timestamp, score: NaN, isAnomaly: false, warm: false, topTags: [] };
    if (warm === 0) {
      // Nothing scored, nothing anomalous: learning must go on.
      this.assetRatio[a] = 0;
      this.assetQuiet[a] = this.opts.resumeLearningAfter;
      return { assetId, timestamp, score: 0, isAnomaly: false, warm: false, topTags: [] };
    }

    const threshold = this.uniRatioFor(members.length);
    this.topValue.fill(-1);
    this.topSlot.fill(-1);
    let ratio = 0;
    for (const slot of members) {
      if (this.slotValid[slot] !== 1 || u[slot] !== u[slot]) continue;
      const r = u[slot]! / threshold;
      if (r > ratio) ratio = r;
      this.rankTop(slot, r);
    }

    const mv = this.multivariateFor(a);
    if (mv && warm === members.length) {
      const stat = mv.evaluate(this.tags.latest.ew, this.assetQuiet[a]! >= this.opts.resumeLearningAfter);
      if (stat === stat) {
        const rMv = stat / this.mvRatioFor(mv.size);
        if (rMv > ratio) ratio = rMv;
        // Share the multivariate ratio among members by their (positive) contributions.
        let total = 0;
        for (let k = 0; k < mv.size; k++) total += Math.max(0, mv.contributions[k]!);
        if (total > 0) {
          for (let k = 0; k < mv.size; k++) {
            const share = (rMv * Math.max(0, mv.contributions[k]!)) / total;
            this.rankTop(mv.slots[k]!, share);
          }
        }
      }
    }

    this.assetRatio[a] = ratio;
    if (ratio >= 1) this.assetQuiet[a] = 0;
    else if (this.assetQuiet[a]! < this.opts.resumeLearningAfter) this.assetQuiet[a]! += 1;
    const score = ratio / (1 + ratio);
    const isAnomaly = ratio >= 1;
    const topTags: TagContribution[] = [];
    for (let k = 0; k < TOP; k++) {
      const slot = this.topSlot[k]!;
      if (slot < 0) break;
      topTags.push({ tagId: this.slotTagId[slot]!, contribution: this.topValue[k]! });
    }
    this.trackEvents(a, isAnomaly, score, timestamp, topTags, correlationId, events);
    return { assetId, timestamp, score, isAnomaly, warm: true, topTags };
  }

  /** Keeps the TOP highest contributions (a slot appears once, with its highest value). */
  private rankTop(slot: number, value: number): void {
    const slots = this.topSlot;
    const values = this.topValue;
    let at = TOP - 1;
    for (let k = 0; k < TOP; k++) {
      if (slots[k] === slot) {
        at = k;
        break;
      }
    }
    if (value <= values[at]!) return;
    // Shift down from `at` to make room at the right place.
    let k = at;
    while (k > 0 && values[k - 1]! < value) {
      values[k] = values[k - 1]!;
      slots[k] = slots[k - 1]!;
      k--;
    }
    values[k] = value;
    slots[k] = slot;
  }

  private trackEvents(
    a: number,
    isAnomaly: boolean,
    score: number,
    at: number,
    topTags: TagContribution[],
    correlationId: string,
    events: AnomalyEvent[],
  ): void {
    const assetId = this.assetIds[a]!;
    if (isAnomaly) {
      this.assetBelow[a] = 0;
      if (this.assetAnomalous[a] === 0) {
        this.assetAnomalous[a] = 1;
        events.push({
          correlationId,
          assetId,
          state: 'raised',
          at,
          score,
          topTags: topTags.map((t) => t.tagId),
        });
      }
    } else if (this.assetAnomalous[a] === 1 && ++this.assetBelow[a]! >= this.clearAfter) {
      this.assetAnomalous[a] = 0;
      events.push({
        correlationId,
        assetId,
        state: 'cleared',
        at,
        score,
        topTags: topTags.map((t) => t.tagId),
      });
    }
  }

  private multivariateFor(a: number): MultivariateModel | null {
    if (!this.opts.multivariate) return null;
    if (this.assetMvStale[a]) {
      this.assetMvStale[a] = false;
      const members = this.assetMembers[a]!;
      this.assetMv[a] =
        members.length >= 2 && members.length <= this.opts.multivariateMaxTags
          ? new MultivariateModel(
              Int32Array.from(members),
              this.opts.memorySamples,
              this.opts.calibrationQuantile,
              this.opts.calibrationMemory,
            )
          : null;
    }
    return this.assetMv[a]!;
  }

  /**
   * Threshold of the per-tag statistic in an asset of `tags` tags: the calibration quantile
   * extrapolated with a chi-square(1) tail to the asset's false-alarm budget shared by its
   * tags (Bonferroni). Half the budget goes to the multivariate statistic when it is on.
   */
  private uniRatioFor(tags: number): number {
    let t = this.uniThreshold[tags];
    if (t === undefined) {
      const share = this.opts.multivariate && tags >= 2 && tags <= this.opts.multivariateMaxTags ? 0.5 : 1;
      t = this.uniRatio((this.opts.falseAlarmRate * share) / Math.max(1, tags));
      this.uniThreshold[tags] = t;
    }
    return t;
  }

  private uniRatio(tail: number): number {
    return chiSquare1UpperQuantile(tail) / chiSquare1UpperQuantile(1 - this.opts.calibrationQuantile);
  }

  private mvRatioFor(size: number): number {
    let t = this.mvThreshold[size];
    if (t === undefined) {
      const q = 1 - this.opts.calibrationQuantile;
      t = chiSquareUpperQuantile(this.opts.falseAlarmRate / 2, size) / chiSquareUpperQuantile(q, size);
      this.mvThreshold[size] = t;
    }
    return t;
  }

  private slotFor(tagId: string): number {
    const known = this.slotOf.get(tagId);
    if (known !== undefined) return this.slotIgnored[known] === 1 ? -1 : known;
    const slot = this.slotTagId.length;
    this.slotOf.set(tagId, slot);
    this.slotTagId.push(tagId);
    this.slotScoreId.push(tagScoreTagId(tagId));
    const c = slot + 1;
    this.tags.ensure(c);
    if (this.slotAsset.length < c) {
      const cap = Math.max(c, this.slotAsset.length * 2, 16);
      this.slotAsset = growInt32(this.slotAsset, cap);
      this.slotValid = growInt32(this.slotValid, cap);
      this.slotIgnored = growInt32(this.slotIgnored, cap);
      this.slotBlocked = growInt32(this.slotBlocked, cap);
    }
    if (isDerivedTagId(tagId)) {
      this.slotIgnored[slot] = 1;
      return -1;
    }
    const assetId = this.explicitAsset.get(tagId) ?? this.assetOf(tagId);
    const a = this.assetFor(assetId);
    this.slotAsset[slot] = a;
    this.assetMembers[a]!.push(slot);
    this.assetMvStale[a] = true;
    return slot;
  }

  private moveSlot(slot: number, assetId: string): void {
    const from = this.slotAsset[slot]!;
    const members = this.assetMembers[from]!;
    members.splice(members.indexOf(slot), 1);
    this.assetMvStale[from] = true;
    const to = this.assetFor(assetId);
    this.slotAsset[slot] = to;
    this.assetMembers[to]!.push(slot);
    this.assetMvStale[to] = true;
  }

  private assetFor(assetId: string): number {
    const known = this.assetIndex.get(assetId);
    if (known !== undefined) return known;
    const a = this.assetIds.length;
    this.assetIndex.set(assetId, a);
    this.assetIds.push(assetId);
    this.assetScoreIds.push(assetScoreTagId(assetId));
    this.assetMembers.push([]);
    this.assetMv.push(null);
    this.assetMvStale.push(true);
    const c = a + 1;
    const quietFromStart = this.opts.resumeLearningAfter;
    if (this.assetRatio.length < c) {
      const cap = Math.max(c, this.assetRatio.length * 2, 16);
      this.assetRatio = growFloat64(this.assetRatio, cap);
      this.assetTime = growFloat64(this.assetTime, cap);
      this.assetSeen = growInt32(this.assetSeen, cap);
      this.assetAnomalous = growInt32(this.assetAnomalous, cap);
      this.assetBelow = growInt32(this.assetBelow, cap);
      this.assetQuiet = growInt32(this.assetQuiet, cap);
    }
    this.assetQuiet[a] = quietFromStart;
    return a;
  }

  // Output dictionary: derived ids of this batch only, so consumers see a compact batch.
  private outSlots: number[] = [];

  private startOutput(): void {
    for (const key of this.outSlots) this.outIndex[key] = -1;
    this.outSlots = [];
    this.outIds = [];
  }

  /** Local index of a derived id in this batch's dictionary. kind 0 = tag score, 1 = asset score. */
  private outputIndex(ids: string[], index: number, kind: 0 | 1): number {
    // Tag slots and asset indexes share one lookup table: even keys for tags, odd for assets.
    const key = kind === 0 ? index * 2 : index * 2 + 1;
    if (this.outIndex.length <= key)
      this.outIndex = growInt32(this.outIndex, Math.max(key + 1, this.outIndex.length * 2), -1);
    let local = this.outIndex[key]!;
    if (local < 0) {
      local = this.outIds.length;
      this.outIds.push(ids[index]!);
      this.outIndex[key] = local;
      this.outSlots.push(key);
    }
    return local;
  }
}
