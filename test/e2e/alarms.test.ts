import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';
import { openConsole, type ConsoleSession } from '../helpers/console';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = path.join(projectRoot, 'artifacts');
const ENGINE = 'sim/demo-plant/turbofan-test-cell/engine-';

/**
 * Alarms that trip as soon as the simulator plays: EGT (T50, ~1400 °R in C-MAPSS) above 1000
 * stays active; the cycle counter above 3 trips again at each new run (about every 10 s at
 * --sim-speed 20) and is routed to the desktop so a toast shows up. A persistent-anomaly rule
 * with a 2 s window puts a recommendation per listed engine in the decision queue within seconds.
 */
const config = {
  alarms: {
    definitions: [
      {
        id: 'engine1.t50.high',
        kind: 'high',
        tagId: `${ENGINE}1/t50`,
        limit: 1000,
        priority: 'high',
        message: 'EGT high',
        suggestedAction: 'Reduce load',
      },
      {
        id: 'engine2.t30.high',
        kind: 'high',
        tagId: `${ENGINE}2/t30`,
        limit: 100,
        priority: 'critical',
        message: 'HPC outlet temperature high',
        suggestedAction: 'Stop the test run',
      },
      {
        id: 'engine1.cycle.high',
        kind: 'high',
        tagId: `${ENGINE}1/cycle`,
        limit: 3,
        priority: 'low',
        message: 'Cycle count high',
        suggestedAction: 'Check the run counter',
      },
    ],
  },
  notifications: {
    routes: [{ id: 'desktop-all', events: ['activate'], channels: ['desktop'] }],
  },
  maintenance: {
    rules: [
      {
        id: 'quick-anomaly',
        kind: 'persistent_anomaly',
        assets: [`${ENGINE}1`, `${ENGINE}2`],
        threshold: 0,
        windowMs: 2000,
        minFraction: 0.1,
        minSamples: 3,
        suggestedAction: 'Check the engine',
      },
    ],
  },
};

