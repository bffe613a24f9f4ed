import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argValue, launchPaths } from './launchPaths';

const base = {
  appPath: '/home/dev/vigil',
  isPackaged: false,
  resourcesPath: '/usr/lib/electron/resources',
  userDataPath: '/home/dev/.config/Vigil',
  argv: [] as string[],
  env: {} as Record<string, string | undefined>,
};

describe('launch paths', () => {
  it('points at the electron-vite bundles under out/', () => {
    const paths = launchPaths(base);
    expect(paths.preload).toBe('/home/dev/vigil/out/preload/index.cjs');
    expect(paths.rendererDir).toBe('/home/dev/vigil/out/renderer');
    expect(paths.coreEntry).toBe('/home/dev/vigil/out/main/core.js');
  });

  it('gives the core a per-user data folder unless VIGIL_DATA_DIR is set', () => {
    expect(launchPaths(base).coreEnv.VIGIL_DATA_DIR).toBe('/home/dev/.config/Vigil/data');
    expect(launchPaths({ ...base, env: { VIGIL_DATA_DIR: '/srv/vigil' } }).coreEnv.VIGIL_DATA_DIR).toBe(
      '/srv/vigil',
    );
  });

  it('finds shipped resources in the project in development and beside the app when packaged', () => {
    expect(launchPaths(base).coreEnv.VIGIL_RESOURCES_DIR).toBe('/home/dev/vigil/resources');
    const packaged = launchPaths({ ...base, isPackaged: true, appPath: '/opt/Vigil/resources/app.asar' });
    expect(packaged.coreEnv.VIGIL_RESOURCES_DIR).toBe('/usr/lib/electron/resources/resources');
  });

  it('passes a configuration file from --config or VIGIL_CONFIG as an absolute path', () => {
    expect(launchPaths(base).coreArgs).toEqual([]);
    expect(launchPaths({ ...base, argv: ['electron', '.', '--config', 'plant.json'] }).coreArgs).toEqual([
      '--config',
      resolve('plant.json'),
    ]);
    expect(launchPaths({ ...base, env: { VIGIL_CONFIG: '/etc/vigil.json' } }).coreArgs).toEqual([
      '--config',
      '/etc/vigil.json',
    ]);
  });

  it('keeps the rest of the environment for the core', () => {
    const env = launchPaths({ ...base, env: { PATH: '/usr/bin', UNSET: undefined } }).coreEnv;
    expect(env.PATH).toBe('/usr/bin');
    expect('UNSET' in env).toBe(false);
  });

  it('reads --name value and --name=value', () => {
    expect(argValue(['--config', 'a'], '--config')).toBe('a');
    expect(argValue(['--config=b'], '--config')).toBe('b');
    expect(argValue(['--configure', 'x'], '--config')).toBeUndefined();
  });
});
