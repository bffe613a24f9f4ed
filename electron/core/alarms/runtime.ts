import type { Disposable } from '../app/disposable';
import { ChatterTracker } from './flood';
import { chatterSuggestion } from './text';
import {
  isAboveKind,
  type AlarmDefinition,
  type AlarmJournalEntry,
  type AlarmView,
  type AlarmPriority,
  type AlarmState,
  type OutOfServiceInfo,
  type ShelveInfo,
} from './schemas';

/** How a definition's samples are tested; a number so the hot loop switches on an int, not a string. */
export const EvalMode = {
  Above: 0,
  Below: 1,
  Deviation: 2,
  Rate: 3,
  BadQuality: 4,
  /** Driven by setSystemCondition / external updates, never by samples. */
  None: 5,
} as const;
export type EvalMode = (typeof EvalMode)[keyof typeof EvalMode];

/** What caused a transition: the batch's correlation id and the sample behind it. */
export interface Cause {
  correlationId: string;
  value: number | null;
  sampleTime: number | null;
  comment?: string;
}

/** An alarm reported by equipment (OPC UA Alarms & Conditions), mirrored here. */
export interface ExternalDescriptor {
  id: string;
  name: string;
  assetId: string;
  tagId: string | null;
  priority: AlarmPriority;
  message: string;
  suggestedAction: string;
  /** Opaque handle handed back to the port on acknowledge (e.g. condition id + event id). */
  ref: unknown;
}

/**
 * The live state of one alarm: its process condition (with hysteresis and delays) and its ISA-18.2
 * annunciation state, kept as independent flags from which the state name is derived.
 */
export class AlarmRuntime {
  mode: EvalMode;
  // --- process condition ---
  /** Condition with hysteresis, before on/off delays. */
  raw = false;
  /** Condition after delays: what the alarm state follows. */
  conditionActive = false;
  pending: { timer: Disposable; cause: Cause } | null = null;
  lastSampleTime = -Infinity;
  /*
   * Hot-path numbers are kept as plain doubles with NaN for "none" (never null): a field that mixes
   * null and doubles makes V8 box every assignment, which costs an allocation per sample.
   */
  /** The quantity compared against the limit (value, |deviation|, rate); NaN until known. */
  value = NaN;
  prevT = NaN;
  prevV = 0;
  /** Latest setpoint value when the setpoint is a tag. */
  setpointValue = NaN;
  /** Latest measured value for deviation alarms (re-tested when the setpoint moves). */
  measured = NaN;
  /** Copied from the definition so the hot loop reads one object shape (the definitions differ by kind). */
  limitValue = NaN;
  deadband = 0;
  fixedSetpoint = NaN;
  includeUncertain = false;
  includeValidation = false;
  /** Bad-quality alarms: the last sample's status was bad, and the validation episodes raised on the tag. */
  statusBad = false;
  readonly qualityEpisodes = new Set<string>();
  direction: 'rising' | 'falling' | 'both' = 'both';
  /** Sources currently in the system condition (e.g. the connections that are lost). */
  readonly systemSources = new Set<string>();
  // --- annunciation (ISA-18.2) ---
  active = false;
  acked = true;
  latched = false;
  activeSince: number | null = null;
  correlationId: string | null = null;
  lastChangeAt: number | null = null;
  shelve: (ShelveInfo & { timer: Disposable }) | null = null;
  outOfService: OutOfServiceInfo | null = null;
  suppressed = false;
  ackPending = false;
  activations = 0;
  chatter: ChatterTracker;
  /** Fires when the chattering window expires, so the flag and its suggestion clear on screen. */
  chatterTimer: Disposable | null = null;

  constructor(
    public def: AlarmDefinition | null,
    public external: ExternalDescriptor | null,
    public assetId: string,
    chatterWindowMs: number,
    chatterThreshold: number,
  ) {
    this.mode = def ? modeOf(def) : EvalMode.None;
    this.chatter = new ChatterTracker(chatterWindowMs, chatterThreshold);
    this.copyDefinition();
  }

  private copyDefinition(): void {
    const def = this.def;
    this.limitValue = def && 'limit' in def ? def.limit : NaN;
    this.deadband = def ? def.deadband : 0;
    this.fixedSetpoint = def?.kind === 'deviation' && typeof def.setpoint === 'number' ? def.setpoint : NaN;
    this.includeUncertain = def?.kind === 'bad_quality' ? def.includeUncertain : false;
    this.includeValidation = def?.kind === 'bad_quality' ? def.includeValidation : false;
    this.direction = def?.kind === 'rate_of_change' ? def.direction : 'both';
  }

  get id(): string {
    return this.def ? this.def.id : this.external!.id;
  }

