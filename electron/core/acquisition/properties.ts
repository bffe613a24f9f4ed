import { BrowseDirection, NodeClass, type ClientSession } from 'node-opcua';

/**
 * The properties (HasProperty children: EngineeringUnits, EURange, SampleRate, ...) of each node,
 * by browse name -> property node id, in one Browse call. Discovery, browsing and tag inspection
 * all read a variable's properties this way.
 */
export async function browseProperties(
  session: ClientSession,
  nodeIds: readonly string[],
): Promise<Map<string, string>[]> {
  if (!nodeIds.length) return [];
  const browsed = await session.browse(
    nodeIds.map((nodeId) => ({
      nodeId,
      referenceTypeId: 'HasProperty',
      includeSubtypes: true,
      browseDirection: BrowseDirection.Forward,
      nodeClassMask: NodeClass.Variable,
      resultMask: 0x3f,
    })),
  );
  return browsed.map((result) => {
    const properties = new Map<string, string>();
    for (const r of result.references ?? []) {
      if (r.browseName.name) properties.set(r.browseName.name, r.nodeId.toString());
    }
    return properties;
  });
}
