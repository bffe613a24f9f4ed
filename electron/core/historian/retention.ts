import type { HistorianStore } from './store';
import type { RetentionPolicy } from './types';

/**
 * Retention: deletes what is older than each resolution's retention, in small steps.
 *
 * Each step is one short transaction deleting at most `batchRows` rows per source, run between
 * flushes, so ingestion never waits behind a large delete. Freed pages go to SQLite's free list
 * and are reused by new chunks (no VACUUM, which would rewrite the whole file).
 *
 * Each step first moves the source's "horizon" to its cutoff: data at or after the horizon is
 * complete, data before it may be partly deleted. Queries use the horizons to answer older
 * parts of a range from the next coarser resolution (queries.ts), so a half-deleted day never
 * shows up as a dip in a trend.
 */

export interface RetentionStepResult {
  deletedRows: number;
  /** More expired rows remain: run another step soon. */
  more: boolean;
}

export function retentionStep(
  store: HistorianStore,
  policy: RetentionPolicy,
  now: number,
  batchRows: number,
): RetentionStepResult {
  let deletedRows = 0;
  let more = false;
  store.write(() => {
    if (policy.raw !== null) store.setHorizon(0, now - policy.raw);
    // A chunk that stands in for rollups (covers > 0) lives as long as the longest of them.
    let keep: number | null = policy.raw;
    for (const covers of [0, ...store.layout.resolutions]) {
      if (covers > 0) {
        const rollupKeep = policy.rollups[covers];
        keep =
          keep === null || rollupKeep === null || rollupKeep === undefined
            ? null
            : Math.max(keep, rollupKeep);
      }
      if (keep === null) break;
      const rows = store.expiredChunks(covers, now - keep, batchRows);
      for (const row of rows) store.deleteChunk(row.id, row.n, row.bytes);
      deletedRows += rows.length;
      if (rows.length === batchRows) more = true;
    }
    for (const res of store.layout.resolutions) {
      const keep = policy.rollups[res];
      if (keep === null || keep === undefined) continue;
      const cutoff = now - keep;
      store.setHorizon(res, cutoff);
      const blocks = store.expiredBlocks(res, cutoff, batchRows);
      for (const block of blocks) store.deleteBlock(block.id, res, block.n, block.bytes);
      deletedRows += blocks.length;
      if (blocks.length === batchRows) more = true;
    }
  });
  return { deletedRows, more };
}
