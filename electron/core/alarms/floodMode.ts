import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { AlarmFloodEvent } from './events';
import { FloodTracker } from './flood';
import type { FloodStatus } from './schemas';

/** What flood mode needs from the engine. */
export interface FloodModeHost {
  clock: Clock;
  newId: () => string;
  /** Queues a flood event to go out after the transitions of the current unit of work. */
  announce(event: AlarmFloodEvent): void;
  /** Runs timer work as one unit of work of the engine (journal, then announcements). */
  run(work: () => void): void;
}

interface Member {
  alarmId: string;
  assetId: string;
  at: number;
}

/**
 * Flood mode: watches the rate of annunciated activations, announces the start and end of a flood
 * (ending by itself on the clock even when no alarm comes), and remembers the alarms of the flood
 * in first-out order so the operator sees them grouped by asset with the first one on top.
 */
export class FloodMode implements Disposable {
  private readonly tracker: FloodTracker;
  private timer: Disposable | null = null;
  private correlationId: string | null = null;
  private startedAt: number | null = null;
  private members: Member[] = [];
  /** Activations within the window, so a starting flood knows the alarms that led up to it. */
  private recent: Member[] = [];

  constructor(
    config: { windowMs: number; enterAbove: number; exitBelow: number },
    private readonly host: FloodModeHost,
  ) {
    this.tracker = new FloodTracker(config.windowMs, config.enterAbove, config.exitBelow);
  }

  get active(): boolean {
    return this.tracker.inFlood;
  }

  noteActivation(alarmId: string, assetId: string, now: number, correlationId: string): void {
    this.refresh(now);
    const member = { alarmId, assetId, at: now };
    const horizon = now - this.tracker.windowMs;
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop]!.at <= horizon) drop++;
    if (drop) this.recent.splice(0, drop);
    this.recent.push(member);
    if (this.tracker.add(now)) {
      this.correlationId = correlationId;
      this.startedAt = now;
      this.members = [...this.recent];
      this.host.announce({
        correlationId,
        active: true,
        at: now,
        startedAt: now,
        endedAt: null,
        rateInWindow: this.tracker.count,
        firstOutAlarmId: this.members[0]?.alarmId ?? null,
      });
    } else if (this.tracker.inFlood) {
      this.members.push(member);
    }
    if (this.tracker.inFlood) this.scheduleExit();
  }

  /** Lets time pass up to `now`: ends the flood if the rate fell below the exit threshold. */
  refresh(now: number): void {
    const ended = this.tracker.advanceTo(now);
    if (ended !== null) this.ended(ended);
  }

  /** Alarms of the flood grouped by asset, groups in first-out order, alarms in order of activation. */
  status(): FloodStatus {
    const groups = new Map<string, { assetId: string; firstAt: number; alarmIds: string[] }>();
    const seen = new Set<string>();
    for (const m of this.members) {
      if (seen.has(m.alarmId)) continue;
      seen.add(m.alarmId);
      let group = groups.get(m.assetId);
      if (!group) groups.set(m.assetId, (group = { assetId: m.assetId, firstAt: m.at, alarmIds: [] }));
      group.alarmIds.push(m.alarmId);
    }
    return {
      active: this.tracker.inFlood,
      startedAt: this.startedAt,
      rateInWindow: this.tracker.count,
      windowMs: this.tracker.windowMs,
      firstOutAlarmId: this.members[0]?.alarmId ?? null,
      groups: [...groups.values()],
    };
  }

  dispose(): void {
    this.timer?.dispose();
    this.timer = null;
  }

  private scheduleExit(): void {
    this.timer?.dispose();
    const at = this.tracker.nextExitAt();
    if (at === null) return;
    const clock = this.host.clock;
    const timer = clock.setTimeout(
      () => {
        if (this.timer !== timer) return;
        this.timer = null;
        this.host.run(() => {
          this.refresh(clock.now());
          if (this.tracker.inFlood) this.scheduleExit();
        });
      },
      Math.max(0, at - clock.now()),
    );
    this.timer = timer;
  }

  private ended(endedAt: number): void {
    this.dispose();
    this.host.announce({
      correlationId: this.correlationId ?? this.host.newId(),
      active: false,
      at: endedAt,
      startedAt: this.startedAt ?? endedAt,
      endedAt,
      rateInWindow: this.tracker.count,
      firstOutAlarmId: this.members[0]?.alarmId ?? null,
    });
    this.members = [];
    this.startedAt = null;
    this.correlationId = null;
  }
}
