import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs go to stderr, so command output on stdout (URLs, CSV, JSON) stays clean.
 * VIGIL_LOG_LEVEL overrides the level (e.g. debug, warn, silent).
 */
export function createLogger(name = 'vigil', level = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination({ fd: 2, sync: false }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
