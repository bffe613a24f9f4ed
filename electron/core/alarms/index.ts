/**
 * The alarm engine (ISA-18.2): definitions, lifecycle, shelving, floods, chattering, KPIs.
 * See contract-proposal.ts for the commands and streams it offers through the core API.
 */
export { AlarmEngine, InMemoryDefinitionStore, SYSTEM_USER, formatDuration } from './engine';
export type {
  AlarmDefinitionStore,
  AlarmEngineOptions,
  AlarmListFilter,
  DefinitionEntry,
  ExternalConditionPort,
  ExternalConditionUpdate,
  ShelveRequest,
  TagCatalog,
  TagInfo,
} from './engine';
export { InMemoryAlarmJournal } from './journal';
export type { AlarmJournal, AlarmJournalQuery, NewJournalEntry } from './journal';
export { computeAlarmKpis, KPI_TARGETS } from './kpis';
export { FloodTracker, ChatterTracker } from './flood';
export {
  defaultSystemDefinitions,
  openRunMarker,
  startDiskMonitor,
  withDefaultSystemDefinitions,
} from './systemMonitors';
export type { DiskReading, RunMarker } from './systemMonitors';
export { localOsUser, resolveActor } from './actor';
export type { AlarmChatteringEvent, AlarmFloodEvent, AlarmTransitionEvent } from './events';
export * from './schemas';
