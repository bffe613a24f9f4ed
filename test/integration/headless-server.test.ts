import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseConfig } from '../../electron/core/app/config';
import { startHeadlessConsole, type HeadlessConsole } from '../../electron/server/console';
import type { WsServerMessage } from '../../shared/ipc';
import { waitFor } from '../helpers/wait';

describe('headless server (vigil serve)', () => {
  let running: HeadlessConsole;
  let base: string;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'vigil-serve-'));
    const rendererDir = path.join(tmp, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(
      path.join(rendererDir, 'index.html'),
      '<!doctype html><html><head><meta name="vigil-token" content=""></head><body>Vigil</body></html>',
    );
    running = await startHeadlessConsole({
      config: parseConfig({
        dataDir: path.join(tmp, 'data'),
        simulator: { enabled: true, port: 0, speed: 10 },
      }),
      port: 0,
      rendererDir,
    });
    base = running.url.replace(/\/$/, '');
  });

  afterAll(async () => {
    await running?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const post = (name: string, body: string, token: string | null = running.server.token) =>
    fetch(`${base}/api/call/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body,
    });

  it('answers GET /api/health with status ok and per-connection state', async () => {
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as { status: string; connections: { id: string; state: string }[] };
    expect(health.status).toBe('ok');
    expect(health.connections).toEqual([expect.objectContaining({ id: 'sim', state: 'connected' })]);
  });

  it('serves the page with the session token and a strict CSP', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<meta name="vigil-token" content="${running.server.token}">`);
  });

  it('refuses API calls without the session token', async () => {
    const res = await post('listAssets', '{}', null);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('runs a valid command over HTTP', async () => {
    const res = await post('listAssets', '{}');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; result: unknown[] };
    expect(body.ok).toBe(true);
    expect(body.result.length).toBeGreaterThan(3);
  });

  it('answers malformed commands with a clear validation error and keeps serving', async () => {
    const badJson = await post('listAssets', '{"oops"');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: 'Request body is not valid JSON' },
    });

    const badInput = await post('getRecent', JSON.stringify({ tagIds: 'T24', limit: 'many' }));
    expect(badInput.status).toBe(400);
    const body = (await badInput.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['limit', 'tagIds']);

    const unknown = await post('formatDisk', '{}');
    expect(unknown.status).toBe(404);

    const huge = await post('listAssets', JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);

    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });

  it('refuses a WebSocket without the token or from another origin', async () => {
    const wsUrl = base.replace('http', 'ws');
    for (const [url, headers] of [
      [`${wsUrl}/api/ws`, {}],
      [`${wsUrl}/api/ws?token=wrong`, {}],
      [`${wsUrl}/api/ws?token=${running.server.token}`, { Origin: 'http://evil.example' }],
    ] as const) {
      const ws = new WebSocket(url, { headers });
      const outcome = await new Promise<string>((resolve) => {
        ws.on('open', () => resolve('open'));
        ws.on('error', () => resolve('refused'));
      });
      expect(outcome, url).toBe('refused');
      ws.terminate();
    }
  });

  it('answers calls and streams live samples over the WebSocket', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws?token=${running.server.token}`);
    const messages: WsServerMessage[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WsServerMessage));
    await new Promise((resolve) => ws.on('open', resolve));

    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'listTags', input: {} }));
    const tags = await waitFor(() => messages.find((m) => m.type === 'result' && m.id === 1), {
      what: 'listTags result',
    });
    expect(tags.type === 'result' && tags.ok).toBe(true);
    const tagIds = (tags as { result: { id: string }[] }).result.slice(0, 5).map((t) => t.id);

    ws.send(JSON.stringify({ type: 'call', id: 2, name: 'getRecent', input: { tagIds: [] } }));
    const bad = await waitFor(() => messages.find((m) => m.type === 'result' && m.id === 2), {
      what: 'error result',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    ws.send('not json');
    ws.send(JSON.stringify({ type: 'subscribe', id: 3, name: 'liveSamples', params: { tagIds } }));
    await waitFor(() => messages.filter((m) => m.type === 'stream' && m.id === 3).length >= 3, {
      what: 'stream messages',
    });
    expect(messages.some((m) => m.type === 'stream_error' && m.id === -1)).toBe(true);
    ws.close();
  });
});
