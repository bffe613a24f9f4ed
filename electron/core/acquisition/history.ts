import {
  HistoryData,
  HistoryReadRequest,
  ReadRawModifiedDetails,
  TimestampsToReturn,
  type ClientSession,
} from 'node-opcua';
import type { BackfillSample } from './collector';
import { toNumber, qualityOf, timestampOf } from './values';

export interface HistoryRequest {
  slot: number;
  nodeId: string;
  /** Read values strictly after this source time... */
  after: number;
  /** ...and strictly before this one (Infinity: up to now). */
  before: number;
}

export interface HistoryResult {
  slot: number;
  samples: BackfillSample[];
  /** Why the tag's history could not be read, null when it was. */
  error: string | null;
  /** More values existed than maxValuesPerTag allowed. */
  truncated: boolean;
}

export interface HistoryReadOptions {
  maxNodesPerCall: number;
  maxValuesPerTag: number;
  /** The server's clock may run ahead of ours; read this far past "now" for open-ended gaps. */
  clockSkewMs?: number;
  now: number;
}

/** Values per node per HistoryRead call; more come with continuation points. */
const VALUES_PER_CALL = 10_000;

/**
 * Reads raw history (HistoryRead with ReadRawModifiedDetails, OPC UA Part 11, 6.4.3.2) for the gaps
 * of many tags. Tags are sorted by where their gap starts and read in calls of at most
 * `maxNodesPerCall` nodes sharing one time window, so a slow tag whose last change was hours ago
 * does not stretch the window of thousands of fast ones. Continuation points are followed up to
 * `maxValuesPerTag` values per tag and released when the limit is reached.
 */
export async function readHistoryRaw(
  session: ClientSession,
  requests: readonly HistoryRequest[],
  options: HistoryReadOptions,
): Promise<HistoryResult[]> {
  const sorted = [...requests].sort((a, b) => a.after - b.after);
  const results: HistoryResult[] = [];
  for (let i = 0; i < sorted.length; i += options.maxNodesPerCall) {
    results.push(...(await readChunk(session, sorted.slice(i, i + options.maxNodesPerCall), options)));
  }
  return results;
}

async function readChunk(
  session: ClientSession,
  chunk: readonly HistoryRequest[],
  options: HistoryReadOptions,
): Promise<HistoryResult[]> {
  const start = Math.max(0, Math.min(...chunk.map((r) => r.after)));
  const ends = chunk.map((r) =>
    Number.isFinite(r.before) ? r.before : options.now + (options.clockSkewMs ?? 60_000),
  );
  const end = Math.max(...ends);
  const details = new ReadRawModifiedDetails({
    isReadModified: false,
    // The start bound is inclusive in OPC UA; the value at `after` is filtered out later.
    startTime: new Date(start),
    endTime: new Date(end),
    numValuesPerNode: Math.min(VALUES_PER_CALL, options.maxValuesPerTag),
    returnBounds: false,
  });
  const results = chunk.map<HistoryResult>((r) => ({
    slot: r.slot,
    samples: [],
    error: null,
    truncated: false,
  }));
  let pending = chunk.map((r, i) => ({
    index: i,
    nodeId: r.nodeId,
    continuationPoint: undefined as Buffer | undefined,
  }));
  while (pending.length) {
    const response = await session.historyRead(
      new HistoryReadRequest({
        historyReadDetails: details,
        timestampsToReturn: TimestampsToReturn.Both,
        releaseContinuationPoints: false,
        nodesToRead: pending.map((p) => ({ nodeId: p.nodeId, continuationPoint: p.continuationPoint })),
      }),
    );
    const next: typeof pending = [];
    const release: typeof pending = [];
    (response.results ?? []).forEach((result, k) => {
      const p = pending[k]!;
      const out = results[p.index]!;
      const code = result.statusCode;
      if (code.isNotGood() && code.name !== 'GoodNoData' && code.name !== 'GoodMoreData') {
        out.error = `HistoryRead of ${p.nodeId} failed: ${code.name}`;
        return;
      }
      const data = result.historyData;
      const dataValues = data instanceof HistoryData ? (data.dataValues ?? []) : [];
      for (const dv of dataValues) {
        const raw = dv.value?.value as unknown;
        const v = toNumber(raw);
        out.samples.push({ t: timestampOf(dv, Number.NaN), v, q: qualityOf(dv.statusCode.value, v, raw) });
      }
      const cp = result.continuationPoint;
      if (cp && cp.length) {
        if (out.samples.length >= options.maxValuesPerTag) {
          out.truncated = true;
          release.push({ ...p, continuationPoint: cp });
        } else next.push({ ...p, continuationPoint: cp });
      }
    });
    if (release.length) await releaseContinuationPoints(session, details, release);
    pending = next;
  }
  for (const r of results) r.samples = r.samples.filter((s) => Number.isFinite(s.t));
  return results;
}

async function releaseContinuationPoints(
  session: ClientSession,
  details: ReadRawModifiedDetails,
  items: { nodeId: string; continuationPoint?: Buffer }[],
): Promise<void> {
  try {
    await session.historyRead(
      new HistoryReadRequest({
        historyReadDetails: details,
        timestampsToReturn: TimestampsToReturn.Both,
        releaseContinuationPoints: true,
        nodesToRead: items.map((p) => ({ nodeId: p.nodeId, continuationPoint: p.continuationPoint })),
      }),
    );
  } catch {
    // The server frees them when the session ends anyway.
  }
}
