import type { UAVariable, Variant } from 'node-opcua';
import type { Clock } from '../../app/clock';
import type { FaultGate } from './faults';
import type { RingHistorian } from './history';

/** A variable the simulator writes, with what it last produced for it. */
export interface LiveTag {
  /** "ns=1;s=DemoPlant...." as in SimulatorTagInfo.nodeId. */
  nodeId: string;
  variable: UAVariable;
  historian: RingHistorian | null;
  /** The last value produced (published or held back by a stall). */
  last: Variant | null;
  /** Its source timestamp, epoch ms. */
  lastTime: number;
}

export function liveTag(nodeId: string, variable: UAVariable): LiveTag {
  return { nodeId, variable, historian: null, last: null, lastTime: -Infinity };
}

export interface WriteCounters {
  valuesWritten: number;
  valuesHeldBack: number;
}

/**
 * The one path by which produced values reach the server: applies the injected faults (a stall
 * holds values back, a status override replaces Good) and keeps each tag's source timestamps
 * strictly increasing, as HistoryRead and subscribers expect. A write that throws (a listener of
 * the variable failing) is reported and does not stop the writes of the other tags.
 */
export class TagWriter {
  constructor(
    private readonly gate: FaultGate,
    private readonly clock: Clock,
    private readonly counters: WriteCounters,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Whether writes are held back now; callers writing many tags at once ask once and pass it on. */
  get stalled(): boolean {
    return this.gate.stalled;
  }

  write(tag: LiveTag, value: Variant, timeMs: number, stalled = this.gate.stalled): void {
    const time = timeMs > tag.lastTime ? timeMs : tag.lastTime + 1;
    tag.last = value;
    tag.lastTime = time;
    const status = this.gate.statusFor(tag.nodeId);
    if (stalled) {
      this.counters.valuesHeldBack++;
      if (tag.historian && this.gate.historizeWhileStalled && typeof value.value === 'number') {
        tag.historian.record(value.value, time, status);
      }
      return;
    }
    try {
      tag.variable.setValueFromSource(value, status, new Date(time));
      this.counters.valuesWritten++;
    } catch (err) {
      this.onError(err);
    }
  }

  /** Publishes the last value of each tag again, stamped now, so a status change shows at once. */
  republish(tags: Iterable<LiveTag>): void {
    const stalled = this.gate.stalled;
    const now = this.clock.now();
    for (const tag of tags) if (tag.last) this.write(tag, tag.last, now, stalled);
  }
}
