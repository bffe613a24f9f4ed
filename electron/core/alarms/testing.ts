import { SampleBatchBuilder, type SampleBatch } from '../../../shared/samples';
import { STATUS_GOOD } from '../../../shared/quality';
import type { TagCatalog, TagInfo } from './engine';

/*
 * Small builders shared by the alarm, notification and maintenance tests and the benchmark.
 * Plain code, no test framework: the benchmark uses it too.
 */

/** A tag catalog backed by a map: tag id -> asset id. */
export class MapTagCatalog implements TagCatalog {
  private readonly tags = new Map<string, TagInfo>();

  constructor(entries: Record<string, string> = {}) {
    for (const [id, assetId] of Object.entries(entries)) this.add(id, assetId);
  }

  add(id: string, assetId: string): this {
    this.tags.set(id, { id, assetId });
    return this;
  }

  getTag(tagId: string): TagInfo | undefined {
    return this.tags.get(tagId);
  }
}

export type SampleSpec = [tagId: string, value: number, timestamp?: number, quality?: number];

let batchCounter = 0;

/** One batch from [tagId, value, timestamp?, quality?] rows; timestamps default to `at`. */
export function batchOf(rows: readonly SampleSpec[], at: number, correlationId = `batch-${++batchCounter}`): SampleBatch {
  const builder = new SampleBatchBuilder(Math.max(1, rows.length));
  for (const [tagId, value, timestamp, quality] of rows) builder.push(tagId, timestamp ?? at, value, quality ?? STATUS_GOOD);
  return builder.take(correlationId);
}
