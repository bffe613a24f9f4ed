import { slug } from '../../../../shared/ids';
import type { CommandInput } from '../../../../shared/api';
import type { Asset, AssetKind, Tag } from '../../../../shared/domain';
import { formatCount, isArrayVariable, type SelectedVariable } from './browseModel';

/**
 * The "Add N tags" form: its values as typed, their validation, and the addTags request built
 * from them. The core checks everything again (the node exists, is a number, is not a tag yet);
 * this catches what can be told before asking, in words next to the field.
 */

export type DeadbandType = 'none' | 'absolute' | 'percent';

export interface AddTagsFormValues {
  /** Add to an asset of this connection, or create one. */
  target: 'existing' | 'new';
  assetId: string;
  newAssetName: string;
  /** '' = top level. */
  newAssetParentId: string;
  newAssetKind: AssetKind;
  /** Inputs are kept as typed; validation turns them into numbers. */
  samplingIntervalMs: string;
  queueSize: string;
  deadbandType: DeadbandType;
  deadbandValue: string;
  /** For array (waveform) variables; '' = what the server says. */
  sampleRateHz: string;
}

export type AddTagsField =
  | 'assetId'
  | 'newAssetName'
  | 'newAssetParentId'
  | 'newAssetKind'
  | 'samplingIntervalMs'
  | 'queueSize'
  | 'deadbandValue'
  | 'sampleRateHz';

/**
 * Vigil's monitoring defaults (acquisition/settings.ts): exception-based sampling, a queue of 100
 * values per item, no deadband. Shown filled in, and sent as shown.
 */
export const MONITORING_DEFAULTS = { samplingIntervalMs: 0, queueSize: 100 } as const;
const MAX_SAMPLING_MS = 3_600_000;
const MAX_QUEUE = 100_000;

export type AddTagsRequest = CommandInput<'addTags'>;

