/**
 * Validation flags: one bit per rule, set on each sample that breaks it (a Uint32Array per
 * batch, index-aligned with the batch's columns). A sample with any INVALID bit is kept
 * out of every model input; it is never replaced by an imputed value.
 */
export const ValidationFlag = {
  /** NaN or +-Infinity. */
  NotFinite: 1 << 0,
  /** OPC UA StatusCode severity Bad. */
  QualityBad: 1 << 1,
  /** OPC UA StatusCode severity Uncertain. */
  QualityUncertain: 1 << 2,
  /** Timestamp before the tag's previous sample. */
  OutOfOrder: 1 << 3,
  /** Same timestamp as the tag's previous sample. */
  Duplicate: 1 << 4,
  /** Timestamp later than now plus the allowed clock skew. */
  Future: 1 << 5,
  /** Outside the tag's engineering range. */
  Range: 1 << 6,
  /** Changed faster than the tag's maximum rate of change. */
  Rate: 1 << 7,
  /** Unchanged for longer than the tag's frozen time. */
  Frozen: 1 << 8,
  /** An isolated outlier against the tag's recent median (Hampel identifier). */
  Spike: 1 << 9,
  /** First sample after the tag was stale (no update for too long). Informational. */
  AfterStale: 1 << 10,
} as const;

export type ValidationRule = keyof typeof ValidationFlag;

export const VALIDATION_RULES = Object.keys(ValidationFlag) as ValidationRule[];

/** Flags that keep a sample out of model inputs (all but the informational ones). */
export const INVALID_MASK = VALIDATION_RULES.reduce(
  (mask, rule) => (rule === 'AfterStale' ? mask : mask | ValidationFlag[rule]),
  0,
);

export function isUsable(flags: number): boolean {
  return (flags & INVALID_MASK) === 0;
}

/** The rules a flag word names, e.g. ["Spike", "QualityUncertain"]. */
export function flagNames(flags: number): ValidationRule[] {
  return VALIDATION_RULES.filter((rule) => (flags & ValidationFlag[rule]) !== 0);
}
