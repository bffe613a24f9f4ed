import { describe, expect, it } from 'vitest';
import type { Asset, Tag } from '../../../../shared/domain';
import { commands } from '../../../../shared/api';
import {
  addedNotice,
  checkAddTags,
  defaultFormValues,
  newAssetId,
  slug,
  type AddTagsContext,
  type AddTagsFormValues,
} from './addTagsForm';
import type { SelectedVariable, VariableInfo } from './browseModel';

const scalar: VariableInfo = {
  dataType: 'Double',
  valueRank: -1,
  arrayDimensions: null,
  access: { read: true, write: false, history: false },
  historizing: false,
  description: '',
  unit: '°R',
  range: { low: 0, high: 2000 },
  trendable: true,
};

const pick = (
  nodeId: string,
  displayName: string,
  parentName: string,
  v: Partial<VariableInfo> = {},
): SelectedVariable => ({
  nodeId,
  displayName,
  parentName,
  variable: { ...scalar, ...v },
});

const t50e1 = pick('ns=1;s=E1.T50', 'T50', 'Engine 1');
const t30e1 = pick('ns=1;s=E1.T30', 'T30', 'Engine 1');
const t50e2 = pick('ns=1;s=E2.T50', 'T50', 'Engine 2');
const wave = pick('ns=1;s=P1.Accel', 'Accel', 'Pump P1', {
  dataType: 'Float',
  valueRank: 1,
  arrayDimensions: [2048],
  range: null,
});

const site: Asset = {
  id: 'sim/demo-plant',
  parentId: null,
  kind: 'site',
  name: 'Demo Plant',
  description: '',
  connectionId: 'sim',
};
const cell: Asset = {
  id: 'plant/cell',
  parentId: null,
  kind: 'area',
  name: 'Test cell',
  description: '',
  connectionId: 'plant',
};
const rig: Asset = {
  id: 'plant/rig',
  parentId: 'plant/cell',
  kind: 'asset',
  name: 'Rig',
  description: '',
  connectionId: 'plant',
};
const simEngine: Asset = { ...rig, id: 'sim/engine-1', name: 'Engine 1', connectionId: 'sim' };
const assets = [site, cell, rig, simEngine];

const rigT50: Tag = {
  id: 'plant/rig/t50',
  assetId: 'plant/rig',
  name: 'T50',
  description: '',
  unit: '°R',
  range: null,
  source: { connectionId: 'plant', nodeId: 'ns=1;s=E9.T50' },
};

function context(selection: SelectedVariable[], tags: Tag[] = []): AddTagsContext {
  const byNode = new Map(
    tags.filter((t) => t.source?.connectionId === 'plant').map((t) => [t.source!.nodeId, t]),
  );
  return { connectionId: 'plant', selection, assets, tags, tagsByNode: byNode };
}

function form(patch: Partial<AddTagsFormValues> = {}): AddTagsFormValues {
  return { ...defaultFormValues(assets, 'plant'), ...patch };
}

