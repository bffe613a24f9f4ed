import { randomUUID } from 'node:crypto';
import type { SampleBatch } from '../../../shared/samples';
import { CoreError } from '../app/api';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { EventBus } from '../app/eventBus';
import { aboveWithDeadband, belowWithDeadband, directedRate, suppressionHolds } from './conditions';
import type { AlarmFloodEvent } from './events';
import { FloodTracker } from './flood';
import type { AlarmJournal, AlarmJournalQuery, NewJournalEntry } from './journal';
import { computeAlarmKpis } from './kpis';
import { AlarmRuntime, EvalMode, type Cause, type ExternalDescriptor } from './runtime';
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
  type ShelveMode,
  type SystemCondition,
} from './schemas';

/** The user recorded for transitions the process (not a person) caused. */
export const SYSTEM_USER = 'system';

export interface TagInfo {
  id: string;
  assetId: string;
}

/** What the engine needs to know about tags: whether one exists and which asset owns it. */
export interface TagCatalog {
  getTag(tagId: string): TagInfo | undefined;
}

/** Keeps the definitions created through commands across restarts (config-file ones live in the file). */
export interface AlarmDefinitionStore {
  list(): AlarmDefinition[];
  save(definition: AlarmDefinition): void;
  remove(id: string): void;
}

export class InMemoryDefinitionStore implements AlarmDefinitionStore {
  private readonly items = new Map<string, AlarmDefinition>();
  list(): AlarmDefinition[] {
    return [...this.items.values()];
  }
  save(definition: AlarmDefinition): void {
    this.items.set(definition.id, definition);
  }
  remove(id: string): void {
    this.items.delete(id);
  }
}

/** Sends operator actions on external (OPC UA) alarms back to the equipment. */
export interface ExternalConditionPort {
  acknowledge(request: { alarmId: string; ref: unknown; comment: string; user: string }): Promise<void>;
}

/** The state of an external condition as the equipment reports it. */
export interface ExternalConditionUpdate extends ExternalDescriptor {
  active: boolean;
  acknowledged: boolean;
  /** Who acknowledged it at the equipment, when known. */
  acknowledgedBy?: string;
  comment?: string;
  value?: number | null;
  at: number;
  correlationId: string;
}

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

interface FloodMember {
  alarmId: string;
  assetId: string;
  at: number;
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

  private readonly flood: FloodTracker;
  private floodTimer: Disposable | null = null;
  private floodCorrelationId: string | null = null;
  private floodStartedAt: number | null = null;
  private floodMembers: FloodMember[] = [];
  private recentActivations: FloodMember[] = [];

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
    const { windowMs, enterAbove, exitBelow } = this.config.flood;
    this.flood = new FloodTracker(windowMs, enterAbove, exitBelow);

    for (const def of this.config.definitions) {
      if (this.runtimes.has(def.id)) throw new Error(`Duplicate alarm definition id "${def.id}" in the configuration`);
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
    if (this.disposed) return;
    const tagIds = batch.tagIds;
    const watches = this.watchScratch;
    watches.length = tagIds.length;
    let any = false;
    for (let k = 0; k < tagIds.length; k++) {
      const w = this.byTag.get(tagIds[k]!);
      watches[k] = w;
      if (w) any = true;
    }
    if (!any) {
      watches.length = 0;
      return;
    }
    const { tagIndex, timestamps, values, quality } = batch;
    this.begin();
    try {
      for (let i = 0; i < batch.length; i++) {
        const w = watches[tagIndex[i]!];
        if (w) this.evaluateSample(w, timestamps[i]!, values[i]!, quality[i]!, batch.correlationId);
      }
    } finally {
      watches.length = 0;
      this.end();
    }
  }

