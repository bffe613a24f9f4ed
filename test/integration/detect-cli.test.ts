import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vigil detect <args>` as a user would and waits for it to finish (bounded). */
function detect(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin/vigil.mjs'), 'detect', ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vigil detect did not finish: ${stderr}`));
    }, 50_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function write(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function gaussian(seed: number): () => number {
  let s = seed;
  const u = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/**
 * A pump log like SKAB's: semicolon-separated, CRLF, "YYYY-MM-DD HH:MM:SS" at 1 Hz. Rows
 * 1000-1199: the flow drops by four noise levels while everything else stays normal.
 */
function pumpLog(rows: number): string {
  const noise = gaussian(42);
  const lines = ['datetime;Current;Flow;Pressure;Mode'];
  const t0 = Date.UTC(2021, 4, 1, 8, 0, 0);
  let temperatureDrift = 0;
  for (let i = 0; i < rows; i++) {
    const stamp = new Date(t0 + i * 1000).toISOString().replace('T', ' ').slice(0, 19);
    temperatureDrift += 0.01 * noise();
    const flow = 32 + 0.5 * noise() - (i >= 1000 && i < 1200 ? 2 : 0);
    lines.push(
      `${stamp};${(1.3 + 0.05 * noise()).toFixed(4)};${flow.toFixed(3)};${(0.4 + temperatureDrift).toFixed(4)};auto`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function parseOutput(csv: string): { timestamp: string; score: string; anomaly: string; top: string }[] {
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]).toBe('timestamp,anomaly_score,is_anomaly,top_column');
  return lines.slice(1).map((l) => {
    const [timestamp, score, anomaly, top] = l.split(',');
    return { timestamp: timestamp!, score: score!, anomaly: anomaly!, top: top! };
  });
}

describe('vigil detect', () => {
  const log = pumpLog(1600);
  const input = write('pump.csv', log);

  it('scores every row in order, flags the injected anomaly and names its column', async () => {
    const run = await detect(['--input', input, '--time-column', 'datetime']);
    expect(run.code).toBe(0);
    const rows = parseOutput(run.stdout);
    const inputStamps = log
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(';')[0]);
    expect(rows.map((r) => r.timestamp)).toEqual(inputStamps);
    for (const r of rows) {
      const score = Number(r.score);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(r.anomaly);
      expect(r.anomaly === '1').toBe(score >= 0.5);
    }
    const flagged = (from: number, to: number): number =>
      rows.slice(from, to).filter((r) => r.anomaly === '1').length;
    expect(flagged(0, 200)).toBe(0); // warm-up
    expect(flagged(200, 1000) / 800).toBeLessThan(0.02);
    expect(flagged(1000, 1200) / 200).toBeGreaterThan(0.8);
    const tops = rows
      .slice(1000, 1200)
      .filter((r) => r.anomaly === '1')
      .map((r) => r.top);
    expect(tops.filter((t) => t === 'Flow').length / tops.length).toBeGreaterThan(0.9);
    // The text column was left out; the summary says so.
    expect(run.stderr).toMatch(/1600 rows, 3 columns \(Current, Flow, Pressure\)/);
    expect(run.stderr).toMatch(/not numeric, skipped: Mode/);
  });

  it('is strictly streaming: a row scores the same whatever follows it', async () => {
    const prefix = write('pump-prefix.csv', log.split('\r\n').slice(0, 1101).join('\r\n') + '\r\n');
    const [full, part] = await Promise.all([
      detect(['--input', input, '--time-column', 'datetime', '--columns', 'Flow,Current']),
      detect(['--input', prefix, '--time-column', 'datetime', '--columns', 'Flow,Current']),
    ]);
    expect(part.code).toBe(0);
    const partRows = parseOutput(part.stdout);
    expect(partRows.length).toBe(1100);
    expect(parseOutput(full.stdout).slice(0, 1100)).toEqual(partRows);
  });

  it('writes --output atomically and reads comma-separated files with epoch timestamps', async () => {
    const noise = gaussian(1);
    const lines = ['timestamp,a,b'];
    for (let i = 0; i < 300; i++)
      lines.push(`${1_700_000_000 + i * 60},${(10 + noise()).toFixed(3)},${(noise() * 0.1).toFixed(4)}`);
    const csv = write('epoch.csv', lines.join('\n'));
    const out = path.join(dir, 'epoch-out.csv');
    const run = await detect(['--input', csv, '--output', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const rows = parseOutput(readFileSync(out, 'utf8'));
    expect(rows.length).toBe(300);
    expect(rows[0]!.timestamp).toBe('1700000000');
    // The temporary file it was written through is gone.
    expect(readdirSync(dir).filter((f) => f.startsWith('epoch-out.csv.'))).toEqual([]);
  });

  it('flags NaN and infinite cells as invalid data and keeps going', async () => {
    const lines = log.trimEnd().split('\r\n').slice(0, 400);
    lines[300] = lines[300]!.replace(/;[^;]*;([^;]*);/, ';NaN;$1;'); // Current
    lines[301] = lines[301]!.replace(/;[^;]*;([^;]*);/, ';inf;$1;');
    const csv = write('nan.csv', lines.join('\r\n'));
    const run = await detect(['--input', csv, '--time-column', 'datetime']);
    expect(run.code).toBe(0);
    expect(parseOutput(run.stdout).length).toBe(399);
    expect(run.stderr).toMatch(/data quality Current: NotFinite 2/);
  });

  it('stops bad input with exit code 2 and a message naming the line', async () => {
    const header = 'timestamp,a,b\n';
    const cases: [string, string, RegExp][] = [
      [
        'ragged.csv',
        `${header}2021-01-01 00:00:00,1,2\n2021-01-01 00:00:01,3\n`,
        /ragged\.csv:3: expected 3 fields/,
      ],
      [
        'text.csv',
        `${header}2021-01-01 00:00:00,1,2\n2021-01-01 00:00:01,1,high\n`,
        /text\.csv:3: column "b": "high" is not a number/,
      ],
      ['notime.csv', 'time,a\n2021-01-01 00:00:00,1\n', /notime\.csv:1: no time column "timestamp"/],
      [
        'badtime.csv',
        `${header}2021-13-01 00:00:00,1,2\n`,
        /badtime\.csv:2: column "timestamp": "2021-13-01 00:00:00" is not a timestamp/,
      ],
      ['empty.csv', '', /empty\.csv:1: empty file/],
      ['noheader.csv', '2021-01-01 00:00:00,1,2\n', /noheader\.csv:1: no header row/],
    ];
    for (const [name, content, message] of cases) {
      const run = await detect(['--input', write(name, content)]);
      expect(run.code, name).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    }
    const missing = await detect(['--input', path.join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.csv.*no such file/);
  });
});
