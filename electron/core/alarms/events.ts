import type { AlarmJournalEntry, AlarmView } from './schemas';

/** A stored alarm transition with the alarm as it is right after it. */
export interface AlarmTransitionEvent {
  /** Of the sample batch (or command) that caused the transition. */
  correlationId: string;
  alarm: AlarmView;
  entry: AlarmJournalEntry;
}

export interface AlarmFloodEvent {
  /** The correlation id of the activation that started the flood; the end event repeats it. */
  correlationId: string;
  active: boolean;
  at: number;
  startedAt: number;
  endedAt: number | null;
  rateInWindow: number;
  firstOutAlarmId: string | null;
}

/** The alarm's activations fell below the chattering threshold: its view changes without a transition. */
export interface AlarmChatteringEndedEvent {
  alarmId: string;
  at: number;
}

export interface AlarmChatteringEvent {
  correlationId: string;
  alarmId: string;
  assetId: string;
  activations: number;
  windowMs: number;
  at: number;
  suggestion: string;
}

/*
 * The alarm engine's domain events, added to the core's event map by declaration merging so the
 * EventBus stays typed. The lead may move these lines into app/eventBus.ts's DomainEvents instead.
 */
declare module '../app/eventBus' {
  interface DomainEvents {
    'alarm.transition': AlarmTransitionEvent;
    'alarm.flood': AlarmFloodEvent;
    'alarm.chattering': AlarmChatteringEvent;
    'alarm.chattering_ended': AlarmChatteringEndedEvent;
  }
}
