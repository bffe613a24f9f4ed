import {
  DataType,
  makeEUInformation,
  type EUInformation,
  type Namespace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { ModelAsset, PlantModel } from './plantModel';
import type { SimulatorAssetInfo } from './types';
import { UNITS, type UnitKey } from './units';

/** What the playback writes to: the variables of one asset, in the asset's tag order. */
export interface BuiltAsset {
  model: ModelAsset;
  variables: UAVariable[];
}

export interface BuiltAddressSpace {
  assets: BuiltAsset[];
  info: SimulatorAssetInfo[];
}

function euInformation(key: UnitKey): EUInformation {
  const unit = UNITS[key];
  if (unit.code) return makeEUInformation(unit.code, unit.symbol, unit.name);
  // OPC 10000-8: unitId -1 when no UN/ECE code applies.
  const eu = makeEUInformation('', unit.symbol, unit.name);
  eu.unitId = -1;
  return eu;
}

/**
 * Builds Objects/Demo Plant/<area>/<asset>/<tag>: the site and areas are Folders (Organizes),
 * assets are Objects, tags are AnalogItems (HasComponent) of DataType Double with a Description,
 * EngineeringUnits and EURange; a tag without a range (the synthetic load-test signals) is a plain
 * Double variable, which is five times quicker to create when there are 10,000 of them. Node ids are stable strings "Site.Area.Asset.Tag" in the server's
 * own namespace. MinimumSamplingInterval 0 marks the values as changing by exception, so monitored
 * items with samplingInterval 0 get every change.
 */
export function buildAddressSpace(
  namespace: Namespace,
  objectsFolder: UAObject,
  model: PlantModel,
): BuiltAddressSpace {
  const ns = namespace.index;
  const site = namespace.addFolder(objectsFolder, {
    browseName: model.site.name,
    nodeId: `s=${model.site.key}`,
    description: 'Demonstration plant served by the Vigil simulator',
  });
  const units = new Map<UnitKey, EUInformation>();
  const unitOf = (key: UnitKey) => {
    let eu = units.get(key);
    if (!eu) units.set(key, (eu = euInformation(key)));
    return eu;
  };
  const assets: BuiltAsset[] = [];
  const info: SimulatorAssetInfo[] = [];
  for (const area of model.areas) {
    const areaPath = `${model.site.key}.${area.key}`;
    const areaFolder = namespace.addFolder(site, { browseName: area.name, nodeId: `s=${areaPath}` });
    for (const asset of area.assets) {
      const assetPath = `${areaPath}.${asset.key}`;
      const assetObject = namespace.addObject({
        organizedBy: areaFolder,
        browseName: asset.name,
        nodeId: `s=${assetPath}`,
        description: asset.description,
      });
      const variables = asset.tags.map((tag): UAVariable => {
        const common = {
          componentOf: assetObject,
          browseName: tag.browseName,
          nodeId: `s=${assetPath}.${tag.browseName}`,
          description: tag.description,
          dataType: DataType.Double,
          minimumSamplingInterval: 0,
        };
        if (!tag.range) return namespace.addVariable(common);
        return namespace.addAnalogDataItem({
          ...common,
          engineeringUnits: unitOf(tag.unit),
          engineeringUnitsRange: tag.range,
        }) as UAVariable;
      });
      assets.push({ model: asset, variables });
      info.push({
        site: model.site.name,
        area: area.name,
        asset: asset.name,
        nodeId: `ns=${ns};s=${assetPath}`,
        description: asset.description,
        ...(asset.source ? { source: asset.source } : {}),
        tags: asset.tags.map((tag) => ({
          browseName: tag.browseName,
          nodeId: `ns=${ns};s=${assetPath}.${tag.browseName}`,
          description: tag.description,
          unit: UNITS[tag.unit].symbol,
          range: tag.range ? { ...tag.range } : null,
        })),
      });
    }
  }
  return { assets, info };
}
