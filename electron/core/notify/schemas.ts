// The notification schemas are part of the shared contract (browser-safe).
export * from '../../../shared/notifications';
