import { isAbsolute, join, resolve } from 'node:path';

export interface LaunchInputs {
  /** app.getAppPath(): the project root in development, .../resources/app.asar when packaged. */
  appPath: string;
  isPackaged: boolean;
  /** process.resourcesPath: where extraResources land when packaged. */
  resourcesPath: string;
  /** app.getPath('userData'). */
  userDataPath: string;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

export interface LaunchPaths {
  preload: string;
  rendererDir: string;
  /** The core's utility-process entry (electron/core/app/utilityEntry.ts, bundled by electron-vite). */
  coreEntry: string;
  coreArgs: string[];
  coreEnv: Record<string, string>;
}

/** The value of `--name value` or `--name=value` in argv. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === name) return argv[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}

/**
 * Where the bundles are and what the core process gets: its data directory (per user unless
 * VIGIL_DATA_DIR says otherwise), the shipped resources folder and, when given with
 * `--config <file>` or VIGIL_CONFIG, a configuration file.
 */
export function launchPaths(inputs: LaunchInputs): LaunchPaths {
  const { appPath, env } = inputs;
  const out = join(appPath, 'out');
  const configFile = argValue(inputs.argv, '--config') ?? env.VIGIL_CONFIG;
  const coreEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) coreEnv[key] = value;
  coreEnv.VIGIL_DATA_DIR = env.VIGIL_DATA_DIR || join(inputs.userDataPath, 'data');
  coreEnv.VIGIL_RESOURCES_DIR =
    env.VIGIL_RESOURCES_DIR ||
    (inputs.isPackaged ? join(inputs.resourcesPath, 'resources') : join(appPath, 'resources'));
  return {
    preload: join(out, 'preload', 'index.cjs'),
    rendererDir: join(out, 'renderer'),
    coreEntry: join(out, 'main', 'core.js'),
    coreArgs: configFile ? ['--config', isAbsolute(configFile) ? configFile : resolve(configFile)] : [],
    coreEnv,
  };
}
