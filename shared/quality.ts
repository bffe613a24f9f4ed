/**
 * Data quality, derived from the OPC UA StatusCode carried by every sample.
 * The severity is the top two bits of the 32-bit StatusCode (OPC UA Part 4, 7.39):
 * 00 Good, 01 Uncertain, 10/11 Bad. The full code travels with each sample so the
 * sub-status (e.g. BadCommunicationError) is never lost.
 */
export type QualitySeverity = 'good' | 'uncertain' | 'bad';

export const STATUS_GOOD = 0x00000000;
export const STATUS_UNCERTAIN = 0x40000000;
export const STATUS_BAD = 0x80000000;

export function qualitySeverity(statusCode: number): QualitySeverity {
  const top = (statusCode >>> 30) & 0b11;
  if (top === 0) return 'good';
  if (top === 1) return 'uncertain';
  return 'bad';
}

export function isGood(statusCode: number): boolean {
  return statusCode >>> 30 === 0;
}
