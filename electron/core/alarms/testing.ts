import { SampleBatchBuilder, type SampleBatch } from '../../../shared/samples';
import { STATUS_GOOD } from '../../../shared/quality';

/*
 * Small builders shared by the alarm, notification and maintenance tests and the benchmark.
 * Plain code, no test framework: the benchmark uses it too.
 */

export { MapTagCatalog } from './ports';

export type SampleSpec = [tagId: string, value: number, timestamp?: number, quality?: number];

let batchCounter = 0;

/** One batch from [tagId, value, timestamp?, quality?] rows; timestamps default to `at`. */
export function batchOf(
  rows: readonly SampleSpec[],
  at: number,
  correlationId = `batch-${++batchCounter}`,
): SampleBatch {
  const builder = new SampleBatchBuilder(Math.max(1, rows.length));
  for (const [tagId, value, timestamp, quality] of rows)
    builder.push(tagId, timestamp ?? at, value, quality ?? STATUS_GOOD);
  return builder.take(correlationId);
}
