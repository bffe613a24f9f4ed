import { movedFocus, tabbableRow } from '../../app/gridKeys';
import type { CommandOutput } from '../../../../shared/api';
import type { ConnectionState, ConnectionStatus } from '../../../../shared/domain';

/**
 * How the Connections view presents what the core reports about its OPC UA connections: states in
 * plain words, ages and durations, what counts as a problem, the order of the list, how complete a
 * data gap's recovery was, and the keyboard model of the list. Pure functions; the acquisition
 * rules themselves (retrying, backfill, trust) are the core's.
 */

export type ConnectionDetails = CommandOutput<'getConnectionDetails'>[number];
export type DataGap = CommandOutput<'listDataGaps'>[number];
export type CertificateList = CommandOutput<'listCertificates'>;
export type StoredCertificate = CertificateList['servers'][number];

export type Level = 'ok' | 'warning' | 'bad';

export interface StateInfo {
  label: string;
  level: Level;
  /** A sentence for tooltips and screen readers. */
  long: string;
}

export const STATE_INFO: Record<ConnectionState, StateInfo> = {
  connected: { label: 'Connected', level: 'ok', long: 'Connected: values are arriving' },
  connecting: { label: 'Connecting', level: 'warning', long: 'Connecting for the first time' },
  reconnecting: {
    label: 'Reconnecting',
    level: 'warning',
    long: 'The connection was lost; Vigil is connecting again',
  },
  failed: {
    label: 'Failed',
    level: 'bad',
    long: 'Not connected: something has to change first (see why)',
  },
  disconnected: { label: 'Disconnected', level: 'bad', long: 'Not connected' },
};

/** Whether a connection needs the engineer's eyes (anything but connected). */
export function isConnectionProblem(status: Pick<ConnectionStatus, 'state'>): boolean {
  return status.state !== 'connected';
}

/**
 * The Connections tab badge: connections that are not connected plus server certificates waiting
 * for review. A connection waiting on a pending certificate counts twice on purpose: both the
 * connection and the certificate are something to act on.
 */
export function problemCount(
  connections: readonly Pick<ConnectionStatus, 'state'>[],
  certificates: readonly Pick<StoredCertificate, 'state'>[],
): { connections: number; certificates: number; total: number } {
  const c = connections.filter(isConnectionProblem).length;
  const p = certificates.filter((cert) => cert.state === 'pending').length;
  return { connections: c, certificates: p, total: c + p };
}

/**
 * The list's order: the built-in connection first, then by name. Stable on purpose: rows do not
 * jump under the keyboard focus when a state changes (problems are marked and counted instead).
 */
