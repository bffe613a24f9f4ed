import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvInputError, detectDelimiter, openCsv } from './csvTable';
import { parseTimestamp } from './timestamps';
import { CellKind, parseCell } from './values';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

async function readAll(p: string): Promise<{ header: string[]; rows: { cells: string[]; line: number }[] }> {
  const table = await openCsv(p);
  const rows = [];
  for await (const row of table.rows()) rows.push(row);
  return { header: table.header, rows };
}

async function errorOf(promise: Promise<unknown>): Promise<CsvInputError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CsvInputError);
    return err as CsvInputError;
  }
  throw new Error('expected a CsvInputError');
}

describe('timestamps', () => {
  it('reads ISO 8601, "YYYY-MM-DD HH:MM:SS" and epoch seconds or milliseconds', () => {
    const t = Date.UTC(2020, 2, 9, 10, 14, 33);
    expect(parseTimestamp('2020-03-09 10:14:33')).toBe(t);
    expect(parseTimestamp('2020-03-09T10:14:33')).toBe(t);
    expect(parseTimestamp('2020-03-09T10:14:33Z')).toBe(t);
    expect(parseTimestamp('2020-03-09T11:14:33+01:00')).toBe(t);
    expect(parseTimestamp('2020-03-09 10:14:33.250')).toBe(t + 250);
    expect(parseTimestamp('2020-03-09')).toBe(Date.UTC(2020, 2, 9));
    expect(parseTimestamp(String(t / 1000))).toBe(t);
    expect(parseTimestamp(String(t))).toBe(t);
    expect(parseTimestamp('1583748873.5')).toBe(t + 500);
  });

  it('rejects what is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2020-02-30 10:00:00', '2020-03-09 25:00:00', '09/03/2020', 'NaN']) {
      expect(parseTimestamp(bad)).toBeNaN();
    }
  });
});

describe('cells', () => {
  const out = { value: 0 };
  it('parses numbers strictly, with a decimal comma only where allowed', () => {
    expect(parseCell('1.5e3', false, out)).toBe(CellKind.Number);
    expect(out.value).toBe(1500);
    expect(parseCell(' -0.25 ', false, out)).toBe(CellKind.Number);
    expect(out.value).toBe(-0.25);
    expect(parseCell('3,14', true, out)).toBe(CellKind.Number);
    expect(out.value).toBeCloseTo(3.14);
    expect(parseCell('3,14', false, out)).toBe(CellKind.Text);
    expect(parseCell('0x1f', false, out)).toBe(CellKind.Text);
    expect(parseCell('open', false, out)).toBe(CellKind.Text);
  });

  it('tells missing (empty) from not finite (NaN, inf)', () => {
    expect(parseCell('', false, out)).toBe(CellKind.Missing);
    expect(parseCell('  ', false, out)).toBe(CellKind.Missing);
    expect(parseCell('NaN', false, out)).toBe(CellKind.NotFinite);
    expect(out.value).toBeNaN();
    expect(parseCell('-inf', false, out)).toBe(CellKind.NotFinite);
    expect(out.value).toBe(-Infinity);
    expect(parseCell('Infinity', false, out)).toBe(CellKind.NotFinite);
    expect(out.value).toBe(Infinity);
  });
});

describe('openCsv', () => {
  it('picks the delimiter from the header line', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a,b,c')).toBe(',');
    expect(detectDelimiter('"a;b",c')).toBe(',');
  });

  it('streams rows with their line numbers through BOM, CRLF, quotes and blank lines', async () => {
    const p = file(
      'ok.csv',
      Buffer.from('\ufefftimestamp;"a b";c\r\n2020-01-01 00:00:00;1;2\r\n\r\n2020-01-01 00:00:01;"3";4\r\n'),
    );
    const { header, rows } = await readAll(p);
    expect(header).toEqual(['timestamp', 'a b', 'c']);
    expect(rows).toEqual([
      { cells: ['2020-01-01 00:00:00', '1', '2'], line: 2 },
      { cells: ['2020-01-01 00:00:01', '3', '4'], line: 4 },
    ]);
  });

  it('names the line of a ragged row', async () => {
    const p = file('ragged.csv', 'timestamp,a,b\n1,2,3\n4,5\n');
    const err = await errorOf(readAll(p));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/ragged\.csv:3: expected 3 fields as in the header, found 2/);
  });

  it('refuses an empty file, a missing header and a duplicate column name', async () => {
    expect((await errorOf(openCsv(file('empty.csv', '')))).message).toMatch(/:1: empty file/);
    expect((await errorOf(openCsv(file('blank.csv', '\n\n  \n')))).message).toMatch(/:1: empty file/);
    const noHeader = await errorOf(
      openCsv(file('noheader.csv', '2020-01-01 00:00:00,1,2\n2020-01-01 00:00:01,3,4\n')),
    );
    expect(noHeader.message).toMatch(/:1: no header row/);
    expect((await errorOf(openCsv(file('dup.csv', 'timestamp,a,a\n')))).message).toMatch(
      /column "a" appears twice/,
    );
    expect((await errorOf(openCsv(path.join(dir, 'missing.csv')))).message).toMatch(/no such file/);
  });
});
