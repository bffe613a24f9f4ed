import { chromium, type Browser } from 'playwright-core';
import type { RunningCli } from './cli';
import { waitFor } from './wait';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless. Without the background-networking flags Chromium keeps trying
 * hosts this closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The URL `vigil serve` prints once the console is up. */
export function consoleUrl(serve: RunningCli): Promise<string> {
  return waitFor(() => /running at (http:\/\/\S+)/.exec(serve.stdout())?.[1], {
    timeoutMs: 60_000,
    what: `the console URL (stderr: ${serve.stderr()})`,
  });
}
