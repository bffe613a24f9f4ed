import { isGood, qualitySeverity } from '../../../shared/quality';
import type { SampleBatch } from '../../../shared/samples';
import type { Clock } from '../app/clock';
import { growFloat64, growInt32, growUint32 } from '../detection/stats';
import { ValidationFlag, VALIDATION_RULES, type ValidationRule } from './flags';
import { DEFAULT_TAG_RULES, resolveRules, SPIKE_WINDOW, type TagRules, type TagRulesInput } from './rules';
import { SpikeWindows } from './spikeWindows';

/** A data-quality episode of one tag starting or ending. */
export interface DataQualityEvent {
  correlationId: string;
  tagId: string;
  rule: ValidationRule | 'Stale';
  state: 'raised' | 'cleared';
  /** Timestamp of the sample (or of the clock for staleness) that changed the state. */
  at: number;
  /** Samples flagged in the episode (1 when raised). */
  samples: number;
  /** The value that raised or cleared it (NaN for staleness). */
  value: number;
}

export interface ValidationResult {
  /** The input batch, unchanged: values are never altered or imputed. */
  batch: SampleBatch;
  /** ValidationFlag bits per sample, index-aligned with the batch. */
  flags: Uint32Array;
  events: DataQualityEvent[];
}

export interface ValidationStageOptions {
  /** Rules for every tag (merged over the built-in defaults). */
  defaults?: TagRulesInput;
  /** Per-tag rules, merged over `defaults`. */
  rules?: Record<string, TagRulesInput>;
  /** Time source for the "in the future" rule and staleness. */
  clock: Pick<Clock, 'now'>;
}

const RULE_COUNT = VALIDATION_RULES.length;
const RULE_BITS = VALIDATION_RULES.map((r) => ValidationFlag[r]);
const MAD_TO_SD = 1.4826;
/** Memory (samples) of the long-run spread that floors the spike detector's scale. */
const SPREAD_MEMORY = 1000;

/**
 * Validates every sample of a batch against its tag's rules and marks the result as flags
 * per sample; counts flags per tag and raises data-quality events when an episode starts
 * and ends (not per sample, so a frozen sensor gives two events, not thousands). Keeps all
 * per-tag state in typed arrays: no allocation per sample.
 *
 * Order-dependent rules (rate, frozen, spike, staleness) only learn from samples that are in
 * time order, finite and of usable quality, so a burst of bad data cannot corrupt them.
 */
export class ValidationStage {
  private readonly clock: Pick<Clock, 'now'>;
  private defaults: TagRulesInput;
  private overrides: Record<string, TagRulesInput>;
  private readonly tagRanges = new Map<string, { low: number; high: number }>();
  private readonly slotOf = new Map<string, number>();
  private tagIds: string[] = [];
  private rules: TagRules[] = [];
  private capacity = 0;
  // State per slot.
  private lastT = new Float64Array(0);
  private lastGoodT = new Float64Array(0);
  private lastGoodV = new Float64Array(0);
  private runValue = new Float64Array(0);
  private runStart = new Float64Array(0);
  private runCount = new Float64Array(0);
  private interval = new Float64Array(0);
  private lastSeen = new Float64Array(0);
  private stale = new Int32Array(0);
  private spread = new Float64Array(0);
  private spreadN = new Float64Array(0);
  private outlierRun = new Float64Array(0);
  private outlierSign = new Float64Array(0);
  private active = new Uint32Array(0);
  private episode = new Float64Array(0);
  private counters = new Float64Array(0);
  private staleCounts = new Float64Array(0);
  private readonly windows = new SpikeWindows(SPIKE_WINDOW);
  private lut = new Int32Array(0);

  constructor(options: ValidationStageOptions) {
    this.clock = options.clock;
    this.defaults = options.defaults ?? {};
    this.overrides = options.rules ?? {};
    // Fail early on bad configuration rather than at the first sample of a tag.
    resolveRules(this.defaults, undefined, 'all tags');
    for (const [id, r] of Object.entries(this.overrides)) resolveRules(this.defaults, r, `tag "${id}"`);
  }

