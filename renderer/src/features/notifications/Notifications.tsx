import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { RendererClient } from '../../transport/types';
import { PRIORITY_LABEL } from '../alarms/alarmModel';
import { browserDesktopNotifier, createBeeper, type DesktopNotifier } from './browserOutputs';
import { createToastStore, startNotifications, type ToastStore } from './toastStore';
import './notifications.css';

export interface NotificationServices {
  store: ToastStore;
  /** The browser's Notification API; null in Electron (the main process notifies) or when missing. */
  notifier: DesktopNotifier | null;
}

/**
 * Starts the console's notifications: toasts always; in the headless console also browser
 * notifications and a beep for the ones that ask for sound. `onOpenAlarm` brings an alarm into view.
 */
export function useNotifications(
  client: RendererClient,
  onOpenAlarm: (alarmId: string) => void,
): NotificationServices {
  const [services] = useState<NotificationServices>(() => {
    const notifier = client.kind === 'electron' ? null : browserDesktopNotifier();
    return {
      notifier,
      store: createToastStore({ desktopPermission: notifier?.permission() ?? 'unsupported' }),
    };
  });
  const openAlarm = useRef(onOpenAlarm);
  useEffect(() => {
    openAlarm.current = onOpenAlarm;
  }, [onOpenAlarm]);

  useEffect(() => {
    const beeper = createBeeper();
    // Browsers let audio start only after a user gesture: arm on the first one.
    const arm = () => {
      beeper.arm();
      window.removeEventListener('pointerdown', arm, true);
      window.removeEventListener('keydown', arm, true);
    };
    window.addEventListener('pointerdown', arm, true);
    window.addEventListener('keydown', arm, true);
    const { notifier, store } = services;
    const stop = startNotifications(client, store, {
      desktop: notifier
        ? (n) => notifier.show(n, () => (n.alarmId ? openAlarm.current(n.alarmId) : undefined))
        : null,
      beep: () => void beeper.beep(),
    });
    return () => {
      stop();
      window.removeEventListener('pointerdown', arm, true);
      window.removeEventListener('keydown', arm, true);
      beeper.dispose();
    };
  }, [client, services]);

  return services;
}

/** Asks for the browser's permission, from a click only (never on load). */
export function DesktopPermissionButton({ services }: { services: NotificationServices }) {
  const permission = useStore(services.store, (s) => s.desktopPermission);
  const { notifier, store } = services;
  if (!notifier) return null;
  if (permission === 'granted') return <span className="desktop-permission">Desktop notifications on</span>;
  if (permission === 'denied')
    return (
      <span
        className="desktop-permission"
        title="Allow notifications for this site in the browser's settings"
      >
        Desktop notifications blocked
      </span>
    );
  return (
    <button
      type="button"
      className="desktop-permission-button"
      onClick={() => void notifier.request().then((p) => store.getState().setDesktopPermission(p))}
    >
      Enable desktop notifications
    </button>
  );
}

const time = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour12: false });

/** In-app toasts, newest at the bottom; critical ones stay until dismissed. */
export function Toasts({
  services,
  onOpenAlarm,
}: {
  services: NotificationServices;
  onOpenAlarm: (alarmId: string) => void;
}) {
  const toasts = useStore(services.store, (s) => s.toasts);
  const store = services.store;
  const anyTimed = toasts.some((t) => t.expiresAt !== null);

  useEffect(() => {
    if (!anyTimed) return;
    const timer = setInterval(() => store.getState().expire(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [anyTimed, store]);

  return (
    <section className="toasts" aria-label="Notifications" data-testid="toasts">
      {toasts.map(({ id, notification: n }) => (
        <div
          key={id}
          className={`toast toast-${n.priority}`}
          role={n.priority === 'critical' ? 'alert' : 'status'}
          data-testid="toast"
        >
          <div className="toast-head">
            <span className={`prio prio-${n.priority}`}>{PRIORITY_LABEL[n.priority]}</span>
            <strong className="toast-title">{n.title}</strong>
            <time className="toast-time" dateTime={new Date(n.at).toISOString()}>
              {time(n.at)}
            </time>
          </div>
          {n.body && <p className="toast-body">{n.body}</p>}
          <div className="toast-buttons">
            {n.alarmId && (
              <button
                type="button"
                onClick={() => {
                  onOpenAlarm(n.alarmId!);
                  store.getState().dismiss(id);
                }}
              >
                Show alarm
              </button>
            )}
            <button
              type="button"
              onClick={() => store.getState().dismiss(id)}
              aria-label={`Dismiss: ${n.title}`}
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
