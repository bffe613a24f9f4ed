import { readFileSync } from 'node:fs';
import { parseConfig, type VigilConfig } from './config';

/**
 * Reads a JSON configuration file. Every problem (missing file, bad JSON, a wrong field) is
 * reported with the file name and the field path, so the operator can fix it at once.
 */
export function loadConfigFile(file: string, overrides: Record<string, unknown> = {}): VigilConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `Configuration file not found: ${file}`
        : `Cannot read configuration file ${file}: ${String(err)}`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`Configuration file ${file} is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`Configuration file ${file} must hold a JSON object`);
  }
  return parseConfig({ ...(json as object), ...overrides }, `configuration file ${file}`);
}
