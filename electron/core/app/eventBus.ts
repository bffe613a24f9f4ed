import type { SampleBatch } from '../../../shared/samples';
import type { ConnectionState } from '../../../shared/domain';
import type { Disposable } from './disposable';
import type { DataQualityEvent } from '../validation';
import type { AnomalyEvent } from '../detection';

/**
 * Domain events of the core. Every event carries the correlation id of what caused it,
 * so one chain (sample batch -> alarm -> notification -> decision -> incident) can be followed.
 * Later modules add their events to this map.
 */
export interface DomainEvents {
  samples: SampleBatch;
  'connection.state': {
    correlationId: string;
    connectionId: string;
    state: ConnectionState;
    error: string | null;
    at: number;
  };
  /** A batch after validation: one bit set of ValidationFlag per sample (0 = valid). */
  'samples.validated': { batch: SampleBatch; flags: Uint32Array };
  /** A data-quality episode of one tag started or ended (range, frozen, spike, stale, ...). */
  'data.quality': DataQualityEvent;
  /** Derived samples: anomaly scores per asset and per tag (kept out of 'samples'). */
  scores: SampleBatch;
  /** An asset's anomaly score crossed its threshold (raised) or fell back (cleared). */
  'anomaly.state': AnomalyEvent;
  'data.gap': {
    correlationId: string;
    connectionId: string;
    from: number;
    to: number;
    backfilled: boolean;
  };
}

export type DomainEventName = keyof DomainEvents;
type Listener<E extends DomainEventName> = (event: DomainEvents[E]) => void;

/**
 * A small synchronous typed event bus. Synchronous on purpose: a sample batch reaches
 * every consumer (ring buffer, stream hub, detectors) before the next one is read, so
 * no queue can grow without bound. A throwing listener is reported, never allowed to
 * stop delivery to the others.
 */
export class EventBus {
  private readonly listeners = new Map<DomainEventName, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<E extends DomainEventName>(event: E, listener: Listener<E>): Disposable {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return {
      dispose: () => {
        set.delete(listener as Listener<never>);
      },
    };
  }

  emit<E extends DomainEventName>(event: E, payload: DomainEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<E>)(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }

  listenerCount(event: DomainEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
