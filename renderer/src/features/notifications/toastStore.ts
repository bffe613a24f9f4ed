import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StreamMessage } from '../../../../shared/api';
import type { RendererClient } from '../../transport/types';

/**
 * Notifications in the console: every message of the `notifications` stream becomes an in-app
 * toast; in the headless console it is also shown as a browser notification (when the operator
 * allowed it) and, when the core asks for sound (critical alarms by default), a short beep. In
 * Electron the main process shows the OS notification (with its sound) itself: toast only.
 */

export type ConsoleNotification = StreamMessage<'notifications'>;

export interface Toast {
  id: string;
  notification: ConsoleNotification;
  /** When it goes away by itself; null = stays until dismissed (critical). */
  expiresAt: number | null;
}

export type DesktopPermission = NotificationPermission | 'unsupported';

export interface ToastState {
  toasts: Toast[];
  desktopPermission: DesktopPermission;
}

export interface ToastActions {
  push(notification: ConsoleNotification): void;
  dismiss(id: string): void;
  /** Removes the toasts whose time is up. */
  expire(now: number): void;
  setDesktopPermission(permission: DesktopPermission): void;
}

export type ToastStore = StoreApi<ToastState & ToastActions>;

export const TOAST_MS = 10_000;
/** More than this on screen hides the queue; the oldest timed toasts make room first. */
export const MAX_TOASTS = 5;

export function createToastStore(
  options: { now?: () => number; desktopPermission?: DesktopPermission } = {},
): ToastStore {
  const now = options.now ?? Date.now;
  return createStore<ToastState & ToastActions>()((set, get) => ({
    toasts: [],
    desktopPermission: options.desktopPermission ?? 'unsupported',

    push(notification) {
      const { toasts } = get();
      if (toasts.some((t) => t.id === notification.id)) return;
      const sticky = notification.priority === 'critical';
      let next = [
        ...toasts,
        { id: notification.id, notification, expiresAt: sticky ? null : now() + TOAST_MS },
      ];
      while (next.length > MAX_TOASTS) {
        const timed = next.findIndex((t) => t.expiresAt !== null);
        next = next.filter((_, i) => i !== (timed >= 0 ? timed : 0));
      }
      set({ toasts: next });
    },

    dismiss(id) {
      const { toasts } = get();
      if (toasts.some((t) => t.id === id)) set({ toasts: toasts.filter((t) => t.id !== id) });
    },

    expire(at) {
      const { toasts } = get();
      const kept = toasts.filter((t) => t.expiresAt === null || t.expiresAt > at);
      if (kept.length !== toasts.length) set({ toasts: kept });
    },

    setDesktopPermission(permission) {
      if (get().desktopPermission !== permission) set({ desktopPermission: permission });
    },
  }));
}

/** Where a notification goes besides the toast (browser APIs, injected so the rules are testable). */
export interface NotificationOutputs {
  /** Shows a browser notification; it decides itself whether permission was given. */
  desktop: ((notification: ConsoleNotification) => void) | null;
  beep: (() => void) | null;
}

export function startNotifications(
  client: Pick<RendererClient, 'subscribe' | 'kind'>,
  store: ToastStore,
  outputs: NotificationOutputs,
): () => void {
  const headless = client.kind !== 'electron';
  return client.subscribe(
    'notifications',
    {},
    (notification) => {
      store.getState().push(notification);
      if (!headless) return; // Electron's main process shows (and sounds) the OS notification
      outputs.desktop?.(notification);
      if (notification.sound) outputs.beep?.();
    },
    (error) => console.error(`Notifications stopped: ${error.message}`),
  );
}
