/** The logging surface main-process modules take, so tests can capture what was refused and why. */
export interface Log {
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Main-process log: stdout/stderr of the Electron process, prefixed so it stands out from Chromium's output. */
export const consoleLog: Log = {
  info: (message, ...details) => console.info(`[vigil] ${message}`, ...details),
  warn: (message, ...details) => console.warn(`[vigil] ${message}`, ...details),
  error: (message, ...details) => console.error(`[vigil] ${message}`, ...details),
};
