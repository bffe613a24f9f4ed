import { randomUUID } from 'node:crypto';
import type { SampleBatch } from '../../../shared/samples';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import { aboveWithDeadband, belowWithDeadband, directedRate, suppressionHolds } from './conditions';
import { FloodMode } from './floodMode';
import type {
  AlarmDefinitionStore,
  ExternalConditionPort,
  ExternalConditionUpdate,
  TagCatalog,
} from './ports';
import {
  PartialAppendError,
  type AlarmJournal,
  type AlarmJournalQuery,
  type NewJournalEntry,
} from './journal';
import { computeAlarmKpis } from './kpis';
import { AlarmRuntime, EvalMode, type Cause } from './runtime';
import { chatterSuggestion, formatDuration } from './text';
import {
  ALARM_PRIORITIES,
  AlarmDefinitionSchema,
  AlarmsConfigSchema,
  type AlarmDefinition,
  type AlarmJournalEntry,
  type AlarmKpis,
  type AlarmPriority,
  type AlarmState,
  type AlarmTransition,
  type AlarmView,
  type AlarmsConfig,
  type AlarmsConfigInput,
  type FloodStatus,
  type ShelveInfo,
  type ShelveMode,
  type SystemCondition,
} from './schemas';

/** The user recorded for transitions the process (not a person) caused. */
export const SYSTEM_USER = 'system';

export interface AlarmEngineOptions {
  clock: Clock;
  journal: AlarmJournal;
  catalog: TagCatalog;
  config?: AlarmsConfigInput;
  definitionStore?: AlarmDefinitionStore;
  /** Where transitions, floods and chattering are announced (the core's EventBus). */
  events?: Pick<EventBus, 'emit'>;
  externalPort?: ExternalConditionPort;
  newId?: () => string;
  onError?: (message: string, err: unknown) => void;
}

export interface AlarmListFilter {
  states?: readonly AlarmState[];
  assetId?: string;
  /** Include alarms in the normal state (the full list of definitions' alarms). */
  includeNormal?: boolean;
}

export interface DefinitionEntry {
  definition: AlarmDefinition;
  origin: 'config' | 'runtime';
  /** Tags the definition names that the catalog does not know (yet). */
  unresolvedTags: string[];
}

export interface ShelveRequest {
  alarmId: string;
  mode: ShelveMode;
  /** Required for timed shelving. */
  durationMs?: number;
  reason: string;
}

interface TagWatch {
  alarms: AlarmRuntime[];
  setpointFor: AlarmRuntime[];
  suppressionFor: AlarmRuntime[];
}

const UNKNOWN_ASSET = 'unknown';
const SYSTEM_ASSET = 'system';
const MAX_JOURNAL_BACKLOG = 100_000;

/**
 * The alarm engine: evaluates alarm definitions against sample batches as they arrive, runs the
 * ISA-18.2 lifecycle (acknowledge, latch, shelve, suppress, out of service), stores every transition
 * in the journal and announces it, tracks floods and chattering, and computes KPIs from the journal.
 *
 * Definitions are indexed by tag id, so a batch costs O(samples + matching definitions), not
 * O(definitions). All work is synchronous and bounded; timers (on/off delays, shelving expiry, flood
 * end) come from the injected clock.
 */
export class AlarmEngine implements Disposable {
  readonly config: AlarmsConfig;
  private readonly clock: Clock;
  private readonly journal: AlarmJournal;
  private readonly catalog: TagCatalog;
  private readonly store: AlarmDefinitionStore | undefined;
  private readonly events: Pick<EventBus, 'emit'> | undefined;
  private readonly externalPort: ExternalConditionPort | undefined;
  private readonly newId: () => string;
  private readonly onError: (message: string, err: unknown) => void;

  private readonly runtimes = new Map<string, AlarmRuntime>();
  private readonly origins = new Map<string, 'config' | 'runtime'>();
  private byTag = new Map<string, TagWatch>();
  private systemByCondition = new Map<SystemCondition, AlarmRuntime[]>();
  private watchScratch: (TagWatch | undefined)[] = [];

  private readonly floodMode: FloodMode;

  /** Nesting depth of the current unit of work; the journal is written when it returns to 0. */
  private depth = 0;
  private pendingEntries: NewJournalEntry[] = [];
  private pendingViews: AlarmView[] = [];
  private pendingSide: (() => void)[] = [];
  private backlog: NewJournalEntry[] = [];
  private journalFailures = 0;
  private journalDropped = 0;
  private disposed = false;

  constructor(options: AlarmEngineOptions) {
    this.config = AlarmsConfigSchema.parse(options.config ?? {});
    if (this.config.flood.exitBelow > this.config.flood.enterAbove) {
      throw new Error('alarms.flood.exitBelow must not be larger than alarms.flood.enterAbove');
    }
    this.clock = options.clock;
    this.journal = options.journal;
    this.catalog = options.catalog;
    this.store = options.definitionStore;
    this.events = options.events;
    this.externalPort = options.externalPort;
    this.newId = options.newId ?? randomUUID;
    this.onError = options.onError ?? (() => {});
    this.floodMode = new FloodMode(this.config.flood, {
      clock: this.clock,
      newId: this.newId,
      announce: (event) => this.pendingSide.push(() => this.events?.emit('alarm.flood', event)),
      run: (work) => this.run(work),
    });

    for (const def of this.config.definitions) {
      if (this.runtimes.has(def.id))
        throw new Error(`Duplicate alarm definition id "${def.id}" in the configuration`);
      this.origins.set(def.id, 'config');
      this.runtimes.set(def.id, this.newRuntime(def));
    }
    for (const def of this.store?.list() ?? []) {
      if (this.origins.get(def.id) === 'config') {
        this.onError(`Stored alarm definition "${def.id}" ignored: the configuration file defines it`, null);
        continue;
      }
      this.origins.set(def.id, 'runtime');
      this.runtimes.set(def.id, this.newRuntime(def));
    }
    this.rebuildIndex();
    this.restoreFromJournal();
  }

