import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, consoleUrl, launchChromium } from './browser';
import { projectRoot, startCli, type RunningCli } from './cli';

export interface ConsoleOptions {
  /** Names the temporary folder (vigil-e2e-<name>-...). */
  name: string;
  /** Written to <folder>/vigil.json and passed with --config. */
  config?: unknown;
  /** More arguments for `vigil serve` (after --port 0 --data-dir ... --config ...). */
  args?: string[];
  /** Runs on the data folder before the console starts (e.g. to seed history). */
  prepare?: (dataDir: string) => void;
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
}

export interface ConsoleSession {
  serve: RunningCli;
  browser: Browser;
  page: Page;
  /** The console's URL, with its session token. */
  url: string;
  /** The core's data folder (<folder>/data). */
  dataDir: string;
  /** The --config file, when `config` was given. */
  configFile: string | null;
  /** Errors the page logged or threw; tests expect none. */
  consoleErrors: string[];
  /** Closes the browser, stops `vigil serve` (returning its exit code) and removes the folder. */
  close(): Promise<number | null>;
}

/**
 * `vigil serve` with the built-in simulator on a free port, its renderer open in Debian's Chromium:
 * what every end-to-end test starts from.
 */
export async function openConsole(options: ConsoleOptions): Promise<ConsoleSession> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(path.join(projectRoot, 'out/renderer/index.html'))) {
    throw new Error('The renderer is not built: run "npm run build" (npm test does it first)');
  }
  const folder = mkdtempSync(path.join(os.tmpdir(), `vigil-e2e-${options.name}-`));
  const dataDir = path.join(folder, 'data');
  mkdirSync(dataDir);
  let configFile: string | null = null;
  if (options.config !== undefined) {
    configFile = path.join(folder, 'vigil.json');
    writeFileSync(configFile, JSON.stringify(options.config));
  }
  options.prepare?.(dataDir);
  const serve = startCli([
    'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...(configFile ? ['--config', configFile] : []),
    ...(options.args ?? []),
  ]);
  let browser: Browser | null = null;
  try {
    const url = await consoleUrl(serve);
    browser = await launchChromium();
    const page = await browser.newPage({
      viewport: options.viewport ?? { width: 1400, height: 900 },
      acceptDownloads: options.acceptDownloads ?? false,
    });
    const consoleErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    const opened = browser;
    return {
      serve,
      browser: opened,
      page,
      url,
      dataDir,
      configFile,
      consoleErrors,
      async close() {
        await opened.close();
        const code = await serve.stop();
        rmSync(folder, { recursive: true, force: true });
        return code;
      },
    };
  } catch (err) {
    await browser?.close();
    await serve.stop();
    rmSync(folder, { recursive: true, force: true });
    throw err;
  }
}