  /** Engineering ranges from tag metadata (used when the tag's rules give none). */
  setTags(tags: readonly { id: string; range: { low: number; high: number } | null }[]): void {
    for (const t of tags) {
      if (t.range) this.tagRanges.set(t.id, t.range);
      else this.tagRanges.delete(t.id);
      const slot = this.slotOf.get(t.id);
      if (slot !== undefined) this.rules[slot] = this.rulesFor(t.id);
    }
  }

  /** Replaces the rules (e.g. after a configuration change); learned state is kept. */
  setRules(defaults: TagRulesInput, rules: Record<string, TagRulesInput> = {}): void {
    resolveRules(defaults, undefined, 'all tags');
    for (const [id, r] of Object.entries(rules)) resolveRules(defaults, r, `tag "${id}"`);
    this.defaults = defaults;
    this.overrides = rules;
    for (let s = 0; s < this.tagIds.length; s++) this.rules[s] = this.rulesFor(this.tagIds[s]!);
  }

  process(batch: SampleBatch): ValidationResult {
    const n = batch.length;
    const flags = new Uint32Array(n);
    const events: DataQualityEvent[] = [];
    const dictionary = batch.tagIds;
    if (this.lut.length < dictionary.length)
      this.lut = new Int32Array(Math.max(dictionary.length, this.lut.length * 2));
    for (let d = 0; d < dictionary.length; d++) this.lut[d] = this.slotFor(dictionary[d]!);
    const now = this.clock.now();
    const { tagIndex, timestamps, values, quality } = batch;
    for (let i = 0; i < n; i++) {
      const slot = this.lut[tagIndex[i]!]!;
      const f = this.check(slot, timestamps[i]!, values[i]!, quality[i]!, now);
      flags[i] = f;
      this.account(slot, f, timestamps[i]!, values[i]!, batch.correlationId, events);
    }
    return { batch, flags, events };
  }

  /**
   * Marks tags stale that had no sample for their stale time, as of `now` (the clock in the
   * live pipeline, the data time when replaying a file). Call it periodically.
   */
  tick(now: number, correlationId = 'validation-tick'): DataQualityEvent[] {
    const events: DataQualityEvent[] = [];
    for (let slot = 0; slot < this.tagIds.length; slot++) {
      if (this.stale[slot] === 1 || !(this.lastSeen[slot]! > -Infinity)) continue;
      const after = this.staleAfter(slot);
      if (after > 0 && now - this.lastSeen[slot]! > after) {
        this.stale[slot] = 1;
        this.staleCounts[slot]! += 1;
        events.push({
          correlationId,
          tagId: this.tagIds[slot]!,
          rule: 'Stale',
          state: 'raised',
          at: now,
          samples: 0,
          value: NaN,
        });
      }
    }
    return events;
  }

  /** Flag counts of a tag since start, by rule (plus how often it went stale). */
  counts(tagId: string): Record<ValidationRule | 'Stale', number> | undefined {
    const slot = this.slotOf.get(tagId);
    if (slot === undefined) return undefined;
    const out = {} as Record<ValidationRule | 'Stale', number>;
    for (let r = 0; r < RULE_COUNT; r++) out[VALIDATION_RULES[r]!] = this.counters[slot * RULE_COUNT + r]!;
    out.Stale = this.staleCounts[slot]!;
    return out;
  }

  /** Tag ids seen so far, in order of first appearance. */
  knownTags(): readonly string[] {
    return this.tagIds;
  }

  isStale(tagId: string): boolean {
    const slot = this.slotOf.get(tagId);
    return slot !== undefined && this.stale[slot] === 1;
  }

