import {
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  ObjectTypeIds,
  resolveNodeId,
  type ClientSession,
  type ReferenceDescription,
} from 'node-opcua';
import type { Asset, Tag } from '../../../shared/domain';
import { slug } from './ids';
import { browseProperties } from './properties';
import { FALLBACK_NODES_PER_CALL, readChunked } from './serverLimits';

/** Numeric OPC UA data types Vigil trends, as scalars or one-dimensional arrays (waveforms). */
export const NUMERIC_TYPES = new Set<number>([
  DataType.Boolean,
  DataType.SByte,
  DataType.Byte,
  DataType.Int16,
  DataType.UInt16,
  DataType.Int32,
  DataType.UInt32,
  DataType.Int64,
  DataType.UInt64,
  DataType.Float,
  DataType.Double,
]);

/**
 * Alarm and condition instances (the standard types of OPC UA Part 9) are objects with numeric
 * variables too, but they are alarms, not equipment: Alarms & Conditions handles them.
 */
const CONDITION_TYPES = new Set<unknown>(
  Object.entries(ObjectTypeIds)
    .filter(([name]) => /(Condition|Alarm)Type$/.test(name))
    .map(([, id]) => id),
);

function isCondition(ref: ReferenceDescription): boolean {
  const type = ref.typeDefinition;
  return !!type && type.namespace === 0 && CONDITION_TYPES.has(type.value);
}

export interface DiscoveredModel {
  assets: Asset[];
  tags: Tag[];
  /** Asset id of each discovered asset's node (events name their source by node id). */
  assetIdByNodeId: Map<string, string>;
}

/** Calls no larger than the server allows (its OperationLimits); fallbacks when it announces none. */
export interface DiscoveryLimits {
  maxNodesPerRead: number;
  maxNodesPerBrowse: number;
}

const DEFAULT_LIMITS: DiscoveryLimits = {
  maxNodesPerRead: FALLBACK_NODES_PER_CALL,
  maxNodesPerBrowse: FALLBACK_NODES_PER_CALL,
};

const MAX_DEPTH = 8;
const MAX_NODES = 100_000;

/**
 * Walks the server's address space below Objects (or below `rootPath`) and builds the
 * site / area / asset hierarchy: an Object that has numeric Variables is an asset, its
 * ancestors are areas, the topmost is the site. The standard Server object is skipped.
 */
export async function discoverModel(
  session: ClientSession,
  connectionId: string,
  rootPath: readonly string[],
  limits: DiscoveryLimits = DEFAULT_LIMITS,
): Promise<DiscoveredModel> {
  const rootNodeId = await resolveRoot(session, rootPath);
  const assets: Asset[] = [];
  const tags: Tag[] = [];
  const assetIdByNodeId = new Map<string, string>();
  let visited = 0;

  interface Pending {
    nodeId: string;
    name: string;
    path: string[];
    parentId: string | null;
    depth: number;
  }

  async function visit(node: Pending): Promise<boolean> {
    if (++visited > MAX_NODES) throw new Error(`Address space larger than ${MAX_NODES} nodes below the root`);
    const refs = await browseChildren(session, node.nodeId);
    const variables = refs.filter((r) => r.nodeClass === NodeClass.Variable);
    const objects = refs.filter(
      (r) =>
        r.nodeClass === NodeClass.Object &&
        r.nodeId.toString() !== 'ns=0;i=2253' &&
        r.nodeId.namespace !== 0 &&
        !isCondition(r),
    );
    const id = node.path.length ? `${connectionId}/${node.path.map(slug).join('/')}` : connectionId;
    const numeric = variables.length ? await numericVariables(session, variables, limits) : [];
    const childrenAssets: Pending[] = objects.map((o) => ({
      nodeId: o.nodeId.toString(),
      name: o.browseName.name ?? o.nodeId.toString(),
      path: [...node.path, o.browseName.name ?? o.nodeId.toString()],
      parentId: node.path.length ? id : null,
      depth: node.depth + 1,
    }));

    const assetIndex = assets.length;
    if (node.path.length) {
      assets.push({
        id,
        parentId: node.parentId,
        kind: numeric.length ? 'asset' : 'area',
        name: node.name,
        description: '',
        connectionId,
      });
    }
    if (numeric.length && node.path.length) {
      const details = await readTagDetails(session, numeric, limits);
      numeric.forEach((ref, i) => {
        const name = ref.browseName.name ?? ref.nodeId.toString();
        const d = details[i]!;
        tags.push({
          id: `${id}/${slug(name)}`,
          assetId: id,
          name,
          description: d.description,
          unit: d.unit,
          range: d.range,
          source: { connectionId, nodeId: ref.nodeId.toString() },
        });
      });
    }
    let hasAssetBelow = numeric.length > 0;
    if (node.depth < MAX_DEPTH) {
      for (const child of childrenAssets) {
        if (await visit(child)) hasAssetBelow = true;
      }
    }
    // Folders without any asset below them (e.g. vendor diagnostics) are not shown.
    if (node.path.length && !hasAssetBelow) assets.splice(assetIndex, 1);
    else if (node.path.length) assetIdByNodeId.set(node.nodeId, id);
    return hasAssetBelow;
  }

  await visit({ nodeId: rootNodeId, name: '', path: [], parentId: null, depth: 0 });
  markSites(assets);
  return { assets, tags, assetIdByNodeId };
}

