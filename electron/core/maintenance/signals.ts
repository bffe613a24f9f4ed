import { ASSET_SCORE_SUFFIX } from '../detection/derivedTags';
import type { SignalSource } from './service';

/**
 * The signal source of the streaming detectors' asset anomaly score ("<assetId>/anomaly_score",
 * 0..1 with 0.5 at the detector's threshold): combine it with the RUL and failure-risk tags of the
 * ONNX models when those exist, e.g. `(t) => anomalyScoreSource(t) ?? modelRegistry.sourceOf(t)`.
 */
export function anomalyScoreSource(
  tagId: string,
  model: { id: string; version: string } = { id: 'vigil-streaming-detector', version: '1' },
): SignalSource | undefined {
  if (!tagId.endsWith(ASSET_SCORE_SUFFIX)) return undefined;
  return {
    assetId: tagId.slice(0, -ASSET_SCORE_SUFFIX.length),
    kind: 'anomaly_score',
    modelId: model.id,
    modelVersion: model.version,
  };
}
