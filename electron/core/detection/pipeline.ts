import type { SampleBatch } from '../../../shared/samples';
import { ValidationStage, type DataQualityEvent, type ValidationStageOptions } from '../validation/stage';
import { DetectionStage, type DetectionResult, type DetectionStageOptions } from './stage';

export interface DetectionPipelineOptions {
  validation: ValidationStageOptions;
  detection?: DetectionStageOptions;
}

export interface PipelineResult {
  flags: Uint32Array;
  dataQuality: DataQualityEvent[];
  detection: DetectionResult;
}

/**
 * Validation followed by detection: the first two stages of the live pipeline, as one
 * object, so `vigil detect` and the core run exactly the same code. Stale tags (found by
 * tick) are taken out of their assets' scores until they deliver again.
 */
export class DetectionPipeline {
  readonly validation: ValidationStage;
  readonly detection: DetectionStage;

  constructor(options: DetectionPipelineOptions) {
    this.validation = new ValidationStage(options.validation);
    this.detection = new DetectionStage(options.detection);
  }

  setTags(
    tags: readonly { id: string; assetId: string; range: { low: number; high: number } | null }[],
  ): void {
    this.validation.setTags(tags);
    this.detection.setTags(tags);
  }

  process(batch: SampleBatch): PipelineResult {
    const { flags, events } = this.validation.process(batch);
    const detection = this.detection.process(batch, flags);
    return { flags, dataQuality: events, detection };
  }

  /** Staleness check as of `now`; see ValidationStage.tick. */
  tick(now: number, correlationId?: string): DataQualityEvent[] {
    const events = this.validation.tick(now, correlationId);
    if (events.length) this.detection.invalidate(events.map((e) => e.tagId));
    return events;
  }
}
