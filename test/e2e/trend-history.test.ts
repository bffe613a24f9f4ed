import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';
import { openConsole, type ConsoleSession } from '../helpers/console';
import { waitFor } from '../helpers/wait';
import { seedYear, type SeedPlan } from './seedHistory';

const ARTIFACTS = path.join(projectRoot, 'artifacts');
const ENGINE = 'sim/demo-plant/turbofan-test-cell/engine-1';
const T24 = `${ENGINE}/t24`;
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What the page-side callbacks read of an element (this file is type-checked without the DOM lib). */
interface PageElement {
  dataset: Record<string, string | undefined>;
  clientWidth: number;
}

/**
 * The trend looking back: a year of history seeded into the historian before `vigil serve`
 * starts (the simulator only has what it made since), then the real console in Chromium.
 */
describe('the trend zooms from live out to a year and back', () => {
  let session: ConsoleSession;
  let page: Page;
  let url: string;
  let consoleErrors: string[] = [];
  let seeded: SeedPlan;

  beforeAll(async () => {
    session = await openConsole({
      name: 'trend',
      args: ['--sim-speed', '5'],
      prepare: (dataDir) => {
        seeded = seedYear(dataDir, [
          { id: T24, level: 642.5 },
          { id: `${T24}#anomaly` },
          { id: `${ENGINE}/anomaly_score` },
        ]);
      },
    });
    ({ page, url, consoleErrors } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toBe(0);
  });

  const trend = () => page.getByTestId('trend');
  const strip = (tagId: string) => page.locator(`[data-testid="trend-series"][data-tag-id="${tagId}"]`);
  const data = async (locator: Locator) =>
    locator.evaluate((e) => ({ ...(e as unknown as PageElement).dataset }));
  const plotWidth = (locator: Locator) =>
    locator.locator('.u-over').evaluate((e) => (e as unknown as PageElement).clientWidth);

  /** Waits until the trend reports the last range change drawn; returns its range. */
  async function drawn(): Promise<{ from: number; to: number; drawnMs: number }> {
    return waitFor(
      async () => {
        const d = await data(trend());
        if (d.mode !== 'history' || d.drawnMs === undefined) return null;
        return { from: Number(d.rangeFrom), to: Number(d.rangeTo), drawnMs: Number(d.drawnMs) };
      },
      { timeoutMs: 20_000, what: 'the history to be drawn' },
    );
  }

  it('shows a year of T24 with its gap, its Bad day and its anomalies, at 1 h rollups', async () => {
    await page.goto(url);
    await page
      .getByRole('treeitem', { name: /Engine 1\b/ })
      .first()
      .click();
    await strip(T24).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="trend"] canvas').first().waitFor({ timeout: 10_000 });
    expect((await data(strip(T24))).mode).toBe('live');
    // The score of the tag is named on its strip, and its latest value is shown ("—" while the
    // detector is still learning the tag: the simulator has only just started).
    expect(await strip(T24).getAttribute('data-score-tag-id')).toBe(`${T24}#anomaly`);
    await waitFor(
      async () =>
        /^anomaly (\d\.\d\d|—)$/.test((await strip(T24).getByTestId('anomaly-score').textContent()) ?? ''),
      {
        what: 'the latest anomaly score of T24',
      },
    );

    // The chart is created once: every range change below is setScale / setData on it.
    await strip(T24)
      .locator('canvas')
      .evaluate((e) => void ((e as unknown as PageElement).dataset.createdFirst = 'yes'));

    await page.getByRole('button', { name: 'Last year' }).click();
    const year = await drawn();
    expect(year.to - year.from).toBe(365 * DAY);
    expect(await page.getByRole('button', { name: 'Last year' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('range-label').textContent()).toBe('last year');
    await expect(page.getByTestId('range-source').textContent()).resolves.toMatch(
      /^1 h rollups, \d+ h per pixel$/,
    );

    const t24 = await data(strip(T24));
    const width = await plotWidth(strip(T24));
    expect(t24.mode).toBe('history');
    expect(t24.resolutionMs).toBe(String(HOUR));
    // Data across the whole year: every pixel column holds samples but the 5-day hole.
    const gapColumns = Math.ceil(((seeded.gap.to - seeded.gap.from) / (365 * DAY)) * width) + 1;
    expect(Number(t24.columns)).toBeGreaterThanOrEqual(width - gapColumns - 1);
    expect(Number(t24.columns)).toBeLessThanOrEqual(width);
    expect(Number(t24.gaps)).toBeGreaterThanOrEqual(1);
    // The day of Bad samples is marked (a column or two at this scale).
    expect(Number(t24.badColumns)).toBeGreaterThanOrEqual(1);
    // Three six-hour anomaly episodes, each still visible in a year-wide view.
    expect(Number(t24.abnormalSpans)).toBeGreaterThanOrEqual(seeded.abnormal.length);
    // The asset's score strip (first) has its year too; every strip shows the same range.
    const firstStrip = page.getByTestId('trend-series').first();
    expect(await firstStrip.getAttribute('data-tag-id')).toBe(`${ENGINE}/anomaly_score`);
    expect(Number((await data(firstStrip)).columns)).toBeGreaterThan(width * 0.9);
    const views = await page
      .getByTestId('trend-series')
      .evaluateAll((els) =>
        els.map(
          (e) =>
            `${(e as unknown as PageElement).dataset.viewFrom}-${(e as unknown as PageElement).dataset.viewTo}`,
        ),
      );
    expect(new Set(views)).toEqual(new Set([`${year.from}-${year.to}`]));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-trend-year.png'), fullPage: false });
  });

  it('zooms in from the keyboard down to raw samples, pans back, and follows the mouse', async () => {
    await trend().focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('+');
    let view = await drawn();
    expect(view.to - view.from).toBeCloseTo((365 * DAY) / 8, -3);
    expect(Number((await data(strip(T24))).columns)).toBeGreaterThan((await plotWidth(strip(T24))) * 0.9);

    for (let i = 0; i < 4; i++) await page.keyboard.press('+');
    view = await drawn();
    expect(view.to - view.from).toBeCloseTo((365 * DAY) / 128, -3);
    // Under three days the seeded minute samples (plus the dense last hours) fit the historian's
    // raw budget for a chart: the exact samples replace the hourly rollups.
    await waitFor(async () => (await data(strip(T24))).resolutionMs === '0', {
      what: 'raw samples after zooming in',
    });
    expect(await page.getByTestId('range-source').textContent()).toMatch(/^raw samples, /);
    const followingTo = view.to;

    await page.keyboard.press('ArrowLeft');
    const panned = await drawn();
    expect(panned.to - panned.from).toBeCloseTo(view.to - view.from, -3);
    expect(followingTo - panned.to).toBeCloseTo((view.to - view.from) / 4, -3);
    expect(await page.getByTestId('range-label').textContent()).not.toContain('following');

    // Wheel up over a chart zooms in around the pointer; every strip follows.
    const over = strip(T24).locator('.u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    const wheeled = await waitFor(
      async () => {
        const d = await data(trend());
        const span = Number(d.rangeTo) - Number(d.rangeFrom);
        return span < panned.to - panned.from ? span : null;
      },
      { what: 'the wheel zoom' },
    );
    expect(wheeled).toBeCloseTo((panned.to - panned.from) / 2, -3);
  });

  it('goes back to live with L: the chart follows new samples again', async () => {
    await trend().focus();
    await page.keyboard.press('l');
    await waitFor(async () => (await data(trend())).mode === 'live', { what: 'live mode' });
    expect((await data(strip(T24))).mode).toBe('live');
    expect(await page.getByRole('button', { name: /^Live/ }).getAttribute('aria-pressed')).toBe('true');

    const value = strip(T24).getByTestId('latest-value');
    const first = await waitFor(async () => ((await value.textContent()) ?? '').trim() || null, {
      what: 'a latest value',
    });
    await waitFor(async () => ((await value.textContent()) ?? '').trim() !== first, {
      timeoutMs: 20_000,
      what: 'the value to change',
    });
    // The chart itself moves: two pictures of the strip a moment apart differ.
    const chart = strip(T24).locator('.strip-chart');
    const before = await chart.screenshot();
    const after = await waitFor(
      async () => {
        const shot = await chart.screenshot();
        return shot.equals(before) ? null : shot;
      },
      { timeoutMs: 10_000, intervalMs: 500, what: 'the live chart to redraw' },
    );
    expect(after.equals(before)).toBe(false);
    // Live, a year, raw samples, panned, wheeled, live again: still the first chart.
    expect(await strip(T24).locator('canvas').count()).toBe(1);
    expect(await strip(T24).locator('canvas').getAttribute('data-created-first')).toBe('yes');
    expect(consoleErrors).toEqual([]);
  });
});
