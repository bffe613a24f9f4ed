import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../electron/core/app/clock';
import { EventBus } from '../../electron/core/app/eventBus';
import { AlarmEngine } from '../../electron/core/alarms/engine';
import { InMemoryAlarmJournal } from '../../electron/core/alarms/journal';
import { MapTagCatalog, batchOf } from '../../electron/core/alarms/testing';
import { createNotifications, type NotificationsConfigInput } from '../../electron/core/notify';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP listener on loopback (the smtp-server package) that keeps what it receives. */
async function startMailServer() {
  const mails: ReceivedMail[] = [];
  /** Replies for the next RCPT TO commands, e.g. a 451 "try again later"; then accepted. */
  const rcptFailures: { code: number; message: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      const failure = rcptFailures.shift();
      if (!failure) return callback();
      const err = Object.assign(new Error(failure.message), { responseCode: failure.code });
      callback(err);
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    rcptFailures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function header(raw: string, name: string): string | undefined {
  const match = new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return match?.[1]?.replace(/\r?\n[ \t]/g, ' ');
}

const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const MIN = 60_000;
const toClose: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
});

async function setup(port: number, extra: Partial<NotificationsConfigInput> = {}, start = T0) {
  const clock = new ManualClock(start);
  const bus = new EventBus();
  const engine = new AlarmEngine({
    clock,
    journal: new InMemoryAlarmJournal(),
    catalog: new MapTagCatalog({ 'pump/vib': 'pump-7' }),
    config: {
      definitions: [
        {
          id: 'pump.vib.hihi',
          kind: 'high_high',
          tagId: 'pump/vib',
          limit: 11,
          priority: 'critical',
          message: 'Pump 7 vibration high-high',
          suggestedAction: 'Stop the pump',
        },
        {
          id: 'pump.vib.hi',
          kind: 'high',
          tagId: 'pump/vib',
          limit: 7,
          priority: 'low',
          message: 'Pump 7 vibration high',
        },
      ],
    },
    events: bus,
  });
  engine.attach(bus);
  const smtp = {
    type: 'email' as const,
    host: '127.0.0.1',
    port,
    secure: false,
    from: 'Vigil <vigil@plant.example.com>',
    timeoutMs: 5_000,
  };
  const n = createNotifications({
    clock,
    config: {
      channels: [
        { id: 'shift-mail', ...smtp, to: ['shift@plant.example.com'] },
        { id: 'oncall-mail', ...smtp, to: ['oncall@plant.example.com', 'manager@plant.example.com'] },
      ],
      routes: [
        {
          id: 'pumps',
          channels: ['shift-mail'],
          escalation: [{ afterMinutes: 15, channels: ['oncall-mail'] }],
          quietHours: { start: '22:00', end: '06:00', timeZone: 'UTC' },
        },
      ],
      retry: { maxAttempts: 3, initialDelayMs: 2_000, maxDelayMs: 60_000, factor: 2 },
      ...extra,
    },
    events: bus,
    getAlarm: (id) => engine.find(id),
  });
  toClose.push({ close: () => n.dispose() });
  const feed = (value: number, correlationId?: string) =>
    bus.emit('samples', batchOf([['pump/vib', value]], clock.now(), correlationId));
  return { clock, engine, n, feed };
}

describe('e-mail notifications (real SMTP listener on loopback)', () => {
  it('mails the shift, escalates to on-call after 15 minutes unacknowledged, and stops once acknowledged', async () => {
    const server = await startMailServer();
    toClose.push(server);
    const { clock, engine, n, feed } = await setup(server.port);
    feed(12, 'batch-vib-1'); // high-high (critical) and high (low)
    await n.queue.idle();
    expect(server.mails.map((m) => m.to)).toEqual([['shift@plant.example.com'], ['shift@plant.example.com']]);
    const critical = server.mails.find((m) => header(m.raw, 'Subject')?.includes('CRITICAL'))!;
    expect(header(critical.raw, 'Subject')).toBe(
      '[Vigil] [CRITICAL] pump.vib.hihi: Pump 7 vibration high-high',
    );
    expect(header(critical.raw, 'X-Vigil-Correlation-Id')).toBe('batch-vib-1');
    expect(header(critical.raw, 'X-Priority')).toMatch(/^1/);
    expect(critical.from).toBe('vigil@plant.example.com');
    expect(critical.raw).toContain('Suggested action: Stop the pump');

    engine.acknowledge(['pump.vib.hi'], 'alice'); // the low one is handled; the critical one is not
    clock.advance(15 * MIN);
    await n.queue.idle();
    expect(server.mails).toHaveLength(3);
    const escalation = server.mails[2]!;
    expect(escalation.to).toEqual(['oncall@plant.example.com', 'manager@plant.example.com']);
    expect(header(escalation.raw, 'Subject')).toBe(
      '[Vigil] ESCALATION 1: [CRITICAL] pump.vib.hihi unacknowledged for 15 min',
    );
    expect(header(escalation.raw, 'X-Vigil-Correlation-Id')).toBe('batch-vib-1');

    engine.acknowledge(['pump.vib.hihi'], 'bob');
    clock.advance(60 * MIN);
    await n.queue.idle();
    expect(server.mails).toHaveLength(3);
  });

  it('retries after a temporary SMTP refusal and lists a permanent one as failed', async () => {
    const server = await startMailServer();
    toClose.push(server);
    const { clock, n, feed } = await setup(server.port);
    server.rcptFailures.push({ code: 451, message: 'Mailbox busy, try later' });
    feed(8); // only the low-priority alarm
    await n.queue.idle();
    expect(n.queue.list()[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: T0 + 2_000 });
    expect(n.queue.list()[0]!.lastError).toMatch(/451/);
    clock.advance(2_000);
    await n.queue.idle();
    expect(n.queue.list()[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(server.mails).toHaveLength(1);

    server.rcptFailures.push({ code: 550, message: 'No such user here' });
    feed(0);
    feed(8);
    await n.queue.idle();
    const [failed] = n.queue.failed();
    expect(failed).toMatchObject({ attempts: 1, channelId: 'shift-mail' });
    expect(failed!.reason).toMatch(/^Refused by the receiver: .*550/);
    expect(server.mails).toHaveLength(1);
  });

  it('sends nothing but the critical alarm during quiet hours, and records what it held back', async () => {
    const server = await startMailServer();
    toClose.push(server);
    const { n, feed } = await setup(server.port, {}, Date.UTC(2025, 0, 6, 23, 15));
    feed(12);
    await n.queue.idle();
    expect(server.mails.map((m) => header(m.raw, 'Subject'))).toEqual([
      '[Vigil] [CRITICAL] pump.vib.hihi: Pump 7 vibration high-high',
    ]);
    expect(n.queue.list({ status: 'suppressed' }).map((d) => [d.message.alarmId, d.reason])).toEqual([
      ['pump.vib.hi', 'quiet hours'],
    ]);
  });
});
