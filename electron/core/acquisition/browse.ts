import {
  AccessLevelFlag,
  AttributeIds,
  BrowseDirection,
  DataType,
  NodeClass,
  resolveNodeId,
  type ClientSession,
  type ReferenceDescription,
} from 'node-opcua';
import { readChunked } from './serverLimits';
import { NUMERIC_TYPES } from './discovery';
import { browseProperties } from './properties';

/** One child node, as the browse tree of the connections view shows it. */
export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  /** May be expanded (objects always may; variables when they have components). */
  hasChildren: boolean;
  variable: VariableDetails | null;
}

export interface VariableDetails {
  /** Built-in type name (e.g. "Double") or the DataType node id for other types. */
  dataType: string;
  valueRank: number;
  arrayDimensions: number[] | null;
  access: { read: boolean; write: boolean; history: boolean };
  historizing: boolean;
  description: string;
  unit: string;
  range: { low: number; high: number } | null;
  /** Numeric scalar or one-dimensional numeric array: can become a Vigil tag. */
  trendable: boolean;
}

export interface BrowsePage {
  nodeId: string;
  entries: BrowseEntry[];
  /** Children in total (entries holds offset..offset+limit of them). */
  total: number;
}

const VARIABLE_ATTRIBUTES = [
  AttributeIds.DataType,
  AttributeIds.ValueRank,
  AttributeIds.ArrayDimensions,
  AttributeIds.AccessLevel,
  AttributeIds.Historizing,
  AttributeIds.Description,
];

const HAS_PROPERTY = 'ns=0;i=46';
const OBJECTS_FOLDER = 'i=85';

/**
 * Lists the children of one node (lazy browsing: the tree asks for a level when it is opened), with
 * for each variable its data type, shape, access level, history, engineering unit and range. Large
 * folders are paged: every reference is listed, details are read only for the requested page.
 */
export async function browseNode(
  session: ClientSession,
  nodeId: string | undefined,
  page: { offset: number; limit: number },
  maxNodesPerRead: number,
): Promise<BrowsePage> {
  const target = nodeId ?? OBJECTS_FOLDER;
  let resolved;
  try {
    resolved = resolveNodeId(target);
  } catch {
    throw new Error(`"${target}" is not a node id (expected e.g. ns=2;s=Line1.Pump or i=85)`);
  }
  const first = await session.browse({
    nodeId: resolved,
    referenceTypeId: 'HierarchicalReferences',
    includeSubtypes: true,
    browseDirection: BrowseDirection.Forward,
    nodeClassMask: NodeClass.Object | NodeClass.Variable | NodeClass.Method | NodeClass.View,
    resultMask: 0x3f,
  });
  if (first.statusCode.isNotGood()) {
    const status = first.statusCode.name;
    throw new Error(
      status === 'BadNodeIdUnknown'
        ? `Node ${target} does not exist on the server`
        : `Cannot browse ${target}: ${status}`,
    );
  }
  const refs = [...(first.references ?? [])];
  let continuationPoint = first.continuationPoint;
  while (continuationPoint && continuationPoint.length) {
    const next = await session.browseNext(continuationPoint, false);
    refs.push(...(next.references ?? []));
    continuationPoint = next.continuationPoint;
  }
  // Properties (EURange, EngineeringUnits, ...) are details of their variable, not children.
  const children = refs.filter((r) => r.referenceTypeId.toString() !== HAS_PROPERTY);
  const slice = children.slice(page.offset, page.offset + page.limit);
  const variables = slice.filter((r) => r.nodeClass === NodeClass.Variable);
  const details = await variableDetails(
    session,
    variables.map((v) => v.nodeId.toString()),
    maxNodesPerRead,
  );
  const withComponents = await variablesWithComponents(session, variables);
  const entries = slice.map<BrowseEntry>((r) => {
    const id = r.nodeId.toString();
    const variable = details.get(id) ?? null;
    return {
      nodeId: id,
      browseName: r.browseName.toString(),
      displayName: r.displayName.text ?? r.browseName.name ?? id,
      nodeClass: NodeClass[r.nodeClass] ?? String(r.nodeClass),
      hasChildren:
        r.nodeClass === NodeClass.Object || r.nodeClass === NodeClass.View || withComponents.has(id),
      variable,
    };
  });
  return { nodeId: target, entries, total: children.length };
}

async function variablesWithComponents(
  session: ClientSession,
  variables: ReferenceDescription[],
): Promise<Set<string>> {
  if (!variables.length) return new Set();
  const results = await session.browse(
    variables.map((v) => ({
      nodeId: v.nodeId,
      referenceTypeId: 'HasComponent',
      includeSubtypes: true,
      browseDirection: BrowseDirection.Forward,
      nodeClassMask: NodeClass.Variable | NodeClass.Object,
      resultMask: 0,
    })),
  );
  const out = new Set<string>();
  results.forEach((r, i) => {
    if ((r.references ?? []).length) out.add(variables[i]!.nodeId.toString());
  });
  return out;
}

