import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot, startCli, type RunningCli } from '../../test/helpers/cli';
import { waitFor } from '../../test/helpers/wait';
import { seedYear } from '../../test/e2e/seedHistory';
import type { BenchFigures, BenchOptions } from './index';

/**
 * The trend looking back (issue 4, UI side): the real console in headless Chromium against
 * `vigil serve`, with a year of one tag seeded into the historian first (one sample a minute,
 * one a second for the last two hours; its anomaly score alongside).
 *
 * Figures:
 * - historianChart.year_drawn_ms: from a click on "1 y" to the frame after the strip drew the
 *   answer (the page's own clock, data-drawn-ms), at ~2000 px plot width, one strip on screen;
 *   median of 7 (short: 3), each after a return to live. year_drawn_first_ms: the first one.
 * - historianChart.year_query_ms: the same queryChart over HTTP from Node (tag + score, same
 *   width), median: the historian's share of the above, measured in the same run.
 * - historianChart.plot_width_px: the plot width the strip asked for.
 * - historianChart.zoom_fps / zoom_frame_p95_ms: frames per second and the 95th percentile
 *   frame time while a wheel zooms that strip from live out to a year and back in (one wheel
 *   event per frame, fetches landing as it goes). zoom_fps_grid: the same with the default
 *   two-column grid of strips at 1400x900 (about ten strips on screen).
 * - historianChart.idle_fps: frames per second of the same page doing nothing, the baseline
 *   (headless Chromium without a GPU on this machine).
 * Needs /usr/bin/chromium (or VIGIL_CHROMIUM) and a built renderer (npx electron-vite build).
 */

const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const ENGINE = 'sim/demo-plant/turbofan-test-cell/engine-1';
const T24 = `${ENGINE}/t24`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/*
 * In-page scripts, as source text: this file is type-checked for Node (no DOM types), and
 * they run in the browser.
 */

/** Wheel events on a plot, one per frame, out then back in; resolves with the frame times. */
const ZOOM_SCRIPT = `(({ tagSuffix, frames }) => new Promise((resolve) => {
  const over = document.querySelector('[data-tag-id$="' + tagSuffix + '"] .u-over');
  const rect = over.getBoundingClientRect();
  const times = [];
  let i = 0;
  const step = (t) => {
    times.push(t);
    if (i >= frames) return resolve(times);
    // 60 px of wheel per frame: 5 min to a year in ~110 frames (WHEEL_PX_PER_DOUBLING = 400).
    const deltaY = i < frames / 2 ? 60 : -60;
    over.dispatchEvent(new WheelEvent('wheel', {
      deltaY, deltaMode: 0, bubbles: true, cancelable: true,
      clientX: rect.left + rect.width * 0.95, clientY: rect.top + rect.height / 2,
    }));
    i++;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}))`;

/** Frame times of a page left alone for `ms`. */
const IDLE_SCRIPT = `((ms) => new Promise((resolve) => {
  const times = [];
  const step = (t) => {
    times.push(t);
    if (times.length > 1 && t - times[0] >= ms) resolve(times);
    else requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}))`;

async function zoomFrames(page: Page, tagSuffix: string, frames: number): Promise<number[]> {
  return page.evaluate(`${ZOOM_SCRIPT}(${JSON.stringify({ tagSuffix, frames })})`) as Promise<number[]>;
}

async function idleFrames(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(`${IDLE_SCRIPT}(${ms})`) as Promise<number[]>;
}

function frameStats(times: number[]): { fps: number; p95: number } {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const span = times[times.length - 1]! - times[0]!;
  const sorted = [...gaps].sort((a, b) => a - b);
  return { fps: (gaps.length / span) * 1000, p95: sorted[Math.floor(sorted.length * 0.95)] ?? NaN };
}

async function openTrend(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page
    .getByRole('treeitem', { name: /Engine 1\b/ })
    .first()
    .click();
  await page
    .locator(`[data-testid="trend-series"][data-tag-id="${T24}"] canvas`)
    .waitFor({ timeout: 30_000 });
}

