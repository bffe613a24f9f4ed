import { mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/cli';
import { openConsole, type ConsoleSession } from '../helpers/console';
import { waitFor } from '../helpers/wait';

const ARTIFACTS = path.join(projectRoot, 'artifacts');
const NEW_NAME = 'Secure simulator';
/** The id the core makes from the name (connectionIdFromName). */
const NEW_ID = 'secure-simulator';

/** A loopback port nothing listens on (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the Connections view in a real browser against `vigil serve`', () => {
  let session: ConsoleSession;
  let page: Page;
  let url: string;
  let consoleErrors: string[] = [];
  let configFile: string;

  beforeAll(async () => {
    // Connections added in the console are saved in the configuration file.
    session = await openConsole({
      name: 'connections',
      config: {},
      args: ['--sim-speed', '5'],
      viewport: { width: 1500, height: 950 },
    });
    configFile = session.configFile!;
    ({ page, url, consoleErrors } = session);
  });

  afterAll(async () => {
    if (session) expect(await session.close()).toBe(0);
  });

  const row = (id: string) => page.locator(`[data-testid="connection-row"][data-id="${id}"]`);
  const stateOf = (id: string) => row(id).getAttribute('data-state');
  const text = async (selector: ReturnType<Page['locator']>) => ((await selector.textContent()) ?? '').trim();
  const focusedTestId = () =>
    page.evaluate('document.activeElement?.dataset?.testid ?? null') as Promise<string | null>;

  it('lists the built-in simulator connected with its tag count, from the keyboard', async () => {
    await page.goto(url);
    await page.getByRole('tab', { name: /Trends/ }).waitFor();
    await page.keyboard.press('Alt+4');
    expect(await page.getByRole('tab', { name: /Connections/ }).getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('connections-view').waitFor();

    const sim = row('sim');
    await sim.waitFor({ timeout: 30_000 });
    await waitFor(async () => (await stateOf('sim')) === 'connected', {
      timeoutMs: 30_000,
      what: 'the simulator connected',
    });
    expect(await text(sim.getByTestId('connection-state'))).toBe('Connected');
    expect(await text(sim.getByTestId('connection-name'))).toBe('Built-in simulator');
    const tags = Number((await text(sim.getByTestId('connection-tags'))).replace(/,/g, ''));
    expect(tags).toBeGreaterThan(20);
    // The keyboard landed on the list; Enter opens the details.
    await waitFor(async () => (await focusedTestId()) === 'connection-row', { what: 'the row focused' });
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('connection-details');
    await panel.waitFor();
    expect(await panel.getAttribute('data-id')).toBe('sim');
    // The built-in connection is not in the configuration file: it cannot be edited or removed.
    expect(await panel.getByRole('button', { name: 'Edit…' }).isDisabled()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Remove…' }).isDisabled()).toBe(true);
    await panel.getByTestId('data-gaps').waitFor();
    await page.keyboard.press('Escape');
    await waitFor(async () => (await panel.count()) === 0, { what: 'the details closed' });
  });

  it('refuses bad endpoint URLs with a clear message and keeps what was typed', async () => {
    await page.getByTestId('add-connection').click();
    const dialog = page.getByTestId('connection-dialog');
    await dialog.waitFor();
    // Focus lands in the first field, the endpoint URL.
    expect(await focusedTestId()).toBe('endpoint-url');
    await dialog.getByTestId('connection-name-input').fill('Somewhere');
    const urlField = dialog.getByTestId('endpoint-url');
    await urlField.fill('127.0.0.1:4840');
    await urlField.press('Enter'); // Enter in the URL field discovers
    await expect(text(dialog.getByTestId('field-error-endpointUrl'))).resolves.toBe(
      'Must start with opc.tcp://',
    );

    const port = await closedPort();
    await urlField.fill(`opc.tcp://127.0.0.1:${port}`);
    await urlField.press('Enter');
    const error = dialog.getByTestId('discovery-error');
    await error.waitFor({ timeout: 20_000 });
    expect(await text(error)).toMatch(new RegExp(`Cannot reach opc\\.tcp://127\\.0\\.0\\.1:${port}`));
    expect(await dialog.getByTestId('connection-name-input').inputValue()).toBe('Somewhere');
    expect(await urlField.inputValue()).toBe(`opc.tcp://127.0.0.1:${port}`);

    // Escape closes without adding anything.
    await page.keyboard.press('Escape');
    await waitFor(async () => (await dialog.count()) === 0, { what: 'the dialog closed' });
    expect(await page.getByTestId('connection-row').count()).toBe(1);
  });

  it('adds a secured connection, which waits on the certificate until T trusts it', async () => {
    const simEndpoint = await text(row('sim').getByTestId('connection-endpoint'));
    expect(simEndpoint).toMatch(/^opc\.tcp:\/\//);

    await page.getByTestId('add-connection').click();
    const dialog = page.getByTestId('connection-dialog');
    await dialog.getByTestId('endpoint-url').fill(simEndpoint);
    await dialog.getByTestId('discover-button').click();
    const option = dialog.locator(
      '[data-testid="endpoint-option"][data-mode="SignAndEncrypt"][data-policy="Basic256Sha256"]',
    );
    await option.waitFor({ timeout: 20_000 });
    // The server certificate is shown before anything is trusted: not reviewed yet.
    const offered = await text(dialog.getByTestId('endpoint-certificate').first());
    expect(offered).toMatch(/not reviewed yet/);
    const thumbprint = /((?:[0-9A-F]{4} ){9}[0-9A-F]{4})/.exec(offered)?.[1];
    expect(thumbprint).toBeTruthy();
    await option.click();
    expect(await dialog.getByTestId('security-mode').inputValue()).toBe('SignAndEncrypt');
    expect(await dialog.getByTestId('security-policy').inputValue()).toBe('Basic256Sha256');
    await dialog.getByTestId('connection-name-input').fill(NEW_NAME);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-connections-add.png'), fullPage: false });
    await dialog.getByTestId('connection-name-input').press('Enter'); // Enter elsewhere saves
    await waitFor(async () => (await dialog.count()) === 0, { timeoutMs: 20_000, what: 'the dialog closed' });
    expect(readFileSync(configFile, 'utf8')).toContain(NEW_ID);

    // Not trusted silently: the connection stops on the certificate, which waits for review.
    const added = row(NEW_ID);
    await added.waitFor({ timeout: 20_000 });
    await waitFor(
      async () =>
        /Waiting for you to trust the server certificate/.test(
          await text(added.getByTestId('connection-why')),
        ),
      { timeoutMs: 30_000, what: 'the connection to wait on the certificate' },
    );
    // The details keep the core's full sentence.
    const details = page.getByTestId('connection-details');
    await waitFor(async () => (await details.getAttribute('data-id')) === NEW_ID, { what: 'its details' });
    expect(await text(details.getByTestId('connection-details-why'))).toMatch(/is not trusted yet/);
    expect(await stateOf(NEW_ID)).not.toBe('connected');
    const pending = page.locator('[data-testid="certificate-row"][data-state="pending"]');
    await pending.waitFor({ timeout: 20_000 });
    expect(await text(pending.getByTestId('certificate-thumbprint'))).toBe(thumbprint);
    const badge = page.getByTestId('connections-badge');
    await waitFor(async () => (await badge.getAttribute('data-certificates')) === '1', {
      what: 'the badge to count the pending certificate',
    });
    expect(Number(await badge.getAttribute('data-connections'))).toBeGreaterThanOrEqual(1);

    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-connections-pending.png'), fullPage: true });

    // T on the focused certificate trusts it; the waiting connection connects on its own.
    await pending.click();
    expect(await focusedTestId()).toBe('certificate-row');
    await page.keyboard.press('t');
    const trustedRow = page.locator(
      `[data-testid="certificate-row"][data-state="trusted"]:has([data-testid="certificate-thumbprint"]:text-is("${thumbprint}"))`,
    );
    await trustedRow.waitFor({ timeout: 10_000 });
    // The keyboard stays on the certificate as it moves to the trusted group.
    await waitFor(async () => (await focusedTestId()) === 'certificate-row', { what: 'focus on the row' });
    await waitFor(async () => (await stateOf(NEW_ID)) === 'connected', {
      timeoutMs: 30_000,
      what: 'the secured connection to connect after the trust',
    });
    expect(await text(added.getByTestId('connection-state'))).toBe('Connected');
    await waitFor(async () => (await badge.count()) === 0, { timeoutMs: 10_000, what: 'no problem left' });

    await added.click();
    const panel = page.getByTestId('connection-details');
    await waitFor(async () => (await panel.getAttribute('data-id')) === NEW_ID, { what: 'its details' });
    expect(await text(panel)).toMatch(/SignAndEncrypt · Basic256Sha256/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'e2e-connections.png'), fullPage: true });
  });

  it('edits the connection with its settings filled in, and opens Browse & add tags on it', async () => {
    const panel = page.getByTestId('connection-details');
    await panel.getByRole('button', { name: 'Edit…' }).click();
    const dialog = page.getByTestId('connection-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('security-mode').inputValue()).toBe('SignAndEncrypt');
    expect(await dialog.getByTestId('security-policy').inputValue()).toBe('Basic256Sha256');
    const name = dialog.getByTestId('connection-name-input');
    expect(await name.inputValue()).toBe(NEW_NAME);
    await name.fill(`${NEW_NAME} B`);
    await name.press('Enter');
    await waitFor(async () => (await dialog.count()) === 0, { timeoutMs: 20_000, what: 'the dialog closed' });
    await waitFor(async () => (await text(row(NEW_ID).getByTestId('connection-name'))) === `${NEW_NAME} B`, {
      what: 'the new name in the list',
    });
    expect(await stateOf(NEW_ID)).toBe('connected');

    await panel.getByTestId('browse-button').click();
    const sheet = page.getByTestId('browse-sheet');
    await sheet.getByTestId('browse-panel').waitFor();
    expect(await text(sheet.getByRole('heading', { level: 2 }))).toBe(`Browse ${NEW_NAME} B`);
    await page.keyboard.press('Escape');
    await waitFor(async () => (await sheet.count()) === 0, { what: 'the browse sheet closed' });
  });

  it('removes the connection after a confirmation that says the history stays', async () => {
    const panel = page.getByTestId('connection-details');
    await panel.getByRole('button', { name: 'Remove…' }).click();
    const confirm = page.getByTestId('remove-confirm');
    await confirm.waitFor();
    expect(await text(confirm)).toMatch(/history already recorded stays in the historian/);
    // Focus starts on Cancel, so an Enter does not remove anything by accident.
    expect(await page.evaluate('document.activeElement?.textContent ?? ""')).toMatch(/^Cancel/);
    await confirm.getByTestId('confirm-remove').click();
    await waitFor(async () => (await row(NEW_ID).count()) === 0, {
      timeoutMs: 15_000,
      what: 'the row to go',
    });
    expect(await text(page.getByTestId('connections-notice'))).toMatch(/Removed "Secure simulator B"/);
    expect(readFileSync(configFile, 'utf8')).not.toContain(NEW_ID);
    expect(await stateOf('sim')).toBe('connected');
    expect(consoleErrors).toEqual([]);
  });
});
