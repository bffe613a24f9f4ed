import { describe, expect, it } from 'vitest';
import { showCoreNotifications, type NotificationPort } from './desktopNotifications';
import type { CoreHostStatus } from './coreHost';
import { captureLog } from './testing/fakes';

function fakeCore(initial: CoreHostStatus['state']) {
  const listeners: ((s: CoreHostStatus) => void)[] = [];
  const streams: { name: string; onMessage: (m: unknown) => void; disposed: boolean }[] = [];
  const core = {
    status: { state: initial, restarts: 0, lastError: null, nextRestartAt: null } as CoreHostStatus,
    onStatusChange(listener: (s: CoreHostStatus) => void) {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
    async subscribe(name: string, _params: unknown, onMessage: (m: unknown) => void) {
      const stream = { name, onMessage, disposed: false };
      streams.push(stream);
      return { ok: true as const, subscription: { dispose: () => (stream.disposed = true) } };
    },
    setState(state: CoreHostStatus['state']) {
      this.status = { ...this.status, state };
      for (const l of [...listeners]) l(this.status);
    },
  };
  return { core, streams };
}

const notification = (priority: string, sound: boolean) => ({
  id: 'n1',
  kind: 'alarm',
  title: 'Engine 1: EGT high',
  body: 'T50 1412 above 1400',
  priority,
  alarmId: 'a1',
  assetId: 'e1',
  correlationId: 'c1',
  at: 1,
  escalationLevel: 0,
  sound,
});

describe('desktop notifications in Electron', () => {
  it('opens the stream when the core is ready and shows each notification, loud when critical', async () => {
    const { core, streams } = fakeCore('starting');
    const shown: Parameters<NotificationPort['show']>[0][] = [];
    const log = captureLog();
    const handle = showCoreNotifications({
      core: core as never,
      notifications: { isSupported: () => true, show: (o) => shown.push(o) },
      log,
    });
    expect(streams).toHaveLength(0);
    core.setState('ready');
    await Promise.resolve();
    expect(streams.map((s) => s.name)).toEqual(['notifications']);

    streams[0]!.onMessage(notification('critical', true));
    streams[0]!.onMessage(notification('low', false));
    streams[0]!.onMessage({ title: 'missing fields' });
    expect(shown).toEqual([
      { title: 'Engine 1: EGT high', body: 'T50 1412 above 1400', silent: false, urgency: 'critical' },
      { title: 'Engine 1: EGT high', body: 'T50 1412 above 1400', silent: true, urgency: 'normal' },
    ]);

    handle.dispose();
    expect(streams[0]!.disposed).toBe(true);
  });
});