  private check(slot: number, t: number, v: number, q: number, now: number): number {
    const rules = this.rules[slot]!;
    let f = 0;
    const finite = v - v === 0;
    if (!finite) f |= ValidationFlag.NotFinite;
    if (!isGood(q)) {
      if (qualitySeverity(q) === 'uncertain') {
        if (!rules.acceptUncertain) f |= ValidationFlag.QualityUncertain;
      } else {
        f |= ValidationFlag.QualityBad;
      }
    }
    const last = this.lastT[slot]!;
    if (t < last || t !== t) f |= ValidationFlag.OutOfOrder;
    else if (t === last) f |= ValidationFlag.Duplicate;
    if (t > now + rules.futureToleranceMs) f |= ValidationFlag.Future;
    const inOrder = (f & (ValidationFlag.OutOfOrder | ValidationFlag.Duplicate)) === 0;
    // A timestamp from the future must not become the reference, or every later sample
    // would look out of order.
    if (inOrder && (f & ValidationFlag.Future) === 0) {
      // Staleness and the sampling interval count every sample that arrives in order.
      if (this.lastSeen[slot]! > -Infinity) {
        const dt = t - this.lastSeen[slot]!;
        const est = this.interval[slot]!;
        this.interval[slot] = est > 0 ? est + 0.05 * (Math.min(dt, 4 * est) - est) : dt;
      }
      this.lastSeen[slot] = t;
      this.lastT[slot] = t;
      if (this.stale[slot] === 1) f |= ValidationFlag.AfterStale;
    }
    if (!finite || !inOrder) return f;

    const range = rules.range;
    if (range && (v < range.low || v > range.high)) f |= ValidationFlag.Range;
    const usableSoFar =
      (f & (ValidationFlag.QualityBad | ValidationFlag.QualityUncertain | ValidationFlag.Future)) === 0;
    if (!usableSoFar) return f;

    if (rules.maxRatePerS !== null && this.lastGoodT[slot]! > -Infinity) {
      const dtS = (t - this.lastGoodT[slot]!) / 1000;
      if (dtS > 0 && Math.abs(v - this.lastGoodV[slot]!) / dtS > rules.maxRatePerS) f |= ValidationFlag.Rate;
    }
    f |= this.checkFrozen(slot, t, v, rules);
    if ((f & ValidationFlag.Range) === 0) f |= this.checkSpike(slot, v, rules);
    if ((f & (ValidationFlag.Range | ValidationFlag.Rate | ValidationFlag.Spike)) === 0) {
      this.lastGoodT[slot] = t;
      this.lastGoodV[slot] = v;
    }
    return f;
  }

  private checkFrozen(slot: number, t: number, v: number, rules: TagRules): number {
    if (this.runCount[slot]! > 0 && Math.abs(v - this.runValue[slot]!) <= rules.frozenTolerance) {
      this.runCount[slot]! += 1;
    } else {
      this.runValue[slot] = v;
      this.runStart[slot] = t;
      this.runCount[slot] = 1;
    }
    return rules.frozenMs > 0 &&
      t - this.runStart[slot]! >= rules.frozenMs &&
      this.runCount[slot]! >= rules.frozenMinSamples
      ? ValidationFlag.Frozen
      : 0;
  }

  /**
   * Hampel identifier against the previous SPIKE_WINDOW samples. Its scale is floored by the
   * tag's long-run RMS deviation from the window median, which counts every sample: a
   * quantized signal (a flow that reads 32 and now and then 33) has a window MAD of 0 most of
   * the time, but its long-run RMS remembers the steps, so the next step is not a "spike".
   * One real spike raises the RMS only briefly (memory SPREAD_MEMORY samples).
   */
  private checkSpike(slot: number, v: number, rules: TagRules): number {
    if (rules.spikeThreshold === 0) return 0;
    const windows = this.windows;
    let flag = 0;
    if (windows.isFull(slot)) {
      const median = windows.median(slot);
      const dev = v - median;
      const k = rules.spikeThreshold;
      // The MAD only matters when the long-run RMS alone does not already clear the sample,
      // which is rare: skip the merge otherwise.
      const candidate = this.spreadN[slot]! >= 2 * SPIKE_WINDOW && dev * dev > k * k * this.spread[slot]!;
      // Judge only once the long-run spread has seen a few windows' worth of samples.
      const scale = candidate
        ? Math.max(MAD_TO_SD * windows.mad(slot, median), Math.sqrt(this.spread[slot]!))
        : 0;
      // scale 0 = the signal never moved: its first change is a change, not a spike.
      if (scale > 0 && Math.abs(dev) > k * scale) {
        const sign = dev > 0 ? 1 : -1;
        const run = this.outlierSign[slot] === sign ? this.outlierRun[slot]! + 1 : 1;
        this.outlierRun[slot] = run;
        this.outlierSign[slot] = sign;
        // A longer run in one direction is a change of level, not a spike.
        if (run <= rules.spikeMaxRun) flag = ValidationFlag.Spike;
      } else {
        this.outlierRun[slot] = 0;
        this.outlierSign[slot] = 0;
      }
      const a = Math.max(1 / (this.spreadN[slot]! += 1), 1 / SPREAD_MEMORY);
      this.spread[slot]! += a * (dev * dev - this.spread[slot]!);
    }
    windows.push(slot, v);
    return flag;
  }

