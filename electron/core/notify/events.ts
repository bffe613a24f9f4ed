import type { DeliveryRecord, DesktopNotification } from './schemas';

/*
 * Notification events on the core's bus (declaration merging keeps EventBus typed). The hosts
 * forward `notification.desktop`: Electron main shows `new Notification({ title, body, silent: !sound })`,
 * the headless server pushes it to the browser on the `notifications` stream.
 */
declare module '../app/eventBus' {
  interface DomainEvents {
    'notification.desktop': DesktopNotification;
    'notification.delivery': { correlationId: string; delivery: DeliveryRecord };
  }
}

export {};
