import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';
import { openConsole, type ConsoleSession } from '../helpers/console';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = path.join(projectRoot, 'artifacts');

describe('the console in a real browser against `vigil serve`', () => {
  let session: ConsoleSession;
  let page: Page;
  let url: string;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    session = await openConsole({ name: 'console', args: ['--sim-speed', '5'] });
    ({ page, url, consoleErrors } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toBe(0);
  });

  it('loads, lists the simulator’s assets, and shows a live chart for a selected engine', async () => {
    await page.goto(url);
    const engine = page.getByRole('treeitem', { name: /Engine 1\b/ });
    await engine.first().waitFor({ timeout: 30_000 });
    await expect(page.getByRole('treeitem', { name: /Milling Machine/ }).count()).resolves.toBeGreaterThan(0);

    await engine.first().click();
    const series = page.getByTestId('trend-series');
    await series.first().waitFor({ timeout: 30_000 });
    expect(await series.count()).toBeGreaterThanOrEqual(20);
    // A chart canvas is drawn for the series.
    await page.locator('[data-testid="trend"] canvas').first().waitFor({ timeout: 10_000 });

    // The latest value of the T24 sensor changes as the simulator plays the engine's run.
    const t24 = page.locator(
      '[data-testid="trend-series"][data-tag-id$="/t24"] [data-testid="latest-value"]',
    );
    const first = await waitFor(async () => ((await t24.textContent()) ?? '').trim() || null, {
      what: 'a first value',
    });
    await waitFor(async () => ((await t24.textContent()) ?? '').trim() !== first, {
      timeoutMs: 20_000,
      what: 'the value to change',
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-console-trend.png'), fullPage: false });
    expect(consoleErrors).toEqual([]);
  });

  it('is usable from the keyboard: arrow keys move through the asset tree and Enter selects', async () => {
    const tree = page.getByRole('tree');
    await tree.getByRole('treeitem').first().focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const selected = page.locator('[role="treeitem"][aria-selected="true"]');
    await selected.first().waitFor({ timeout: 5_000 });
    expect(await selected.count()).toBe(1);
  });
});