  // ---------------------------------------------------------------- evaluation (hot path)

  /** Evaluates every definition on the tags of this batch. Cost: O(samples) plus O(matching definitions). */
  evaluateBatch(batch: SampleBatch): void {
    if (this.disposed || !this.collectWatches(batch.tagIds)) return;
    this.begin();
    try {
      this.scan(batch, this.watchScratch);
    } finally {
      this.end();
    }
  }

  /** Looks each tag of the batch up once; false when none has a definition. */
  private collectWatches(tagIds: readonly string[]): boolean {
    // Reused between batches and never shrunk: only [0, tagIds.length) is read.
    const watches = this.watchScratch;
    while (watches.length < tagIds.length) watches.push(undefined);
    let any = false;
    for (let k = 0; k < tagIds.length; k++) {
      const w = this.byTag.get(tagIds[k]!);
      watches[k] = w;
      if (w !== undefined) any = true;
    }
    return any;
  }

  /** The hot loop, kept small and monomorphic so it optimises well. */
  private scan(batch: SampleBatch, watches: readonly (TagWatch | undefined)[]): void {
    const { tagIndex, timestamps, values, quality, correlationId } = batch;
    const n = batch.length;
    for (let i = 0; i < n; i++) {
      const w = watches[tagIndex[i]!];
      if (w !== undefined) this.evaluateSample(w, timestamps[i]!, values[i]!, quality[i]!, correlationId);
    }
  }

  private evaluateSample(w: TagWatch, t: number, v: number, q: number, correlationId: string): void {
    // Bad quality (top bit of the OPC UA StatusCode) or a non-number is no process value.
    const usable = q >>> 31 === 0 && Number.isFinite(v);
    if (usable) {
      for (const rt of w.suppressionFor) {
        const holds = suppressionHolds(rt.def!.suppressWhen!, v);
        if (holds !== rt.suppressed)
          this.setSuppressed(rt, holds, { correlationId, value: v, sampleTime: t });
      }
      for (const rt of w.setpointFor) {
        rt.setpointValue = v;
        if (!Number.isNaN(rt.measured)) this.testDeviation(rt, rt.measured, t, correlationId);
      }
    }
    const alarms = w.alarms;
    for (let j = 0; j < alarms.length; j++) {
      const rt = alarms[j]!;
      if (t < rt.lastSampleTime) continue; // late or replayed sample: never re-trigger from the past
      rt.lastSampleTime = t;
      let raw: boolean;
      switch (rt.mode) {
        case EvalMode.Above:
          if (!usable) continue;
          rt.value = v;
          raw = aboveWithDeadband(v, rt.limitValue, rt.deadband, rt.raw);
          break;
        case EvalMode.Below:
          if (!usable) continue;
          rt.value = v;
          raw = belowWithDeadband(v, rt.limitValue, rt.deadband, rt.raw);
          break;
        case EvalMode.Deviation:
          if (!usable) continue;
          rt.measured = v;
          this.testDeviation(rt, v, t, correlationId);
          continue;
        case EvalMode.Rate: {
          if (!usable) continue;
          const prevT = rt.prevT;
          rt.prevT = t;
          const prevV = rt.prevV;
          rt.prevV = v;
          if (Number.isNaN(prevT)) continue;
          const rate = directedRate(prevT, prevV, t, v, rt.direction);
          if (rate === null) continue;
          rt.value = rate;
          raw = aboveWithDeadband(rate, rt.limitValue, rt.deadband, rt.raw);
          break;
        }
        case EvalMode.BadQuality: {
          const severity = q >>> 30;
          rt.value = v;
          rt.statusBad = severity >= 2 || (rt.includeUncertain && severity === 1);
          raw = rt.statusBad || rt.qualityEpisodes.size > 0;
          break;
        }
        default:
          continue;
      }
      if (raw !== rt.raw) this.setRaw(rt, raw, { correlationId, value: rt.valueOrNull, sampleTime: t });
    }
  }

  private testDeviation(rt: AlarmRuntime, measured: number, t: number, correlationId: string): void {
    const setpoint = Number.isNaN(rt.fixedSetpoint) ? rt.setpointValue : rt.fixedSetpoint;
    if (Number.isNaN(setpoint)) return;
    const deviation = Math.abs(measured - setpoint);
    rt.value = deviation;
    const raw = aboveWithDeadband(deviation, rt.limitValue, rt.deadband, rt.raw);
    if (raw !== rt.raw) this.setRaw(rt, raw, { correlationId, value: deviation, sampleTime: t });
  }