/** Assets of the connection that can own tags, by name. */
export function targetAssets(assets: readonly Asset[], connectionId: string): Asset[] {
  return assets
    .filter((a) => a.connectionId === connectionId && a.kind === 'asset')
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

/** Sites and areas a new asset can be placed under (of any connection: the hierarchy is shared). */
export function parentCandidates(assets: readonly Asset[]): Asset[] {
  return assets
    .filter((a) => a.kind !== 'asset')
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

export function defaultFormValues(assets: readonly Asset[], connectionId: string): AddTagsFormValues {
  const existing = targetAssets(assets, connectionId);
  return {
    target: existing.length ? 'existing' : 'new',
    assetId: existing[0]?.id ?? '',
    newAssetName: '',
    newAssetParentId: '',
    newAssetKind: 'asset',
    samplingIntervalMs: String(MONITORING_DEFAULTS.samplingIntervalMs),
    queueSize: String(MONITORING_DEFAULTS.queueSize),
    deadbandType: 'none',
    deadbandValue: '',
    sampleRateHz: '',
  };
}

/** A name as an id segment, as the core makes tag ids (shared/ids.ts). */
export { slug };

/** Id of a new asset: "<connection>/<slug of its name>", like the simulator's "sim/demo-plant". */
export function newAssetId(connectionId: string, name: string): string {
  return `${connectionId}/${slug(name.trim())}`;
}

/** A tag as it will be created. */
export interface PlannedTag {
  nodeId: string;
  name: string;
  id: string;
  array: boolean;
  /** The tag this node already is (the core refuses it: a node is one tag). */
  alreadyTag: Tag | null;
}

export interface AddTagsCheck {
  /** Problems with one field, shown next to it. */
  fieldErrors: Partial<Record<AddTagsField, string>>;
  /** Problems of the whole request (no selection, two tags with one id). */
  problems: string[];
  /** What the core will most likely refuse, said before asking it. */
  warnings: string[];
  planned: PlannedTag[];
  /** The asset the tags go to (id and name), when the target is valid. */
  asset: { id: string; name: string; isNew: boolean } | null;
  /** Null while anything blocks. */
  request: AddTagsRequest | null;
}

/** '' -> null, a number -> it, anything else -> NaN. */
function numberOf(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : Number.NaN;
}

const list = (names: readonly string[]) =>
  names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;

/**
 * Tag names and ids: the display name, unless two selected variables (or an existing tag) would
 * get the same id; then the parent's name comes first ("Engine 2 T50").
 */
export function planTags(
  selection: readonly SelectedVariable[],
  assetId: string,
  takenIds: ReadonlySet<string>,
  byNode: ReadonlyMap<string, Tag>,
): PlannedTag[] {
  const idOf = (name: string) => `${assetId}/${slug(name)}`;
  const counts = new Map<string, number>();
  for (const s of selection) counts.set(idOf(s.displayName), (counts.get(idOf(s.displayName)) ?? 0) + 1);
  return selection.map((s) => {
    const plain = idOf(s.displayName);
    const clash = (counts.get(plain) ?? 0) > 1 || takenIds.has(plain);
    const name = clash && s.parentName ? `${s.parentName} ${s.displayName}` : s.displayName;
    return {
      nodeId: s.nodeId,
      name,
      id: idOf(name),
      array: isArrayVariable(s.variable),
      alreadyTag: byNode.get(s.nodeId) ?? null,
    };
  });
}

export interface AddTagsContext {
  connectionId: string;
  selection: readonly SelectedVariable[];
  /** Every asset the core lists (for the new asset's id and parent). */
  assets: readonly Asset[];
  /** Every tag the core lists (tag ids are global). */
  tags: readonly Tag[];
  /** Configured tags of this connection by node id. */
  tagsByNode: ReadonlyMap<string, Tag>;
}

/** Checks the form and builds the addTags request from it. */
export function checkAddTags(values: AddTagsFormValues, ctx: AddTagsContext): AddTagsCheck {
  const fieldErrors: AddTagsCheck['fieldErrors'] = {};
  const problems: string[] = [];
  const warnings: string[] = [];
  if (ctx.selection.length === 0) problems.push('Select the variables to add first (Space on a variable).');

  // Target asset.
  let asset: AddTagsCheck['asset'] = null;
  if (values.target === 'existing') {
    const found = targetAssets(ctx.assets, ctx.connectionId).find((a) => a.id === values.assetId);
    if (!values.assetId) fieldErrors.assetId = 'Choose the asset the tags belong to.';
    else if (!found)
      fieldErrors.assetId = `Asset "${values.assetId}" is not an asset of this connection any more.`;
    else asset = { id: found.id, name: found.name, isNew: false };
  } else {
    const name = values.newAssetName.trim();
    const id = newAssetId(ctx.connectionId, name);
    const clash = ctx.assets.find((a) => a.id === id);
    if (!name) fieldErrors.newAssetName = 'Give the new asset a name.';
    else if (name.length > 200) fieldErrors.newAssetName = 'At most 200 characters.';
    else if (clash) {
      fieldErrors.newAssetName =
        clash.connectionId === ctx.connectionId && clash.kind === 'asset'
          ? `"${clash.name}" exists already (id ${id}): choose it under Existing asset, or another name.`
          : `The id ${id} is taken by "${clash.name}": choose another name.`;
    }
    if (
      values.newAssetParentId &&
      !parentCandidates(ctx.assets).some((a) => a.id === values.newAssetParentId)
    ) {
      fieldErrors.newAssetParentId = `Parent "${values.newAssetParentId}" is not a site or area any more.`;
    }
    if (values.newAssetKind !== 'asset') {
      // The asset tree and the trends show tags of assets only (sites and areas group assets).
      fieldErrors.newAssetKind = `Only an asset owns tags; ${values.newAssetKind === 'area' ? 'an area' : 'a site'} groups assets. Choose Asset.`;
    }
    if (!fieldErrors.newAssetName) asset = { id, name, isNew: true };
  }

  // Monitoring.
  const sampling = numberOf(values.samplingIntervalMs);
  if (sampling === null || Number.isNaN(sampling) || sampling < 0 || sampling > MAX_SAMPLING_MS) {
    fieldErrors.samplingIntervalMs = `A number of milliseconds from 0 (every change) to ${formatCount(MAX_SAMPLING_MS)}.`;
  }
  const queue = numberOf(values.queueSize);
  if (queue === null || Number.isNaN(queue) || !Number.isInteger(queue) || queue < 1 || queue > MAX_QUEUE) {
    fieldErrors.queueSize = `A whole number of values from 1 to ${formatCount(MAX_QUEUE)}.`;
  }
  let deadband: { type: 'absolute' | 'percent'; value: number } | null = null;
  if (values.deadbandType !== 'none') {
    const value = numberOf(values.deadbandValue);
    if (value === null || Number.isNaN(value) || value < 0) {
      fieldErrors.deadbandValue =
        values.deadbandType === 'percent'
          ? 'A percentage of the EU range, from 0 to 100.'
          : 'A change in engineering units, 0 or more.';
    } else if (values.deadbandType === 'percent' && value > 100) {
      fieldErrors.deadbandValue = 'A percentage of the EU range, from 0 to 100.';
    } else {
      deadband = { type: values.deadbandType, value };
    }
    if (values.deadbandType === 'percent') {
      // OPC 10000-4 7.22.2: a percent deadband is a share of the EURange; without one the server refuses it.
      const noRange = ctx.selection.filter((s) => s.variable.range === null).map((s) => s.displayName);
      if (noRange.length) {
        fieldErrors.deadbandValue = `A percent deadband needs an EU range, and ${list(noRange)} ${noRange.length === 1 ? 'has' : 'have'} none: use an absolute deadband.`;
      }
    }
  }
  const arrays = ctx.selection.some((s) => isArrayVariable(s.variable));
  const rate = arrays ? numberOf(values.sampleRateHz) : null;
  if (rate !== null && (Number.isNaN(rate) || rate <= 0)) {
    fieldErrors.sampleRateHz = 'Samples per second of the array, more than 0 (or empty: as the server says).';
  }

  // Tags.
  const takenIds = new Set(ctx.tags.map((t) => t.id));
  const planned = asset ? planTags(ctx.selection, asset.id, takenIds, ctx.tagsByNode) : [];
  const seen = new Map<string, PlannedTag>();
  for (const p of planned) {
    const twin = seen.get(p.id);
    if (twin)
      problems.push(
        `${twin.name} and ${p.name} would both get the tag id ${p.id}: add them to different assets.`,
      );
    else if (takenIds.has(p.id)) problems.push(`The tag id ${p.id} is in use already.`);
    seen.set(p.id, p);
  }
  const already = planned.filter((p) => p.alreadyTag);
  if (already.length) {
    warnings.push(
      `${already.length === 1 ? 'One selected variable is' : `${already.length} selected variables are`} already ${already.length === 1 ? 'a tag' : 'tags'} (${list(already.map((p) => `${p.name} as ${p.alreadyTag!.id}`))}); the core will refuse ${already.length === 1 ? 'it' : 'them'}.`,
    );
  }

  const blocked = problems.length > 0 || Object.keys(fieldErrors).length > 0 || !asset;
  const request: AddTagsRequest | null = blocked
    ? null
    : {
        connectionId: ctx.connectionId,
        assetId: asset!.id,
        ...(asset!.isNew
          ? {
              asset: {
                name: asset!.name,
                parentId: values.newAssetParentId || null,
                kind: values.newAssetKind,
              },
            }
          : {}),
        tags: planned.map((p) => ({
          nodeId: p.nodeId,
          id: p.id,
          name: p.name,
          samplingIntervalMs: sampling!,
          queueSize: queue!,
          deadband,
          ...(p.array && rate !== null ? { sampleRateHz: rate } : {}),
        })),
      };
  return { fieldErrors, problems, warnings, planned, asset, request };
}

/** What to tell the operator after the core added the tags. */
export function addedNotice(added: readonly Tag[], assetName: string): string {
  const names = added.map((t) => t.name);
  return `Added ${added.length === 1 ? '1 tag' : `${formatCount(added.length)} tags`} to ${assetName}: ${list(names)}. They appear under ${assetName} in the asset tree, with live values in Trends.`;
}
