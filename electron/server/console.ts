import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../core/app/createCore';
import type { VigilConfig } from '../core/app/config';
import type { Logger } from '../core/app/logger';
import type { Core } from '../core/app/types';
import { startHeadlessServer, type HeadlessServer } from './server';

export interface HeadlessConsole {
  core: Core;
  server: HeadlessServer;
  url: string;
  close(): Promise<void>;
}

/** The built renderer: VIGIL_RENDERER_DIR, else out/renderer of the project this file belongs to. */
export function defaultRendererDir(): string {
  if (process.env.VIGIL_RENDERER_DIR) return process.env.VIGIL_RENDERER_DIR;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'out', 'renderer');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('out', 'renderer');
}

/**
 * `vigil serve`: the core plus the headless server, started in order and closed in reverse
 * (server first, so no request reaches a disposed core).
 */
export async function startHeadlessConsole(options: {
  config: VigilConfig;
  port: number;
  host?: string;
  rendererDir?: string;
  logger?: Logger;
  /**
   * The configuration file, where connections added in the console and tags added by browsing are
   * saved (hostConfig.ts gives one); without it those changes are refused.
   */
  configFile?: string;
}): Promise<HeadlessConsole> {
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(
      `The console's user interface is not built (no ${rendererDir}/index.html). Run "npm run build" first.`,
    );
  }
  const core = createCore(options.config, {
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.configFile ? { configFile: options.configFile } : {}),
  });
  let server: HeadlessServer;
  try {
    await core.start();
    server = await startHeadlessServer({
      api: core.api,
      rendererDir,
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
    });
  } catch (err) {
    await core.dispose();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`Port ${options.port} is already in use: choose another with --port`, { cause: err });
    }
    throw err;
  }
  return {
    core,
    server,
    url: server.url,
    async close() {
      await server.close();
      await core.dispose();
    },
  };
}