  /** The condition with hysteresis changed: apply now or after the on/off delay. */
  private setRaw(rt: AlarmRuntime, raw: boolean, cause: Cause): void {
    rt.raw = raw;
    if (raw === rt.conditionActive) {
      rt.cancelPending(); // a pending change was undone within its delay: nothing happens
      return;
    }
    const delay = rt.def ? (raw ? rt.def.onDelayMs : rt.def.offDelayMs) : 0;
    if (delay <= 0) {
      this.setConditionActive(rt, raw, cause);
      return;
    }
    const timer = this.clock.setTimeout(() => {
      if (rt.pending?.timer !== timer) return;
      rt.pending = null;
      this.run(() => this.setConditionActive(rt, raw, cause));
    }, delay);
    rt.pending = { timer, cause };
  }

  private setConditionActive(rt: AlarmRuntime, active: boolean, cause: Cause): void {
    rt.conditionActive = active;
    if (!rt.annunciating) {
      if (!active && rt.shelve?.mode === 'one_shot') {
        this.unshelveNow(rt, SYSTEM_USER, 'Returned to normal: one-shot shelving ends', cause);
      }
      return;
    }
    if (active) {
      if (!rt.active) this.activate(rt, cause);
    } else if (rt.active) {
      this.returnToNormal(rt, cause);
    }
  }

  private activate(rt: AlarmRuntime, cause: Cause): void {
    const now = this.clock.now();
    const from = rt.state;
    rt.active = true;
    rt.acked = false;
    rt.latched = false;
    rt.ackPending = false;
    rt.activeSince = now;
    rt.correlationId = cause.correlationId;
    rt.activations++;
    if (rt.assetId === UNKNOWN_ASSET) rt.assetId = this.assetOf(rt.def);
    this.record(rt, 'activate', from, SYSTEM_USER, cause.comment ?? '', cause);
    if (rt.chatter.add(now)) {
      const event = {
        correlationId: cause.correlationId,
        alarmId: rt.id,
        assetId: rt.assetId,
        activations: rt.chatter.countInWindow(now),
        windowMs: this.config.chattering.windowMs,
        at: now,
        suggestion: chatterSuggestion(this.config.chattering.windowMs, rt.chatter.countInWindow(now)),
      };
      this.pendingSide.push(() => this.events?.emit('alarm.chattering', event));
      this.watchChatterEnd(rt);
    }
    this.floodMode.noteActivation(rt.id, rt.assetId, now, cause.correlationId);
  }

  /**
   * Chattering is a property of the last activations, not a transition: when the window passes
   * without enough new ones, announce it so views drop the flag and the shelving suggestion.
   */
  private watchChatterEnd(rt: AlarmRuntime): void {
    rt.chatterTimer?.dispose();
    const until = rt.chatter.chatteringUntil();
    rt.chatterTimer = this.clock.setTimeout(
      () => {
        rt.chatterTimer = null;
        const now = this.clock.now();
        if (rt.chatter.isChattering(now)) this.watchChatterEnd(rt);
        else this.events?.emit('alarm.chattering_ended', { alarmId: rt.id, at: now });
      },
      Math.max(0, until - this.clock.now()),
    );
  }

  private returnToNormal(rt: AlarmRuntime, cause: Cause): void {
    const from = rt.state;
    rt.active = false;
    if (rt.latching) rt.latched = true;
    else if (rt.acked) rt.activeSince = null;
    this.record(rt, 'return', from, SYSTEM_USER, cause.comment ?? '', cause);
  }

  /** Back in view (unshelved, unsuppressed, in service): an active condition annunciates again. */
  private reannunciate(rt: AlarmRuntime, cause: Cause): void {
    if (rt.annunciating && rt.conditionActive && !rt.active) this.activate(rt, cause);
  }

  private setSuppressed(rt: AlarmRuntime, suppressed: boolean, cause: Cause): void {
    const from = rt.state;
    if (suppressed) {
      if (rt.annunciating) rt.clearAnnunciation();
      rt.suppressed = true;
      const c = rt.def!.suppressWhen!;
      this.record(
        rt,
        'suppress',
        from,
        SYSTEM_USER,
        `Suppressed by design: ${c.tagId} ${c.op} ${c.value}`,
        cause,
      );
    } else {
      rt.suppressed = false;
      this.record(rt, 'unsuppress', from, SYSTEM_USER, 'Design suppression ended', cause);
      this.reannunciate(rt, cause);
    }
  }

  /**
   * A validation episode on a tag started or ended (stale, frozen, out of range, spike): bad-quality
   * alarms on the tag that include validation are active while any episode lasts.
   */
  applyDataQuality(event: {
    correlationId: string;
    tagId: string;
    rule: string;
    state: 'raised' | 'cleared';
    at: number;
    value: number;
  }): void {
    const w = this.byTag.get(event.tagId);
    if (!w) return;
    this.run(() => {
      for (const rt of w.alarms) {
        if (rt.mode !== EvalMode.BadQuality || !rt.includeValidation) continue;
        if (event.rule === 'QualityUncertain' && !rt.includeUncertain) continue;
        if (event.state === 'raised') rt.qualityEpisodes.add(event.rule);
        else rt.qualityEpisodes.delete(event.rule);
        const raw = rt.statusBad || rt.qualityEpisodes.size > 0;
        if (raw === rt.raw) continue;
        this.setRaw(rt, raw, {
          correlationId: event.correlationId,
          value: Number.isFinite(event.value) ? event.value : null,
          sampleTime: event.at,
          comment: `Validation: ${event.rule} ${event.state}`,
        });
      }
    });
  }

