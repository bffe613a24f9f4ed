/**
 * Streaming anomaly detection: per-tag and per-asset detectors that learn normal behaviour
 * from the stream itself and score every valid sample (0..1, 0.5 = threshold), plus the
 * validation + detection pipeline shared by the core and `vigil detect`.
 */
export { DetectionStage } from './stage';
export type {
  AnomalyEvent,
  AssetScore,
  DetectionResult,
  DetectionStageOptions,
  TagContribution,
} from './stage';
export { DetectionPipeline } from './pipeline';
export type { DetectionPipelineOptions, PipelineResult } from './pipeline';
export { DetectorOptionsSchema, detectorOptions } from './options';
export type { DetectorOptions, DetectorOptionsInput } from './options';
export {
  assetScoreTagId,
  tagScoreTagId,
  isDerivedTagId,
  assetOfTagId,
  ASSET_SCORE_SUFFIX,
  TAG_SCORE_SUFFIX,
} from './derivedTags';
export { detectCsv } from './csv/detectCsv';
export type { DetectCsvOptions, DetectCsvSummary, DetectedRow } from './csv/detectCsv';
export { CsvInputError } from './csv/csvTable';
