import os from 'node:os';
import { LOCAL_OPERATOR } from '../app/api';

/**
 * Who acts when nobody is signed in: the local operating-system user. Accounts come later; until
 * then every acknowledge, shelve, approve or reject is recorded with this name.
 * os.userInfo() throws where the user has no passwd entry (some containers), hence the fallbacks.
 */
export function localOsUser(): string {
  try {
    const name = os.userInfo().username;
    if (name) return name;
  } catch {
    // Fall through to the environment.
  }
  return process.env.USER ?? process.env.USERNAME ?? 'unknown-user';
}

/**
 * The actor recorded for a command: the signed-in user when there is one; the local OS user when
 * the call carries no user or the core's placeholder for "nobody signed in" (LOCAL_OPERATOR).
 */
export function resolveActor(user: string | undefined, fallback: () => string = localOsUser): string {
  const trimmed = user?.trim();
  return trimmed && trimmed !== LOCAL_OPERATOR.user ? trimmed : fallback();
}
