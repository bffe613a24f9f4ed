import type { ConnectionSettings, SavedConnectionSettings } from '../../../shared/acquisitionApi';
import type { ConnectionConfig } from '../app/config';
import { CoreError } from '../app/api';
import { SIMULATOR_CONNECTION_ID } from './connectionSchema';

/*
 * How a connection set up in the console (addConnection / updateConnection, shared/acquisitionApi.ts)
 * becomes a connection of the configuration file (app/config.ts + connectionSchema.ts). Pure
 * functions on the file's JSON, so what the operator did not set (rootPath, tags, assets,
 * subscriptions, backfill, allowWrites, alarm notifiers, ...) stays exactly as written.
 */

/** ConnectionSettingsSchema allows ids of at most 63 characters. */
const MAX_ID_LENGTH = 63;

/** A connection as the configuration file holds it (JSON, validated by the store before it is written). */
export type RawConnection = Record<string, unknown>;

/**
 * A free connection id made from a display name: lower-case letters, digits, - and _ ("Line 1 PLC"
 * -> "line-1-plc"), with -2, -3, ... when it is taken. The simulator's id is always taken.
 */
export function connectionIdFromName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|-+$/g, '')
      .slice(0, MAX_ID_LENGTH)
      .replace(/-+$/, '') || 'connection';
  const free = (id: string) => id !== SIMULATOR_CONNECTION_ID && !taken.has(id);
  if (free(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = `${base.slice(0, MAX_ID_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (free(id)) return id;
  }
}

/** A new connection of the configuration file from the console's settings. */
export function newConnection(settings: ConnectionSettings & { id: string }): RawConnection {
  if (settings.identity.type === 'username' && settings.identity.password === undefined) {
    throw new CoreError(
      'invalid_input',
      `A password is needed for user "${settings.identity.userName}" (identity.password)`,
    );
  }
  return applySettings({ id: settings.id }, settings);
}

/**
 * Writes the settings over a connection of the file, in place. Fields the settings do not cover are
 * kept; so is the stored password (or passwordEnv) when a username identity comes without one for
 * the same user: the console never reads passwords back, so it cannot send them again.
 */
export function applySettings(connection: RawConnection, settings: ConnectionSettings): RawConnection {
  if (settings.id !== undefined && settings.id !== connection.id) {
    throw new CoreError(
      'invalid_input',
      `The id of connection "${String(connection.id)}" cannot change (tag ids are made from it)`,
    );
  }
  connection.name = settings.name;
  connection.endpointUrl = settings.endpointUrl;
  connection.security = { mode: settings.security.mode, policy: settings.security.policy };
  connection.identity = identityFor(connection, settings.identity);
  connection.discover = settings.discover;
  const alarms = isObject(connection.alarms) ? connection.alarms : {};
  connection.alarms = { ...alarms, enabled: settings.alarms };
  connection.samplingIntervalMs = settings.samplingIntervalMs;
  connection.publishingIntervalMs = settings.publishingIntervalMs;
  return connection;
}

function identityFor(connection: RawConnection, identity: ConnectionSettings['identity']): unknown {
  if (identity.type !== 'username') return { ...identity };
  if (identity.password !== undefined) {
    return { type: 'username', userName: identity.userName, password: identity.password };
  }
  const stored = isObject(connection.identity) ? connection.identity : {};
  const sameUser = stored.type === 'username' && stored.userName === identity.userName;
  if (!sameUser) {
    // Sending one user's password for another would be a guess at best.
    throw new CoreError(
      'invalid_input',
      `A password is needed for user "${identity.userName}" (identity.password)` +
        (stored.type === 'username' && typeof stored.userName === 'string'
          ? `; the stored one belongs to user "${stored.userName}"`
          : ''),
    );
  }
  const kept: Record<string, unknown> = { type: 'username', userName: identity.userName };
  if (typeof stored.password === 'string') kept.password = stored.password;
  if (typeof stored.passwordEnv === 'string') kept.passwordEnv = stored.passwordEnv;
  if (kept.password === undefined && kept.passwordEnv === undefined) {
    throw new CoreError(
      'invalid_input',
      `No password is stored for user "${identity.userName}"; give identity.password`,
    );
  }
  return kept;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the edit form starts from: the connection's settings with the defaults the core applies
 * (security None, anonymous, whole address space, exception-based, 100 ms), and only whether a
 * password is saved, never the password.
 */
export function savedSettingsOf(config: ConnectionConfig): SavedConnectionSettings {
  const identity = config.identity ?? { type: 'anonymous' as const };
  return {
    id: config.id,
    name: config.name?.trim() || config.id,
    endpointUrl: config.endpointUrl,
    security: { mode: config.security?.mode ?? 'None', policy: config.security?.policy ?? 'None' },
    identity:
      identity.type === 'username'
        ? {
            type: 'username',
            userName: identity.userName,
            passwordSaved: identity.password !== undefined || identity.passwordEnv !== undefined,
          }
        : identity.type === 'certificate'
          ? {
              type: 'certificate',
              certificateFile: identity.certificateFile,
              privateKeyFile: identity.privateKeyFile,
            }
          : { type: 'anonymous' },
    discover: config.discover ?? true,
    alarms: config.alarms?.enabled ?? false,
    samplingIntervalMs: config.samplingIntervalMs,
    publishingIntervalMs: config.publishingIntervalMs,
  };
}
