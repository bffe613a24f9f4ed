import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseConfig, VigilConfigSchema, type VigilConfig } from './config';
import { loadConfigFile } from './loadConfig';

/** The configuration file a core uses when it is given none: `<dataDir>/vigil.config.json`. */
export const DEFAULT_CONFIG_FILE_NAME = 'vigil.config.json';

export interface HostConfigInputs {
  /** A configuration file named by the operator (`--config`, VIGIL_CONFIG); it must exist. */
  configFile?: string | null;
  /** A data directory named outside the file (`--data-dir`, VIGIL_DATA_DIR); wins over the file's. */
  dataDir?: string | null;
  /**
   * What a relative dataDir written in a named file is relative to: the file's folder (the desktop
   * app, whose working directory means nothing) or the working directory (the command line).
   */
  relativeDataDir: 'file' | 'cwd';
}

export interface HostConfig {
  config: VigilConfig;
  /**
   * Where connections added in the console and tags added by browsing are saved (absolute): the
   * named file, else `<dataDir>/vigil.config.json`, created by the first change.
   */
  configFile: string;
}

/**
 * The configuration of a core host (`vigil serve`, Electron's core process). With a named file, that
 * file. Without one, `<dataDir>/vigil.config.json` when it exists (same schema; its own dataDir is
 * ignored, the folder it sits in is the data directory), else the defaults. Either way the file is
 * where the core saves what the operator changes, so a restart brings it back.
 */
export function loadHostConfig(inputs: HostConfigInputs): HostConfig {
  const overrideDir = inputs.dataDir ? path.resolve(inputs.dataDir) : null;
  if (inputs.configFile) {
    const configFile = path.resolve(inputs.configFile);
    const config = loadConfigFile(configFile, overrideDir ? { dataDir: overrideDir } : {});
    const base = inputs.relativeDataDir === 'file' ? path.dirname(configFile) : process.cwd();
    return { config: { ...config, dataDir: path.resolve(base, config.dataDir) }, configFile };
  }
  const dataDir = overrideDir ?? path.resolve(VigilConfigSchema.shape.dataDir.parse(undefined));
  const configFile = defaultConfigFile(dataDir);
  const config = existsSync(configFile)
    ? loadConfigFile(configFile, { dataDir })
    : parseConfig({ dataDir }, 'default configuration');
  return { config, configFile };
}

export function defaultConfigFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), DEFAULT_CONFIG_FILE_NAME);
}
