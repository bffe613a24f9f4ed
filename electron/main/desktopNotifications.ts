import { DesktopNotificationSchema, type DesktopNotification } from '../../shared/notifications';
import type { CoreHost } from './coreHost';
import type { Log } from './log';

/** The part of Electron's Notification class this module uses (injected, so tests need no Electron). */
export interface NotificationPort {
  isSupported(): boolean;
  show(options: { title: string; body: string; silent: boolean; urgency: 'normal' | 'critical' }): void;
}

/**
 * Shows the core's desktop notifications (alarm, escalation, flood summary) as OS notifications.
 * The stream is opened once the core is ready; the core host re-opens it after a core restart.
 * Critical ones make a sound and ask the OS for critical urgency.
 */
export function showCoreNotifications(options: {
  core: Pick<CoreHost, 'subscribe' | 'onStatusChange' | 'status'>;
  notifications: NotificationPort;
  log: Log;
}): { dispose(): void } {
  const { core, notifications, log } = options;
  let subscription: { dispose(): void } | null = null;
  let opening = false;
  let disposed = false;

  const show = (message: unknown): void => {
    const parsed = DesktopNotificationSchema.safeParse(message);
    if (!parsed.success) {
      log.warn(`Ignored a malformed notification from the core: ${parsed.error.message}`);
      return;
    }
    const n: DesktopNotification = parsed.data;
    if (!notifications.isSupported()) return;
    notifications.show({
      title: n.title,
      body: n.body,
      silent: !n.sound,
      urgency: n.priority === 'critical' ? 'critical' : 'normal',
    });
  };

  const open = async (): Promise<void> => {
    if (subscription || opening || disposed) return;
    opening = true;
    try {
      const result = await core.subscribe('notifications', {}, show, (error) =>
        log.warn(`Desktop notifications stopped: ${error.message}`),
      );
      if (result.ok) {
        if (disposed) result.subscription.dispose();
        else subscription = result.subscription;
      } else log.warn(`Desktop notifications unavailable: ${result.error.message}`);
    } finally {
      opening = false;
    }
  };

  if (core.status.state === 'ready') void open();
  const statusListener = core.onStatusChange((status) => {
    if (status.state === 'ready') void open();
  });
  return {
    dispose() {
      disposed = true;
      statusListener.dispose();
      subscription?.dispose();
      subscription = null;
    },
  };
}
