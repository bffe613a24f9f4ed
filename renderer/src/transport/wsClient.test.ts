import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { VigilApiError } from '../../../shared/api';
import type { WsClientMessage, WsServerMessage } from '../../../shared/ipc';
import type { TransportState } from './types';
import { createWsClient } from './wsClient';

/** A real WebSocket server on loopback whose answers each test scripts. */
interface TestServer {
  wss: WebSocketServer;
  url: string;
  received: WsClientMessage[];
  urls: string[];
  connections: number;
  send(message: WsServerMessage): void;
  dropAll(): void;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const clients: { dispose(): void }[] = [];

async function startServer(
  onMessage: (message: WsClientMessage, reply: (m: WsServerMessage) => void) => void = () => {},
  accept: (attempt: number) => boolean = () => true,
): Promise<TestServer> {
  let attempts = 0;
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, done) => {
      attempts++;
      if (accept(attempts)) done(true);
      else done(false, 401, 'Unauthorized');
    },
  });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const server: TestServer = {
    wss,
    url: `ws://127.0.0.1:${port}/api/ws`,
    received: [],
    urls: [],
    connections: 0,
    send(message) {
      for (const c of wss.clients) c.send(JSON.stringify(message));
    },
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  wss.on('connection', (socket, req) => {
    server.connections++;
    server.urls.push(req.url ?? '');
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as WsClientMessage;
      server.received.push(message);
      onMessage(message, (m) => socket.send(JSON.stringify(m)));
    });
  });
  servers.push(server);
  return server;
}

