import type { SuppressionCondition } from './schemas';

/*
 * Process-condition tests with hysteresis. A condition becomes true strictly beyond the limit and
 * clears only once the value is back inside the limit by more than the deadband, so a value
 * hovering at the limit cannot make the alarm flicker (ISA-18.2 "alarm deadband").
 */

/** Value above the limit (high, high-high, anomaly score, failure risk, deviation, rate of change). */
export function aboveWithDeadband(
  value: number,
  limit: number,
  deadband: number,
  wasActive: boolean,
): boolean {
  return wasActive ? value >= limit - deadband : value > limit;
}

/** Value below the limit (low, low-low, remaining useful life). */
export function belowWithDeadband(
  value: number,
  limit: number,
  deadband: number,
  wasActive: boolean,
): boolean {
  return wasActive ? value <= limit + deadband : value < limit;
}

/** Rate in units per second between two samples, as the definition's direction sees it. */
export function directedRate(
  prevT: number,
  prevV: number,
  t: number,
  v: number,
  direction: 'rising' | 'falling' | 'both',
): number | null {
  const dtS = (t - prevT) / 1000;
  if (!(dtS > 0)) return null;
  const rate = (v - prevV) / dtS;
  if (direction === 'rising') return rate;
  if (direction === 'falling') return -rate;
  return Math.abs(rate);
}

export function suppressionHolds(condition: SuppressionCondition, value: number): boolean {
  switch (condition.op) {
    case '<':
      return value < condition.value;
    case '<=':
      return value <= condition.value;
    case '>':
      return value > condition.value;
    case '>=':
      return value >= condition.value;
    case '==':
      return value === condition.value;
    case '!=':
      return value !== condition.value;
  }
}
