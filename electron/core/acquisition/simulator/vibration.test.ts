import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { t50Limits, vibrationRmsLimits } from './alarmLimits';
import { loadBearingData, type BearingData } from './bearingData';
import { loadPlaybackData } from './playbackData';
import { blockFeatures, VibrationPlayer } from './vibration';

const simulatorDir = join(resolve(__dirname, '../../../..'), 'resources', 'simulator');
const scratch = mkdtempSync(join(tmpdir(), 'vigil-sim-bearing-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A resources folder with one recording of `samples` written as float32 little-endian. */
function bearingDir(name: string, samples: number[], manifest: Record<string, unknown> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'cwru'), { recursive: true });
  const bytes = Buffer.alloc(samples.length * 4);
  samples.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  writeFileSync(join(dir, 'cwru', 'x.f32'), bytes);
  const recording = {
    id: 'normal',
    label: 'N',
    description: 'test',
    file: 'x.f32',
    samples: samples.length,
    rpm: 1797,
    faultDiameterIn: null,
    source: { cwruFileNo: 97 },
  };
  writeFileSync(
    join(dir, 'cwru', 'manifest.json'),
    JSON.stringify({ sampleRateHz: 100, unit: 'g', recordings: [recording], ...manifest }),
  );
  return dir;
}

describe('blockFeatures', () => {
  it('computes RMS and peak about the mean, and kurtosis', () => {
    const f = blockFeatures([1, 3, 1, 3]);
    expect(f.rms).toBeCloseTo(1);
    expect(f.peak).toBeCloseTo(1);
    expect(f.kurtosis).toBeCloseTo(1); // a square wave
    const impulsive = blockFeatures([0, 0, 0, 0, 0, 0, 0, 10]);
    expect(impulsive.kurtosis).toBeGreaterThan(5);
    expect(blockFeatures([2, 2, 2])).toEqual({ rms: 0, peak: 0, kurtosis: 0 });
  });
});

describe('the shipped bearing recordings', () => {
  const data = loadBearingData(simulatorDir);

  it('holds four 12 kHz recordings of the CWRU drive-end bearing', () => {
    expect(data.sampleRateHz).toBe(12000);
    expect(data.unit).toBe('g');
    expect(data.recordings.map((r) => [r.id, r.label, r.samples.length, r.cwruFileNo])).toEqual([
      ['normal', 'N', 36000, 97],
      ['inner-race', 'IR', 36000, 105],
      ['outer-race', 'OR', 36000, 130],
      ['ball', 'B', 36000, 118],
    ]);
  });

  it('keeps the fault recordings sample for sample from the development copy', () => {
    const source = readFileSync(
      join(simulatorDir, '..', '..', '..', 'shared', 'datasets', 'cwru', 'de_f32', '12k_DE_IR007_0.f32'),
    );
    const first = Array.from({ length: 1000 }, (_, i) => source.readFloatLE(i * 4));
    expect([...data.recordings[1]!.samples.subarray(0, 1000)]).toEqual(first);
  });

  it('derives vibration limits that the inner- and outer-race faults trip and the normal recording does not', () => {
    const player = new VibrationPlayer(data, 'normal');
    const limits = vibrationRmsLimits(data.recordings[0]!.samples, player.blockSize);
    const maxRms = (id: string) => {
      const p = new VibrationPlayer(data, id);
      return Math.max(...Array.from({ length: 30 }, () => p.next().rms));
    };
    const minRms = (id: string) => {
      const p = new VibrationPlayer(data, id);
      return Math.min(...Array.from({ length: 30 }, () => p.next().rms));
    };
    expect(maxRms('normal')).toBeLessThan(limits.high);
    expect(minRms('inner-race')).toBeGreaterThan(limits.high);
    expect(maxRms('inner-race')).toBeLessThan(limits.highHigh);
    expect(minRms('outer-race')).toBeGreaterThan(limits.highHigh);
  });
});

describe('t50Limits', () => {
  it('sets High and HighHigh above the healthy baseline, crossed late in every engine life', () => {
    const { engines } = loadPlaybackData(simulatorDir);
    const limits = t50Limits(engines);
    expect(limits.high).toBeLessThan(limits.highHigh);
    for (const engine of engines) {
      const t50 = [...engine.columns.get('T50')!];
      const firstHigh = t50.findIndex((v) => v > limits.high);
      expect(firstHigh).toBeGreaterThan(engine.cycles / 2); // not in the healthy half
      expect(t50.some((v) => v > limits.highHigh)).toBe(true); // HighHigh trips before failure
    }
  });
});

describe('VibrationPlayer', () => {
  const data: BearingData = {
    sampleRateHz: 30, // 3 samples per 100 ms block
    unit: 'g',
    recordings: [
      {
        id: 'a',
        label: 'N',
        description: '',
        rpm: 1,
        faultDiameterIn: null,
        cwruFileNo: 1,
        samples: Float32Array.from([1, 2, 3, 4, 5]),
      },
      {
        id: 'b',
        label: 'IR',
        description: '',
        rpm: 2,
        faultDiameterIn: 0.007,
        cwruFileNo: 2,
        samples: Float32Array.from([9, 8, 7, 6]),
      },
    ],
  };

  it('plays blocks back to back and loops at the end of the recording', () => {
    const player = new VibrationPlayer(data, 'a');
    expect(player.blockSize).toBe(3);
    expect([...player.next().samples]).toEqual([1, 2, 3]);
    expect([...player.next().samples]).toEqual([4, 5, 1]);
    expect([...player.next().samples]).toEqual([2, 3, 4]);
  });

  it('switches recording from its first sample and refuses an unknown one', () => {
    const player = new VibrationPlayer(data, 'a');
    player.next();
    player.select('b');
    const block = player.next();
    expect([...block.samples]).toEqual([9, 8, 7]);
    expect(block).toMatchObject({ recordingId: 'b', rpm: 2 });
    expect(() => player.select('c')).toThrow('Unknown bearing recording "c"; available: a, b');
  });
});

describe('loadBearingData', () => {
  it('reads a recording listed in the manifest', () => {
    const data = loadBearingData(bearingDir('ok', [0.5, -0.25, 1]));
    expect([...data.recordings[0]!.samples]).toEqual([0.5, -0.25, 1]);
  });

  it('names the file whose size does not match the manifest', () => {
    const dir = bearingDir('short', [1, 2, 3]);
    writeFileSync(join(dir, 'cwru', 'x.f32'), Buffer.alloc(8));
    expect(() => loadBearingData(dir)).toThrow(/x\.f32: 8 bytes, expected 12 \(3 float32 samples\)/);
  });

  it('refuses a sample that is not a finite number', () => {
    expect(() => loadBearingData(bearingDir('nan', [1, Number.NaN, 3]))).toThrow(
      /x\.f32: sample 1 is not a finite number/,
    );
  });

  it('explains a missing or invalid manifest', () => {
    expect(() => loadBearingData(join(scratch, 'nothing-here'))).toThrow(
      /Cannot read bearing recordings manifest/,
    );
    expect(() => loadBearingData(bearingDir('bad', [1], { sampleRateHz: -5 }))).toThrow(/sampleRateHz/);
  });
});
