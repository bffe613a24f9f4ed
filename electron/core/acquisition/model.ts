import type { Asset, Tag } from '../../../shared/domain';
import type { TagConfig } from './connectionSchema';
import type { DiscoveredModel } from './discovery';
import type { ConnectionSettings } from './settings';

export interface ConnectionModel {
  assets: Asset[];
  tags: Tag[];
  /** The configured entry of each tag that has one (monitoring parameters, sample rate). */
  configOf: Map<string, TagConfig>;
}

/**
 * The connection's asset model: what discovery found (when enabled) plus the assets and tags the
 * operator added. A configured tag replaces a discovered one on the same node, so the operator's
 * name, unit, range and sampling win.
 */
export function buildModel(
  settings: ConnectionSettings,
  discovered: DiscoveredModel | null,
): ConnectionModel {
  const assets: Asset[] = [...(discovered?.assets ?? [])];
  const known = new Set(assets.map((a) => a.id));
  for (const a of settings.assets) {
    if (known.has(a.id)) continue;
    known.add(a.id);
    assets.push({
      id: a.id,
      parentId: a.parentId ?? null,
      kind: a.kind ?? 'asset',
      name: a.name,
      description: a.description ?? '',
      connectionId: settings.id,
    });
  }
  const configuredNodes = new Set(settings.tags.map((t) => t.nodeId));
  const tags: Tag[] = (discovered?.tags ?? []).filter((t) => !configuredNodes.has(t.source?.nodeId ?? ''));
  const configOf = new Map<string, TagConfig>();
  const ids = new Set(tags.map((t) => t.id));
  for (const t of settings.tags) {
    if (ids.has(t.id)) continue;
    ids.add(t.id);
    configOf.set(t.id, t);
    tags.push({
      id: t.id,
      assetId: t.assetId,
      name: t.name,
      description: t.description ?? '',
      unit: t.unit ?? '',
      range: t.range ?? null,
      source: { connectionId: settings.id, nodeId: t.nodeId },
    });
  }
  return { assets, tags, configOf };
}
