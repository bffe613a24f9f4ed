import {
  AttributeIds,
  VariableIds,
  type ClientSession,
  type DataValue,
  type ReadValueIdOptions,
} from 'node-opcua';

/**
 * The limits a server announces in Server/ServerCapabilities (OPC UA Part 5, 6.3.2 and 6.3.11).
 * 0 means "not announced"; callers then use their own conservative size.
 */
export interface ServerLimits {
  maxNodesPerRead: number;
  maxNodesPerBrowse: number;
  maxNodesPerWrite: number;
  maxNodesPerMethodCall: number;
  maxNodesPerHistoryReadData: number;
  maxMonitoredItemsPerCall: number;
  /** OPC UA 1.05 ServerCapabilities (absent on older servers). */
  maxSubscriptionsPerSession: number;
  maxMonitoredItemsPerSubscription: number;
  minSupportedSampleRate: number;
}

const LIMIT_NODES: Record<keyof ServerLimits, number> = {
  maxNodesPerRead: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
  maxNodesPerBrowse: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerBrowse,
  maxNodesPerWrite: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerWrite,
  maxNodesPerMethodCall: VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerMethodCall,
  maxNodesPerHistoryReadData:
    VariableIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerHistoryReadData,
  maxMonitoredItemsPerCall: VariableIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
  maxSubscriptionsPerSession: VariableIds.Server_ServerCapabilities_MaxSubscriptionsPerSession,
  maxMonitoredItemsPerSubscription: VariableIds.Server_ServerCapabilities_MaxMonitoredItemsPerSubscription,
  minSupportedSampleRate: VariableIds.Server_ServerCapabilities_MinSupportedSampleRate,
};

/** Used when a server announces no limit: small enough for any server we know of. */
export const FALLBACK_NODES_PER_CALL = 500;

export async function readServerLimits(session: ClientSession): Promise<ServerLimits> {
  const keys = Object.keys(LIMIT_NODES) as (keyof ServerLimits)[];
  const values = await session.read(
    keys.map((k) => ({ nodeId: `i=${LIMIT_NODES[k]}`, attributeId: AttributeIds.Value })),
  );
  const limits = {} as ServerLimits;
  keys.forEach((key, i) => {
    const dv = values[i];
    const v = dv?.statusCode.isGood() ? Number(dv.value.value) : 0;
    limits[key] = Number.isFinite(v) && v > 0 ? v : 0;
  });
  return limits;
}

/** `limit` when the server announced one, else `fallback`. */
export function perCall(limit: number, fallback = FALLBACK_NODES_PER_CALL): number {
  return limit > 0 ? limit : fallback;
}

/** Reads any number of attributes in calls no larger than the server allows, in order. */
export async function readChunked(
  session: ClientSession,
  nodes: readonly ReadValueIdOptions[],
  maxPerCall: number,
): Promise<DataValue[]> {
  const out: DataValue[] = [];
  for (let start = 0; start < nodes.length; start += maxPerCall) {
    out.push(...(await session.read(nodes.slice(start, start + maxPerCall) as ReadValueIdOptions[])));
  }
  return out;
}