/** Top-level folders are sites; anything between a site and an asset is an area. */
function markSites(assets: Asset[]): void {
  for (const asset of assets) {
    if (asset.parentId === null && asset.kind !== 'asset') asset.kind = 'site';
  }
}

async function resolveRoot(session: ClientSession, rootPath: readonly string[]): Promise<string> {
  let current = 'ns=0;i=85'; // Objects folder
  for (const segment of rootPath) {
    const refs = await browseChildren(session, current);
    const next = refs.find((r) => r.browseName.name === segment || r.displayName.text === segment);
    if (!next) throw new Error(`Root path segment "${segment}" not found under ${current}`);
    current = next.nodeId.toString();
  }
  return current;
}

async function browseChildren(session: ClientSession, nodeId: string): Promise<ReferenceDescription[]> {
  const result = await session.browse({
    nodeId: resolveNodeId(nodeId),
    referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true,
    browseDirection: BrowseDirection.Forward,
    nodeClassMask: NodeClass.Object | NodeClass.Variable,
    resultMask: 0x3f,
  });
  const refs = [...(result.references ?? [])];
  let continuationPoint = result.continuationPoint;
  while (continuationPoint && continuationPoint.length) {
    const next = await session.browseNext(continuationPoint, false);
    refs.push(...(next.references ?? []));
    continuationPoint = next.continuationPoint;
  }
  // Properties (HasProperty, e.g. EURange) are metadata, not tags.
  return refs.filter((r) => r.referenceTypeId.toString() !== 'ns=0;i=46');
}

async function numericVariables(
  session: ClientSession,
  variables: ReferenceDescription[],
  limits: DiscoveryLimits,
): Promise<ReferenceDescription[]> {
  const values = await readChunked(
    session,
    variables.flatMap((v) => [
      { nodeId: v.nodeId, attributeId: AttributeIds.DataType },
      { nodeId: v.nodeId, attributeId: AttributeIds.ValueRank },
    ]),
    // Pairs stay in one call.
    Math.max(2, limits.maxNodesPerRead - (limits.maxNodesPerRead % 2)),
  );
  return variables.filter((_, i) => {
    const dataType = values[i * 2]?.value.value as { value?: number; namespace?: number } | undefined;
    const valueRank = values[i * 2 + 1]?.value.value as number | undefined;
    // Scalars, and one-dimensional arrays (waveforms), which arrive as one batch per notification.
    const shape = valueRank === undefined || valueRank === -1 || valueRank === 1;
    return shape && dataType?.namespace === 0 && NUMERIC_TYPES.has(dataType.value ?? -1);
  });
}

interface TagDetails {
  description: string;
  unit: string;
  range: { low: number; high: number } | null;
}

async function readTagDetails(
  session: ClientSession,
  refs: ReferenceDescription[],
  limits: DiscoveryLimits,
): Promise<TagDetails[]> {
  const details: TagDetails[] = [];
  // Batched: one browse and up to three reads per tag per chunk instead of round trips per tag.
  const batch = Math.max(1, Math.min(limits.maxNodesPerBrowse, Math.floor(limits.maxNodesPerRead / 3)));
  for (let start = 0; start < refs.length; start += batch) {
    const chunk = refs.slice(start, start + batch);
    const props = await browseProperties(
      session,
      chunk.map((r) => r.nodeId.toString()),
    );
    const reads: { nodeId: string; attributeId: number }[] = [];
    const slots = chunk.map((r, i) => {
      const slot = { description: reads.length, eu: -1, range: -1 };
      reads.push({ nodeId: r.nodeId.toString(), attributeId: AttributeIds.Description });
      const eu = props[i]?.get('EngineeringUnits');
      const range = props[i]?.get('EURange');
      if (eu) {
        slot.eu = reads.length;
        reads.push({ nodeId: eu, attributeId: AttributeIds.Value });
      }
      if (range) {
        slot.range = reads.length;
        reads.push({ nodeId: range, attributeId: AttributeIds.Value });
      }
      return slot;
    });
    const values = await readChunked(session, reads, limits.maxNodesPerRead);
    for (const slot of slots) {
      const description = values[slot.description]?.value.value as { text?: string } | null;
      const eu =
        slot.eu >= 0 ? (values[slot.eu]?.value.value as { displayName?: { text?: string } } | null) : null;
      const range =
        slot.range >= 0 ? (values[slot.range]?.value.value as { low?: number; high?: number } | null) : null;
      details.push({
        description: description?.text ?? '',
        unit: eu?.displayName?.text ?? '',
        range:
          range && Number.isFinite(range.low) && Number.isFinite(range.high)
            ? { low: range.low!, high: range.high! }
            : null,
      });
    }
  }
  return details;
}
