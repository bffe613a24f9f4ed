/**
 * Ids of the derived tags the detectors write. They travel as ordinary samples, so the
 * historian stores them, trends draw them and alarm definitions can use them.
 */
export const ASSET_SCORE_SUFFIX = '/anomaly_score';
export const TAG_SCORE_SUFFIX = '#anomaly';

/** The anomaly score of an asset, 0..1 (0.5 = its anomaly threshold). */
export function assetScoreTagId(assetId: string): string {
  return `${assetId}${ASSET_SCORE_SUFFIX}`;
}

/** The anomaly score of one tag, 0..1 (0.5 = the tag alone exceeds its threshold). */
export function tagScoreTagId(tagId: string): string {
  return `${tagId}${TAG_SCORE_SUFFIX}`;
}

/** Derived tags are outputs: the detectors never score them again. */
export function isDerivedTagId(tagId: string): boolean {
  return tagId.endsWith(TAG_SCORE_SUFFIX) || tagId.endsWith(ASSET_SCORE_SUFFIX);
}

/** Default asset of a tag id "<assetId>/<tag>": everything before the last "/". */
export function assetOfTagId(tagId: string): string {
  const cut = tagId.lastIndexOf('/');
  return cut > 0 ? tagId.slice(0, cut) : tagId;
}
