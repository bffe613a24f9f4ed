import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsClientMessage, WsServerMessage } from '../../shared/ipc';
import type { CallResult } from '../../shared/api';
import type { CoreApi } from '../core/app/types';
import type { Disposable } from '../core/app/disposable';
import { readStaticFile } from './staticFiles';
import { contentSecurityPolicy } from '../../shared/csp';

export interface HeadlessServerOptions {
  api: CoreApi;
  /** Folder of the built renderer (out/renderer). */
  rendererDir: string;
  port: number;
  host?: string;
  /** Session token; a random one is made when absent. */
  token?: string;
  /** Largest accepted request body or WebSocket frame. */
  maxMessageBytes?: number;
}

export interface HeadlessServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The same policy as the Electron window, so end-to-end tests in Chromium exercise it. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const BUSY_BUFFER_BYTES = 8 * 1024 * 1024;
/** WebSocket close code (private range) for a client that fell too far behind. */
export const CLOSE_TOO_SLOW = 4008;

/**
 * The headless host of the core: the built renderer at `/`, the typed API over HTTP
 * (`POST /api/call/<command>`, `GET /api/health`) and WebSocket (`/api/ws`), on loopback.
 * Every request except health and static files needs the session token, which the server
 * writes into the page it serves.
 */
export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxMessageBytes ?? 1024 * 1024;
  const { api } = options;

  const server: Server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(err) } });
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/health' && req.method === 'GET') {
      const result = await api.call('getHealth', {});
      if (!result.ok) return sendJson(res, 500, { status: 'error', problems: [result.error.message] });
      const health = result.result as { status: string };
      return sendJson(res, health.status === 'ok' ? 200 : 503, health);
    }
    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return sendJson(res, 405, errorBody('invalid_input', 'Use POST'));
      if (!hasValidToken(bearer(req)))
        return sendJson(res, 401, errorBody('forbidden', 'Missing or invalid session token'));
      const name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      const body = await readBody(req, maxBytes);
      if (body === null)
        return sendJson(res, 413, errorBody('invalid_input', `Request body over ${maxBytes} bytes`));
      let input: unknown;
      try {
        input = body.length ? JSON.parse(body) : {};
      } catch {
        return sendJson(res, 400, errorBody('invalid_input', 'Request body is not valid JSON'));
      }
      const result = await api.call(name, input);
      return sendJson(res, result.ok ? 200 : statusFor(result), result);
    }
    if (url.pathname.startsWith('/api/'))
      return sendJson(res, 404, errorBody('not_found', `No API route ${url.pathname}`));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    const file = await readStaticFile(
      options.rendererDir,
      url.pathname === '/' ? '/index.html' : url.pathname,
    );
    // Unknown paths fall back to the app shell (client-side routes), except for asset-like paths.
    const served =
      file ??
      (/\.[a-z0-9]+$/i.test(url.pathname) ? null : await readStaticFile(options.rendererDir, '/index.html'));
    if (!served) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    let body = served.body;
    if (served.contentType.startsWith('text/html'))
      body = Buffer.from(injectToken(body.toString('utf8'), token));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': served.contentType,
      'Cache-Control': served.contentType.startsWith('text/html') ? 'no-store' : 'public, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function hasValidToken(candidate: string | null): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const sameOrigin = !origin || new URL(origin).host === req.headers.host;
    if (url.pathname !== '/api/ws' || !sameOrigin || !hasValidToken(url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveWebSocket(ws, api));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}

/** One browser tab: calls answered by id, streams pushed until unsubscribed or closed. */
function serveWebSocket(ws: WebSocket, api: CoreApi): void {
  const subscriptions = new Map<number, Disposable>();
  const send = (message: WsServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    // A tab that stops reading must not grow this process's memory without bound. Rather than
    // dropping stream messages unseen, close the link: the client reconnects and refetches the gap.
    if (message.type === 'stream' && ws.bufferedAmount > BUSY_BUFFER_BYTES) {
      ws.close(CLOSE_TOO_SLOW, 'Client too slow: reconnect and refetch');
      return;
    }
    ws.send(JSON.stringify(message));
  };
  ws.on('message', (data) => {
    let message: WsClientMessage;
    try {
      message = JSON.parse(data.toString()) as WsClientMessage;
    } catch {
      send({
        type: 'stream_error',
        id: -1,
        error: { code: 'invalid_input', message: 'Message is not valid JSON', issues: [] },
      });
      return;
    }
    const id = typeof message?.id === 'number' ? message.id : -1;
    if (message?.type === 'call') {
      void api
        .call(message.name, message.input)
        .then((result) => send({ type: 'result', id, ...result } as WsServerMessage));
    } else if (message?.type === 'subscribe') {
      subscriptions.get(id)?.dispose();
      const result = api.subscribe(message.name, message.params, (m) =>
        send({ type: 'stream', id, message: m }),
      );
      if (result.ok) subscriptions.set(id, result.subscription);
      else send({ type: 'stream_error', id, error: result.error });
    } else if (message?.type === 'unsubscribe') {
      subscriptions.get(id)?.dispose();
      subscriptions.delete(id);
    } else {
      send({
        type: 'stream_error',
        id,
        error: { code: 'invalid_input', message: 'Unknown message type', issues: [] },
      });
    }
  });
  ws.on('close', () => {
    for (const sub of subscriptions.values()) void sub.dispose();
    subscriptions.clear();
  });
}

function injectToken(html: string, token: string): string {
  const meta = `<meta name="vigil-token" content="${token}">`;
  if (/<meta name="vigil-token"[^>]*>/.test(html))
    return html.replace(/<meta name="vigil-token"[^>]*>/, meta);
  return html.replace('</head>', `  ${meta}\n  </head>`);
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

function statusFor(result: CallResult<unknown>): number {
  if (result.ok) return 200;
  switch (result.error.code) {
    case 'invalid_input':
      return 400;
    case 'unknown_command':
    case 'not_found':
      return 404;
    case 'forbidden':
      return 403;
    case 'unavailable':
      return 503;
    default:
      return 500;
  }
}

function errorBody(
  code: string,
  message: string,
): { ok: false; error: { code: string; message: string; issues: [] } } {
  return { ok: false, error: { code, message, issues: [] } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
