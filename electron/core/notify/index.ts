/**
 * Notifications: desktop (through the host), Slack-compatible webhooks and SMTP e-mail, routed by
 * priority and asset, with quiet hours, flood summaries, escalation, and a retrying delivery queue.
 */
export { createNotifications, NotificationService } from './notifier';
export type { Notifications, NotificationsOptions, NotificationServiceOptions } from './notifier';
export { DeliveryQueue } from './deliveryQueue';
export type { DeliveryQueueOptions } from './deliveryQueue';
export { createChannels, DeliveryError, DesktopChannel, EmailChannel, WebhookChannel } from './channels';
export type { NotificationChannel } from './channels';
export { alarmMessage, escalationMessage, floodMessage, slackPayload } from './messages';
export { inQuietHours, localTime, quietFor } from './quietHours';
export * from './schemas';
import './events';
