import type { EngineRun } from './playbackData';
import { blockFeatures } from './vibration';

export interface HighLimits {
  high: number;
  highHigh: number;
  /** How the limits were derived, for the alarm's description. */
  basis: string;
}

/** Share of each engine's life treated as healthy when estimating the T50 baseline. */
const HEALTHY_SHARE = 0.3;

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/**
 * T50 (LPT outlet temperature) limits derived from the played engines: the fleet's healthy
 * baseline is the mean and standard deviation of T50 over the first 30% of every life; High is
 * baseline + 4 sigma and HighHigh baseline + 5.5 sigma. On the shipped FD001 units High is first
 * crossed 45-100 cycles before failure and HighHigh in the last few cycles of every engine
 * (HPC degradation raises T50 by about 30 °R over a life), so both trip during each run.
 */
export function t50Limits(engines: readonly EngineRun[]): HighLimits {
  const healthy: number[] = [];
  for (const engine of engines) {
    const t50 = engine.columns.get('T50');
    if (!t50) throw new Error(`C-MAPSS unit ${engine.sourceUnit} has no T50 column`);
    const n = Math.max(1, Math.floor(engine.cycles * HEALTHY_SHARE));
    for (let i = 0; i < n; i++) healthy.push(t50[i]!);
  }
  const mean = healthy.reduce((a, b) => a + b, 0) / healthy.length;
  const sd = Math.sqrt(healthy.reduce((a, b) => a + (b - mean) ** 2, 0) / healthy.length);
  return {
    high: round(mean + 4 * sd, 1),
    highHigh: round(mean + 5.5 * sd, 1),
    basis: `healthy baseline ${round(mean, 1)} ± ${round(sd, 2)} °R (first 30% of each life): High +4σ, HighHigh +5.5σ`,
  };
}

/**
 * Vibration RMS limits derived from the normal recording: High at 3x and HighHigh at 6x the largest
 * RMS of any of its blocks. On the shipped recordings the inner-race fault (0.28-0.30 g) trips
 * High, the outer-race fault (0.61-0.72 g) HighHigh, and the ball fault (0.12-0.15 g) neither,
 * which is how hard ball faults are to see in overall vibration.
 */
export function vibrationRmsLimits(normal: Float32Array, blockSize: number): HighLimits {
  let max = 0;
  for (let start = 0; start + blockSize <= normal.length; start += blockSize) {
    max = Math.max(max, blockFeatures(normal.subarray(start, start + blockSize)).rms);
  }
  if (max === 0) throw new Error('the normal recording has no full block of vibration');
  return {
    high: round(3 * max, 3),
    highHigh: round(6 * max, 3),
    basis: `largest block RMS of the normal recording ${round(max, 4)} g: High 3x, HighHigh 6x`,
  };
}