function client(url: string, options: Parameters<typeof createWsClient>[2] = {}) {
  const c = createWsClient(url, 'secret token/1', {
    WebSocket, // the `ws` package: Node 20 has no global WebSocket
    initialReconnectDelayMs: 20,
    maxReconnectDelayMs: 100,
    ...options,
  });
  clients.push(c);
  return c;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const asset = {
  id: 'e1',
  parentId: null,
  kind: 'asset',
  name: 'Engine 1',
  description: '',
  connectionId: null,
};
const liveMessage = (v: number) => ({ series: [{ tagId: 't1', t: [1000 + v], v: [v], q: [0] }], dropped: 0 });

afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('createWsClient', () => {
  it('connects with the session token in the query and resolves calls with parsed results', async () => {
    const server = await startServer((m, reply) => {
      if (m.type === 'call') reply({ type: 'result', id: m.id, ok: true, result: [asset] });
    });
    const c = client(server.url);
    const assets = await c.call('listAssets', {});
    // Defaults from the contract are applied by parsing (description, connectionId).
    expect(assets).toEqual([asset]);
    expect(server.urls[0]).toBe(`/api/ws?token=${encodeURIComponent('secret token/1').replace(/%20/g, '+')}`);
    expect(server.received[0]).toMatchObject({ type: 'call', name: 'listAssets', input: {} });
    expect(c.status.get()).toEqual({ state: 'open', lastError: null, attempt: 0 });
  });

  it('answers concurrent calls by id, whatever order the results come in', async () => {
    const held: WsClientMessage[] = [];
    let replyTo: ((m: WsServerMessage) => void) | null = null;
    const server = await startServer((m, reply) => {
      held.push(m);
      replyTo = reply;
    });
    const c = client(server.url);
    const tags = c.call('listTags', { assetId: 'e1' });
    const health = c.call('getHealth', {});
    await waitFor(() => held.length === 2, 'both calls');
    const [first, second] = held as [
      Extract<WsClientMessage, { type: 'call' }>,
      Extract<WsClientMessage, { type: 'call' }>,
    ];
    const healthReport = {
      status: 'ok',
      problems: [],
      version: '1',
      startedAt: 0,
      uptimeS: 1,
      connections: [],
    };
    replyTo!({ type: 'result', id: second.id, ok: true, result: healthReport });
    replyTo!({ type: 'result', id: first.id, ok: true, result: [] });
    await expect(health).resolves.toEqual(healthReport);
    await expect(tags).resolves.toEqual([]);
  });

  it('turns error results into VigilApiError carrying the contract error', async () => {
    const error = {
      code: 'invalid_input',
      message: 'Invalid input for getRecent: tagIds: Too small',
      issues: [{ path: 'tagIds', message: 'Too small' }],
    };
    const server = await startServer((m, reply) => {
      if (m.type === 'call') reply({ type: 'result', id: m.id, ok: false, error });
    });
    const c = client(server.url);
    const failure = await c.call('getRecent', { tagIds: [] as unknown as [string] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VigilApiError);
    expect((failure as VigilApiError).error).toEqual(error);
    expect((failure as VigilApiError).message).toBe(error.message);
  });

  it('rejects a result that does not match the contract instead of passing it on', async () => {
    const server = await startServer((m, reply) => {
      if (m.type === 'call') reply({ type: 'result', id: m.id, ok: true, result: [{ id: 42 }] });
    });
    const c = client(server.url);
    const failure = await c.call('listAssets', {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VigilApiError);
    expect((failure as VigilApiError).error.code).toBe('internal');
    expect((failure as VigilApiError).message).toMatch(/malformed result for listAssets/);
  });

  it('fails a call the core does not answer in time with `unavailable`', async () => {
    const server = await startServer(); // never answers
    const c = client(server.url, { callTimeoutMs: 150 });
    const failure = await c.call('getHealth', {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VigilApiError);
    expect((failure as VigilApiError).error.code).toBe('unavailable');
    expect((failure as VigilApiError).message).toMatch(/did not answer getHealth within 150 ms/);
  });

  it('fails a sent call when the link drops, without re-sending it after the reconnect', async () => {
    const server = await startServer();
    const c = client(server.url);
    const call = c.call('listAssets', {}).catch((e: unknown) => e);
    await waitFor(() => server.received.length === 1, 'the call');
    server.dropAll();
    const failure = await call;
    expect((failure as VigilApiError).error.code).toBe('unavailable');
    await waitFor(() => server.connections === 2 && c.status.get().state === 'open', 'the reconnect');
    expect(server.received.filter((m) => m.type === 'call')).toHaveLength(1);
  });

  it('delivers stream messages to the subscriber and stops after unsubscribe', async () => {
    const server = await startServer();
    const c = client(server.url);
    const got: unknown[] = [];
    const unsubscribe = c.subscribe('liveSamples', { tagIds: ['t1'] }, (m) => got.push(m));
    await waitFor(() => server.received.length === 1, 'the subscribe');
    const sub = server.received[0] as Extract<WsClientMessage, { type: 'subscribe' }>;
    expect(sub).toMatchObject({ type: 'subscribe', name: 'liveSamples', params: { tagIds: ['t1'] } });

    server.send({ type: 'stream', id: sub.id, message: liveMessage(1) });
    server.send({ type: 'stream', id: sub.id, message: liveMessage(2) });
    await waitFor(() => got.length === 2, 'two messages');
    expect(got).toEqual([liveMessage(1), liveMessage(2)]);

    unsubscribe();
    await waitFor(() => server.received.length === 2, 'the unsubscribe');
    expect(server.received[1]).toEqual({ type: 'unsubscribe', id: sub.id });
    server.send({ type: 'stream', id: sub.id, message: liveMessage(3) });
    // A call round trip after the late message proves it was processed (and ignored).
    const probe = c.call('getHealth', {}).catch(() => undefined);
    await waitFor(() => server.received.length === 3, 'the probe call');
    void probe;
    expect(got).toHaveLength(2);
  });

  it('reports malformed stream messages and a refused stream through onError', async () => {
    const server = await startServer((m, reply) => {
      if (m.type !== 'subscribe') return;
      reply({ type: 'stream', id: m.id, message: { series: 'nope' } });
      reply({
        type: 'stream_error',
        id: m.id,
        error: { code: 'forbidden', message: 'Not allowed', issues: [] },
      });
    });
    const c = client(server.url);
    const errors: VigilApiError[] = [];
    c.subscribe(
      'liveSamples',
      { tagIds: ['t1'] },
      () => {},
      (e) => errors.push(e),
    );
    await waitFor(() => errors.length === 2, 'two errors');
    expect(errors[0]).toBeInstanceOf(VigilApiError);
    expect(errors[0]!.error.code).toBe('internal');
    expect(errors[1]!.error).toEqual({ code: 'forbidden', message: 'Not allowed', issues: [] });

    // A stream the host ended is not re-subscribed after a reconnect.
    server.dropAll();
    await waitFor(() => server.connections === 2 && c.status.get().state === 'open', 'the reconnect');
    await new Promise((r) => setTimeout(r, 50));
    expect(server.received.filter((m) => m.type === 'subscribe')).toHaveLength(1);
  });

  it('reconnects with backoff after the link drops and re-subscribes its streams', async () => {
    const server = await startServer();
    const c = client(server.url);
    const states: TransportState[] = [];
    c.status.subscribe((s) => states.push(s.state));
    const got: number[] = [];
    c.subscribe('liveSamples', { tagIds: ['t1'] }, (m) => got.push(m.series[0]!.v[0]!));
    await waitFor(() => server.received.length === 1, 'the subscribe');
    const firstId = server.received[0]!.id;
    server.send({ type: 'stream', id: firstId, message: liveMessage(1) });
    await waitFor(() => got.length === 1, 'the first message');

    server.dropAll();
    await waitFor(() => server.received.length === 2, 'the re-subscribe');
    expect(server.received[1]).toEqual(server.received[0]);
    expect(states).toEqual(['open', 'reconnecting', 'open']);

    server.send({ type: 'stream', id: firstId, message: liveMessage(2) });
    await waitFor(() => got.length === 2, 'a message after the reconnect');
    expect(got).toEqual([1, 2]);
  });

  it('keeps retrying while the server refuses it, says why, and sends waiting calls once in', async () => {
    const server = await startServer(
      (m, reply) => {
        if (m.type === 'call') reply({ type: 'result', id: m.id, ok: true, result: [] });
      },
      (attempt) => attempt > 3, // the first three attempts are refused (e.g. the core is starting)
    );
    const c = client(server.url);
    const lastErrors: string[] = [];
    c.status.subscribe((s) => {
      if (s.lastError) lastErrors.push(s.lastError);
    });
    const assets = c.call('listAssets', {});
    await expect(assets).resolves.toEqual([]);
    expect(c.status.get().state).toBe('open');
    expect(lastErrors.length).toBeGreaterThanOrEqual(3);
    expect(lastErrors[0]).toMatch(/Cannot reach the Vigil core at ws:\/\/127\.0\.0\.1:\d+\/api\/ws/);
    expect(lastErrors.join('\n')).not.toContain('secret'); // the token never shows up in the UI
  });

  it('fails pending calls and goes to `closed` when disposed', async () => {
    const server = await startServer();
    const c = client(server.url);
    const call = c.call('getHealth', {}).catch((e: unknown) => e);
    await waitFor(() => server.received.length === 1, 'the call');
    c.dispose();
    expect(((await call) as VigilApiError).error.code).toBe('unavailable');
    expect(c.status.get().state).toBe('closed');
    await expect(c.call('getHealth', {})).rejects.toBeInstanceOf(VigilApiError);
  });
});
