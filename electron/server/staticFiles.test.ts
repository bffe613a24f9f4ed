import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStaticFile } from './staticFiles';

describe('readStaticFile', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'vigil-static-'));
  const root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<html></html>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'secret');

  it('serves files inside the root with their content type', async () => {
    expect((await readStaticFile(root, '/'))?.contentType).toMatch(/text\/html/);
    expect((await readStaticFile(root, '/assets/app.js'))?.contentType).toMatch(/javascript/);
  });

  it('refuses paths that escape the root', async () => {
    for (const p of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%00',
    ]) {
      expect(await readStaticFile(root, p), p).toBeNull();
    }
  });
});
