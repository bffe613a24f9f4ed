import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config';
import { loadConfigFile } from './loadConfig';

describe('configuration', () => {
  it('has defaults that start the built-in simulator', () => {
    const config = parseConfig({});
    expect(config.simulator.enabled).toBe(true);
    expect(config.connections).toEqual([]);
  });

  it('names the field that is wrong', () => {
    expect(() => parseConfig({ connections: [{ id: 'plc 1', endpointUrl: 'http://x' }] })).toThrow(
      /connections\.0\.id: .*connections\.0\.endpointUrl: must start with opc\.tcp/s,
    );
  });

  it('refuses a connection id used twice, and "sim" while the built-in simulator runs', () => {
    const plc = { id: 'plc', endpointUrl: 'opc.tcp://h:4840' };
    expect(() => parseConfig({ connections: [plc, plc] })).toThrow(/connections\.1\.id: "plc" is used twice/);
    const sim = { id: 'sim', endpointUrl: 'opc.tcp://h:4840' };
    expect(() => parseConfig({ connections: [sim] })).toThrow(
      /connections\.0\.id: "sim" is the built-in simulator's connection/,
    );
    expect(parseConfig({ simulator: { enabled: false }, connections: [sim] }).connections).toHaveLength(1);
  });

  it('reports a missing file and bad JSON with the file name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-config-'));
    expect(() => loadConfigFile(path.join(dir, 'nope.json'))).toThrow(
      /Configuration file not found: .*nope\.json/,
    );
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "dataDir": ');
    expect(() => loadConfigFile(bad)).toThrow(/bad\.json is not valid JSON/);
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ batchIntervalMs: 100 }));
    expect(loadConfigFile(good, { dataDir: '/tmp/x' })).toMatchObject({
      batchIntervalMs: 100,
      dataDir: '/tmp/x',
    });
  });
});

describe('validation and detection settings', () => {
  it('takes rule defaults and per-tag rules, and names a bad rule', () => {
    const config = parseConfig({
      validation: { defaults: { frozenMs: 0 }, tags: { 'sim/a/t24': { range: { low: 600, high: 700 } } } },
    });
    expect(config.validation.defaults.frozenMs).toBe(0);
    expect(config.validation.tags['sim/a/t24']?.range).toEqual({ low: 600, high: 700 });
    expect(() => parseConfig({ validation: { tags: { x: { range: { low: 5, high: 1 } } } } })).toThrow(
      /validation\.tags\.x\.range: range\.low must not exceed range\.high/,
    );
  });
});
