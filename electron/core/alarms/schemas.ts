// The alarm domain schemas are part of the shared contract (browser-safe).
export * from '../../../shared/alarms';
