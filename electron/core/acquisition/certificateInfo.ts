import { X509Certificate } from 'node:crypto';

/** What an operator needs to decide whether to trust a certificate. */
export interface CertificateInfo {
  /** SHA-1 of the DER bytes, lower-case hex: the thumbprint OPC UA tools show (Part 6, 6.2.3). */
  thumbprint: string;
  /** e.g. "CN=PLC-7, O=Acme"; most specific part first as tools show it. */
  subject: string;
  issuer: string;
  /** Epoch ms. */
  notBefore: number;
  notAfter: number;
  selfSigned: boolean;
  /** The URI in subjectAltName, which OPC UA requires to equal the application's URI. */
  applicationUri: string | null;
  dnsNames: string[];
  ipAddresses: string[];
  serialNumber: string;
}

/**
 * Reads a certificate with Node's own X.509 parser, which exists the same in plain Node and in
 * Electron (no native addon, no openssl binary).
 */
export function describeCertificate(certificate: Buffer | string): CertificateInfo {
  const cert = new X509Certificate(certificate);
  const alt = parseSubjectAltName(cert.subjectAltName ?? '');
  return {
    thumbprint: cert.fingerprint.replace(/:/g, '').toLowerCase(),
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    notBefore: Date.parse(cert.validFrom),
    notAfter: Date.parse(cert.validTo),
    selfSigned: cert.subject === cert.issuer && cert.checkIssued(cert),
    applicationUri: alt.uris[0] ?? null,
    dnsNames: alt.dns,
    ipAddresses: alt.ips,
    serialNumber: cert.serialNumber,
  };
}

/** Node gives "C=FR\nO=Acme\nCN=PLC-7"; operators read "CN=PLC-7, O=Acme, C=FR". */
function formatName(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(', ');
}

function parseSubjectAltName(text: string): { uris: string[]; dns: string[]; ips: string[] } {
  const out = { uris: [] as string[], dns: [] as string[], ips: [] as string[] };
  for (const part of text.split(/,\s*/)) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const key = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (key === 'URI') out.uris.push(value);
    else if (key === 'DNS') out.dns.push(value);
    else if (key === 'IP Address') out.ips.push(value);
  }
  return out;
}

/** "AB:CD:..." or "abcd..." -> "abcd..."; null when it is not a SHA-1 thumbprint. */
export function normaliseThumbprint(input: string): string | null {
  const hex = input.replace(/[\s:]/g, '').toLowerCase();
  return /^[0-9a-f]{40}$/.test(hex) ? hex : null;
}

export const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;

/** A warning line when the certificate has expired or expires within `withinMs`, else null. */
export function expiryWarning(
  what: string,
  info: Pick<CertificateInfo, 'notAfter' | 'notBefore'>,
  now: number,
  withinMs = EXPIRY_WARNING_MS,
): string | null {
  if (now < info.notBefore) return `${what} is not valid before ${new Date(info.notBefore).toISOString()}`;
  if (now >= info.notAfter) return `${what} expired on ${new Date(info.notAfter).toISOString()}`;
  const left = info.notAfter - now;
  if (left <= withinMs) {
    const days = Math.floor(left / (24 * 3600_000));
    const when = days >= 1 ? `in ${days} day${days === 1 ? '' : 's'}` : 'within a day';
    return `${what} expires ${when} (${new Date(info.notAfter).toISOString()})`;
  }
  return null;
}