async function yearDrawnMs(page: Page): Promise<number> {
  await page.getByRole('button', { name: /^Live/ }).click();
  await page.locator('[data-testid="trend"][data-mode="live"]').waitFor();
  await page.waitForTimeout(300);
  await page.getByRole('button', { name: 'Last year' }).click();
  const trend = page.locator('[data-testid="trend"][data-drawn-ms]');
  await trend.waitFor({ timeout: 30_000 });
  return Number(await trend.getAttribute('data-drawn-ms'));
}

export async function run(opts: BenchOptions): Promise<BenchFigures> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  if (!existsSync(path.join(projectRoot, 'out/renderer/index.html')))
    throw new Error('The renderer is not built: run "npx electron-vite build" first');
  const repeats = opts.short ? 3 : 7;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-chart-'));
  let serve: RunningCli | null = null;
  let browser: Browser | null = null;
  try {
    const seeded = seedYear(dataDir, [{ id: T24, level: 642.5 }, { id: `${T24}#anomaly` }]);
    opts.log(`seeded ${seeded.samples} samples (a year of ${T24} and its score)`);
    serve = startCli(['serve', '--port', '0', '--data-dir', dataDir, '--sim-speed', '5']);
    const url = await waitFor(() => /running at (http:\/\/\S+)/.exec(serve!.stdout())?.[1], {
      timeoutMs: 60_000,
      what: 'the console URL',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--no-first-run',
      ],
    });

    // One strip, ~2000 px of plot: the other strips hidden (not fetched: off screen), one column.
    // The layout change is a style sheet added by the benchmark: let it past the page CSP.
    const wide = await browser.newPage({ viewport: { width: 2400, height: 900 }, bypassCSP: true });
    await openTrend(wide, url);
    await wide.addStyleTag({
      content: `.strips { grid-template-columns: 1fr !important; }
        [data-testid="trend-series"]:not([data-tag-id="${T24}"]) { display: none !important; }`,
    });
    await wide.waitForTimeout(500);
    const width = await wide
      .locator(`[data-testid="trend-series"][data-tag-id="${T24}"] .u-over`)
      .evaluate((e) => (e as unknown as { clientWidth: number }).clientWidth);
    const drawn: number[] = [];
    for (let i = 0; i < repeats; i++) drawn.push(await yearDrawnMs(wide));
    opts.log(`1 y at ${width} px: drawn in ${drawn.join(', ')} ms`);

    // The historian's share: the same query from Node.
    const token = await wide.locator('meta[name="vigil-token"]').getAttribute('content');
    const queries: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const now = Date.now();
      const started = performance.now();
      const res = await fetch(new URL('/api/call/queryChart', url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          tagIds: [T24, `${T24}#anomaly`],
          from: now - 365 * 86_400_000,
          to: now,
          width,
        }),
      });
      await res.text();
      queries.push(performance.now() - started);
    }

    await wide.getByRole('button', { name: /^Live/ }).click();
    await wide.waitForTimeout(1000);
    const idle = frameStats(await idleFrames(wide, 2000));
    const zoom = frameStats(await zoomFrames(wide, '/t24', opts.short ? 120 : 240));
    opts.log(
      `zoom one strip: ${zoom.fps.toFixed(1)} fps, p95 ${zoom.p95.toFixed(1)} ms; idle ${idle.fps.toFixed(1)} fps`,
    );
    await wide.close();

    // The default grid: about ten strips on screen, each fetching its own columns.
    const grid = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await openTrend(grid, url);
    await grid.waitForTimeout(1000);
    const gridZoom = frameStats(await zoomFrames(grid, '/t24', opts.short ? 120 : 240));
    opts.log(`zoom grid: ${gridZoom.fps.toFixed(1)} fps, p95 ${gridZoom.p95.toFixed(1)} ms`);
    await grid.close();

    return {
      'historianChart.year_drawn_ms': median(drawn),
      'historianChart.year_drawn_first_ms': drawn[0]!,
      'historianChart.year_query_ms': median(queries),
      'historianChart.plot_width_px': width,
      'historianChart.zoom_fps': zoom.fps,
      'historianChart.zoom_frame_p95_ms': zoom.p95,
      'historianChart.zoom_fps_grid': gridZoom.fps,
      'historianChart.zoom_frame_p95_grid_ms': gridZoom.p95,
      'historianChart.idle_fps': idle.fps,
    };
  } finally {
    await browser?.close();
    await serve?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
