import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/app/clock';
import { EventBus } from '../../electron/core/app/eventBus';
import { AlarmEngine } from '../../electron/core/alarms/engine';
import { InMemoryAlarmJournal } from '../../electron/core/alarms/journal';
import { MapTagCatalog, batchOf } from '../../electron/core/alarms/testing';
import { createNotifications, type Notifications } from '../../electron/core/notify';

/** A real HTTP receiver on loopback whose answers the test decides, request by request. */
interface Receiver {
  url: string;
  requests: { headers: http.IncomingHttpHeaders; body: unknown }[];
  /** Answers for the next requests, in order; after they run out: 200. */
  answers: { status: number; headers?: Record<string, string>; gate?: Promise<void> }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Omit<Receiver, 'url' | 'close'> = { requests: [], answers: [] };
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', async () => {
      receiver.requests.push({ headers: req.headers, body: JSON.parse(text) });
      const answer = receiver.answers.shift() ?? { status: 200 };
      await answer.gate;
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.status === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...receiver,
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const toClose: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

async function setup(
  url: string,
  retry = { maxAttempts: 4, initialDelayMs: 1_000, maxDelayMs: 60_000, factor: 2 },
) {
  const clock = new ManualClock(T0);
  const bus = new EventBus();
  const journal = new InMemoryAlarmJournal();
  const engine = new AlarmEngine({
    clock,
    journal,
    catalog: new MapTagCatalog({ 'e1/temp': 'engine-1' }),
    config: {
      definitions: [
        {
          id: 'e1.temp.hi',
          kind: 'high',
          tagId: 'e1/temp',
          limit: 100,
          priority: 'high',
          message: 'Engine 1 temperature high',
          suggestedAction: 'Reduce load',
        },
      ],
    },
    events: bus,
  });
  engine.attach(bus);
  const n: Notifications = createNotifications({
    clock,
    config: {
      channels: [{ id: 'slack', type: 'webhook', url, timeoutMs: 5_000 }],
      routes: [{ id: 'all', channels: ['slack'] }],
      retry,
    },
    events: bus,
    getAlarm: (id) => engine.find(id),
  });
  toClose.push({ close: () => n.dispose() });
  let seq = 0;
  const raise = (correlationId = `batch-${++seq}`) => {
    bus.emit('samples', batchOf([['e1/temp', 150]], clock.now(), correlationId));
    bus.emit('samples', batchOf([['e1/temp', 50]], clock.now()));
    engine.acknowledge(['e1.temp.hi'], 'op');
  };
  return { clock, bus, engine, journal, n, raise };
}

describe('webhook notifications (real HTTP receiver on loopback)', () => {
  it('posts Slack-compatible JSON carrying the batch correlation id', async () => {
    const receiver = await startReceiver();
    toClose.push(receiver);
    const { n, raise } = await setup(receiver.url);
    raise('batch-42');
    await n.queue.idle();
    expect(receiver.requests).toHaveLength(1);
    const { headers, body } = receiver.requests[0]!;
    expect(headers['content-type']).toBe('application/json');
    const payload = body as {
      text: string;
      attachments: { color: string; fields: { title: string; value: string }[] }[];
    };
    expect(payload.text).toBe('[HIGH] e1.temp.hi: Engine 1 temperature high');
    expect(payload.attachments[0]!.color).toBe('#f08c00');
    expect(payload.attachments[0]!.fields).toEqual(
      expect.arrayContaining([
        { title: 'Correlation id', value: 'batch-42', short: true },
        { title: 'Suggested action', value: 'Reduce load', short: true },
        { title: 'Asset', value: 'engine-1', short: true },
      ]),
    );
    expect(n.queue.list()[0]).toMatchObject({ status: 'delivered', attempts: 1, deliveredAt: T0 });
  });

  it('retries a failing receiver with exponential backoff until it answers', async () => {
    const receiver = await startReceiver();
    toClose.push(receiver);
    receiver.answers.push({ status: 503 }, { status: 503 });
    const { n, raise, clock } = await setup(receiver.url);
    raise();
    await n.queue.idle();
    expect(n.queue.list()[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: T0 + 1_000,
      lastError: 'HTTP 503: no_service',
    });
    clock.advance(999);
    await n.queue.idle();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(1);
    await n.queue.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(n.queue.list()[0]).toMatchObject({
      status: 'pending',
      attempts: 2,
      nextAttemptAt: T0 + 1_000 + 2_000,
    });
    clock.advance(2_000);
    await n.queue.idle();
    expect(receiver.requests).toHaveLength(3);
    expect(n.queue.list()[0]).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(n.queue.failed()).toEqual([]);
  });

  it('waits as long as a rate-limiting receiver asks (Retry-After)', async () => {
    const receiver = await startReceiver();
    toClose.push(receiver);
    receiver.answers.push({ status: 429, headers: { 'retry-after': '30' } });
    const { n, raise, clock } = await setup(receiver.url);
    raise();
    await n.queue.idle();
    expect(n.queue.list()[0]).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 30_000 });
    clock.advance(30_000);
    await n.queue.idle();
    expect(n.queue.list()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('puts a refused delivery on the failed list at once, and sends it when retried by hand', async () => {
    const receiver = await startReceiver();
    toClose.push(receiver);
    receiver.answers.push({ status: 404 });
    const { n, raise } = await setup(receiver.url);
    raise();
    await n.queue.idle();
    const [failed] = n.queue.failed();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, channelId: 'slack' });
    expect(failed!.reason).toMatch(/^Refused by the receiver: HTTP 404/);
    expect(() => n.queue.retry('no-such-delivery', 'op')).toThrow(/No delivery/);
    n.queue.retry(failed!.id, 'carol');
    await n.queue.idle();
    expect(n.queue.get(failed!.id)).toMatchObject({ status: 'delivered', retriedBy: 'carol', retriedAt: T0 });
    expect(() => n.queue.retry(failed!.id, 'carol')).toThrow(/only a failed delivery/);
  });

  it('gives up on an unreachable receiver after the last attempt and lists it as failed', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close(); // nothing listens on the port any more
    const { n, raise, clock } = await setup(url, {
      maxAttempts: 3,
      initialDelayMs: 1_000,
      maxDelayMs: 60_000,
      factor: 2,
    });
    raise();
    for (let i = 0; i < 3; i++) {
      await n.queue.idle();
      clock.advance(10_000);
    }
    await n.queue.idle();
    const [failed] = n.queue.failed();
    expect(failed).toMatchObject({ attempts: 3, reason: 'Gave up after 3 attempts' });
    expect(failed!.lastError).toMatch(/fetch failed.*ECONNREFUSED/);
  });

  it('never holds up alarm evaluation while a receiver is slow', async () => {
    const receiver = await startReceiver();
    toClose.push(receiver);
    let release!: () => void;
    receiver.answers.push({ status: 200, gate: new Promise<void>((r) => (release = r)) });
    const { n, raise, engine, journal } = await setup(receiver.url);
    raise('slow-1');
    // The whole lifecycle ran synchronously while the notification is still in flight.
    expect(engine.get('e1.temp.hi').state).toBe('normal');
    expect(journal.query({}).map((r) => r.transition)).toEqual(['activate', 'return', 'acknowledge']);
    expect(n.queue.list()[0]!.status).toBe('pending');
    // Wait until the request has reached the receiver, then let it answer.
    for (let i = 0; i < 200 && receiver.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    release();
    await n.queue.idle();
    expect(n.queue.list()[0]!.status).toBe('delivered');
  });
});
