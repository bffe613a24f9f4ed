import { afterEach, describe, expect, it } from 'vitest';
import { createAlarmCore, type AlarmCore } from '../../../../test/helpers/alarmCoreClient';
import {
  MAX_TOASTS,
  TOAST_MS,
  createToastStore,
  startNotifications,
  type ConsoleNotification,
} from './toastStore';

let core: AlarmCore | null = null;
afterEach(() => {
  core?.dispose();
  expect(core?.errors ?? []).toEqual([]);
  core = null;
});

function note(id: string, priority: ConsoleNotification['priority'] = 'high'): ConsoleNotification {
  return {
    id,
    kind: 'alarm',
    title: id,
    body: '',
    priority,
    alarmId: id,
    assetId: 'e1',
    correlationId: 'c',
    at: 0,
    escalationLevel: 0,
    sound: priority === 'critical',
  };
}

const definitions = [
  { id: 'hot', kind: 'high', tagId: 'e1/temp', limit: 100, priority: 'critical', message: 'Engine 1 hot' },
  { id: 'warm', kind: 'high', tagId: 'e1/temp', limit: 50, priority: 'low', message: 'Engine 1 warm' },
] as const;

/** The real notification service routes activations (critical and high by default) to the desktop. */
async function run(kind: 'websocket' | 'electron') {
  core = createAlarmCore({ catalog: { 'e1/temp': 'e1' }, alarms: { definitions: [...definitions] }, kind });
  const store = createToastStore();
  const desktop: string[] = [];
  let beeps = 0;
  const stop = startNotifications(core.client, store, {
    desktop: (n) => desktop.push(n.title),
    beep: () => beeps++,
  });
  core.feed([['e1/temp', 120]]);
  await core.settle();
  await core.settle();
  stop();
  return { store, desktop, beeps };
}

describe('console notifications', () => {
  it('in the browser: a toast, a browser notification and a beep for a critical alarm', async () => {
    const { store, desktop, beeps } = await run('websocket');
    const toasts = store.getState().toasts;
    // The low-priority alarm is not routed to the desktop by the default configuration.
    expect(toasts.map((t) => [t.notification.alarmId, t.notification.priority, t.expiresAt])).toEqual([
      ['hot', 'critical', null],
    ]);
    expect(desktop).toEqual([toasts[0]!.notification.title]);
    expect(desktop[0]).toMatch(/Engine 1 hot/);
    expect(beeps).toBe(1);
  });

  it('in Electron: only the toast (the main process shows the OS notification and its sound)', async () => {
    const { store, desktop, beeps } = await run('electron');
    expect(store.getState().toasts).toHaveLength(1);
    expect(desktop).toEqual([]);
    expect(beeps).toBe(0);
  });

  it('keeps critical toasts until dismissed, lets others expire, and never shows one twice', () => {
    let now = 1000;
    const store = createToastStore({ now: () => now });
    store.getState().push(note('a', 'critical'));
    store.getState().push(note('b'));
    store.getState().push(note('b'));
    expect(store.getState().toasts.map((t) => t.id)).toEqual(['a', 'b']);
    now += TOAST_MS;
    store.getState().expire(now);
    expect(store.getState().toasts.map((t) => t.id)).toEqual(['a']);
    store.getState().dismiss('a');
    expect(store.getState().toasts).toEqual([]);
  });

  it('makes room by dropping the oldest timed toast, not a critical one', () => {
    const store = createToastStore();
    store.getState().push(note('crit', 'critical'));
    for (let i = 0; i < MAX_TOASTS; i++) store.getState().push(note(`n${i}`));
    const ids = store.getState().toasts.map((t) => t.id);
    expect(ids).toHaveLength(MAX_TOASTS);
    expect(ids[0]).toBe('crit');
    expect(ids).not.toContain('n0');
  });
});
