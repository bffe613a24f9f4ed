import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';
import { openConsole, type ConsoleSession } from '../helpers/console';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = path.join(projectRoot, 'artifacts');
const ASSET_ID = 'plant/engine-1-test';

/** A port nobody listens on right now (the simulator binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * An engineer opens Browse on a configured connection ("Plant", the built-in simulator's server
 * reached as a connection of its own, without discovery, so it starts with no tags), walks down to
 * an engine with the keyboard, reads a variable's details, picks two variables, adds them to a new
 * asset, and finds them in the asset tree with live values; adding one of them again is refused
 * with the core's reason.
 */
describe('browsing a server and adding tags in a real browser against `vigil serve`', () => {
  let session: ConsoleSession;
  let page: Page;
  let url: string;
  let consoleErrors: string[] = [];
  let configFile: string;

  beforeAll(async () => {
    const port = await freePort();
    session = await openConsole({
      name: 'browse',
      config: {
        simulator: { port },
        connections: [
          { id: 'plant', name: 'Plant', endpointUrl: `opc.tcp://127.0.0.1:${port}`, discover: false },
        ],
      },
      args: ['--sim-speed', '20'],
    });
    configFile = session.configFile!;
    ({ page, url, consoleErrors } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toBe(0);
  });

  const panel = () => page.getByTestId('browse-panel');
  const tree = () => panel().getByRole('tree');
  /** Name of the tree row holding the keyboard focus. */
  const focusedRow = async () =>
    (await page.evaluate(
      `(() => { const el = document.activeElement; return el?.getAttribute('role') === 'treeitem' ? el.querySelector('.tree-name')?.textContent ?? null : null; })()`,
    )) as string | null;
  /** Arrow down (bounded) until the focused row is `name`. */
  const downTo = async (name: string) => {
    for (let i = 0; i < 60 && (await focusedRow()) !== name; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedRow()).toBe(name);
  };
  /** Opens the focused row and waits for its children. */
  const open = async (name: string) => {
    await page.keyboard.press('ArrowRight');
    const row = tree().getByRole('treeitem', { name, exact: true });
    await waitFor(
      async () =>
        (await row.getAttribute('aria-expanded')) === 'true' &&
        (await row.getAttribute('aria-busy')) === null,
      {
        what: `${name} open`,
        timeoutMs: 20_000,
      },
    );
    await tree().locator('[data-status="loading"]').waitFor({ state: 'detached', timeout: 20_000 });
  };

  it('browses to an engine, shows a variable’s details, and adds two variables to a new asset from the keyboard', async () => {
    await page.goto(url);
    await page.getByRole('tab', { name: /Connections/ }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Alt+4');
    const plantRow = page.locator('[data-testid="connection-row"][data-id="plant"]');
    await plantRow.waitFor({ timeout: 30_000 });
    await plantRow.click();
    const browseButton = page.getByTestId('connection-details').getByTestId('browse-button');
    await waitFor(async () => browseButton.isEnabled(), {
      what: 'Browse enabled for the configured connection',
      timeoutMs: 30_000,
    });
    await browseButton.click();
    await panel().waitFor();
    expect(await panel().getByRole('heading', { name: 'Browse Plant' }).count()).toBe(1);

    // The top level of Objects arrives; Down from the filter box enters the tree.
    await tree().getByRole('treeitem', { name: 'Demo Plant', exact: true }).waitFor({ timeout: 30_000 });
    await panel().getByRole('searchbox').focus();
    await page.keyboard.press('ArrowDown');
    await downTo('Demo Plant');
    await open('Demo Plant');
    await downTo('Turbofan Test Cell');
    await open('Turbofan Test Cell');
    await downTo('Engine 1');
    await open('Engine 1');

    // The details of the focused variable: unit and EU range from the server.
    await downTo('T30');
    const details = page.getByTestId('browse-details');
    await expect(details.getByTestId('detail-unit').textContent()).resolves.toBe('°R');
    await expect(details.getByTestId('detail-range').textContent()).resolves.toMatch(
      /^\d+(\.\d+)? to \d+(\.\d+)? °R$/,
    );
    await expect(details.getByTestId('detail-data-type').textContent()).resolves.toBe('Double');
    await expect(details.getByTestId('detail-shape').textContent()).resolves.toBe('Scalar');
    await expect(details.getByTestId('detail-trendable').textContent()).resolves.toBe('yes');
    await expect(details.getByTestId('detail-node-id').textContent()).resolves.toMatch(/Engine1\.T30$/);

    // Space picks T30 and T50.
    await page.keyboard.press('Space');
    await downTo('T50');
    await page.keyboard.press('Space');
    const picked = tree().locator('[role="treeitem"][aria-selected="true"]');
    await expect(picked.allTextContents()).resolves.toEqual(['T30', 'T50']);
    const selection = page.getByTestId('browse-selection');
    await expect(selection.getByRole('heading', { name: /^Selected variables/ }).textContent()).resolves.toBe(
      'Selected variables (2)',
    );

    await selection.getByRole('button', { name: 'Add 2 tags…' }).click();
    const form = page.getByTestId('add-tags-form');
    // The connection has no asset yet: the form starts on a new one, with the monitoring defaults.
    await expect(form.getByRole('radio', { name: 'New asset' }).isChecked()).resolves.toBe(true);
    await expect(form.getByLabel('Sampling interval (ms)').inputValue()).resolves.toBe('0');
    await expect(form.getByLabel('Queue size').inputValue()).resolves.toBe('100');
    await form.getByLabel('Name').fill('Engine 1 test');
    // Under the simulator's test cell: the asset hierarchy is shared by every connection.
    await form.getByLabel('Parent').selectOption({ label: 'Turbofan Test Cell (area)' });
    await expect(form.getByTestId('add-tags-plan').textContent()).resolves.toContain(`${ASSET_ID}/t50`);
    await form.getByTestId('add-tags-submit').click();

    const added = page.getByTestId('browse-added');
    await added.waitFor({ timeout: 20_000 });
    await expect(added.textContent()).resolves.toMatch(/^Added 2 tags to Engine 1 test: T30, T50\./);
    // The keyboard is back in the tree where it was, ready for the next pick.
    await waitFor(async () => (await focusedRow()) === 'T50', { what: 'focus back on T50' });
    // Marked in the tree as tags, listed among the connection's tags, saved in the file.
    await waitFor(async () => (await tree().locator('.browse-badge.tag').count()) === 2, {
      what: 'tag marks',
    });
    const configured = page.getByTestId('configured-tags');
    await expect(
      configured.locator('[data-tag-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tag-id'))),
    ).resolves.toEqual([`${ASSET_ID}/t30`, `${ASSET_ID}/t50`]);
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      connections: { id: string; tags?: { id: string }[] }[];
    };
    expect(saved.connections.find((c) => c.id === 'plant')!.tags!.map((t) => t.id)).toEqual([
      `${ASSET_ID}/t30`,
      `${ASSET_ID}/t50`,
    ]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-browse-added.png') });

    // The filter keeps the loaded nodes whose name matches, with the way down to them.
    const filter = panel().getByRole('searchbox');
    await filter.fill('T50');
    await expect(tree().locator('[role="treeitem"] .tree-name').allTextContents()).resolves.toEqual([
      'Demo Plant',
      'Turbofan Test Cell',
      'Engine 1',
      'T50',
    ]);
    // Escape clears a filled filter and leaves the panel open.
    await filter.press('Escape');
    await expect(filter.inputValue()).resolves.toBe('');
    expect(await panel().isVisible()).toBe(true);
    await tree().getByRole('treeitem', { name: 'Engine 2', exact: true }).waitFor();
  });

  it('refuses adding a node that is a tag already, with the core’s reason, and keeps the selection', async () => {
    // T50 is still focused in the tree.
    await tree().getByRole('treeitem', { name: /^T50/ }).focus();
    await page.keyboard.press('Space');
    const selection = page.getByTestId('browse-selection');
    await selection.getByRole('button', { name: 'Add 1 tag…' }).click();
    const form = page.getByTestId('add-tags-form');
    // The new asset is offered now, and the form says beforehand what will go wrong.
    await expect(form.getByLabel('Asset', { exact: true }).inputValue()).resolves.toBe(ASSET_ID);
    await expect(form.textContent()).resolves.toContain('already a tag');
    await form.getByTestId('add-tags-submit').click();
    const error = form.getByTestId('add-tags-error');
    await error.waitFor({ timeout: 20_000 });
    await expect(error.textContent()).resolves.toMatch(
      new RegExp(`^Nothing was added: Node \\S+Engine1\\.T50 is already tag "${ASSET_ID}/t50"$`),
    );
    await expect(selection.getByRole('heading', { name: /^Selected variables/ }).textContent()).resolves.toBe(
      'Selected variables (1)',
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-browse-refused.png') });
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows the new asset in the asset tree, with values arriving on its trend', async () => {
    await page.getByTestId('browse-close').click();
    await panel().waitFor({ state: 'detached' });
    await page.keyboard.press('Alt+1');
    const asset = page.getByRole('treeitem', { name: 'Engine 1 test', exact: true });
    await asset.waitFor({ timeout: 20_000 });
    expect(await asset.getAttribute('aria-level')).toBe('3');
    await asset.click();
    const strip = (tag: string) =>
      page.locator(
        `[data-testid="trend-series"][data-tag-id="${ASSET_ID}/${tag}"] [data-testid="latest-value"]`,
      );
    await strip('t30').waitFor({ timeout: 20_000 });
    const t50 = strip('t50');
    const first = await waitFor(async () => ((await t50.textContent()) ?? '').trim() || null, {
      what: 'a first T50 value',
      timeoutMs: 20_000,
    });
    expect(first).toMatch(/^\d+(\.\d+)? °R$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-browse-trend.png') });
  });

  it('removes a configured tag after confirmation', async () => {
    await page.keyboard.press('Alt+4');
    await page.locator('[data-testid="connection-row"][data-id="plant"]').click();
    await page.getByTestId('connection-details').getByTestId('browse-button').click();
    const configured = page.getByTestId('configured-tags');
    const t30 = configured.locator(`[data-tag-id="${ASSET_ID}/t30"]`);
    await t30.waitFor({ timeout: 20_000 });
    await t30.getByRole('button', { name: /^Remove tag T30/ }).click();
    const dialog = configured.getByRole('alertdialog');
    await expect(dialog.textContent()).resolves.toContain(`Remove tag T30 (${ASSET_ID}/t30)?`);
    // Escape backs out of the confirmation only; the panel stays.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await panel().count()).toBe(1);
    await t30.getByRole('button', { name: /^Remove tag T30/ }).click();
    await page.getByTestId('remove-confirm').click();
    await configured
      .getByRole('status')
      .filter({ hasText: 'Removed 1 tag: T30.' })
      .waitFor({ timeout: 20_000 });
    await t30.waitFor({ state: 'detached' });
    const saved = JSON.parse(readFileSync(configFile, 'utf8')) as {
      connections: { id: string; tags?: { id: string }[] }[];
    };
    expect(saved.connections.find((c) => c.id === 'plant')!.tags!.map((t) => t.id)).toEqual([
      `${ASSET_ID}/t50`,
    ]);
    expect(consoleErrors).toEqual([]);
  });
});
