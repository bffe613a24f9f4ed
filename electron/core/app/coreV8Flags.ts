import coreV8Flags from './coreV8Flags.json';

/**
 * V8 flags for the process running the core (Electron's utility process, `vigil serve` through
 * scripts/start.mjs and the `vigil` bin's shebang, the benchmark's acquisition process). The reason
 * is kept beside them in coreV8Flags.json, which plain-JS launchers read too.
 */
export const CORE_V8_FLAGS: readonly string[] = coreV8Flags.flags;
