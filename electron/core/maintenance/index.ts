/**
 * The maintenance decision queue: recommendations from model outputs, approve / reject / defer,
 * work orders with CSV and JSON export.
 */
export { MaintenanceService } from './service';
export type { MaintenanceServiceOptions, RejectionLabelRecord, SignalSource } from './service';
export { InMemoryRecommendationStore, InMemoryWorkOrderStore } from './stores';
export { HistorianRecommendationStore, HistorianWorkOrderStore } from './historianStores';
export type { RecommendationFilter, RecommendationStore, WorkOrderFilter, WorkOrderStore } from './stores';
export { csvField, exportWorkOrders, workOrdersCsv } from './export';
export type { ExportFile } from './export';
export { RuleState, signalKindOf } from './rules';
export { anomalyScoreSource } from './signals';
export type { Finding } from './rules';
export type { RecommendationChange } from './events';
export * from './schemas';
