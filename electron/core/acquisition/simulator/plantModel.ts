import { ENGINE_TAGS, MILL_TAGS, type TagDefinition } from './catalog';
import { BulkSignals } from './bulkSignals';
import { euRangeOf, type Range } from './euRange';
import type { PlaybackData } from './playbackData';
import type { UnitKey } from './units';

export interface ModelTag {
  browseName: string;
  description: string;
  unit: UnitKey;
  /** EURange; null for a plain variable without EngineeringUnits and EURange properties. */
  range: Range | null;
}

/** Rows played by an asset: one row per step, starting at `offset`, wrapping after the last row. */
export interface PlaybackTrack {
  rows: number;
  offset: number;
  /** One column per tag, in the asset's tag order. */
  columns: Float64Array[];
}

export interface ModelAsset {
  /** Browse and display name, e.g. "Engine 1". */
  name: string;
  /** Node id segment, e.g. "Engine1". */
  key: string;
  description: string;
  tags: ModelTag[];
  /** Real data played back; absent for the synthetic load-test asset. */
  track?: PlaybackTrack;
  source?: { dataset: string; unit?: number; rows: number };
}

export interface ModelArea {
  name: string;
  key: string;
  assets: ModelAsset[];
}

export interface PlantModel {
  site: { name: string; key: string };
  areas: ModelArea[];
  bulk?: BulkSignals;
}

export const LOAD_TEST_AREA = { name: 'Load Test', key: 'LoadTest' } as const;
export const LOAD_TEST_ASSET = { name: 'Load Generator', key: 'LoadGenerator' } as const;

function tagsFor(definitions: readonly TagDefinition[], ranges: readonly Range[]): ModelTag[] {
  return definitions.map((d, i) => ({
    browseName: d.browseName,
    description: d.description,
    unit: d.unit,
    range: ranges[i]!,
  }));
}

/**
 * The demo plant: the C-MAPSS engines in a test cell, the AI4I milling machine in a machining area,
 * and, for load tests, a generator with `bulkTags` synthetic tags. Engines start at staggered points
 * of their lives (engine k of n at k/n of its run) so the plant shows young and worn engines at once,
 * and one reaches failure soon after start; Engine 1 starts at cycle 1.
 */
export function buildPlantModel(data: PlaybackData, bulkTags = 0): PlantModel {
  const engineRanges = ENGINE_TAGS.map((t) => {
    if (t.column === 'cycle') return { low: 0, high: Math.max(...data.engines.map((e) => e.cycles)) };
    return euRangeOf(...data.engines.map((e) => e.columns.get(t.column)!));
  });
  const engines = data.engines.map((engine, k): ModelAsset => ({
    name: `Engine ${k + 1}`,
    key: `Engine${k + 1}`,
    description: `Turbofan engine played back from C-MAPSS FD001 unit ${engine.sourceUnit} (run to failure in ${engine.cycles} cycles)`,
    tags: tagsFor(ENGINE_TAGS, engineRanges),
    track: {
      rows: engine.cycles,
      offset: Math.floor((k * engine.cycles) / data.engines.length),
      columns: ENGINE_TAGS.map((t) => engine.columns.get(t.column)!),
    },
    source: { dataset: 'C-MAPSS FD001 train', unit: engine.sourceUnit, rows: engine.cycles },
  }));
  const millRanges = MILL_TAGS.map((t) =>
    t.browseName === 'MachineFailure' ? { low: 0, high: 1 } : euRangeOf(data.mill.columns.get(t.column)!),
  );
  const mill: ModelAsset = {
    name: 'Milling Machine M1',
    key: 'MillingMachineM1',
    description: `Milling machine played back from the AI4I 2020 dataset (first ${data.mill.rows} rows)`,
    tags: tagsFor(MILL_TAGS, millRanges),
    track: {
      rows: data.mill.rows,
      offset: 0,
      columns: MILL_TAGS.map((t) => data.mill.columns.get(t.column)!),
    },
    source: { dataset: 'AI4I 2020', rows: data.mill.rows },
  };
  const areas: ModelArea[] = [
    { name: 'Turbofan Test Cell', key: 'TurbofanTestCell', assets: engines },
    { name: 'Machining', key: 'Machining', assets: [mill] },
  ];
  let bulk: BulkSignals | undefined;
  if (bulkTags > 0) {
    bulk = new BulkSignals(bulkTags);
    const width = String(bulkTags).length;
    const tags: ModelTag[] = [];
    for (let i = 0; i < bulkTags; i++) {
      tags.push({
        browseName: `Signal${String(i + 1).padStart(width, '0')}`,
        description: `Synthetic load-test signal ${i + 1} (sine + noise)`,
        unit: 'none',
        range: null,
      });
    }
    areas.push({
      ...LOAD_TEST_AREA,
      assets: [
        {
          ...LOAD_TEST_ASSET,
          description: `${bulkTags} synthetic signals for load tests`,
          tags,
        },
      ],
    });
  }
  return { site: { name: 'Demo Plant', key: 'DemoPlant' }, areas, bulk };
}

/** The row an asset plays at playback step `step` (step 0 = start). */
export function rowAt(track: PlaybackTrack, step: number): number {
  return (track.offset + step) % track.rows;
}
