import { FloodTracker } from './flood';
import { ALARM_PRIORITIES, type AlarmJournalEntry, type AlarmKpis, type AlarmPriority } from './schemas';

const TEN_MINUTES = 600_000;
const DAY = 86_400_000;
const STANDING_AGE_MS = DAY;

/**
 * Targets of ANSI/ISA-18.2-2009 Table 5 ("recommended alarm performance metrics"), which EEMUA
 * Publication 191 shares: ~150 alarms per day / ~1 per 10 minutes is very likely acceptable,
 * ~300 per day / ~2 per 10 minutes is the maximum manageable; under ~1 % of 10-minute periods in
 * flood; fewer than 5 stale (standing > 24 h) alarms.
 */
export const KPI_TARGETS = {
  acceptablePerTenMinutes: 1,
  manageablePerTenMinutes: 2,
  acceptablePerDay: 150,
  manageablePerDay: 300,
  floodPercent: 1,
  standingMax: 5,
} as const;

export interface KpiInput {
  /** Inclusive start, epoch ms. */
  from: number;
  /** Exclusive end, epoch ms. */
  to: number;
  /**
   * 'activate' rows in time order. May start up to one flood window before `from` so a flood
   * already running at `from` is recognised; only rows inside the range are counted.
   */
  activations: readonly AlarmJournalEntry[];
  /** The newest row of each alarm at `to` (AlarmJournal.latestPerAlarm). */
  latest: readonly AlarmJournalEntry[];
  flood: { windowMs: number; enterAbove: number; exitBelow: number };
  chattering: { windowMs: number; activations: number };
}

/** Alarm system performance for a time range, from the alarm journal alone. */
export function computeAlarmKpis(input: KpiInput): AlarmKpis {
  const { from, to } = input;
  const duration = to - from;
  const inRange = input.activations.filter((e) => e.at >= from && e.at < to);
  const n = inRange.length;
  const perTen = n / (duration / TEN_MINUTES);

  // Fixed 10-minute periods from `from` (the last one may be partial).
  const periodMs = input.flood.windowMs;
  const periods = Math.max(1, Math.ceil(duration / periodMs));
  const perPeriod = new Array<number>(periods).fill(0);
  for (const e of inRange) perPeriod[Math.floor((e.at - from) / periodMs)]!++;
  const floodPeriods = perPeriod.filter((c) => c > input.flood.enterAbove).length;

  const { percentTimeInFlood, floods } = floodTime(input);

  const perAlarm = new Map<string, { assetId: string; times: number[] }>();
  const mix: Record<AlarmPriority, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const e of inRange) {
    let a = perAlarm.get(e.alarmId);
    if (!a) perAlarm.set(e.alarmId, (a = { assetId: e.assetId, times: [] }));
    a.times.push(e.at);
    mix[e.priority]++;
  }

  const chatteringAlarms: AlarmKpis['chatteringAlarms'] = [];
  for (const [alarmId, a] of perAlarm) {
    const max = maxInWindow(a.times, input.chattering.windowMs);
    if (max >= input.chattering.activations) chatteringAlarms.push({ alarmId, maxActivationsInWindow: max });
  }
  chatteringAlarms.sort(
    (x, y) => y.maxActivationsInWindow - x.maxActivationsInWindow || x.alarmId.localeCompare(y.alarmId),
  );

  const ranked = [...perAlarm]
    .map(([alarmId, a]) => ({
      alarmId,
      assetId: a.assetId,
      activations: a.times.length,
      percent: pct(a.times.length, n),
    }))
    .sort((x, y) => y.activations - x.activations || x.alarmId.localeCompare(y.alarmId));
  const topBadActors = ranked.slice(0, 10);

  const standingOver24h = input.latest
    .filter(
      (e) =>
        (e.toState === 'unack_active' || e.toState === 'ack_active') &&
        e.activeSince !== null &&
        e.activeSince <= to - STANDING_AGE_MS,
    )
    .map((e) => ({ alarmId: e.alarmId, assetId: e.assetId, activeSince: e.activeSince! }))
    .sort((x, y) => x.activeSince - y.activeSince);

  const priorityMix = Object.fromEntries(
    ALARM_PRIORITIES.map((p) => [p, { count: mix[p], percent: pct(mix[p], n) }]),
  ) as AlarmKpis['priorityMix'];

  return {
    from,
    to,
    activations: n,
    averagePerTenMinutes: perTen,
    averagePerDay: n / (duration / DAY),
    rateRating:
      perTen <= KPI_TARGETS.acceptablePerTenMinutes
        ? 'acceptable'
        : perTen <= KPI_TARGETS.manageablePerTenMinutes
          ? 'manageable'
          : 'overloaded',
    peakPerTenMinutes: perPeriod.reduce((m, c) => Math.max(m, c), 0),
    percentTimeInFlood,
    percentPeriodsInFlood: pct(floodPeriods, periods),
    floods,
    standingOver24h,
    chatteringAlarms,
    topBadActors,
    topTenPercent: pct(
      topBadActors.reduce((sum, a) => sum + a.activations, 0),
      n,
    ),
    priorityMix,
    targets: { ...KPI_TARGETS },
  };
}

/** Replays the activations through the live engine's flood rule and measures the flood time inside the range. */
function floodTime(input: KpiInput): { percentTimeInFlood: number; floods: number } {
  const { from, to } = input;
  const tracker = new FloodTracker(input.flood.windowMs, input.flood.enterAbove, input.flood.exitBelow);
  let inFloodMs = 0;
  let floods = 0;
  let start: number | null = null;
  const close = (end: number) => {
    const s = Math.max(start!, from);
    const e = Math.min(end, to);
    if (e > s) {
      inFloodMs += e - s;
      floods++;
    }
    start = null;
  };
  for (const e of input.activations) {
    if (e.at >= to) break;
    const ended = tracker.advanceTo(e.at);
    if (ended !== null) close(ended);
    if (tracker.add(e.at)) start = e.at;
  }
  const ended = tracker.advanceTo(to);
  if (ended !== null) close(ended);
  if (start !== null) close(to);
  return { percentTimeInFlood: pct(inFloodMs, to - from), floods };
}

/** Most timestamps (ascending) inside any window of the given length. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function pct(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}
