import type { CertificateList, Level, StoredCertificate } from './connectionModel';

/**
 * How the certificate review queue presents certificates: thumbprints readable aloud, the order of
 * the queue, validity in words. Trust decisions are the operator's and the core's (acquisition/pki.ts).
 */

type CertificateInfo = CertificateList['own'];
export type TrustState = StoredCertificate['state'];

/**
 * "A1B2 C3D4 ..." : the SHA-1 thumbprint (40 hex digits) in groups of four, upper case, so two people
 * can compare it digit group by digit group over the phone (the server's administrator reads hers).
 */
export function groupThumbprint(thumbprint: string, size = 4): string {
  const hex = thumbprint.replace(/[\s:]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += size) groups.push(hex.slice(i, i + size));
  return groups.join(' ');
}

const STATE_ORDER: Record<TrustState, number> = { pending: 0, trusted: 1, rejected: 2 };

export const TRUST_LABEL: Record<TrustState, string> = {
  pending: 'Waiting for review',
  trusted: 'Trusted',
  rejected: 'Rejected',
};

/**
 * The review queue first (oldest first: it has waited longest), then trusted, then rejected
 * certificates, each by subject.
 */
export function sortCertificates(list: readonly StoredCertificate[]): StoredCertificate[] {
  return [...list].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      (a.state === 'pending' ? (a.firstSeenAt ?? 0) - (b.firstSeenAt ?? 0) : 0) ||
      a.subject.localeCompare(b.subject) ||
      a.thumbprint.localeCompare(b.thumbprint),
  );
}

/** Within this, a certificate's coming expiry is highlighted (the core warns from the same point). */
export const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

export interface Validity {
  state: 'valid' | 'expiring' | 'expired' | 'not_yet_valid';
  level: Level;
  text: string;
}

/** Whether a certificate can be used now, and for how long. */
export function certificateValidity(
  cert: Pick<CertificateInfo, 'notBefore' | 'notAfter'>,
  now: number,
  warnWithinMs = EXPIRY_WARNING_MS,
): Validity {
  if (now < cert.notBefore) return { state: 'not_yet_valid', level: 'bad', text: 'Not valid yet' };
  if (now >= cert.notAfter) return { state: 'expired', level: 'bad', text: 'Expired' };
  const left = cert.notAfter - now;
  if (left <= warnWithinMs) {
    const days = Math.floor(left / 86_400_000);
    return {
      state: 'expiring',
      level: 'warning',
      text: days >= 1 ? `Expires in ${days} day${days === 1 ? '' : 's'}` : 'Expires within a day',
    };
  }
  return { state: 'valid', level: 'ok', text: 'Valid' };
}

/** "2025-01-06": dates are enough for validity periods. */
export function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Where the certificate says the server lives: its application URI, DNS names and IP addresses. */
export function certificateNames(cert: Pick<CertificateInfo, 'dnsNames' | 'ipAddresses'>): string {
  const names = [...cert.dnsNames, ...cert.ipAddresses];
  return names.length ? names.join(', ') : '—';
}

/** The certificate list after a trust decision, without waiting for the next poll. */
export function applyDecision(list: CertificateList, decided: StoredCertificate): CertificateList {
  const servers = list.servers.some((c) => c.thumbprint === decided.thumbprint)
    ? list.servers.map((c) => (c.thumbprint === decided.thumbprint ? decided : c))
    : [...list.servers, decided];
  return { ...list, servers };
}