describe('alarm and decision queues in a real browser against `vigil serve`', () => {
  let session: ConsoleSession;
  let page: Page;
  let url: string;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    session = await openConsole({
      name: 'alarms',
      config,
      args: ['--sim-speed', '20'],
      acceptDownloads: true,
    });
    // Toasts of non-critical notifications expire after a few seconds; record every one shown, so
    // the test does not depend on how long the keyboard steps take on a loaded machine.
    await session.page.addInitScript({
      content: `window.__vigilToasts = [];
        new MutationObserver(() => {
          for (const el of document.querySelectorAll('[data-testid="toast"]')) {
            const text = el.textContent || '';
            if (!window.__vigilToasts.includes(text)) window.__vigilToasts.push(text);
          }
        }).observe(document, { childList: true, subtree: true, characterData: true });`,
    });
    ({ page, url, consoleErrors } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toBe(0);
  });

  const row = (id: string) => page.locator(`[data-testid="alarm-row"][data-id="${id}"]`);
  /** The data-id of the element holding the keyboard focus (a row of the queue). */
  const focusedRowId = async () =>
    (await page.evaluate('document.activeElement?.dataset?.id ?? null')) as string | null;

  it('shows the alarm, acknowledges and shelves it from the keyboard, with the journal', async () => {
    await page.goto(url);
    // The badge counts unacknowledged alarms while the Trends view is still shown.
    const badge = page.getByTestId('alarms-badge');
    await badge.waitFor({ timeout: 30_000 });
    expect(await page.getByRole('tab', { name: /Alarms/ }).getAttribute('aria-selected')).toBe('false');

    await page.keyboard.press('Alt+2');
    expect(await page.getByRole('tab', { name: /Alarms/ }).getAttribute('aria-selected')).toBe('true');
    const egt = row('engine1.t50.high');
    await egt.waitFor({ timeout: 20_000 });
    await expect(egt.getByTestId('alarm-state').textContent()).resolves.toBe('Unack active');
    await expect(egt.textContent()).resolves.toMatch(/EGT high.*>\s*1000.*Reduce load/);

    // Alt+2 put the keyboard in the queue: walk down to the EGT alarm with the arrow keys.
    await waitFor(async () => (await focusedRowId()) !== null, { what: 'a focused alarm row' });
    await page.keyboard.press('Home');
    for (let i = 0; i < 5 && (await focusedRowId()) !== 'engine1.t50.high'; i++)
      await page.keyboard.press('ArrowDown');
    expect(await focusedRowId()).toBe('engine1.t50.high');
    await page.keyboard.press('Space');
    expect(await egt.getAttribute('aria-selected')).toBe('true');

    // A: acknowledge with a comment.
    await page.keyboard.press('a');
    await page.getByTestId('alarm-form-acknowledge').waitFor();
    await page.keyboard.type('seen on the console');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await egt.getAttribute('data-state')) === 'ack_active', {
      what: 'the alarm to become acknowledged',
    });
    await expect(egt.getByTestId('alarm-state').textContent()).resolves.toBe('Ack active');

    // Acknowledging again: the core refuses, and the console says why next to the form.
    await waitFor(async () => (await focusedRowId()) === 'engine1.t50.high', {
      what: 'focus back on the row',
    });
    await page.keyboard.press('a');
    await page.keyboard.press('Enter');
    const error = page.getByTestId('alarm-action-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/already acknowledged/);
    await page.keyboard.press('Escape');

    // S: shelving needs a reason; without one nothing is sent.
    await waitFor(async () => (await focusedRowId()) === 'engine1.t50.high', {
      what: 'focus back on the row',
    });
    await page.keyboard.press('s');
    await page.getByTestId('alarm-form-shelve').waitFor();
    await page.keyboard.press('Enter');
    await waitFor(async () => /reason is required/i.test((await error.textContent().catch(() => '')) ?? ''), {
      what: 'the missing-reason error',
    });
    expect(await egt.getAttribute('data-state')).toBe('ack_active');
    await page.keyboard.type('Thermocouple under calibration');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await egt.getAttribute('data-state')) === 'shelved', {
      what: 'the alarm to be shelved',
    });

    // The journal of the focused alarm tells who did what, when and why.
    const journal = page.getByTestId('alarm-journal');
    await waitFor(async () => /Shelved/.test((await journal.textContent()) ?? ''), {
      what: 'the shelve entry',
    });
    const text = (await journal.textContent()) ?? '';
    expect(text).toMatch(/Thermocouple under calibration/);
    expect(text).toMatch(/Acknowledged/);
    expect(text).toMatch(/seen on the console/);

    // The critical alarm of engine 2 is still unacknowledged: the badge shows its colour.
    expect(await badge.getAttribute('data-priority')).toBe('critical');

    // The cycle alarm (routed to the desktop) has shown its notification as a toast (or, should the
    // re-trips add up to a flood, the flood summary that replaces single non-critical ones).
    const toasts = await waitFor(
      async () => {
        const shown = await page.evaluate(
          () => (globalThis as unknown as { __vigilToasts?: string[] }).__vigilToasts ?? [],
        );
        return shown.some((t) => t.includes('Cycle count high') || /flood/i.test(t)) ? shown : null;
      },
      { timeoutMs: 40_000, what: 'a toast for the cycle alarm or the flood' },
    );
    expect(toasts.length).toBeGreaterThan(0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-alarms.png'), fullPage: false });
  });

  it('approves and rejects recommendations, moves a work order and exports it', async () => {
    // Arrow keys in the tab list switch views (WAI-ARIA tabs, automatic activation).
    await page.getByRole('tab', { name: /Alarms/ }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: /Decisions/ }).getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('decisions-view').waitFor();
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: /Alarms/ }).getAttribute('aria-selected')).toBe('true');

    await page.keyboard.press('Alt+3');
    const cards = page.getByTestId('open-recommendations').getByTestId('recommendation');
    await waitFor(async () => (await cards.count()) >= 2, { timeoutMs: 20_000, what: 'two recommendations' });
    await expect(page.getByTestId('decisions-badge').textContent()).resolves.toMatch(/^2/);

    // The keyboard lands on the first card's Approve button.
    const first = cards.first();
    const firstId = await first.getAttribute('data-id');
    await page.keyboard.press('Enter');
    await first.getByTestId('decision-form-approve').waitFor();
    await page.keyboard.type('planned for the next shift');
    await page.keyboard.press('Enter');
    const order = page.getByTestId('work-order');
    await order.first().waitFor({ timeout: 10_000 });
    expect(await order.first().getAttribute('data-status')).toBe('open');
    await waitFor(async () => (await cards.count()) === 1, { what: 'the approved card to leave the queue' });

    // Rejecting needs a reason.
    const second = cards.first();
    expect(await second.getAttribute('data-id')).not.toBe(firstId);
    await second.getByRole('button', { name: 'Reject…' }).click();
    await second.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect(second.getByRole('alert').textContent()).resolves.toMatch(/reason is required/i);
    await second.getByTestId('decision-form-text').fill('sensor noise, not a fault');
    await second.getByRole('button', { name: 'Reject', exact: true }).click();
    await waitFor(async () => (await cards.count()) === 0, { what: 'the rejected card to leave the queue' });

    // The work order moves on; the export holds it.
    await order.first().getByRole('combobox').selectOption('in_progress');
    await waitFor(async () => (await order.first().getAttribute('data-status')) === 'in_progress', {
      what: 'the work order to be in progress',
    });
    const orderId = await order.first().getAttribute('data-id');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toMatch(/^id,asset_id,status/);
    expect(csv).toContain(`${orderId},${ENGINE}`);
    expect(csv).toContain('in_progress');

    expect(consoleErrors).toEqual([]);
  });
});