  /**
   * Flood mode view: while a flood lasts, the alarms that came in it grouped by asset, groups in
   * first-out order (the asset whose alarm came first leads), alarms in order of activation.
   */
  floodStatus(): FloodStatus {
    this.run(() => this.floodMode.refresh(this.clock.now()));
    return this.floodMode.status();
  }

  // ---------------------------------------------------------------- system and external alarms

  /**
   * Sets a system condition for one source (a connection, a volume). A definition without a
   * sourceId covers every source and is active while any of them is.
   */
  setSystemCondition(
    condition: SystemCondition,
    sourceId: string,
    active: boolean,
    context: { correlationId?: string; detail?: string } = {},
  ): void {
    const list = this.systemByCondition.get(condition);
    if (!list) return;
    this.run(() => {
      for (const rt of list) {
        const def = rt.def as Extract<AlarmDefinition, { kind: 'system' }>;
        if (def.sourceId && def.sourceId !== sourceId) continue;
        if (active) rt.systemSources.add(sourceId);
        else rt.systemSources.delete(sourceId);
        rt.value = rt.systemSources.size;
        const raw = rt.systemSources.size > 0;
        if (raw === rt.raw) continue;
        const detail = context.detail ?? `${condition}${sourceId ? ` (${sourceId})` : ''}`;
        this.setRaw(rt, raw, {
          correlationId: context.correlationId ?? this.newId(),
          value: rt.systemSources.size,
          sampleTime: null,
          comment: detail,
        });
      }
    });
  }

  /**
   * A momentary system event (e.g. the core restarted): the alarm activates and returns at once,
   * bypassing delays, and waits in unacknowledged-return-to-normal until an operator sees it.
   */
  pulseSystem(
    condition: SystemCondition,
    sourceId: string,
    detail: string,
    correlationId = this.newId(),
  ): void {
    const list = this.systemByCondition.get(condition);
    if (!list) return;
    this.run(() => {
      for (const rt of list) {
        const def = rt.def as Extract<AlarmDefinition, { kind: 'system' }>;
        if ((def.sourceId && def.sourceId !== sourceId) || rt.conditionActive) continue;
        const cause: Cause = { correlationId, value: null, sampleTime: null, comment: detail };
        this.setConditionActive(rt, true, cause);
        this.setConditionActive(rt, false, cause);
        rt.raw = false;
      }
    });
  }

  /** Mirrors an alarm reported by equipment (OPC UA Alarms & Conditions). */
  applyExternalCondition(update: ExternalConditionUpdate): AlarmView {
    let rt = this.runtimes.get(update.id);
    if (rt?.def)
      throw new CoreError('invalid_input', `Alarm id "${update.id}" belongs to a Vigil definition`);
    const { active, acknowledged, acknowledgedBy, comment, value, at, correlationId, ...descriptor } = update;
    if (!rt) {
      rt = new AlarmRuntime(
        null,
        descriptor,
        descriptor.assetId,
        this.config.chattering.windowMs,
        this.config.chattering.activations,
      );
      this.runtimes.set(rt.id, rt);
    } else {
      rt.external = descriptor;
      rt.assetId = descriptor.assetId;
    }
    const target = rt;
    this.run(() => {
      const cause: Cause = { correlationId, value: value ?? null, sampleTime: at, comment: comment ?? '' };
      if (value !== undefined) target.value = value ?? NaN;
      if (active !== target.conditionActive) {
        target.raw = active;
        this.setConditionActive(target, active, cause);
      }
      if (acknowledged && target.annunciating && !target.acked) {
        this.acknowledgeNow(target, acknowledgedBy ?? 'opcua', comment ?? '', cause);
      }
    });
    return this.toView(target);
  }

  // ---------------------------------------------------------------- operator commands

  /** Acknowledges alarms: all or none (every id is checked before any changes). */
  acknowledge(alarmIds: readonly string[], actor: string, comment = ''): AlarmView[] {
    const ids = [...new Set(alarmIds)];
    if (!ids.length) throw new CoreError('invalid_input', 'No alarm to acknowledge');
    const targets = ids.map((id) => {
      const rt = this.require(id);
      if (!rt.annunciating) {
        throw new CoreError(
          'invalid_input',
          `Alarm "${id}" is ${stateText(rt.state)}; there is nothing to acknowledge`,
        );
      }
      if (rt.acked) {
        const why = rt.state === 'normal' ? 'is not in alarm' : 'is already acknowledged';
        throw new CoreError('invalid_input', `Alarm "${id}" ${why}`);
      }
      if (rt.ackPending)
        throw new CoreError('invalid_input', `Alarm "${id}" has an acknowledgement pending at the equipment`);
      if (rt.external && !this.externalPort) {
        throw new CoreError(
          'unavailable',
          `Alarm "${id}" comes from equipment that cannot be reached to acknowledge it`,
        );
      }
      return rt;
    });
    this.run(() => {
      for (const rt of targets) {
        const cause = this.operatorCause(rt);
        if (rt.external) this.requestExternalAck(rt, actor, comment, cause);
        else this.acknowledgeNow(rt, actor, comment, cause);
      }
    });
    return targets.map((rt) => this.toView(rt));
  }

