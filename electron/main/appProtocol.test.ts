import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, appScheme, createAppProtocolHandler, resolveAppFile } from './appProtocol';
import { contentSecurityPolicy } from '../../shared/csp';

let base: string;
let root: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'vigil-protocol-'));
  root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Vigil</title>');
  writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log("app")');
  writeFileSync(join(root, 'assets', 'index-abc.css'), 'body{}');
  // Files next to the renderer folder that must never be served.
  writeFileSync(join(base, 'secret.txt'), 'do not serve');
  mkdirSync(join(base, 'renderer-evil'));
  writeFileSync(join(base, 'renderer-evil', 'x.js'), 'evil');
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const traversals = [
  'vigil://app/../secret.txt',
  'vigil://app/%2e%2e/secret.txt',
  'vigil://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
  'vigil://app/..%2fsecret.txt',
  'vigil://app/..%2frenderer-evil/x.js',
  'vigil://app/..%5csecret.txt',
  'vigil://app/assets\\..\\..\\secret.txt',
  'vigil://app/%2e%2e/renderer-evil/x.js',
];

describe('resolveAppFile', () => {
  it('maps app URLs to files inside the renderer folder', () => {
    expect(resolveAppFile(root, 'vigil://app/')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'vigil://app/index.html')).toBe(join(root, 'index.html'));
    expect(resolveAppFile(root, 'vigil://app/assets/index-abc.js?v=1#x')).toBe(
      join(root, 'assets', 'index-abc.js'),
    );
  });

  it.each(traversals)('never resolves %s to a file outside the renderer folder', (url) => {
    const file = resolveAppFile(root, url);
    // The URL parser already folds plain `..` segments at the root; what is left must stay inside.
    if (file !== null) expect(file.startsWith(join(root, '/'))).toBe(true);
  });

  it.each([
    // Decoded separators would climb out: refused outright, including the sibling folder whose
    // name starts like the root (a string-prefix check would let it through).
    'vigil://app/..%2fsecret.txt',
    'vigil://app/..%2frenderer-evil/x.js',
    'vigil://app/..%5csecret.txt',
    'vigil://app/index.html%00.js',
    'vigil://app/%E0%A4%A',
    'vigil://other/index.html',
    'https://app/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });
});

describe('app protocol handler', () => {
  const csp = contentSecurityPolicy();
  const handler = (): ((request: Request) => Promise<Response>) => createAppProtocolHandler(root, { csp });

  it('serves the renderer with the right type and the CSP', async () => {
    const page = await handler()(new Request(APP_INDEX_URL));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Vigil</title>');

    // Module scripts are refused by Chromium unless served with a JavaScript type.
    const script = await handler()(new Request('vigil://app/assets/index-abc.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const style = await handler()(new Request('vigil://app/assets/index-abc.css'));
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for traversal attempts and missing files, without reading outside the folder', async () => {
    for (const url of [...traversals, 'vigil://app/assets/missing.js']) {
      const response = await handler()(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('do not serve');
    }
  });

  it('serves index.html for an extension-less client route, so a reload keeps the app', async () => {
    const response = await handler()(new Request('vigil://app/alarms/active'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Vigil</title>');
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await handler()(new Request(APP_INDEX_URL, { method: 'POST', body: 'x' }));
    expect(response.status).toBe(405);
  });

  it('registers the scheme as standard and secure but never CSP-bypassing', () => {
    expect(appScheme.scheme).toBe('vigil');
    expect(appScheme.privileges).toMatchObject({ standard: true, secure: true });
    expect(appScheme.privileges?.bypassCSP).toBeFalsy();
    expect(appScheme.privileges?.corsEnabled).toBeFalsy();
  });
});
