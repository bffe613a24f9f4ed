import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CMAPSS_FILE } from './playbackData';

export const RESOURCES_ENV = 'VIGIL_RESOURCES_DIR';

/** The folder itself if it holds the playback files, else its `simulator/` subfolder if that does. */
function simulatorDirIn(dir: string): string | null {
  if (existsSync(join(dir, CMAPSS_FILE))) return dir;
  const sub = join(dir, 'simulator');
  return existsSync(join(sub, CMAPSS_FILE)) ? sub : null;
}

/**
 * The folders to search upward from. The code runs from sources (tsx, vitest) and bundled into
 * out/main/core.js by electron-vite, so no single relative path is right everywhere.
 */
function searchStarts(): string[] {
  const starts: string[] = [];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // import.meta.url is not a file URL in some bundles; the other starts still apply.
  }
  starts.push(process.cwd());
  return starts;
}

/** A packaged app keeps extra resources at process.resourcesPath (simulator/ directly in it). */
function packagedResources(): string | null {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  return resourcesPath ? simulatorDirIn(resourcesPath) : null;
}

/**
 * Finds the folder with the simulator's playback CSVs: `explicit` (the resourcesDir option), else
 * $VIGIL_RESOURCES_DIR, else the packaged app's resources, else the first `resources/simulator` found
 * walking up from this module or from the working directory. An explicit folder or variable that holds no
 * data is an error rather than silently replaced by another copy.
 */
export function locateSimulatorResources(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  starts: readonly string[] = searchStarts(),
): string {
  const given = explicit ?? env[RESOURCES_ENV];
  if (given) {
    const found = simulatorDirIn(resolve(given));
    if (!found) {
      const origin = explicit ? 'resourcesDir' : `$${RESOURCES_ENV}`;
      throw new Error(
        `${origin} "${given}" holds no ${CMAPSS_FILE} (neither in it nor in its simulator/ folder)`,
      );
    }
    return found;
  }
  const packaged = packagedResources();
  if (packaged) return packaged;
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const found = simulatorDirIn(join(dir, 'resources'));
      if (found) return found;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(
    `Simulator data not found: no resources/simulator/${CMAPSS_FILE} above ${starts.join(', ')}. ` +
      `Set ${RESOURCES_ENV} or pass resourcesDir.`,
  );
}