  private acknowledgeNow(rt: AlarmRuntime, user: string, comment: string, cause: Cause): void {
    const from = rt.state;
    rt.acked = true;
    rt.ackPending = false;
    // Acknowledging a latched alarm resets it (ISA-18.2: latched -> normal on operator reset).
    if (!rt.active) {
      rt.latched = false;
      rt.activeSince = null;
    }
    this.record(rt, 'acknowledge', from, user, comment, cause);
  }

  private requestExternalAck(rt: AlarmRuntime, user: string, comment: string, cause: Cause): void {
    rt.ackPending = true;
    this.record(rt, 'ack_requested', rt.state, user, comment, cause);
    const external = rt.external!;
    let promise: Promise<void>;
    try {
      promise = this.externalPort!.acknowledge({ alarmId: rt.id, ref: external.ref, comment, user });
    } catch (err) {
      promise = Promise.reject(err);
    }
    promise.catch((err: unknown) => {
      if (this.disposed || !rt.ackPending) return;
      this.run(() => {
        rt.ackPending = false;
        const message = err instanceof Error ? err.message : String(err);
        this.record(
          rt,
          'ack_failed',
          rt.state,
          user,
          `Equipment refused the acknowledgement: ${message}`,
          cause,
        );
      });
    });
  }

  /** Resets a latched alarm after its condition has cleared. */
  reset(alarmId: string, actor: string, comment = ''): AlarmView {
    const rt = this.require(alarmId);
    if (rt.state !== 'latched')
      throw new CoreError(
        'invalid_input',
        `Alarm "${alarmId}" is not latched; only a latched alarm can be reset`,
      );
    this.run(() => {
      const from = rt.state;
      rt.latched = false;
      rt.acked = true;
      rt.activeSince = null;
      this.record(rt, 'reset', from, actor, comment, this.operatorCause(rt));
    });
    return this.toView(rt);
  }

  /** Shelves an alarm: timed (unshelves by itself when the time is up) or one-shot (until it returns to normal). */
  shelve(request: ShelveRequest, actor: string): AlarmView {
    const rt = this.require(request.alarmId);
    const reason = request.reason?.trim() ?? '';
    if (!reason) throw new CoreError('invalid_input', 'Shelving needs a reason');
    if (rt.outOfService)
      throw new CoreError('invalid_input', `Alarm "${rt.id}" is out of service; it cannot be shelved`);
    if (rt.shelve) {
      throw new CoreError(
        'invalid_input',
        `Alarm "${rt.id}" is already shelved until ${new Date(rt.shelve.until).toISOString()}`,
      );
    }
    const max = this.config.maxShelveMs;
    let until: number;
    if (request.mode === 'timed') {
      const d = request.durationMs;
      if (d === undefined || !Number.isFinite(d) || d <= 0) {
        throw new CoreError('invalid_input', 'Timed shelving needs a positive duration');
      }
      if (d > max) throw new CoreError('invalid_input', `Shelving may last at most ${formatDuration(max)}`);
      until = this.clock.now() + d;
    } else {
      if (!rt.conditionActive) {
        throw new CoreError(
          'invalid_input',
          `Alarm "${rt.id}" is not active; one-shot shelving lasts until an active alarm returns to normal`,
        );
      }
      until = this.clock.now() + max;
    }
    this.run(() => {
      const from = rt.state;
      if (rt.annunciating) rt.clearAnnunciation();
      this.armShelve(rt, { mode: request.mode, reason, by: actor, at: this.clock.now(), until });
      this.record(rt, 'shelve', from, actor, reason, this.operatorCause(rt));
    });
    return this.toView(rt);
  }

  unshelve(alarmId: string, actor: string, comment = ''): AlarmView {
    const rt = this.require(alarmId);
    if (!rt.shelve) throw new CoreError('invalid_input', `Alarm "${alarmId}" is not shelved`);
    this.run(() => this.unshelveNow(rt, actor, comment, this.operatorCause(rt)));
    return this.toView(rt);
  }

  /** Shelves the runtime and arms the automatic unshelve at `until`. */
  private armShelve(rt: AlarmRuntime, info: ShelveInfo): void {
    const timer = this.clock.setTimeout(
      () => {
        if (rt.shelve?.timer !== timer) return;
        this.run(() => this.unshelveNow(rt, SYSTEM_USER, 'Shelving time is up', this.operatorCause(rt)));
      },
      Math.max(0, info.until - this.clock.now()),
    );
    rt.shelve = { ...info, timer };
  }

  private unshelveNow(rt: AlarmRuntime, user: string, comment: string, cause: Cause): void {
    if (!rt.shelve) return;
    const from = rt.state;
    rt.shelve.timer.dispose();
    rt.shelve = null;
    this.record(rt, 'unshelve', from, user, comment, cause);
    this.reannunciate(rt, cause);
  }

  /** Takes an alarm out of service (e.g. instrument under repair): no evaluation reaches the operator. */
  setOutOfService(alarmId: string, reason: string, actor: string): AlarmView {
    const rt = this.require(alarmId);
    const why = reason?.trim() ?? '';
    if (!why) throw new CoreError('invalid_input', 'Taking an alarm out of service needs a reason');
    if (rt.outOfService) throw new CoreError('invalid_input', `Alarm "${alarmId}" is already out of service`);
    this.run(() => {
      const from = rt.state;
      if (rt.annunciating) rt.clearAnnunciation();
      rt.shelve?.timer.dispose();
      rt.shelve = null;
      rt.outOfService = { reason: why, by: actor, at: this.clock.now() };
      this.record(rt, 'out_of_service', from, actor, why, this.operatorCause(rt));
    });
    return this.toView(rt);
  }