describe('the add-tags form', () => {
  it('starts on an existing asset of the connection (or a new one when it has none) with the monitoring defaults', () => {
    expect(defaultFormValues(assets, 'plant')).toMatchObject({
      target: 'existing',
      assetId: 'plant/rig',
      samplingIntervalMs: '0',
      queueSize: '100',
      deadbandType: 'none',
    });
    expect(defaultFormValues(assets, 'other')).toMatchObject({ target: 'new', assetId: '' });
  });

  it('builds the addTags request for a new asset, with the ids the core will give', () => {
    const check = checkAddTags(
      form({
        target: 'new',
        newAssetName: 'Engine 1 test',
        newAssetParentId: 'plant/cell',
        samplingIntervalMs: '250',
        queueSize: '10',
      }),
      context([t50e1, t30e1]),
    );
    expect(check.fieldErrors).toEqual({});
    expect(check.problems).toEqual([]);
    expect(check.request).toEqual({
      connectionId: 'plant',
      assetId: 'plant/engine-1-test',
      asset: { name: 'Engine 1 test', parentId: 'plant/cell', kind: 'asset' },
      tags: [
        {
          nodeId: t50e1.nodeId,
          id: 'plant/engine-1-test/t50',
          name: 'T50',
          samplingIntervalMs: 250,
          queueSize: 10,
          deadband: null,
        },
        {
          nodeId: t30e1.nodeId,
          id: 'plant/engine-1-test/t30',
          name: 'T30',
          samplingIntervalMs: 250,
          queueSize: 10,
          deadband: null,
        },
      ],
    });
    // What the form sends is what the contract accepts.
    expect(commands.addTags.input.safeParse(check.request).success).toBe(true);
  });

  it('adds to an existing asset without creating one', () => {
    const check = checkAddTags(form({ deadbandType: 'absolute', deadbandValue: '0.5' }), context([t30e1]));
    expect(check.request).toMatchObject({
      assetId: 'plant/rig',
      tags: [{ deadband: { type: 'absolute', value: 0.5 } }],
    });
    expect(check.request).not.toHaveProperty('asset');
  });

  it('names tags after their parent when two would get one id, and refuses what still clashes', () => {
    const check = checkAddTags(form(), context([t50e1, t50e2], [rigT50]));
    expect(check.planned.map((p) => [p.name, p.id])).toEqual([
      ['Engine 1 T50', 'plant/rig/engine-1-t50'],
      ['Engine 2 T50', 'plant/rig/engine-2-t50'],
    ]);
    expect(check.request).not.toBeNull();
    const twins = checkAddTags(form(), context([t50e1, pick('ns=1;s=X.T50', 'T50', 'Engine 1')]));
    expect(twins.problems).toEqual([
      'Engine 1 T50 and Engine 1 T50 would both get the tag id plant/rig/engine-1-t50: add them to different assets.',
    ]);
    expect(twins.request).toBeNull();
  });

  it('warns about a variable that is a tag already but leaves the answer to the core', () => {
    const check = checkAddTags(form(), context([pick(rigT50.source!.nodeId, 'T50', 'Engine 9')], [rigT50]));
    expect(check.warnings).toEqual([
      'One selected variable is already a tag (Engine 9 T50 as plant/rig/t50); the core will refuse it.',
    ]);
    expect(check.planned[0]!.alreadyTag).toBe(rigT50);
    expect(check.request).not.toBeNull();
  });

  it('says what is wrong with each field and sends nothing', () => {
    const check = checkAddTags(
      form({
        target: 'new',
        newAssetName: '  ',
        newAssetKind: 'area',
        samplingIntervalMs: '-5',
        queueSize: '2.5',
        deadbandType: 'percent',
        deadbandValue: '150',
        sampleRateHz: '0',
      }),
      context([t50e1, wave]),
    );
    expect(check.request).toBeNull();
    expect(check.fieldErrors).toEqual({
      newAssetName: 'Give the new asset a name.',
      newAssetKind: 'Only an asset owns tags; an area groups assets. Choose Asset.',
      samplingIntervalMs: 'A number of milliseconds from 0 (every change) to 3,600,000.',
      queueSize: 'A whole number of values from 1 to 100,000.',
      deadbandValue: 'A percent deadband needs an EU range, and Accel has none: use an absolute deadband.',
      sampleRateHz: 'Samples per second of the array, more than 0 (or empty: as the server says).',
    });
    expect(checkAddTags(form({ queueSize: '' }), context([t50e1])).fieldErrors.queueSize).toBeDefined();
    expect(
      checkAddTags(form({ deadbandType: 'percent', deadbandValue: '101' }), context([t50e1])).fieldErrors,
    ).toEqual({
      deadbandValue: 'A percentage of the EU range, from 0 to 100.',
    });
    expect(checkAddTags(form(), context([])).problems).toEqual([
      'Select the variables to add first (Space on a variable).',
    ]);
  });

  it('refuses a new asset whose id is taken, and points to the existing one when it is this connection’s', () => {
    expect(checkAddTags(form({ target: 'new', newAssetName: 'Rig' }), context([t50e1])).fieldErrors).toEqual({
      newAssetName: '"Rig" exists already (id plant/rig): choose it under Existing asset, or another name.',
    });
    expect(checkAddTags(form({ target: 'new', newAssetName: 'cell' }), context([t50e1])).fieldErrors).toEqual(
      {
        newAssetName: 'The id plant/cell is taken by "Test cell": choose another name.',
      },
    );
    expect(checkAddTags(form({ assetId: 'sim/engine-1' }), context([t50e1])).fieldErrors).toEqual({
      assetId: 'Asset "sim/engine-1" is not an asset of this connection any more.',
    });
  });

  it('sends the sample rate for array variables only', () => {
    const check = checkAddTags(form({ sampleRateHz: '12000' }), context([t50e1, wave]));
    expect(check.request!.tags.map((t) => t.sampleRateHz)).toEqual([undefined, 12000]);
    expect(check.planned.map((p) => p.array)).toEqual([false, true]);
  });

  it('makes ids as the core does: lower case, accents dropped, other characters as dashes', () => {
    const cases: [string, string][] = [
      ['Engine 1', 'engine-1'],
      ['T50', 't50'],
      ['Pump P1 Drive-End Bearing', 'pump-p1-drive-end-bearing'],
      ['Débit ½', 'debit-1-2'],
      ['  ', 'unnamed'],
      ['OpSetting_1.x', 'opsetting_1.x'],
      ['温度', 'unnamed'],
    ];
    for (const [name, id] of cases) expect(slug(name)).toBe(id);
    expect(newAssetId('plant', ' Engine 1 test ')).toBe('plant/engine-1-test');
  });

  it('says what was added', () => {
    const t = (name: string): Tag => ({ ...rigT50, name });
    expect(addedNotice([t('T50'), t('T30')], 'Rig')).toBe(
      'Added 2 tags to Rig: T50, T30. They appear under Rig in the asset tree, with live values in Trends.',
    );
  });
});