  /** Counts flags and turns rule transitions of a tag into events. */
  private account(
    slot: number,
    f: number,
    t: number,
    v: number,
    correlationId: string,
    events: DataQualityEvent[],
  ): void {
    const before = this.active[slot]!;
    if (f === 0 && before === 0) return;
    const tagId = this.tagIds[slot]!;
    if ((f & ValidationFlag.AfterStale) !== 0 && this.stale[slot] === 1) {
      this.stale[slot] = 0;
      events.push({ correlationId, tagId, rule: 'Stale', state: 'cleared', at: t, samples: 0, value: v });
    }
    for (let r = 0; r < RULE_COUNT; r++) {
      const bit = RULE_BITS[r]!;
      if (bit === ValidationFlag.AfterStale) continue;
      const on = (f & bit) !== 0;
      const was = (before & bit) !== 0;
      const k = slot * RULE_COUNT + r;
      if (on) {
        this.counters[k]! += 1;
        this.episode[k]! += 1;
        if (!was)
          events.push({
            correlationId,
            tagId,
            rule: VALIDATION_RULES[r]!,
            state: 'raised',
            at: t,
            samples: 1,
            value: v,
          });
      } else if (was) {
        events.push({
          correlationId,
          tagId,
          rule: VALIDATION_RULES[r]!,
          state: 'cleared',
          at: t,
          samples: this.episode[k]!,
          value: v,
        });
        this.episode[k] = 0;
      }
    }
    if ((f & ValidationFlag.AfterStale) !== 0)
      this.counters[slot * RULE_COUNT + VALIDATION_RULES.indexOf('AfterStale')]! += 1;
    this.active[slot] = f & ~ValidationFlag.AfterStale;
  }

  private staleAfter(slot: number): number {
    const rules = this.rules[slot]!;
    if (rules.staleMs !== null) return rules.staleMs;
    return Math.max(rules.staleMinMs, 10 * this.interval[slot]!);
  }

  private rulesFor(tagId: string): TagRules {
    const override = this.overrides[tagId];
    const rules =
      override || Object.keys(this.defaults).length
        ? resolveRules(this.defaults, override, `tag "${tagId}"`)
        : { ...DEFAULT_TAG_RULES };
    if (!rules.range) rules.range = this.tagRanges.get(tagId) ?? null;
    return rules;
  }

  private slotFor(tagId: string): number {
    const known = this.slotOf.get(tagId);
    if (known !== undefined) return known;
    const slot = this.tagIds.length;
    this.slotOf.set(tagId, slot);
    this.tagIds.push(tagId);
    this.rules.push(this.rulesFor(tagId));
    if (slot >= this.capacity) this.grow(slot + 1);
    this.lastT[slot] = -Infinity;
    this.lastGoodT[slot] = -Infinity;
    this.lastSeen[slot] = -Infinity;
    return slot;
  }

  private grow(need: number): void {
    const c = Math.max(need, this.capacity * 2, 16);
    this.lastT = growFloat64(this.lastT, c);
    this.lastGoodT = growFloat64(this.lastGoodT, c);
    this.lastGoodV = growFloat64(this.lastGoodV, c);
    this.runValue = growFloat64(this.runValue, c);
    this.runStart = growFloat64(this.runStart, c);
    this.runCount = growFloat64(this.runCount, c);
    this.interval = growFloat64(this.interval, c);
    this.lastSeen = growFloat64(this.lastSeen, c);
    this.stale = growInt32(this.stale, c);
    this.spread = growFloat64(this.spread, c);
    this.spreadN = growFloat64(this.spreadN, c);
    this.outlierRun = growFloat64(this.outlierRun, c);
    this.outlierSign = growFloat64(this.outlierSign, c);
    this.active = growUint32(this.active, c);
    this.episode = growFloat64(this.episode, c * RULE_COUNT);
    this.counters = growFloat64(this.counters, c * RULE_COUNT);
    this.staleCounts = growFloat64(this.staleCounts, c);
    this.windows.ensure(c);
    this.capacity = c;
  }
}