export function sortConnections(list: readonly ConnectionDetails[]): ConnectionDetails[] {
  return [...list].sort(
    (a, b) =>
      Number(a.configured) - Number(b.configured) ||
      a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) ||
      a.status.id.localeCompare(b.status.id),
  );
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 05 min", "3 d 4 h"; "—" for none. */
export function formatSpan(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(Math.floor(v / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(v / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** How long ago the last value arrived: "3 s ago"; "none yet" before the first one. */
export function formatAge(at: number | null, now: number): string {
  if (at === null) return 'none yet';
  const ago = now - at;
  if (ago < 1000) return 'just now';
  return `${formatSpan(ago)} ago`;
}

/** Whether values stopped arriving on a connection that says it is connected. */
export function isQuiet(status: Pick<ConnectionStatus, 'state' | 'lastValueAt' | 'tagCount'>, now: number) {
  return (
    status.state === 'connected' &&
    status.tagCount > 0 &&
    status.lastValueAt !== null &&
    now - status.lastValueAt > QUIET_AFTER_MS
  );
}

/** Older than this, the last value's age is highlighted (most plant values change within seconds). */
export const QUIET_AFTER_MS = 60_000;

const counter = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return counter.format(n);
}

/** "2 / 118 items" for the subscriptions column. */
export function subscriptionSummary(subs: ConnectionDetails['subscriptions']): string {
  if (!subs.length) return 'none';
  const items = subs.reduce((n, s) => n + s.items, 0);
  return `${subs.length} / ${formatCount(items)} item${items === 1 ? '' : 's'}`;
}

/** "None", "Sign · Basic256Sha256". */
export function securityLabel(security: { mode: string; policy: string }): string {
  return security.mode === 'None' ? 'None (not secured)' : `${security.mode} · ${security.policy}`;
}

/**
 * What the core said went wrong, as one sentence; the state's own sentence when there is no error.
 * The core already writes its errors for operators (acquisition/errors.ts).
 */
export function stateText(status: Pick<ConnectionStatus, 'state' | 'lastError'>): string {
  if (status.lastError) return status.lastError;
  return STATE_INFO[status.state].long;
}

/** Whether the connection is held back by the server certificate (the review queue can fix it). */
export function waitsForCertificate(
  details: Pick<ConnectionDetails, 'status' | 'serverCertificate'>,
): boolean {
  return (
    details.status.state !== 'connected' &&
    (details.serverCertificate?.state === 'pending' || details.serverCertificate?.state === 'rejected')
  );
}

/**
 * The list's one line on why a connection is not connected. The core's sentence names the
 * certificate in full (subject, thumbprint, issuer, dates) before it says what to do; when the
 * certificate is what holds the connection, the list says that first (the details keep it all).
 */
export function connectionWhy(details: Pick<ConnectionDetails, 'status' | 'serverCertificate'>): string {
  if (waitsForCertificate(details)) {
    return details.serverCertificate?.state === 'rejected'
      ? 'The server certificate was rejected: trust it under Certificates to connect'
      : 'Waiting for you to trust the server certificate under Certificates';
  }
  return stateText(details.status);
}

// ------------------------------------------------------------------ data gaps

export interface GapRecovery {
  /** Every value of the outage is back in the historian. */
  complete: boolean;
  /** What happened, in words. */
  text: string;
}

const RECOVERY_TEXT: Record<DataGap['recovery'], string> = {
  republished: 'Server republished the missed values',
  history: 'Read back from the server history',
  partial: 'Partly read back from the server history',
  none: 'Not recovered',
};

/**
 * A gap whose values did not all come back: recovery 'partial' or 'none', or tags left unfilled.
 * Those are holes in the historian the engineer must know about (a model or a report may read them).
 */
export function gapRecovery(gap: DataGap): GapRecovery {
  const complete =
    gap.backfilled &&
    gap.tagsNotBackfilled === 0 &&
    (gap.recovery === 'republished' || gap.recovery === 'history');
  let text = RECOVERY_TEXT[gap.recovery];
  if (!complete && gap.tagsNotBackfilled > 0)
    text += `: ${formatCount(gap.tagsNotBackfilled)} tag${gap.tagsNotBackfilled === 1 ? '' : 's'} not backfilled`;
  return { complete, text };
}

export const CAUSE_TEXT: Record<DataGap['cause'], string> = {
  'connection lost': 'Connection lost',
  stalled: 'Subscription stalled',
  reconnected: 'Session re-created',
};

/** Newest first, as an engineer reads an outage history. */
export function sortGaps(gaps: readonly DataGap[]): DataGap[] {
  return [...gaps].sort((a, b) => b.from - a.from || b.id - a.id);
}

// ------------------------------------------------------------------ keyboard

export interface ListKeyAction {
  focus?: string;
  /** Open the details of this row. */
  open?: string;
  /** Close the details. */
  close?: true;
  /** Certificate rows: trust or reject this one. */
  trust?: string;
  reject?: string;
}

export { tabbableRow };

/**
 * Keys of a list grid: arrows, Home/End, PageUp/PageDown move the row focus; Enter opens the row,
 * Escape closes it;
 * with `letters`, T and R trust or reject the focused row (the certificate list).
 */
export function listKeyAction(
  order: readonly string[],
  focusedId: string | null,
  key: string,
  options: { letters?: boolean; mods?: { ctrl?: boolean; alt?: boolean; meta?: boolean } } = {},
): ListKeyAction | null {
  const mods = options.mods ?? {};
  if (mods.ctrl || mods.alt || mods.meta) return null;
  const current = tabbableRow(order, focusedId);
  if (current === null) return null;
  const moved = movedFocus(order, current, key);
  if (moved) return { focus: moved };
  switch (key) {
    case 'Enter':
      return { open: current };
    case 'Escape':
      return { close: true };
  }
  if (options.letters) {
    if (key === 't' || key === 'T') return { trust: current };
    if (key === 'r' || key === 'R') return { reject: current };
  }
  return null;
}

/** Local time of day, 24 h. */
export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

/** "2025-01-06 08:00:00" in local time, unambiguous for logs and certificates. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Names of the connections whose server presented this certificate. */
export function connectionsUsing(thumbprint: string, list: readonly ConnectionDetails[]): string[] {
  return list.filter((d) => d.serverCertificate?.thumbprint === thumbprint).map((d) => d.name);
}

/** "3 connections, 1 not connected" for the view's header. */
export function listSummary(list: readonly Pick<ConnectionDetails, 'status'>[]): string {
  const down = list.filter((d) => isConnectionProblem(d.status)).length;
  const total = `${list.length} connection${list.length === 1 ? '' : 's'}`;
  return down ? `${total}, ${down} not connected` : `${total}, all connected`;
}