  returnToService(alarmId: string, actor: string, comment = ''): AlarmView {
    const rt = this.require(alarmId);
    if (!rt.outOfService) throw new CoreError('invalid_input', `Alarm "${alarmId}" is not out of service`);
    this.run(() => {
      const from = rt.state;
      rt.outOfService = null;
      const cause = this.operatorCause(rt);
      this.record(rt, 'return_to_service', from, actor, comment, cause);
      this.reannunciate(rt, cause);
    });
    return this.toView(rt);
  }

  comment(alarmId: string, text: string, actor: string): AlarmView {
    const rt = this.require(alarmId);
    const comment = text?.trim() ?? '';
    if (!comment) throw new CoreError('invalid_input', 'The comment is empty');
    this.run(() => this.record(rt, 'comment', rt.state, actor, comment, this.operatorCause(rt)));
    return this.toView(rt);
  }

  // ---------------------------------------------------------------- definitions

  listDefinitions(): DefinitionEntry[] {
    const out: DefinitionEntry[] = [];
    for (const rt of this.runtimes.values()) {
      if (!rt.def) continue;
      out.push({
        definition: rt.def,
        origin: this.origins.get(rt.id) ?? 'runtime',
        unresolvedTags: this.missingTags(rt.def),
      });
    }
    return out;
  }

  /** Definitions naming tags the catalog does not know: reported as problems, evaluated once samples come. */
  unresolvedDefinitions(): { id: string; missingTags: string[] }[] {
    return this.listDefinitions()
      .filter((d) => d.unresolvedTags.length)
      .map((d) => ({ id: d.definition.id, missingTags: d.unresolvedTags }));
  }