  private evaluateSample(w: TagWatch, t: number, v: number, q: number, correlationId: string): void {
    // Bad quality (top bit of the OPC UA StatusCode) or a non-number is no process value.
    const usable = q >>> 31 === 0 && Number.isFinite(v);
    if (usable) {
      for (const rt of w.suppressionFor) {
        const holds = suppressionHolds(rt.def!.suppressWhen!, v);
        if (holds !== rt.suppressed) this.setSuppressed(rt, holds, { correlationId, value: v, sampleTime: t });
      }
      for (const rt of w.setpointFor) {
        rt.setpointValue = v;
        if (rt.measured !== null) this.testDeviation(rt, rt.measured, t, correlationId);
      }
    }
    const alarms = w.alarms;
    for (let j = 0; j < alarms.length; j++) {
      const rt = alarms[j]!;
      if (t < rt.lastSampleTime) continue; // late or replayed sample: never re-trigger from the past
      rt.lastSampleTime = t;
      const def = rt.def!;
      let raw: boolean;
      switch (rt.mode) {
        case EvalMode.Above:
          if (!usable) continue;
          rt.value = v;
          raw = aboveWithDeadband(v, (def as { limit: number }).limit, def.deadband, rt.raw);
          break;
        case EvalMode.Below:
          if (!usable) continue;
          rt.value = v;
          raw = belowWithDeadband(v, (def as { limit: number }).limit, def.deadband, rt.raw);
          break;
        case EvalMode.Deviation:
          if (!usable) continue;
          rt.measured = v;
          this.testDeviation(rt, v, t, correlationId);
          continue;
        case EvalMode.Rate: {
          if (!usable) continue;
          const d = def as Extract<AlarmDefinition, { kind: 'rate_of_change' }>;
          const prevT = rt.prevT;
          rt.prevT = t;
          const prevV = rt.prevV;
          rt.prevV = v;
          if (prevT === null) continue;
          const rate = directedRate(prevT, prevV, t, v, d.direction);
          if (rate === null) continue;
          rt.value = rate;
          raw = aboveWithDeadband(rate, d.limit, d.deadband, rt.raw);
          break;
        }
        case EvalMode.BadQuality: {
          const severity = q >>> 30;
          rt.value = v;
          raw = severity >= 2 || ((def as { includeUncertain: boolean }).includeUncertain && severity === 1);
          break;
        }
        default:
          continue;
      }
      if (raw !== rt.raw) this.setRaw(rt, raw, { correlationId, value: rt.value, sampleTime: t });
    }
  }

