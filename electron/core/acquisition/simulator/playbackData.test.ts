import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CMAPSS_COLUMNS } from './catalog';
import { loadPlaybackData, parseNumericCsv, splitEngineRuns } from './playbackData';

const projectRoot = resolve(__dirname, '../../../..');
const resourcesDir = join(projectRoot, 'resources', 'simulator');

describe('parseNumericCsv', () => {
  it('reads the wanted columns by header name, ignoring text columns, a BOM and CRLF', () => {
    const text = '\uFEFFid,name,a,b\r\n1,x,1.5,-2\r\n2,y,3,4e2\r\n';
    const table = parseNumericCsv(text, 't.csv', ['b', 'a']);
    expect(table.rows).toBe(2);
    expect([...table.columns.get('a')!]).toEqual([1.5, 3]);
    expect([...table.columns.get('b')!]).toEqual([-2, 400]);
  });

  it('names the missing column', () => {
    expect(() => parseNumericCsv('a,b\n1,2\n', 't.csv', ['a', 'T24'])).toThrow('t.csv: missing column "T24"');
  });

  it('names the line and column of a value that is not a number', () => {
    expect(() => parseNumericCsv('a,b\n1,2\n3,oops\n', 't.csv', ['a', 'b'])).toThrow(
      't.csv line 3: "b" is not a number: "oops"',
    );
    expect(() => parseNumericCsv('a,b\n1,\n', 't.csv', ['b'])).toThrow('t.csv line 2: "b" is not a number');
  });

  it('rejects a short row and a file without data', () => {
    expect(() => parseNumericCsv('a,b\n1,2\n3\n', 't.csv', ['a'])).toThrow(
      't.csv line 3: expected 2 fields, found 1',
    );
    expect(() => parseNumericCsv('a,b\n', 't.csv', ['a'])).toThrow('t.csv: no data rows');
    expect(() => parseNumericCsv('', 't.csv', ['a'])).toThrow('t.csv: no header line');
  });
});

describe('splitEngineRuns', () => {
  const table = (rows: string[]) =>
    parseNumericCsv(['unit,cycle,x', ...rows].join('\n'), 'e.csv', ['unit', 'cycle', 'x']);

  it('splits consecutive blocks by unit', () => {
    const runs = splitEngineRuns(table(['7,1,10', '7,2,11', '9,1,20']), 'e.csv');
    expect(runs.map((r) => [r.sourceUnit, r.cycles])).toEqual([
      [7, 2],
      [9, 1],
    ]);
    expect([...runs[0]!.columns.get('x')!]).toEqual([10, 11]);
    expect([...runs[1]!.columns.get('x')!]).toEqual([20]);
  });

  it('rejects a gap in the cycles and a unit split in two blocks', () => {
    expect(() => splitEngineRuns(table(['7,1,10', '7,3,11']), 'e.csv')).toThrow(
      'e.csv line 3: unit 7 cycle 3, expected 2',
    );
    expect(() => splitEngineRuns(table(['7,1,1', '8,1,1', '7,1,1']), 'e.csv')).toThrow(
      'unit 7 appears in two',
    );
  });
});

describe('the shipped playback data', () => {
  const data = loadPlaybackData(resourcesDir);

  it('holds five complete C-MAPSS FD001 runs and 2,000 AI4I rows', () => {
    expect(data.engines.map((e) => [e.sourceUnit, e.cycles])).toEqual([
      [1, 192],
      [2, 287],
      [3, 179],
      [39, 128],
      [69, 362],
    ]);
    expect(data.mill.rows).toBe(2000);
    const failures = data.mill.columns.get('Machine failure')!.reduce((n, v) => n + v, 0);
    expect(failures).toBe(52);
  });

  it('matches the source datasets value for value', () => {
    const datasets = join(projectRoot, '..', 'shared', 'datasets');
    const source = readFileSync(join(datasets, 'cmapss', 'train_FD001.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .filter((f) => f.length === 26);
    for (const engine of data.engines) {
      const rows = source.filter((f) => f[0] === engine.sourceUnit);
      expect(rows).toHaveLength(engine.cycles);
      CMAPSS_COLUMNS.forEach((column) => {
        // Source column index: unit, cycle, 3 settings, 21 sensors in catalog order after Cycle.
        const index = column === 'cycle' ? 1 : 1 + CMAPSS_COLUMNS.indexOf(column);
        expect([...engine.columns.get(column)!]).toEqual(rows.map((r) => r[index]));
      });
    }
    const ai4i = readFileSync(join(datasets, 'ai4i', 'ai4i2020.csv'), 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    const torqueIndex = ai4i[0]!.split(',').indexOf('Torque [Nm]');
    const torque = ai4i.slice(1, 2001).map((l) => Number(l.split(',')[torqueIndex]));
    expect([...data.mill.columns.get('Torque [Nm]')!]).toEqual(torque);
  });
});
