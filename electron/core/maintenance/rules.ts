import type { MaintenanceRule, ModelSignal, RecommendationKind, SignalKind, Urgency } from './schemas';

/** What a rule concluded from the signals so far. */
export interface Finding {
  kind: RecommendationKind;
  text: string;
  urgency: Urgency;
  /** Derived from the signal itself (e.g. RUL and cycles per day), else null: the urgency table decides. */
  dueDate: number | null;
  scores: { name: string; value: number; at: number; tagId: string }[];
}

/** The signal kind each rule watches. */
export function signalKindOf(rule: MaintenanceRule): SignalKind {
  return rule.kind === 'rul_below'
    ? 'rul'
    : rule.kind === 'failure_risk_rising'
      ? 'failure_risk'
      : 'anomaly_score';
}

/** Samples of one signal over a time window (per rule and asset), oldest first, bounded. */
class SignalWindow {
  private t: number[] = [];
  private v: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly maxPoints = 20_000,
  ) {}

  add(at: number, value: number): void {
    // Late samples (backfill) do not rewrite the past of the window.
    if (this.t.length && at < this.t[this.t.length - 1]!) return;
    this.t.push(at);
    this.v.push(value);
    let drop = 0;
    while (drop < this.t.length && this.t[drop]! <= at - this.windowMs) drop++;
    if (this.t.length - drop > this.maxPoints) drop = this.t.length - this.maxPoints;
    if (drop) {
      this.t.splice(0, drop);
      this.v.splice(0, drop);
    }
  }

  get size(): number {
    return this.t.length;
  }

  get span(): number {
    return this.t.length ? this.t[this.t.length - 1]! - this.t[0]! : 0;
  }

  min(): { value: number; at: number } {
    let k = 0;
    for (let i = 1; i < this.v.length; i++) if (this.v[i]! < this.v[k]!) k = i;
    return { value: this.v[k]!, at: this.t[k]! };
  }

  count(predicate: (v: number) => boolean): number {
    let n = 0;
    for (const x of this.v) if (predicate(x)) n++;
    return n;
  }

  max(): number {
    return this.v.reduce((m, x) => Math.max(m, x), -Infinity);
  }
}

/** Evaluates one rule for one asset as signals arrive. */
export class RuleState {
  private readonly window: SignalWindow | null;

  constructor(readonly rule: MaintenanceRule) {
    this.window = rule.kind === 'rul_below' ? null : new SignalWindow(rule.windowMs);
  }

  /** Feeds one signal; returns a finding when the rule fires on it, else null. */
  observe(signal: ModelSignal): Finding | null {
    const rule = this.rule;
    const score = { name: signal.kind, value: signal.value, at: signal.at, tagId: signal.tagId };
    switch (rule.kind) {
      case 'rul_below': {
        const rul = signal.value;
        if (!(rul < rule.threshold)) return null;
        const urgentBelow = rule.urgentBelow ?? rule.threshold / 3;
        const urgency: Urgency =
          rul <= urgentBelow ? 'immediate' : rul <= rule.threshold / 2 ? 'high' : 'medium';
        const dueDate =
          rule.cyclesPerDay !== undefined
            ? signal.at + (Math.max(0, rul - rule.marginCycles) / rule.cyclesPerDay) * 86_400_000
            : null;
        return {
          kind: 'rul_below',
          text: `Predicted remaining useful life ${round(rul)} cycles, below ${rule.threshold}`,
          urgency,
          dueDate,
          scores: [score],
        };
      }
      case 'failure_risk_rising': {
        const w = this.window!;
        w.add(signal.at, signal.value);
        const p = signal.value;
        const low = w.min();
        const rise = p - low.value;
        const high = p >= rule.threshold;
        const rising = rise >= rule.minRise && p >= rule.floor;
        if (!high && !rising) return null;
        const urgency: Urgency = p >= 0.8 ? 'immediate' : p >= 0.5 ? 'high' : 'medium';
        const hours = Math.round((signal.at - low.at) / 3_600_000);
        const text = high
          ? `Failure probability ${pct(p)}, at or above ${pct(rule.threshold)}${rise > 0 ? ` (up ${pct(rise)} in ${hours} h)` : ''}`
          : `Failure probability rising: ${pct(low.value)} to ${pct(p)} in ${hours} h`;
        return {
          kind: 'failure_risk_rising',
          text,
          urgency,
          dueDate: null,
          scores: [score, { ...score, name: 'failure_risk_min_in_window', value: low.value, at: low.at }],
        };
      }
      case 'persistent_anomaly': {
        const w = this.window!;
        w.add(signal.at, signal.value);
        // The window must be (nearly) covered, else a handful of early samples would decide.
        if (w.size < rule.minSamples || w.span < rule.windowMs * 0.9) return null;
        const anomalous = w.count((v) => v >= rule.threshold);
        const fraction = anomalous / w.size;
        if (fraction < rule.minFraction) return null;
        const minutes = Math.round(w.span / 60_000);
        return {
          kind: 'persistent_anomaly',
          text: `Anomaly score at or above ${rule.threshold} in ${Math.round(fraction * 100)} % of ${w.size} samples over ${minutes} min`,
          urgency: fraction >= 0.95 ? 'high' : 'medium',
          dueDate: null,
          scores: [
            score,
            { ...score, name: 'anomaly_score_max_in_window', value: w.max() },
            { ...score, name: 'anomalous_fraction', value: fraction },
          ],
        };
      }
    }
  }
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function pct(p: number): string {
  return `${Math.round(p * 1000) / 10} %`;
}
