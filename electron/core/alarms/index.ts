/**
 * The alarm engine (ISA-18.2): definitions, lifecycle, shelving, floods, chattering, KPIs.
 * See shared/alarmsApi.ts for the commands and streams it offers through the core API.
 */
export { AlarmEngine, SYSTEM_USER } from './engine';
export { formatDuration } from './text';
export type { AlarmEngineOptions, AlarmListFilter, DefinitionEntry, ShelveRequest } from './engine';
export { InMemoryDefinitionStore, MapTagCatalog } from './ports';
export type {
  AlarmDefinitionStore,
  ExternalConditionPort,
  ExternalConditionUpdate,
  TagCatalog,
  TagInfo,
} from './ports';
export { FloodMode } from './floodMode';
export { HistorianAlarmJournal } from './historianJournal';
export { attachAuditTrail } from './audit';
export type { AuditSink } from './audit';
export { createAlarmApiHandlers } from './apiHandlers';
export type { AlarmApiDeps, AlarmCommandHandlers, AlarmStreamHandlers } from './apiHandlers';
export { alarmCommands, alarmStreams } from '../../../shared/alarmsApi';
export { InMemoryAlarmJournal, PartialAppendError } from './journal';
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
