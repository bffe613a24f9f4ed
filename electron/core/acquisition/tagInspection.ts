import { AccessLevelFlag, AttributeIds, NodeClass, type ClientSession } from 'node-opcua';
import { browseProperties } from './properties';
import { readChunked } from './serverLimits';

/** What Vigil needs to know about a tag's variable before monitoring it. */
export interface TagFacts {
  /** Why the tag cannot be monitored, null when it can. */
  error: string | null;
  array: boolean;
  /** The server keeps history for it (AccessLevel HistoryRead bit), so gaps can be backfilled. */
  history: boolean;
  /** Spacing of array elements, when the server says (SampleRateHz property or XAxisDefinition). */
  arrayTiming: ArrayTiming | null;
}

export type ArrayTiming = { kind: 'interval'; dtMs: number } | { kind: 'span'; spanMs: number };

const ATTRIBUTES = [
  AttributeIds.NodeClass,
  AttributeIds.ValueRank,
  AttributeIds.AccessLevel,
  AttributeIds.Historizing,
];

/** Property names that give an array's sample rate in Hz (Vigil's simulator and common vendor names). */
const RATE_PROPERTIES = new Set(['SampleRateHz', 'SampleRate', 'SamplingRate', 'SamplingFrequency']);

/**
 * Reads NodeClass, ValueRank, AccessLevel and Historizing of every tag in calls within the server's
 * MaxNodesPerRead, and the timing properties of array tags. A node id that does not exist, is not a
 * variable or cannot be read gets a clear error; the other tags are unaffected.
 */
export async function inspectTags(
  session: ClientSession,
  nodeIds: readonly string[],
  maxNodesPerRead: number,
): Promise<TagFacts[]> {
  const per = ATTRIBUTES.length;
  const chunk = Math.max(per, maxNodesPerRead - (maxNodesPerRead % per));
  const values = await readChunked(
    session,
    nodeIds.flatMap((nodeId) => ATTRIBUTES.map((attributeId) => ({ nodeId, attributeId }))),
    chunk,
  );
  const facts = nodeIds.map<TagFacts>((nodeId, i) => {
    const [nodeClass, valueRank, accessLevel, historizing] = values.slice(i * per, i * per + per);
    if (!nodeClass || nodeClass.statusCode.isNotGood()) {
      const status = nodeClass?.statusCode.name ?? 'no answer';
      const missing = status === 'BadNodeIdUnknown' || status === 'BadNodeIdInvalid';
      return fail(
        missing
          ? `Node ${nodeId} does not exist on the server (${status})`
          : `Node ${nodeId} cannot be read (${status})`,
      );
    }
    if (nodeClass.value.value !== NodeClass.Variable) {
      return fail(
        `Node ${nodeId} is a${/^[AEIOU]/.test(NodeClass[nodeClass.value.value as number] ?? '') ? 'n' : ''} ${NodeClass[nodeClass.value.value as number] ?? 'node'}, not a variable`,
      );
    }
    const access = accessLevel?.statusCode.isGood()
      ? Number(accessLevel.value.value)
      : AccessLevelFlag.CurrentRead;
    if ((access & AccessLevelFlag.CurrentRead) === 0)
      return fail(`Variable ${nodeId} is not readable (AccessLevel ${access})`);
    const rank = valueRank?.statusCode.isGood() ? Number(valueRank.value.value) : -1;
    const history = (access & AccessLevelFlag.HistoryRead) !== 0 || historizing?.value.value === true;
    return { error: null, array: rank === 1, history, arrayTiming: null };
  });
  const arrays = facts.map((f, i) => (f.array && !f.error ? i : -1)).filter((i) => i >= 0);
  if (arrays.length) {
    const timings = await readArrayTimings(
      session,
      arrays.map((i) => nodeIds[i]!),
      maxNodesPerRead,
    );
    arrays.forEach((i, k) => (facts[i]!.arrayTiming = timings[k] ?? null));
  }
  return facts;
}

function fail(error: string): TagFacts {
  return { error, array: false, history: false, arrayTiming: null };
}

async function readArrayTimings(
  session: ClientSession,
  nodeIds: readonly string[],
  maxNodesPerRead: number,
): Promise<(ArrayTiming | null)[]> {
  const browsed = await browseProperties(session, nodeIds);
  const reads: { nodeId: string; attributeId: number }[] = [];
  const wanted = browsed.map((properties) => {
    const rateName = [...properties.keys()].find((name) => RATE_PROPERTIES.has(name));
    const rate = rateName === undefined ? undefined : properties.get(rateName);
    const nodeId = rate ?? properties.get('XAxisDefinition');
    if (!nodeId) return null;
    reads.push({ nodeId, attributeId: AttributeIds.Value });
    return { index: reads.length - 1, kind: rate ? ('rate' as const) : ('axis' as const) };
  });
  const values = reads.length ? await readChunked(session, reads, maxNodesPerRead) : [];
  return wanted.map((w) => {
    if (!w) return null;
    const value = values[w.index]?.value.value as unknown;
    if (w.kind === 'rate') {
      const hz = Number(value);
      return hz > 0 ? { kind: 'interval', dtMs: 1000 / hz } : null;
    }
    return axisSpan(value);
  });
}

/**
 * XAxisDefinition (AxisInformation, OPC UA Part 8, 5.6.6): the time the array covers is EURange in
 * the axis' engineering unit; seconds and milliseconds are understood.
 */
function axisSpan(value: unknown): ArrayTiming | null {
  const axis = value as {
    eURange?: { low?: number; high?: number };
    engineeringUnits?: { displayName?: { text?: string } };
  } | null;
  const low = axis?.eURange?.low;
  const high = axis?.eURange?.high;
  if (typeof low !== 'number' || typeof high !== 'number' || !(high > low)) return null;
  const unit = axis?.engineeringUnits?.displayName?.text?.trim().toLowerCase() ?? '';
  const scale =
    unit === 'ms'
      ? 1
      : unit === 's' || unit === 'sec' || unit === 'second' || unit === 'seconds'
        ? 1000
        : null;
  return scale === null ? null : { kind: 'span', spanMs: (high - low) * scale };
}
