import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfigFile, loadHostConfig } from './hostConfig';

describe('loadHostConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-hostconfig-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without a file: the defaults, saving to <dataDir>/vigil.config.json (not created yet)', () => {
    const dataDir = path.join(dir, 'data');
    const { config, configFile } = loadHostConfig({ dataDir, relativeDataDir: 'cwd' });
    expect(config.dataDir).toBe(dataDir);
    expect(config.connections).toEqual([]);
    expect(config.simulator.enabled).toBe(true);
    expect(configFile).toBe(path.join(dataDir, 'vigil.config.json'));
    expect(existsSync(configFile)).toBe(false);
  });

  it('without a data dir either: .vigil-data in the working directory', () => {
    const { config, configFile } = loadHostConfig({ relativeDataDir: 'cwd' });
    expect(config.dataDir).toBe(path.resolve('.vigil-data'));
    expect(configFile).toBe(defaultConfigFile('.vigil-data'));
  });

  it('reads <dataDir>/vigil.config.json when it exists; the folder it is in stays the data dir', () => {
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(
      path.join(dataDir, 'vigil.config.json'),
      JSON.stringify({
        dataDir: '/somewhere/else',
        simulator: { enabled: false },
        connections: [{ id: 'plc', endpointUrl: 'opc.tcp://127.0.0.1:4840' }],
      }),
    );
    const { config, configFile } = loadHostConfig({ dataDir, relativeDataDir: 'file' });
    expect(config.dataDir).toBe(dataDir);
    expect(config.simulator.enabled).toBe(false);
    expect(config.connections.map((c) => c.id)).toEqual(['plc']);
    expect(configFile).toBe(path.join(dataDir, 'vigil.config.json'));
  });

  it('refuses a damaged default file with its name, as it does a named one', () => {
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'vigil.config.json'), JSON.stringify({ batchIntervalMs: 0 }));
    expect(() => loadHostConfig({ dataDir, relativeDataDir: 'cwd' })).toThrow(
      /vigil\.config\.json:\n\s+batchIntervalMs/,
    );
  });

  it('with a named file: that file, its relative dataDir taken from the file or the working directory', () => {
    const file = path.join(dir, 'plant.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'plant-data' }));
    const desktop = loadHostConfig({ configFile: file, relativeDataDir: 'file' });
    expect(desktop.config.dataDir).toBe(path.join(dir, 'plant-data'));
    expect(desktop.configFile).toBe(file);
    const cli = loadHostConfig({ configFile: file, relativeDataDir: 'cwd' });
    expect(cli.config.dataDir).toBe(path.resolve('plant-data'));
    const overridden = loadHostConfig({ configFile: file, dataDir: dir, relativeDataDir: 'file' });
    expect(overridden.config.dataDir).toBe(dir);
    expect(() =>
      loadHostConfig({ configFile: path.join(dir, 'absent.json'), relativeDataDir: 'cwd' }),
    ).toThrow(/Configuration file not found: .*absent\.json/);
  });
});
