import { z } from 'zod';

/**
 * Validation rules of one tag. Every rule has a default that is safe without knowing the
 * tag: rules that need engineering knowledge (range, rate of change) are off until a range
 * or rate is given (the range also comes from the tag's metadata, e.g. the OPC UA EURange).
 */
export const TagRulesSchema = z.object({
  /** Engineering range; samples outside are invalid. null = none (or the tag's own range). */
  range: z
    .object({ low: z.number(), high: z.number() })
    .refine((r) => r.low <= r.high, 'range.low must not exceed range.high')
    .nullable()
    .default(null),
  /** Largest plausible change per second, in engineering units; null = not checked. */
  maxRatePerS: z.number().positive().nullable().default(null),
  /**
   * A value unchanged (within frozenTolerance) for frozenMs and at least frozenMinSamples
   * samples is a frozen sensor; 0 disables. One hour by default: real measurements move
   * within an hour, while set points and states that legitimately stay put should get a
   * longer time or 0.
   */
  frozenMs: z.number().nonnegative().default(3_600_000),
  frozenMinSamples: z.number().int().min(2).default(30),
  frozenTolerance: z.number().nonnegative().default(0),
  /**
   * A tag with no sample for staleMs is stale; null = automatic: ten times its typical
   * sampling interval, at least staleMinMs; 0 disables.
   */
  staleMs: z.number().nonnegative().nullable().default(null),
  staleMinMs: z.number().positive().default(60_000),
  /**
   * Spike (Hampel identifier, Hampel 1974; Pearson 2002): a sample further than
   * spikeThreshold robust standard deviations (1.4826 x MAD of the previous spikeWindow
   * samples) from their median. Only runs of at most spikeMaxRun such samples are spikes; a
   * longer run is a real change of level and is left to the detectors. 0 disables. The high
   * default only catches gross glitches: smaller outliers are the detectors' business.
   */
  spikeThreshold: z.number().nonnegative().default(8),
  spikeMaxRun: z.number().int().min(1).default(2),
  /** OPC UA Uncertain quality: usable (true) or kept out of models like Bad (false). */
  acceptUncertain: z.boolean().default(false),
  /** Timestamps later than now + futureToleranceMs are invalid (clock skew allowance). */
  futureToleranceMs: z.number().nonnegative().default(60_000),
});
export type TagRules = z.infer<typeof TagRulesSchema>;
export type TagRulesInput = z.input<typeof TagRulesSchema>;

export const DEFAULT_TAG_RULES: TagRules = TagRulesSchema.parse({});

/** Samples in the spike detector's window (odd, so the median is one sample). */
export const SPIKE_WINDOW = 15;

/** Merges per-tag settings over the defaults and validates the result. */
export function resolveRules(
  defaults: TagRulesInput,
  override: TagRulesInput | undefined,
  where: string,
): TagRules {
  const parsed = TagRulesSchema.safeParse({ ...defaults, ...override });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid validation rules for ${where}: ${lines.join('; ')}`);
  }
  return parsed.data;
}
