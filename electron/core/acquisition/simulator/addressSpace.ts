import {
  DataType,
  DataTypeIds,
  makeEUInformation,
  Range,
  resolveNodeId,
  Variant,
  type EUInformation,
  type Namespace,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { ModelAsset, ModelTag, PlantModel } from './plantModel';
import type { SimulatorAssetInfo } from './types';
import { UNITS, type UnitKey } from './units';

/** What the playback writes to: the variables of one asset, in the asset's tag order. */
export interface BuiltAsset {
  model: ModelAsset;
  /** "Site.Area.Asset": the asset's node id string without the namespace. */
  path: string;
  /** The asset Object (alarms make it an event notifier). */
  object: UAObject;
  variables: UAVariable[];
  /** Node id strings of `variables`, in the same order ("ns=1;s=..."). */
  nodeIds: string[];
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

interface TagVariableOptions {
  componentOf: UAObject;
  browseName: string;
  nodeId: string;
  description: string;
}

/** AxisScaleEnumeration.Linear (OPC 10000-8, 5.6.7). */
const AXIS_SCALE_LINEAR = 0;

/**
 * A waveform as OPC 10000-8 models one: a YArrayItem (Float array, ValueRank 1, ArrayDimensions
 * [length]) whose XAxisDefinition says the samples are equally spaced in time over
 * [0, (length - 1) / sampleRate] s, with EngineeringUnits and EURange for the values. A SampleRate
 * property states the rate directly for clients that do not read AxisInformation.
 */
function addWaveform(
  namespace: Namespace,
  common: TagVariableOptions,
  tag: ModelTag & { waveform: NonNullable<ModelTag['waveform']> },
  unitOf: (key: UnitKey) => EUInformation,
): UAVariable {
  const type = namespace.addressSpace.findVariableType('YArrayItemType');
  if (!type) throw new Error('YArrayItemType is missing from the address space');
  const { length, sampleRateHz } = tag.waveform;
  const variable = type.instantiate({
    ...common,
    dataType: DataType.Float,
    valueRank: 1,
    arrayDimensions: [length],
    minimumSamplingInterval: 0,
  }) as UAVariable & Record<string, UAVariable | undefined>;
  const set = (name: string, variant: Variant) => {
    const child = variable[name];
    if (!child) throw new Error(`YArrayItem ${common.browseName} has no ${name} property`);
    child.setValueFromSource(variant);
  };
  const ext = (value: unknown) => new Variant({ dataType: DataType.ExtensionObject, value });
  set('euRange', ext(new Range(tag.range ?? { low: 0, high: 0 })));
  set('engineeringUnits', ext(unitOf(tag.unit)));
  set('title', new Variant({ dataType: DataType.LocalizedText, value: { text: common.description } }));
  set('axisScaleType', new Variant({ dataType: DataType.Int32, value: AXIS_SCALE_LINEAR }));
  set(
    'xAxisDefinition',
    ext(
      namespace.addressSpace.constructExtensionObject(resolveNodeId(DataTypeIds.AxisInformation), {
        engineeringUnits: unitOf('second'),
        eURange: new Range({ low: 0, high: (length - 1) / sampleRateHz }),
        title: { text: 'Time since the first sample' },
        axisScaleType: AXIS_SCALE_LINEAR,
        axisSteps: null,
      }),
    ),
  );
  namespace.addVariable({
    propertyOf: variable,
    browseName: 'SampleRate',
    nodeId: `${common.nodeId}.SampleRate`,
    description: 'Samples per second of the waveform',
    dataType: DataType.Double,
    value: { dataType: DataType.Double, value: sampleRateHz },
  });
  return variable;
}

/**
 * Builds Objects/Demo Plant/<area>/<asset>/<tag>: the site and areas are Folders (Organizes),
 * assets are Objects, tags are AnalogItems (HasComponent) of DataType Double with a Description,
 * EngineeringUnits and EURange; a tag without a range (the synthetic load-test signals) is a plain
 * Double variable, which is five times quicker to create when there are 10,000 of them; a waveform
 * is a YArrayItem (see addWaveform). Node ids are stable strings "Site.Area.Asset.Tag" in the server's
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
        };
        if (tag.waveform) return addWaveform(namespace, common, { ...tag, waveform: tag.waveform }, unitOf);
        const scalar = { ...common, dataType: DataType.Double, minimumSamplingInterval: 0 };
        if (!tag.range) return namespace.addVariable(scalar);
        return namespace.addAnalogDataItem({
          ...scalar,
          engineeringUnits: unitOf(tag.unit),
          engineeringUnitsRange: tag.range,
        }) as UAVariable;
      });
      const nodeIds = asset.tags.map((tag) => `ns=${ns};s=${assetPath}.${tag.browseName}`);
      assets.push({ model: asset, path: assetPath, object: assetObject, variables, nodeIds });
      info.push({
        site: model.site.name,
        area: area.name,
        asset: asset.name,
        nodeId: `ns=${ns};s=${assetPath}`,
        description: asset.description,
        ...(asset.source ? { source: asset.source } : {}),
        tags: asset.tags.map((tag, j) => ({
          browseName: tag.browseName,
          nodeId: nodeIds[j]!,
          description: tag.description,
          unit: UNITS[tag.unit].symbol,
          range: tag.range ? { ...tag.range } : null,
          dataType: tag.waveform ? ('Float' as const) : ('Double' as const),
          ...(tag.waveform
            ? { arrayLength: tag.waveform.length, sampleRateHz: tag.waveform.sampleRateHz }
            : {}),
          historized: false,
        })),
      });
    }
  }
  return { assets, info };
}