async function variableDetails(
  session: ClientSession,
  variables: readonly string[],
  maxNodesPerRead: number,
): Promise<Map<string, VariableDetails>> {
  const out = new Map<string, VariableDetails>();
  if (!variables.length) return out;
  const props = await browseProperties(session, variables);
  const reads: { nodeId: string; attributeId: number }[] = [];
  const slots = variables.map((nodeId, i) => {
    const base = reads.length;
    for (const attributeId of VARIABLE_ATTRIBUTES) reads.push({ nodeId, attributeId });
    const eu = props[i]?.get('EngineeringUnits');
    const range = props[i]?.get('EURange');
    let euAt = -1;
    let rangeAt = -1;
    if (eu) {
      euAt = reads.length;
      reads.push({ nodeId: eu, attributeId: AttributeIds.Value });
    }
    if (range) {
      rangeAt = reads.length;
      reads.push({ nodeId: range, attributeId: AttributeIds.Value });
    }
    return { base, euAt, rangeAt };
  });
  const values = await readChunked(session, reads, maxNodesPerRead);
  variables.forEach((nodeId, i) => {
    const { base, euAt, rangeAt } = slots[i]!;
    const value = (k: number) =>
      values[base + k]?.statusCode.isGood() ? (values[base + k]!.value.value as unknown) : null;
    const typeId = value(0) as { namespace?: number; value?: unknown; toString(): string } | null;
    const builtIn =
      typeId && typeId.namespace === 0 && typeof typeId.value === 'number' ? typeId.value : null;
    const valueRank = Number(value(1) ?? -1);
    const dims = value(2) as ArrayLike<number> | null;
    const access = Number(value(3) ?? 0);
    const eu =
      euAt >= 0 && values[euAt]?.statusCode.isGood()
        ? (values[euAt]!.value.value as { displayName?: { text?: string } } | null)
        : null;
    const range =
      rangeAt >= 0 && values[rangeAt]?.statusCode.isGood()
        ? (values[rangeAt]!.value.value as { low?: number; high?: number } | null)
        : null;
    out.set(nodeId, {
      dataType: builtIn !== null ? (DataType[builtIn] ?? String(builtIn)) : (typeId?.toString() ?? 'unknown'),
      valueRank,
      arrayDimensions: dims ? Array.from(dims) : null,
      access: {
        read: (access & AccessLevelFlag.CurrentRead) !== 0,
        write: (access & AccessLevelFlag.CurrentWrite) !== 0,
        history: (access & AccessLevelFlag.HistoryRead) !== 0,
      },
      historizing: value(4) === true,
      description: (value(5) as { text?: string } | null)?.text ?? '',
      unit: eu?.displayName?.text ?? '',
      range:
        range && Number.isFinite(range.low) && Number.isFinite(range.high)
          ? { low: range.low!, high: range.high! }
          : null,
      trendable: builtIn !== null && NUMERIC_TYPES.has(builtIn) && (valueRank === -1 || valueRank === 1),
    });
  });
  return out;
}

/** A variable the operator wants as a tag: its name and details, or why it cannot be one. */
export interface NodeDescription {
  nodeId: string;
  displayName: string;
  variable: VariableDetails | null;
  error: string | null;
}

/** Checks nodes before they become tags: they must exist, be variables and hold numbers. */
export async function describeVariables(
  session: ClientSession,
  nodeIds: readonly string[],
  maxNodesPerRead: number,
): Promise<NodeDescription[]> {
  const resolvable = nodeIds.map((id) => {
    try {
      resolveNodeId(id);
      return true;
    } catch {
      return false;
    }
  });
  const valid = nodeIds.filter((_, i) => resolvable[i]);
  const heads = await readChunked(
    session,
    valid.flatMap((nodeId) => [
      { nodeId, attributeId: AttributeIds.NodeClass },
      { nodeId, attributeId: AttributeIds.DisplayName },
    ]),
    Math.max(2, maxNodesPerRead - (maxNodesPerRead % 2)),
  );
  const headOf = new Map(valid.map((id, i) => [id, [heads[i * 2], heads[i * 2 + 1]] as const]));
  const variables = valid.filter((id) => headOf.get(id)?.[0]?.value.value === NodeClass.Variable);
  const details = await variableDetails(session, variables, maxNodesPerRead);
  return nodeIds.map((nodeId, i) => {
    const fail = (error: string): NodeDescription => ({ nodeId, displayName: '', variable: null, error });
    if (!resolvable[i]) return fail(`"${nodeId}" is not a node id (expected e.g. ns=2;s=Line1.Pump.Speed)`);
    const [nodeClass, displayName] = headOf.get(nodeId) ?? [];
    if (!nodeClass || nodeClass.statusCode.isNotGood()) {
      return fail(
        `Node ${nodeId} does not exist on the server (${nodeClass?.statusCode.name ?? 'no answer'})`,
      );
    }
    if (nodeClass.value.value !== NodeClass.Variable) {
      return fail(
        `Node ${nodeId} is a ${NodeClass[nodeClass.value.value as number] ?? 'node'}, not a variable`,
      );
    }
    const variable = details.get(nodeId) ?? null;
    const name = (displayName?.value.value as { text?: string } | null)?.text ?? nodeId;
    if (!variable?.trendable) {
      return {
        nodeId,
        displayName: name,
        variable,
        error: `Variable ${nodeId} holds ${variable?.dataType ?? 'unknown'} values, not numbers Vigil can trend`,
      };
    }
    return { nodeId, displayName: name, variable, error: null };
  });
}
