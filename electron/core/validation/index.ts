/**
 * Validation: the first stage of the pipeline. Every sample is checked against its tag's
 * rules before any model sees it; results travel as flags per sample (never as altered
 * values), are counted per tag and raised as data-quality events.
 */
export { ValidationStage } from './stage';
export type { DataQualityEvent, ValidationResult, ValidationStageOptions } from './stage';
export { ValidationFlag, VALIDATION_RULES, INVALID_MASK, isUsable, flagNames } from './flags';
export type { ValidationRule } from './flags';
export { TagRulesSchema, DEFAULT_TAG_RULES, SPIKE_WINDOW } from './rules';
export type { TagRules, TagRulesInput } from './rules';