  get tagId(): string | null {
    if (this.def) return this.def.kind === 'system' ? null : this.def.tagId;
    return this.external!.tagId;
  }

  get priority(): AlarmPriority {
    return this.def ? this.def.priority : this.external!.priority;
  }

  get latching(): boolean {
    return this.def ? this.def.latching : false;
  }

  get limit(): number | null {
    return Number.isNaN(this.limitValue) ? null : this.limitValue;
  }

  get valueOrNull(): number | null {
    return Number.isNaN(this.value) ? null : this.value;
  }

  /** Not shelved, not suppressed, not out of service: the alarm may be shown to the operator. */
  get annunciating(): boolean {
    return this.outOfService === null && !this.suppressed && this.shelve === null;
  }

  get state(): AlarmState {
    if (this.outOfService) return 'out_of_service';
    if (this.suppressed) return 'suppressed';
    if (this.shelve) return 'shelved';
    if (this.active) return this.acked ? 'ack_active' : 'unack_active';
    if (this.latched) return 'latched';
    return this.acked ? 'normal' : 'unack_rtn';
  }

  /** Back to state A (normal) when the alarm leaves the operator's view (shelve, suppress, disable). */
  clearAnnunciation(): void {
    this.active = false;
    this.acked = true;
    this.latched = false;
    this.activeSince = null;
    this.ackPending = false;
  }

  cancelPending(): void {
    this.pending?.timer.dispose();
    this.pending = null;
  }

  /** Forgets evaluation memory (after the definition changed), keeping the condition and state. */
  resetEvaluation(): void {
    this.mode = this.def ? modeOf(this.def) : EvalMode.None;
    this.copyDefinition();
    this.lastSampleTime = -Infinity;
    this.prevT = NaN;
    this.setpointValue = NaN;
    this.measured = NaN;
  }

  /**
   * Takes the state of the journal's last row for this alarm (after a restart). The process
   * condition of an active alarm is assumed to hold until the next sample says otherwise; shelving
   * is restored by the engine, which owns the timers.
   */
  restore(row: AlarmJournalEntry): void {
    this.activeSince = row.activeSince;
    this.correlationId = row.correlationId;
    this.lastChangeAt = row.at;
    this.value = row.value ?? NaN;
    switch (row.toState) {
      case 'unack_active':
      case 'ack_active':
        this.active = this.raw = this.conditionActive = true;
        this.acked = row.toState === 'ack_active';
        break;
      case 'unack_rtn':
        this.acked = false;
        break;
      case 'latched':
        this.latched = true;
        this.acked = row.acknowledged;
        break;
      case 'out_of_service':
        this.outOfService = { reason: row.comment, by: row.user, at: row.at };
        break;
      case 'suppressed':
        this.suppressed = this.def?.suppressWhen !== undefined; // re-tested with the next sample
        break;
      default:
        break;
    }
  }

  /** The alarm as operators see it at `now`. */
  view(now: number): AlarmView {
    const chattering = this.chatter.isChattering(now);
    const def = this.def;
    const ext = this.external;
    const shelve = this.shelve;
    return {
      id: this.id,
      source: def ? 'vigil' : 'opcua',
      kind: def ? def.kind : 'external',
      name: def ? (def.name ?? def.id) : ext!.name,
      tagId: this.tagId,
      assetId: this.assetId,
      priority: this.priority,
      message: def ? def.message : ext!.message,
      suggestedAction: def ? def.suggestedAction : ext!.suggestedAction,
      state: this.state,
      conditionActive: this.conditionActive,
      acknowledged: this.acked,
      activeSince: this.activeSince,
      lastChangeAt: this.lastChangeAt,
      value: this.valueOrNull,
      limit: this.limit,
      correlationId: this.correlationId,
      shelved: shelve
        ? { mode: shelve.mode, reason: shelve.reason, by: shelve.by, at: shelve.at, until: shelve.until }
        : null,
      outOfService: this.outOfService ? { ...this.outOfService } : null,
      suppressedByDesign: this.suppressed,
      chattering,
      suggestion: chattering
        ? chatterSuggestion(this.chatter.windowMs, this.chatter.countInWindow(now))
        : null,
      ackPending: this.ackPending,
      activations: this.activations,
    };
  }

  dispose(): void {
    this.cancelPending();
    this.shelve?.timer.dispose();
    this.chatterTimer?.dispose();
  }
}

function modeOf(def: AlarmDefinition): EvalMode {
  switch (def.kind) {
    case 'deviation':
      return EvalMode.Deviation;
    case 'rate_of_change':
      return EvalMode.Rate;
    case 'bad_quality':
      return EvalMode.BadQuality;
    case 'system':
      return EvalMode.None;
    default:
      return isAboveKind(def.kind) ? EvalMode.Above : EvalMode.Below;
  }
}
