// The maintenance schemas are part of the shared contract (browser-safe).
export * from '../../../shared/maintenance';
