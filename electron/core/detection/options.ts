import { z } from 'zod';

/**
 * Defaults of the streaming detectors. One set for every signal: the detectors learn each
 * signal's noise, drift speed and score distribution from the stream itself, so nothing
 * here depends on units, sampling rate or a particular data set. Counts are in samples of
 * the tag (valid samples only).
 */
export const DetectorOptionsSchema = z.object({
  /**
   * Valid samples a tag needs before it is scored (it learns from all of them). Raised
   * internally if too short for the start-up and calibration to have data; a tag warms up
   * again when its daily or weekly profile is switched on.
   */
  warmupSamples: z.number().int().min(20).default(200),
  /** Samples averaged to start the level estimate before the Kalman gain takes over (at most a third of the warm-up). */
  initSamples: z.number().int().min(2).default(50),
  /** Lag (in samples) of the second variogram point that separates level drift from noise. */
  variogramLag: z.number().int().min(2).max(1000).default(20),
  /** Memory (samples) of the learned noise and drift variances. */
  memorySamples: z.number().int().min(10).default(2000),
  /** EWMA weight of each new standardized innovation in the tag statistic (smaller = more smoothing). */
  smoothing: z.number().gt(0).max(1).default(0.15),
  /** Innovations beyond this many standard deviations move the level no further (Huber). */
  huberClip: z.number().positive().default(3),
  /** Slowest drift the level always follows: minimum Kalman gain 1/adaptSamples. */
  adaptSamples: z.number().int().min(10).default(5000),
  /**
   * Quantile of each statistic learned from normal operation, used as its scale. The 95th
   * percentile is estimated from a short warm-up far more reliably than the 99th (about 7
   * exceedances in 150 samples instead of 1.5); the tail beyond it is extrapolated.
   */
  calibrationQuantile: z.number().gt(0.5).lt(1).default(0.95),
  /** Memory (samples) of that quantile. */
  calibrationMemory: z.number().int().min(100).default(5000),
  /**
   * Target share of normal samples flagged per asset. The threshold of each tag is its
   * calibrated quantile extrapolated with a chi-square(1) tail to falseAlarmRate / tags.
   */
  falseAlarmRate: z.number().gt(0).lt(0.5).default(1e-3),
  /**
   * After an anomaly, assets learn again only once this many consecutive evaluations were
   * below the threshold, so a borderline value or one invalid sample cannot let an ongoing
   * anomaly leak into what counts as normal.
   */
  resumeLearningAfter: z.number().int().min(1).default(5),
  /**
   * A tag kept from learning this many samples in a row (its asset stayed anomalous) learns
   * again anyway: a change that lasts this long is the new normal, and a detector locked on
   * an old reference would alarm forever (slow warm-up drift of a machine, a new set point).
   */
  acceptAfterSamples: z.number().int().min(10).default(1000),
  /** Standardized innovations are clipped here so one wild value cannot dominate for long. */
  maxAbsZ: z.number().positive().default(50),
  /** Learn daily and weekly profiles (hour of day, hour of week) once two cycles were seen. */
  seasonal: z.boolean().default(true),
  /** Add the multivariate (Mahalanobis) statistic of each asset to its per-tag statistics. */
  multivariate: z.boolean().default(true),
  /** Largest asset (tags) that gets the multivariate statistic; its cost grows with tags squared. */
  multivariateMaxTags: z.number().int().min(2).max(256).default(64),
});
export type DetectorOptions = z.infer<typeof DetectorOptionsSchema>;
export type DetectorOptionsInput = z.input<typeof DetectorOptionsSchema>;

export function detectorOptions(input: DetectorOptionsInput = {}): DetectorOptions {
  return DetectorOptionsSchema.parse(input);
}