  /** Creates or replaces a definition made through a command. Validates everything before changing anything. */
  upsertDefinition(input: unknown, actor: string): AlarmDefinition {
    const parsed = AlarmDefinitionSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
      );
      throw new CoreError('invalid_input', `Invalid alarm definition: ${issues.join('; ')}`);
    }
    const def = parsed.data;
    if (this.origins.get(def.id) === 'config') {
      throw new CoreError(
        'invalid_input',
        `Alarm "${def.id}" is defined in the configuration file; change it there`,
      );
    }
    const existing = this.runtimes.get(def.id);
    if (existing && !existing.def)
      throw new CoreError('invalid_input', `Alarm id "${def.id}" belongs to an equipment alarm`);
    const missing = this.missingTags(def);
    if (missing.length) {
      throw new CoreError(
        'not_found',
        `Alarm "${def.id}" refers to unknown tag${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
      );
    }
    this.store?.save(def); // first: if storing fails, nothing has changed
    this.run(() => {
      if (!existing) {
        const rt = this.newRuntime(def);
        this.runtimes.set(def.id, rt);
        this.origins.set(def.id, 'runtime');
        this.record(
          rt,
          'definition_changed',
          'normal',
          actor,
          `Created: ${JSON.stringify(def)}`,
          this.operatorCause(rt),
        );
        return;
      }
      const from = existing.state;
      existing.def = def;
      existing.resetEvaluation();
      existing.assetId = this.assetOf(def);
      if (!def.enabled) {
        existing.cancelPending();
        existing.raw = false;
        existing.conditionActive = false;
        existing.systemSources.clear();
        if (existing.annunciating) existing.clearAnnunciation();
      }
      const wasSuppressed = existing.suppressed && !def.suppressWhen;
      if (wasSuppressed) existing.suppressed = false;
      this.record(
        existing,
        'definition_changed',
        from,
        actor,
        `Updated: ${JSON.stringify(def)}`,
        this.operatorCause(existing),
      );
      if (wasSuppressed) this.reannunciate(existing, this.operatorCause(existing));
    });
    this.rebuildIndex();
    return def;
  }

  removeDefinition(id: string, actor: string): void {
    const rt = this.require(id);
    if (!rt.def)
      throw new CoreError(
        'invalid_input',
        `Alarm "${id}" comes from equipment; it has no definition to remove`,
      );
    if (this.origins.get(id) === 'config') {
      throw new CoreError(
        'invalid_input',
        `Alarm "${id}" is defined in the configuration file; remove it there`,
      );
    }
    this.store?.remove(id);
    this.run(() => {
      const from = rt.state;
      rt.dispose();
      rt.clearAnnunciation();
      rt.shelve = null;
      rt.outOfService = null;
      rt.suppressed = false;
      this.record(rt, 'definition_removed', from, actor, '', this.operatorCause(rt));
    });
    this.runtimes.delete(id);
    this.origins.delete(id);
    this.rebuildIndex();
  }

  /** Call when tags were discovered (the catalog changed): alarms learn their assets. */
  refreshCatalog(): void {
    for (const rt of this.runtimes.values()) if (rt.def) rt.assetId = this.assetOf(rt.def);
  }

  // ---------------------------------------------------------------- queries

  get(alarmId: string): AlarmView {
    return this.toView(this.require(alarmId));
  }

  find(alarmId: string): AlarmView | undefined {
    const rt = this.runtimes.get(alarmId);
    return rt ? this.toView(rt) : undefined;
  }

  /**
   * The alarm list: by default everything not in the normal state. Unacknowledged first, then by
   * priority, then newest first.
   */
  list(filter: AlarmListFilter = {}): AlarmView[] {
    const states = filter.states ? new Set(filter.states) : null;
    const out: AlarmView[] = [];
    for (const rt of this.runtimes.values()) {
      if (filter.assetId !== undefined && rt.assetId !== filter.assetId) continue;
      const state = rt.state;
      if (states ? !states.has(state) : state === 'normal' && !filter.includeNormal) continue;
      out.push(this.toView(rt));
    }
    const rank = (p: AlarmPriority) => ALARM_PRIORITIES.indexOf(p);
    return out.sort(
      (a, b) =>
        Number(a.acknowledged) - Number(b.acknowledged) ||
        rank(a.priority) - rank(b.priority) ||
        (b.activeSince ?? -Infinity) - (a.activeSince ?? -Infinity) ||
        a.id.localeCompare(b.id),
    );
  }

  queryJournal(query: AlarmJournalQuery): AlarmJournalEntry[] {
    return this.journal.query(query);
  }

  /** ISA-18.2 / EEMUA 191 performance figures for [from, to), computed from the journal. */
  kpis(from: number, to: number): AlarmKpis {
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
      throw new CoreError('invalid_input', 'The KPI range needs from < to');
    }
    // Activations up to one window before the range, so a flood already running at `from` is seen.
    const activations = this.journal.query({
      from: from - this.config.flood.windowMs,
      to,
      transitions: ['activate'],
      order: 'asc',
    });
    // Standing alarms: the alarms defined now and those that activated in the range.
    const ids = new Set(this.runtimes.keys());
    for (const a of activations) ids.add(a.alarmId);
    return computeAlarmKpis({
      from,
      to,
      activations,
      latest: this.journal.latestPerAlarm(to, [...ids]),
      flood: this.config.flood,
      chattering: this.config.chattering,
    });
  }

  stats(): {
    alarms: number;
    definitions: number;
    journalBacklog: number;
    journalFailures: number;
    journalDropped: number;
  } {
    let definitions = 0;
    for (const rt of this.runtimes.values()) if (rt.def) definitions++;
    return {
      alarms: this.runtimes.size,
      definitions,
      journalBacklog: this.backlog.length,
      journalFailures: this.journalFailures,
      journalDropped: this.journalDropped,
    };
  }

  /**
   * Feeds the engine from the core's event bus: measured samples, derived scores (anomaly scores
   * travel as their own batches), validation episodes and connection states.
   */
  attach(events: EventBus): Disposable {
    const subscriptions = [
      events.on('samples', (batch) => this.evaluateBatch(batch)),
      events.on('scores', (batch) => this.evaluateBatch(batch)),
      events.on('data.quality', (event) => this.applyDataQuality(event)),
      events.on('connection.state', (e) => {
        // 'disconnected' is a deliberate stop (shutdown), 'connecting' the first attempt.
        const lost = e.state === 'reconnecting' || e.state === 'failed';
        this.setSystemCondition('connection_lost', e.connectionId, lost, {
          correlationId: e.correlationId,
          detail: `${e.connectionId}: ${e.state}${e.error ? ` (${e.error})` : ''}`,
        });
      }),
    ];
    return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const rt of this.runtimes.values()) rt.dispose();
    this.floodMode.dispose();
    if (this.backlog.length) {
      try {
        this.journal.append(this.backlog);
        this.backlog = [];
      } catch (err) {
        this.onError(`alarm journal: ${this.backlog.length} rows could not be stored at shutdown`, err);
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private require(alarmId: string): AlarmRuntime {
    const rt = typeof alarmId === 'string' ? this.runtimes.get(alarmId) : undefined;
    if (!rt) throw new CoreError('not_found', `No alarm with id "${String(alarmId)}"`);
    return rt;
  }

  /** An operator action belongs to the occurrence it acts on: it carries that occurrence's correlation id. */
  private operatorCause(rt: AlarmRuntime): Cause {
    return { correlationId: rt.correlationId ?? this.newId(), value: rt.valueOrNull, sampleTime: null };
  }

  private newRuntime(def: AlarmDefinition): AlarmRuntime {
    const { windowMs, activations } = this.config.chattering;
    return new AlarmRuntime(def, null, this.assetOf(def), windowMs, activations);
  }

  private assetOf(def: AlarmDefinition | null): string {
    if (!def) return UNKNOWN_ASSET;
    if (def.assetId) return def.assetId;
    if (def.kind === 'system') return SYSTEM_ASSET;
    return this.catalog.getTag(def.tagId)?.assetId ?? UNKNOWN_ASSET;
  }

  private missingTags(def: AlarmDefinition): string[] {
    const tags: string[] = [];
    if (def.kind !== 'system') tags.push(def.tagId);
    if (def.kind === 'deviation' && typeof def.setpoint !== 'number') tags.push(def.setpoint.tagId);
    if (def.suppressWhen) tags.push(def.suppressWhen.tagId);
    return [...new Set(tags)].filter((t) => !this.catalog.getTag(t));
  }

  private rebuildIndex(): void {
    const byTag = new Map<string, TagWatch>();
    const system = new Map<SystemCondition, AlarmRuntime[]>();
    const watch = (tagId: string): TagWatch => {
      let w = byTag.get(tagId);
      if (!w) byTag.set(tagId, (w = { alarms: [], setpointFor: [], suppressionFor: [] }));
      return w;
    };
    for (const rt of this.runtimes.values()) {
      const def = rt.def;
      if (!def || !def.enabled) continue;
      if (def.kind === 'system') {
        const list = system.get(def.condition) ?? [];
        list.push(rt);
        system.set(def.condition, list);
      } else {
        watch(def.tagId).alarms.push(rt);
        if (def.kind === 'deviation' && typeof def.setpoint !== 'number')
          watch(def.setpoint.tagId).setpointFor.push(rt);
      }
      if (def.suppressWhen) watch(def.suppressWhen.tagId).suppressionFor.push(rt);
    }
    this.byTag = byTag;
    this.systemByCondition = system;
  }

  /**
   * After a restart the alarm states come back from the journal, so an alarm acknowledged before the
   * restart is not announced again, and a shelved one stays shelved until its time is up.
   */
  private restoreFromJournal(): void {
    const now = this.clock.now();
    let latest: AlarmJournalEntry[];
    try {
      latest = this.journal.latestPerAlarm(now, [...this.runtimes.keys()]);
    } catch (err) {
      this.onError('alarm journal could not be read to restore alarm states', err);
      return;
    }
    const expired: AlarmRuntime[] = [];
    for (const row of latest) {
      const rt = this.runtimes.get(row.alarmId);
      if (!rt?.def || !rt.def.enabled) continue;
      rt.restore(row);
      if (row.toState === 'shelved' && row.shelvedUntil !== null && row.shelveMode !== null) {
        this.armShelve(rt, {
          mode: row.shelveMode,
          reason: row.comment,
          by: row.user,
          at: row.at,
          until: row.shelvedUntil,
        });
        if (row.shelvedUntil <= now) expired.push(rt);
      }
    }
    if (expired.length) {
      this.run(() => {
        for (const rt of expired)
          this.unshelveNow(
            rt,
            SYSTEM_USER,
            'Shelving time ran out while Vigil was stopped',
            this.operatorCause(rt),
          );
      });
    }
  }

  private record(
    rt: AlarmRuntime,
    transition: AlarmTransition,
    from: AlarmState,
    user: string,
    comment: string,
    cause: Cause,
  ): void {
    const now = this.clock.now();
    rt.lastChangeAt = now;
    this.pendingEntries.push({
      at: now,
      alarmId: rt.id,
      assetId: rt.assetId,
      tagId: rt.tagId,
      priority: rt.priority,
      transition,
      fromState: from,
      toState: rt.state,
      user,
      comment,
      correlationId: cause.correlationId,
      value: cause.value,
      sampleTime: cause.sampleTime,
      activeSince: rt.activeSince,
      acknowledged: rt.acked,
      shelvedUntil: rt.shelve?.until ?? null,
      shelveMode: rt.shelve?.mode ?? null,
    });
    this.pendingViews.push(this.toView(rt));
  }

  private toView(rt: AlarmRuntime): AlarmView {
    return rt.view(this.clock.now());
  }

  /** Runs one unit of work: transitions are journaled (one append) and then announced, in order. */
  private run(work: () => void): void {
    this.begin();
    try {
      work();
    } finally {
      this.end();
    }
  }

  private begin(): void {
    this.depth++;
  }

  private end(): void {
    if (--this.depth > 0) return;
    if (!this.pendingEntries.length && !this.pendingSide.length) return;
    const entries = this.pendingEntries;
    const views = this.pendingViews;
    const side = this.pendingSide;
    this.pendingEntries = [];
    this.pendingViews = [];
    this.pendingSide = [];
    const stored = this.appendToJournal(entries);
    for (let i = 0; i < entries.length; i++) {
      const entry = stored?.[i] ?? { ...entries[i]!, seq: -1 };
      this.events?.emit('alarm.transition', { correlationId: entry.correlationId, alarm: views[i]!, entry });
    }
    for (const emit of side) emit();
  }

  /**
   * Appends to the journal. If the journal fails (disk full, locked), the rows wait in a bounded
   * backlog and go in with the next append: the operator still sees the alarm, and the failure is
   * counted and reported, never silent.
   */
  private appendToJournal(entries: NewJournalEntry[]): AlarmJournalEntry[] | null {
    if (!entries.length) return [];
    if (this.backlog.length) {
      try {
        this.journal.append(this.backlog);
        this.backlog = [];
      } catch (err) {
        // Older rows first: the new ones wait behind the part of the backlog that did not go in.
        if (err instanceof PartialAppendError) this.backlog.splice(0, err.stored.length);
        this.journalFailed(err, entries);
        return null;
      }
    }
    try {
      return this.journal.append(entries);
    } catch (err) {
      if (err instanceof PartialAppendError) {
        this.journalFailed(err, entries.slice(err.stored.length));
        return err.stored;
      }
      this.journalFailed(err, entries);
      return null;
    }
  }

  private journalFailed(err: unknown, waiting: NewJournalEntry[]): void {
    this.journalFailures++;
    this.backlog.push(...waiting);
    if (this.backlog.length > MAX_JOURNAL_BACKLOG) {
      const excess = this.backlog.length - MAX_JOURNAL_BACKLOG;
      this.backlog.splice(0, excess);
      this.journalDropped += excess;
    }
    this.onError(`alarm journal append failed; ${this.backlog.length} rows waiting`, err);
  }
}

function stateText(state: AlarmState): string {
  return state === 'out_of_service'
    ? 'out of service'
    : state === 'suppressed'
      ? 'suppressed by design'
      : state;
}