  private testDeviation(rt: AlarmRuntime, measured: number, t: number, correlationId: string): void {
    const def = rt.def as Extract<AlarmDefinition, { kind: 'deviation' }>;
    const setpoint = typeof def.setpoint === 'number' ? def.setpoint : rt.setpointValue;
    if (setpoint === null) return;
    const deviation = Math.abs(measured - setpoint);
    rt.value = deviation;
    const raw = aboveWithDeadband(deviation, def.limit, def.deadband, rt.raw);
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
    }
    this.noteActivation(rt, now, cause.correlationId);
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
      this.record(rt, 'suppress', from, SYSTEM_USER, `Suppressed by design: ${c.tagId} ${c.op} ${c.value}`, cause);
    } else {
      rt.suppressed = false;
      this.record(rt, 'unsuppress', from, SYSTEM_USER, 'Design suppression ended', cause);
      this.reannunciate(rt, cause);
    }
  }

  // ---------------------------------------------------------------- floods

  private noteActivation(rt: AlarmRuntime, now: number, correlationId: string): void {
    const ended = this.flood.advanceTo(now);
    if (ended !== null) this.floodEnded(ended);
    const member = { alarmId: rt.id, assetId: rt.assetId, at: now };
    const horizon = now - this.flood.windowMs;
    let drop = 0;
    while (drop < this.recentActivations.length && this.recentActivations[drop]!.at <= horizon) drop++;
    if (drop) this.recentActivations.splice(0, drop);
    this.recentActivations.push(member);
    if (this.flood.add(now)) {
      this.floodCorrelationId = correlationId;
      this.floodStartedAt = now;
      this.floodMembers = [...this.recentActivations];
      const event: AlarmFloodEvent = {
        correlationId,
        active: true,
        at: now,
        startedAt: now,
        endedAt: null,
        rateInWindow: this.flood.count,
        firstOutAlarmId: this.floodMembers[0]?.alarmId ?? null,
      };
      this.pendingSide.push(() => this.events?.emit('alarm.flood', event));
    } else if (this.flood.inFlood) {
      this.floodMembers.push(member);
    }
    if (this.flood.inFlood) this.scheduleFloodExit();
  }

  private scheduleFloodExit(): void {
    this.floodTimer?.dispose();
    const at = this.flood.nextExitAt();
    if (at === null) return;
    const timer = this.clock.setTimeout(
      () => {
        if (this.floodTimer !== timer) return;
        this.floodTimer = null;
        this.run(() => {
          const ended = this.flood.advanceTo(this.clock.now());
          if (ended !== null) this.floodEnded(ended);
          else if (this.flood.inFlood) this.scheduleFloodExit();
        });
      },
      Math.max(0, at - this.clock.now()),
    );
    this.floodTimer = timer;
  }

  private floodEnded(endedAt: number): void {
    this.floodTimer?.dispose();
    this.floodTimer = null;
    const event: AlarmFloodEvent = {
      correlationId: this.floodCorrelationId ?? this.newId(),
      active: false,
      at: endedAt,
      startedAt: this.floodStartedAt ?? endedAt,
      endedAt,
      rateInWindow: this.flood.count,
      firstOutAlarmId: this.floodMembers[0]?.alarmId ?? null,
    };
    this.floodMembers = [];
    this.floodStartedAt = null;
    this.floodCorrelationId = null;
    this.pendingSide.push(() => this.events?.emit('alarm.flood', event));
  }

  /**
   * Flood mode view: while a flood lasts, the alarms that came in it grouped by asset, groups in
   * first-out order (the asset whose alarm came first leads), alarms in order of activation.
   */
  floodStatus(): FloodStatus {
    this.run(() => {
      const ended = this.flood.advanceTo(this.clock.now());
      if (ended !== null) this.floodEnded(ended);
    });
    const groups = new Map<string, { assetId: string; firstAt: number; alarmIds: string[] }>();
    const seen = new Set<string>();
    for (const m of this.floodMembers) {
      if (seen.has(m.alarmId)) continue;
      seen.add(m.alarmId);
      let group = groups.get(m.assetId);
      if (!group) groups.set(m.assetId, (group = { assetId: m.assetId, firstAt: m.at, alarmIds: [] }));
      group.alarmIds.push(m.alarmId);
    }
    return {
      active: this.flood.inFlood,
      startedAt: this.floodStartedAt,
      rateInWindow: this.flood.count,
      windowMs: this.flood.windowMs,
      firstOutAlarmId: this.floodMembers[0]?.alarmId ?? null,
      groups: [...groups.values()],
    };
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
          value: rt.value,
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
  pulseSystem(condition: SystemCondition, sourceId: string, detail: string, correlationId = this.newId()): void {
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
    if (rt?.def) throw new CoreError('invalid_input', `Alarm id "${update.id}" belongs to a Vigil definition`);
    const { active, acknowledged, acknowledgedBy, comment, value, at, correlationId, ...descriptor } = update;
    if (!rt) {
      rt = new AlarmRuntime(null, descriptor, descriptor.assetId, this.config.chattering.windowMs, this.config.chattering.activations);
      this.runtimes.set(rt.id, rt);
    } else {
      rt.external = descriptor;
      rt.assetId = descriptor.assetId;
    }
    const target = rt;
    this.run(() => {
      const cause: Cause = { correlationId, value: value ?? null, sampleTime: at, comment: comment ?? '' };
      if (value !== undefined) target.value = value;
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
        throw new CoreError('invalid_input', `Alarm "${id}" is ${stateText(rt.state)}; there is nothing to acknowledge`);
      }
      if (rt.acked) {
        const why = rt.state === 'normal' ? 'is not in alarm' : 'is already acknowledged';
        throw new CoreError('invalid_input', `Alarm "${id}" ${why}`);
      }
      if (rt.ackPending) throw new CoreError('invalid_input', `Alarm "${id}" has an acknowledgement pending at the equipment`);
      if (rt.external && !this.externalPort) {
        throw new CoreError('unavailable', `Alarm "${id}" comes from equipment that cannot be reached to acknowledge it`);
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
        this.record(rt, 'ack_failed', rt.state, user, `Equipment refused the acknowledgement: ${message}`, cause);
      });
    });
  }

  /** Resets a latched alarm after its condition has cleared. */
  reset(alarmId: string, actor: string, comment = ''): AlarmView {
    const rt = this.require(alarmId);
    if (rt.state !== 'latched') throw new CoreError('invalid_input', `Alarm "${alarmId}" is not latched; only a latched alarm can be reset`);
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
    if (rt.outOfService) throw new CoreError('invalid_input', `Alarm "${rt.id}" is out of service; it cannot be shelved`);
    if (rt.shelve) {
      throw new CoreError('invalid_input', `Alarm "${rt.id}" is already shelved until ${new Date(rt.shelve.until).toISOString()}`);
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
        throw new CoreError('invalid_input', `Alarm "${rt.id}" is not active; one-shot shelving lasts until an active alarm returns to normal`);
      }
      until = this.clock.now() + max;
    }
    this.run(() => {
      const from = rt.state;
      if (rt.annunciating) rt.clearAnnunciation();
      const timer = this.clock.setTimeout(() => {
        if (rt.shelve?.timer !== timer) return;
        this.run(() => this.unshelveNow(rt, SYSTEM_USER, 'Shelving time is up', this.operatorCause(rt)));
      }, until - this.clock.now());
      rt.shelve = { mode: request.mode, reason, by: actor, at: this.clock.now(), until, timer };
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
      out.push({ definition: rt.def, origin: this.origins.get(rt.id) ?? 'runtime', unresolvedTags: this.missingTags(rt.def) });
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
      const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
      throw new CoreError('invalid_input', `Invalid alarm definition: ${issues.join('; ')}`);
    }
    const def = parsed.data;
    if (this.origins.get(def.id) === 'config') {
      throw new CoreError('invalid_input', `Alarm "${def.id}" is defined in the configuration file; change it there`);
    }
    const existing = this.runtimes.get(def.id);
    if (existing && !existing.def) throw new CoreError('invalid_input', `Alarm id "${def.id}" belongs to an equipment alarm`);
    const missing = this.missingTags(def);
    if (missing.length) {
      throw new CoreError('not_found', `Alarm "${def.id}" refers to unknown tag${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    }
    this.store?.save(def); // first: if storing fails, nothing has changed
    this.run(() => {
      if (!existing) {
        const rt = this.newRuntime(def);
        this.runtimes.set(def.id, rt);
        this.origins.set(def.id, 'runtime');
        this.record(rt, 'definition_changed', 'normal', actor, `Created: ${JSON.stringify(def)}`, this.operatorCause(rt));
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
      this.record(existing, 'definition_changed', from, actor, `Updated: ${JSON.stringify(def)}`, this.operatorCause(existing));
      if (wasSuppressed) this.reannunciate(existing, this.operatorCause(existing));
    });
    this.rebuildIndex();
    return def;
  }

  removeDefinition(id: string, actor: string): void {
    const rt = this.require(id);
    if (!rt.def) throw new CoreError('invalid_input', `Alarm "${id}" comes from equipment; it has no definition to remove`);
    if (this.origins.get(id) === 'config') {
      throw new CoreError('invalid_input', `Alarm "${id}" is defined in the configuration file; remove it there`);
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
    const activations = this.journal.query({ from: from - this.flood.windowMs, to, transitions: ['activate'], order: 'asc' });
    return computeAlarmKpis({
      from,
      to,
      activations,
      latest: this.journal.latestPerAlarm(to),
      flood: this.config.flood,
      chattering: this.config.chattering,
    });
  }

  stats(): { alarms: number; definitions: number; journalBacklog: number; journalFailures: number; journalDropped: number } {
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

  /** Feeds the engine from the core's event bus: sample batches and connection states. */
  attach(events: EventBus): Disposable {
    const subscriptions = [
      events.on('samples', (batch) => this.evaluateBatch(batch)),
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
    this.floodTimer?.dispose();
    this.floodTimer = null;
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
    return { correlationId: rt.correlationId ?? this.newId(), value: rt.value, sampleTime: null };
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
        if (def.kind === 'deviation' && typeof def.setpoint !== 'number') watch(def.setpoint.tagId).setpointFor.push(rt);
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
      latest = this.journal.latestPerAlarm(now);
    } catch (err) {
      this.onError('alarm journal could not be read to restore alarm states', err);
      return;
    }
    const expired: AlarmRuntime[] = [];
    for (const row of latest) {
      const rt = this.runtimes.get(row.alarmId);
      if (!rt?.def || !rt.def.enabled) continue;
      rt.activeSince = row.activeSince;
      rt.correlationId = row.correlationId;
      rt.lastChangeAt = row.at;
      rt.value = row.value;
      switch (row.toState) {
        case 'unack_active':
        case 'ack_active':
          rt.active = rt.raw = rt.conditionActive = true;
          rt.acked = row.toState === 'ack_active';
          break;
        case 'unack_rtn':
          rt.acked = false;
          break;
        case 'latched':
          rt.latched = true;
          rt.acked = row.acknowledged;
          break;
        case 'out_of_service':
          rt.outOfService = { reason: row.comment, by: row.user, at: row.at };
          break;
        case 'suppressed':
          rt.suppressed = rt.def.suppressWhen !== undefined; // re-tested with the next sample
          break;
        case 'shelved':
          if (row.shelvedUntil !== null && row.shelveMode !== null) {
            const timer = this.clock.setTimeout(() => {
              if (rt.shelve?.timer !== timer) return;
              this.run(() => this.unshelveNow(rt, SYSTEM_USER, 'Shelving time is up', this.operatorCause(rt)));
            }, Math.max(0, row.shelvedUntil - now));
            rt.shelve = { mode: row.shelveMode, reason: row.comment, by: row.user, at: row.at, until: row.shelvedUntil, timer };
            if (row.shelvedUntil <= now) expired.push(rt);
          }
          break;
        default:
          break;
      }
    }
    if (expired.length) {
      this.run(() => {
        for (const rt of expired) this.unshelveNow(rt, SYSTEM_USER, 'Shelving time ran out while Vigil was stopped', this.operatorCause(rt));
      });
    }
  }

  private record(rt: AlarmRuntime, transition: AlarmTransition, from: AlarmState, user: string, comment: string, cause: Cause): void {
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
    const now = this.clock.now();
    const chattering = rt.chatter.isChattering(now);
    const def = rt.def;
    const ext = rt.external;
    const shelve = rt.shelve;
    return {
      id: rt.id,
      source: def ? 'vigil' : 'opcua',
      kind: def ? def.kind : 'external',
      name: def ? (def.name ?? def.id) : ext!.name,
      tagId: rt.tagId,
      assetId: rt.assetId,
      priority: rt.priority,
      message: def ? def.message : ext!.message,
      suggestedAction: def ? def.suggestedAction : ext!.suggestedAction,
      state: rt.state,
      conditionActive: rt.conditionActive,
      acknowledged: rt.acked,
      activeSince: rt.activeSince,
      lastChangeAt: rt.lastChangeAt,
      value: rt.value,
      limit: rt.limit,
      correlationId: rt.correlationId,
      shelved: shelve ? { mode: shelve.mode, reason: shelve.reason, by: shelve.by, at: shelve.at, until: shelve.until } : null,
      outOfService: rt.outOfService ? { ...rt.outOfService } : null,
      suppressedByDesign: rt.suppressed,
      chattering,
      suggestion: chattering ? chatterSuggestion(this.config.chattering.windowMs, rt.chatter.countInWindow(now)) : null,
      ackPending: rt.ackPending,
      activations: rt.activations,
    };
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
    try {
      if (this.backlog.length) {
        this.journal.append(this.backlog);
        this.backlog = [];
      }
      return this.journal.append(entries);
    } catch (err) {
      this.journalFailures++;
      this.backlog.push(...entries);
      if (this.backlog.length > MAX_JOURNAL_BACKLOG) {
        const excess = this.backlog.length - MAX_JOURNAL_BACKLOG;
        this.backlog.splice(0, excess);
        this.journalDropped += excess;
      }
      this.onError(`alarm journal append failed; ${this.backlog.length} rows waiting`, err);
      return null;
    }
  }
}

function chatterSuggestion(windowMs: number, count: number): string {
  return `Chattering: ${count} activations within ${formatDuration(windowMs)}. Consider shelving it and reviewing its deadband and on-delay.`;
}

function stateText(state: AlarmState): string {
  return state === 'out_of_service' ? 'out of service' : state === 'suppressed' ? 'suppressed by design' : state;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
