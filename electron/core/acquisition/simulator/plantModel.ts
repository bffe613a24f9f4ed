import type { BearingData } from './bearingData';
import { ENGINE_TAGS, MILL_TAGS, type TagDefinition } from './catalog';
import { BulkSignals } from './bulkSignals';
import { euRangeOf, type Range } from './euRange';
import type { PlaybackData } from './playbackData';
import type { UnitKey } from './units';
import { blockFeatures, BLOCK_DURATION_MS } from './vibration';

export interface ModelTag {
  browseName: string;
  description: string;
  unit: UnitKey;
  /** EURange; null for a plain variable without EngineeringUnits and EURange properties. */
  range: Range | null;
  /**
   * Set for a waveform: a Float array variable (YArrayItem, ValueRank 1) holding `length` samples
   * taken `sampleRateHz` apart; absent for the scalar Double tags.
   */
  waveform?: { length: number; sampleRateHz: number };
}

/** Rows played by an asset: one row per step, starting at `offset`, wrapping after the last row. */
export interface PlaybackTrack {
  rows: number;
  offset: number;
  /** One column per tag, in the asset's tag order. */
  columns: Float64Array[];
}

/** How an asset's values are produced: played from a table, played from a waveform, or synthetic. */
export type AssetKind = 'playback' | 'vibration' | 'bulk';

export interface ModelAsset {
  kind: AssetKind;
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
export const UTILITIES_AREA = { name: 'Utilities', key: 'Utilities' } as const;
export const BEARING_ASSET = { name: 'Pump P1 Drive-End Bearing', key: 'PumpP1DriveEndBearing' } as const;
/** Browse names of the bearing tags, in the order the asset lists them. */
export const BEARING_TAGS = {
  waveform: 'Vibration',
  rms: 'VibrationRMS',
  peak: 'VibrationPeak',
  kurtosis: 'VibrationKurtosis',
  speed: 'ShaftSpeed',
} as const;
export const LOAD_TEST_ASSET = { name: 'Load Generator', key: 'LoadGenerator' } as const;

function tagsFor(definitions: readonly TagDefinition[], ranges: readonly Range[]): ModelTag[] {
  return definitions.map((d, i) => ({
    browseName: d.browseName,
    description: d.description,
    unit: d.unit,
    range: ranges[i]!,
  }));
}

/** EURanges of the bearing tags over every block of every recording, so any recording fits. */
function bearingRanges(bearing: BearingData, blockSize: number) {
  const features = { rms: [] as number[], peak: [] as number[], kurtosis: [] as number[] };
  for (const recording of bearing.recordings) {
    const x = recording.samples;
    for (let start = 0; start + blockSize <= x.length; start += blockSize) {
      const f = blockFeatures(x.subarray(start, start + blockSize));
      features.rms.push(f.rms);
      features.peak.push(f.peak);
      features.kurtosis.push(f.kurtosis);
    }
  }
  const all = bearing.recordings.map((r) => r.samples);
  return {
    waveform: euRangeOf(...all),
    rms: euRangeOf([0, ...features.rms]),
    peak: euRangeOf([0, ...features.peak]),
    kurtosis: euRangeOf([0, ...features.kurtosis]),
    speed: euRangeOf(bearing.recordings.map((r) => r.rpm)),
  };
}

/** The drive-end bearing of pump P1, vibrating as the CWRU test rig's drive-end bearing did. */
function bearingAsset(bearing: BearingData): ModelAsset {
  const blockSize = Math.round((bearing.sampleRateHz * BLOCK_DURATION_MS) / 1000);
  const ranges = bearingRanges(bearing, blockSize);
  const rate = bearing.sampleRateHz.toLocaleString('en-US');
  const tags: ModelTag[] = [
    {
      browseName: BEARING_TAGS.waveform,
      description: `Drive-end acceleration waveform: ${blockSize} samples at ${rate} Hz per update (${BLOCK_DURATION_MS} ms of signal), first sample at the source timestamp`,
      unit: 'standardGravity',
      range: ranges.waveform,
      waveform: { length: blockSize, sampleRateHz: bearing.sampleRateHz },
    },
    {
      browseName: BEARING_TAGS.rms,
      description: `RMS of the last waveform (${BLOCK_DURATION_MS} ms, mean removed)`,
      unit: 'standardGravity',
      range: ranges.rms,
    },
    {
      browseName: BEARING_TAGS.peak,
      description: `Largest absolute deviation from the mean in the last waveform`,
      unit: 'standardGravity',
      range: ranges.peak,
    },
    {
      browseName: BEARING_TAGS.kurtosis,
      description: 'Kurtosis of the last waveform (3 for Gaussian noise; bearing-defect impacts raise it)',
      unit: 'dimensionless',
      range: ranges.kurtosis,
    },
    {
      browseName: BEARING_TAGS.speed,
      description: 'Shaft speed of the recording being played',
      unit: 'rpm',
      range: ranges.speed,
    },
  ];
  const samples = bearing.recordings.reduce((n, r) => n + r.samples.length, 0);
  return {
    kind: 'vibration',
    ...BEARING_ASSET,
    description:
      'Drive-end bearing (SKF 6205-2RS) vibration played back from the CWRU Bearing Data Center recordings (12 kHz accelerometer, 0 hp load)',
    tags,
    source: { dataset: 'CWRU bearing data (drive end, 12 kHz)', rows: samples },
  };
}

/**
 * The demo plant: the C-MAPSS engines in a test cell, the AI4I milling machine in a machining area,
 * when `bearing` is given the CWRU bearing in a utilities area, and, for load tests, a generator
 * with `bulkTags` synthetic tags. Engines start at staggered points of their lives (engine k of n
 * at k/n of its run) so the plant shows young and worn engines at once, and one reaches failure
 * soon after start; Engine 1 starts at cycle 1.
 */
export function buildPlantModel(data: PlaybackData, bulkTags = 0, bearing?: BearingData): PlantModel {
  const engineRanges = ENGINE_TAGS.map((t) => {
    if (t.column === 'cycle') return { low: 0, high: Math.max(...data.engines.map((e) => e.cycles)) };
    return euRangeOf(...data.engines.map((e) => e.columns.get(t.column)!));
  });
  const engines = data.engines.map((engine, k): ModelAsset => ({
    kind: 'playback',
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
    kind: 'playback',
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
  if (bearing) areas.push({ ...UTILITIES_AREA, assets: [bearingAsset(bearing)] });
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
          kind: 'bulk',
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
