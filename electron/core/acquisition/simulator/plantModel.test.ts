import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBearingData } from './bearingData';
import { BulkSignals } from './bulkSignals';
import { buildPlantModel, rowAt } from './plantModel';
import { loadPlaybackData } from './playbackData';

const data = loadPlaybackData(join(resolve(__dirname, '../../../..'), 'resources', 'simulator'));

describe('buildPlantModel', () => {
  const model = buildPlantModel(data);

  it('lays out the demo plant: engines in the test cell, the mill in machining', () => {
    expect(model.site.name).toBe('Demo Plant');
    expect(model.areas.map((a) => [a.name, a.assets.map((x) => x.name)])).toEqual([
      ['Turbofan Test Cell', ['Engine 1', 'Engine 2', 'Engine 3', 'Engine 4', 'Engine 5']],
      ['Machining', ['Milling Machine M1']],
    ]);
    const engine = model.areas[0]!.assets[0]!;
    expect(engine.tags.map((t) => t.browseName)).toEqual([
      'Cycle', 'OpSetting1', 'OpSetting2', 'OpSetting3', 'T2', 'T24', 'T30', 'T50', 'P2', 'P15', 'P30', 'Nf', 'Nc',
      'epr', 'Ps30', 'phi', 'NRf', 'NRc', 'BPR', 'farB', 'htBleed', 'Nf_dmd', 'PCNfR_dmd', 'W31', 'W32',
    ]); // prettier-ignore
    expect(engine.tags.find((t) => t.browseName === 'T50')).toMatchObject({ unit: 'degreeRankine' });
    expect(model.areas[1]!.assets[0]!.tags.map((t) => [t.browseName, t.unit])).toEqual([
      ['AirTemperature', 'kelvin'],
      ['ProcessTemperature', 'kelvin'],
      ['RotationalSpeed', 'rpm'],
      ['Torque', 'newtonMetre'],
      ['ToolWear', 'minute'],
      ['MachineFailure', 'none'],
    ]);
  });

  it('gives every tag an EURange that holds all of its played values', () => {
    for (const area of model.areas) {
      for (const asset of area.assets) {
        asset.tags.forEach((tag, j) => {
          const values = asset.track!.columns[j]!;
          const range = tag.range!;
          expect(range.low).toBeLessThan(range.high);
          expect(Math.min(...values)).toBeGreaterThanOrEqual(range.low);
          expect(Math.max(...values)).toBeLessThanOrEqual(range.high);
        });
      }
    }
  });

  it('staggers the engines over their lives and loops each back to cycle 1 after its failure', () => {
    const engines = model.areas[0]!.assets;
    const cycleAt = (k: number, step: number) =>
      engines[k]!.track!.columns[0]![rowAt(engines[k]!.track!, step)];
    expect(engines.map((_, k) => cycleAt(k, 0))).toEqual([1, 58, 72, 77, 290]);
    const last = engines[4]!.track!.rows; // 362 cycles, starting at 290
    expect(cycleAt(4, last - 290)).toBe(362);
    expect(cycleAt(4, last - 289)).toBe(1);
    expect(cycleAt(0, 191)).toBe(192);
    expect(cycleAt(0, 192)).toBe(1);
  });

  it('adds the CWRU bearing in a utilities area: a waveform and four scalar features', () => {
    const bearing = loadBearingData(join(resolve(__dirname, '../../../..'), 'resources', 'simulator'));
    const withBearing = buildPlantModel(data, 0, bearing);
    expect(withBearing.areas.map((a) => a.name)).toEqual(['Turbofan Test Cell', 'Machining', 'Utilities']);
    const asset = withBearing.areas[2]!.assets[0]!;
    expect(asset).toMatchObject({ kind: 'vibration', name: 'Pump P1 Drive-End Bearing' });
    expect(asset.tags.map((t) => [t.browseName, t.unit, t.waveform ?? null])).toEqual([
      ['Vibration', 'standardGravity', { length: 1200, sampleRateHz: 12000 }],
      ['VibrationRMS', 'standardGravity', null],
      ['VibrationPeak', 'standardGravity', null],
      ['VibrationKurtosis', 'dimensionless', null],
      ['ShaftSpeed', 'rpm', null],
    ]);
    // The waveform's EURange holds every sample of every recording.
    const range = asset.tags[0]!.range!;
    for (const r of bearing.recordings) {
      expect(Math.min(...r.samples)).toBeGreaterThanOrEqual(range.low);
      expect(Math.max(...r.samples)).toBeLessThanOrEqual(range.high);
    }
  });

  it('adds a load-test asset with the requested number of synthetic tags', () => {
    const withBulk = buildPlantModel(data, 1200);
    const area = withBulk.areas[2]!;
    expect(area.name).toBe('Load Test');
    const tags = area.assets[0]!.tags;
    expect(tags).toHaveLength(1200);
    expect(tags[0]!.browseName).toBe('Signal0001');
    expect(tags[1199]!.browseName).toBe('Signal1200');
    expect(area.assets[0]!.track).toBeUndefined();
    expect(tags.every((t) => t.range === null)).toBe(true); // plain variables: quick to create
    expect(withBulk.bulk?.count).toBe(1200);
  });
});

describe('BulkSignals', () => {
  it('gives distinct signals that stay inside their ranges', () => {
    const signals = new BulkSignals(500);
    const seen = new Set<string>();
    const outside: string[] = [];
    for (let i = 0; i < 500; i++) {
      const range = signals.rangeOf(i);
      const trace: number[] = [];
      for (let t = 0; t < 20; t += 0.5) {
        const v = signals.valueAt(i, t);
        if (!(v >= range.low && v <= range.high)) outside.push(`tag ${i} t=${t}: ${v}`);
        trace.push(Math.round(v * 1000));
      }
      seen.add(trace.join(','));
    }
    expect(outside).toEqual([]);
    expect(seen.size).toBe(500);
  });
});
