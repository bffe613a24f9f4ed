import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreHost, type CoreHostStatus } from './coreHost';
import { captureLog, FakeCoreProcess, flush } from './testing/fakes';

function setup(options: { callTimeoutMs?: number; stableAfterMs?: number; shutdownGraceMs?: number } = {}) {
  const processes: FakeCoreProcess[] = [];
  const log = captureLog();
  const host = new CoreHost({
    fork: () => {
      const proc = new FakeCoreProcess();
      processes.push(proc);
      return proc;
    },
    log,
    callTimeoutMs: options.callTimeoutMs ?? 5_000,
    restartDelayMs: { initial: 500, max: 4_000 },
    stableAfterMs: options.stableAfterMs ?? 60_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 3_000,
  });
  const states: CoreHostStatus['state'][] = [];
  host.onStatusChange((s) => states.push(s.state));
  const current = (): FakeCoreProcess => processes[processes.length - 1]!;
  return { host, processes, current, log, states };
}

describe('CoreHost', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('relays a call with a request id and returns the core answer', async () => {
    const { host, current } = setup();
    host.start();
    current().reply({ type: 'ready' });
    expect(host.status.state).toBe('ready');

    const answer = host.call('listTags', { assetId: 'pump-1' });
    const sent = current().last('call');
    expect(sent).toMatchObject({ name: 'listTags', input: { assetId: 'pump-1' } });
    current().reply({ type: 'result', id: sent.id, ok: true, result: [{ id: 'pump-1.temp' }] });
    await expect(answer).resolves.toEqual({ ok: true, result: [{ id: 'pump-1.temp' }] });
  });

  it('keeps concurrent calls apart by id, whatever order the answers come in', async () => {
    const { host, current } = setup();
    host.start();
    current().reply({ type: 'ready' });
    const first = host.call('getHealth', {});
    const second = host.call('listAssets', {});
    const [a, b] = current().sent.filter((m) => m.type === 'call') as { id: number }[];
    expect(a!.id).not.toBe(b!.id);
    current().reply({ type: 'result', id: b!.id, ok: true, result: 'assets' });
    current().reply({
      type: 'result',
      id: a!.id,
      ok: false,
      error: { code: 'forbidden', message: 'no', issues: [] },
    });
    await expect(second).resolves.toEqual({ ok: true, result: 'assets' });
    await expect(first).resolves.toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'no', issues: [] },
    });
  });

  it('answers a call the core never answers with unavailable after the timeout', async () => {
    const { host, current } = setup({ callTimeoutMs: 2_000 });
    host.start();
    current().reply({ type: 'ready' });
    const answer = host.call('getHealth', {});
    vi.advanceTimersByTime(2_000);
    const result = await answer;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unavailable');
      expect(result.error.message).toContain('did not answer the command getHealth within 2 s');
    }
    // A late answer for the timed-out id is dropped, not delivered to anyone.
    current().reply({ type: 'result', id: current().last('call').id, ok: true, result: 1 });
  });

  it('refuses calls at once while the core is down, then restarts it with growing delays', async () => {
    const { host, processes, current, states } = setup();
    host.start();
    current().reply({ type: 'ready' });
    const inFlight = host.call('getHealth', {});

    current().crash(134);
    const interrupted = await inFlight;
    expect(interrupted).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(host.status).toMatchObject({ state: 'down', lastError: 'the core process exited with code 134' });

    const refused = await host.call('getHealth', {});
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('unavailable');
      expect(refused.error.message).toContain('exited with code 134');
    }
    expect(processes).toHaveLength(1);

    vi.advanceTimersByTime(499);
    expect(processes).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(processes).toHaveLength(2);
    expect(host.status).toMatchObject({ state: 'starting', restarts: 1 });

    // It fails again before becoming ready: the next delay doubles.
    current().crash(1);
    vi.advanceTimersByTime(999);
    expect(processes).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(processes).toHaveLength(3);

    current().reply({ type: 'ready' });
    const answer = host.call('getHealth', {});
    current().reply({ type: 'result', id: current().last('call').id, ok: true, result: 'healthy' });
    await expect(answer).resolves.toEqual({ ok: true, result: 'healthy' });
    expect(states).toEqual(['starting', 'ready', 'down', 'starting', 'down', 'starting', 'ready']);
  });

  it('caps the restart delay, and starts over from the short delay after a healthy run', () => {
    const { host, processes, current } = setup({ stableAfterMs: 10_000 });
    host.start();
    for (const delay of [500, 1_000, 2_000, 4_000, 4_000]) {
      current().crash(1);
      expect(host.status.nextRestartAt! - Date.now()).toBe(delay);
      vi.advanceTimersByTime(delay);
    }
    current().reply({ type: 'ready' });
    vi.advanceTimersByTime(10_000);
    current().crash(1);
    expect(host.status.nextRestartAt! - Date.now()).toBe(500);
    expect(processes).toHaveLength(6);
  });

  it('reports a fatal startup message, kills the process and shows the reason to callers', async () => {
    const { host, current, log } = setup();
    host.start();
    const first = current();
    first.reply({
      type: 'fatal',
      message: 'Invalid configuration file /etc/vigil.json:\n  batchIntervalMs: too big',
    });
    expect(first.killed).toBe(true);
    await flush(); // the exit event
    expect(host.status.state).toBe('down');
    expect(host.status.lastError).toContain('batchIntervalMs: too big');
    const refused = await host.call('listAssets', {});
    expect(refused.ok ? '' : refused.error.message).toContain('batchIntervalMs: too big');
    expect(log.text('error')).toContain('batchIntervalMs: too big');
  });

  it('relays a call made while the core is still starting (the core queues it)', async () => {
    const { host, current } = setup();
    host.start();
    const answer = host.call('getHealth', {});
    current().reply({
      type: 'result',
      id: current().last('call').id,
      ok: true,
      result: { status: 'starting' },
    });
    await expect(answer).resolves.toEqual({ ok: true, result: { status: 'starting' } });
  });

  it('turns an error the core sends in the wrong shape into an internal error', async () => {
    const { host, current } = setup();
    host.start();
    current().reply({ type: 'ready' });
    const answer = host.call('getHealth', {});
    current().reply({ type: 'result', id: current().last('call').id, ok: false, error: 'boom' });
    await expect(answer).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('answers with internal when the input cannot be sent to another process', async () => {
    const { host, current } = setup();
    host.start();
    current().reply({ type: 'ready' });
    const result = await host.call('getHealth', { callback: () => 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('ignores malformed messages from the process', async () => {
    const { host, current, log } = setup();
    host.start();
    current().emit('message', 'nonsense');
    current().emit('message', { type: 'result', id: 999, ok: true, result: 1 });
    expect(log.text('warn')).toContain('malformed message');
    expect(host.status.state).toBe('starting');
  });

  describe('streams', () => {
    it('delivers stream messages, including one sent before the core acknowledged', async () => {
      const { host, current } = setup();
      host.start();
      current().reply({ type: 'ready' });
      const received: unknown[] = [];
      const pending = host.subscribe('liveSamples', { tagIds: ['a'] }, (m) => received.push(m));
      const sub = current().last('subscribe');
      expect(sub).toMatchObject({ name: 'liveSamples', params: { tagIds: ['a'] } });
      current().reply({ type: 'stream', id: sub.id, message: { n: 1 } });
      current().reply({ type: 'result', id: sub.id, ok: true, result: null });
      const result = await pending;
      expect(result.ok).toBe(true);
      current().reply({ type: 'stream', id: sub.id, message: { n: 2 } });
      expect(received).toEqual([{ n: 1 }, { n: 2 }]);

      if (result.ok) result.subscription.dispose();
      expect(current().last('unsubscribe')).toEqual({ type: 'unsubscribe', id: sub.id });
      current().reply({ type: 'stream', id: sub.id, message: { n: 3 } });
      expect(received).toHaveLength(2);
    });

    it('returns the core refusal and delivers nothing for a refused stream', async () => {
      const { host, current } = setup();
      host.start();
      current().reply({ type: 'ready' });
      const received: unknown[] = [];
      const pending = host.subscribe('liveSamples', { tagIds: ['x'] }, (m) => received.push(m));
      const sub = current().last('subscribe');
      const error = { code: 'not_found', message: 'Unknown tag(s): x', issues: [] };
      current().reply({ type: 'result', id: sub.id, ok: false, error });
      await expect(pending).resolves.toEqual({ ok: false, error });
      current().reply({ type: 'stream', id: sub.id, message: { late: true } });
      expect(received).toEqual([]);
    });

    it('re-opens open streams after the core restarts, so live trends resume', async () => {
      const { host, current } = setup();
      host.start();
      current().reply({ type: 'ready' });
      const received: unknown[] = [];
      const pending = host.subscribe('liveSamples', { tagIds: ['a'] }, (m) => received.push(m));
      current().reply({ type: 'result', id: current().last('subscribe').id, ok: true, result: null });
      expect((await pending).ok).toBe(true);

      current().crash(1);
      vi.advanceTimersByTime(500);
      const restarted = current();
      expect(restarted.sent.filter((m) => m.type === 'subscribe')).toHaveLength(0);
      restarted.reply({ type: 'ready' });
      const again = restarted.last('subscribe');
      expect(again).toMatchObject({ name: 'liveSamples', params: { tagIds: ['a'] } });
      restarted.reply({ type: 'result', id: again.id, ok: true, result: null });
      restarted.reply({ type: 'stream', id: again.id, message: 'after restart' });
      expect(received).toEqual(['after restart']);
    });

    it('tells the subscriber when the restarted core refuses to re-open its stream', async () => {
      const { host, current } = setup();
      host.start();
      current().reply({ type: 'ready' });
      const onError = vi.fn();
      const pending = host.subscribe('liveSamples', { tagIds: ['a'] }, () => {}, onError);
      current().reply({ type: 'result', id: current().last('subscribe').id, ok: true, result: null });
      await pending;
      current().crash(1);
      vi.advanceTimersByTime(500);
      current().reply({ type: 'ready' });
      const error = { code: 'not_found', message: 'Unknown tag(s): a', issues: [] };
      current().reply({ type: 'result', id: current().last('subscribe').id, ok: false, error });
      await flush();
      expect(onError).toHaveBeenCalledWith(error);
    });

    it('refuses a subscription while the core is down', async () => {
      const { host, current } = setup();
      host.start();
      current().crash(1);
      const result = await host.subscribe('liveSamples', { tagIds: ['a'] }, () => {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    });
  });

  describe('stop', () => {
    it('asks the core to shut down, waits for it to exit and does not restart it', async () => {
      const { host, processes, current } = setup();
      host.start();
      current().reply({ type: 'ready' });
      let stopped = false;
      const stopping = host.stop().then(() => (stopped = true));
      expect(current().last('shutdown')).toEqual({ type: 'shutdown' });
      expect(host.status.state).toBe('stopping');
      await expect(host.call('getHealth', {})).resolves.toMatchObject({
        ok: false,
        error: { code: 'unavailable', message: 'The Vigil core is shutting down.' },
      });
      await flush();
      expect(stopped).toBe(false);

      current().crash(0);
      await stopping;
      expect(host.status.state).toBe('stopped');
      vi.advanceTimersByTime(60_000);
      expect(processes).toHaveLength(1);
    });

    it('kills a core that does not stop within the grace period', async () => {
      const { host, current, log } = setup({ shutdownGraceMs: 3_000 });
      host.start();
      current().reply({ type: 'ready' });
      const stopping = host.stop();
      vi.advanceTimersByTime(3_000);
      await stopping;
      expect(current().killed).toBe(true);
      expect(host.status.state).toBe('stopped');
      expect(log.text('warn')).toContain('did not stop within 3000 ms');
    });

    it('cancels a pending restart', async () => {
      const { host, processes, current } = setup();
      host.start();
      current().crash(1);
      await host.stop();
      vi.advanceTimersByTime(60_000);
      expect(processes).toHaveLength(1);
      expect(host.status.state).toBe('stopped');
    });
  });
});
