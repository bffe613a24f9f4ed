import type { Asset, Tag } from '../../../shared/domain';
import { assetScoreTagId, tagScoreTagId } from './derivedTags';

/**
 * Tag entries for the anomaly scores the detectors write, so they can be listed, trended,
 * queried and used by alarm definitions like any measured tag.
 */
export function derivedScoreTags(assets: readonly Asset[], tags: readonly Tag[]): Tag[] {
  const derived: Tag[] = [];
  const assetsWithTags = new Set(tags.map((t) => t.assetId));
  for (const asset of assets) {
    if (!assetsWithTags.has(asset.id)) continue;
    derived.push({
      id: assetScoreTagId(asset.id),
      assetId: asset.id,
      name: 'Anomaly score',
      description: `Anomaly score of ${asset.name}: 0 normal, 0.5 at the alarm threshold, 1 far outside normal`,
      unit: '',
      range: { low: 0, high: 1 },
      source: null,
      kind: 'anomaly',
    });
  }
  for (const tag of tags) {
    if (tag.kind === 'anomaly') continue;
    derived.push({
      id: tagScoreTagId(tag.id),
      assetId: tag.assetId,
      name: `${tag.name} anomaly`,
      description: `Anomaly score of ${tag.name}: 0 normal, 0.5 at its threshold`,
      unit: '',
      range: { low: 0, high: 1 },
      source: null,
      kind: 'anomaly',
      derivedFrom: tag.id,
    });
  }
  return derived;
}
