import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getHostname, makeApplicationUrn, OPCUACertificateManager } from 'node-opcua';
import type { Disposable } from '../app/disposable';
import { ensurePkcs8PrivateKey } from './privateKey';
import {
  describeCertificate,
  expiryWarning,
  normaliseThumbprint,
  type CertificateInfo,
} from './certificateInfo';

/**
 * trusted: the operator trusted it (or placed it in trusted/certs).
 * pending: seen on a connection and waiting for the operator's review (node-opcua puts it in rejected/).
 * rejected: the operator rejected it.
 */
export type TrustState = 'trusted' | 'pending' | 'rejected';

export interface StoredCertificate extends CertificateInfo {
  state: TrustState;
  /** When Vigil first met it on a connection (null for certificates placed by hand). */
  firstSeenAt: number | null;
  decidedAt: number | null;
}

export interface ServerCertificateCheck {
  /** 'invalid': trusted or not, it cannot be used (expired, not yet valid, malformed). */
  state: TrustState | 'invalid';
  /** The OPC UA status of the check, e.g. "BadCertificateUntrusted". */
  status: string;
  info: CertificateInfo;
}

export class CertificateNotFoundError extends Error {
  override name = 'CertificateNotFoundError';
}

export const APPLICATION_NAME = 'Vigil';
const OWN_CERTIFICATE = 'own/certs/client_certificate.pem';
const REVIEW_FILE = 'vigil-review.json';
/** Long enough not to bother operators yearly, short enough that a leaked key does not live forever. */
const OWN_VALIDITY_DAYS = 5 * 365;

interface ReviewRecord {
  firstSeen: Record<string, number>;
  decided: Record<string, { decision: 'trusted' | 'rejected'; at: number }>;
}

const openStores = new Map<string, { pki: Promise<ClientPki>; refs: number }>();

/**
 * Vigil's client PKI in one folder of the data directory: its own application instance certificate
 * (made once, on first use, then reused) and the store of server certificates with a review queue.
 * node-opcua's OPCUACertificateManager does the checking and refuses unknown server certificates
 * (automaticallyAcceptUnknownCertificate false), which it files under rejected/; this class turns
 * that folder into a queue the operator reviews, remembering which ones they actually rejected.
 * One instance per folder is shared by every connection (open/release count the users).
 */
export class ClientPki {
  readonly applicationName = APPLICATION_NAME;
  readonly applicationUri: string;
  private readonly listeners = new Set<() => void>();
  private own: CertificateInfo | null = null;

  private constructor(
    readonly rootDir: string,
    readonly certificateManager: OPCUACertificateManager,
    private readonly clock: () => number,
  ) {
    this.applicationUri = makeApplicationUrn(getHostname(), APPLICATION_NAME);
  }

  /** Opens (creating on first use) the PKI in `rootDir`; call release() when done. */
  static open(rootDir: string, clock: () => number = Date.now): Promise<ClientPki> {
    const key = path.resolve(rootDir);
    const existing = openStores.get(key);
    if (existing) {
      existing.refs++;
      return existing.pki;
    }
    const pki = ClientPki.create(key, clock);
    const entry = { pki, refs: 1 };
    openStores.set(key, entry);
    pki.catch(() => openStores.delete(key));
    return pki;
  }

  private static async create(rootDir: string, clock: () => number): Promise<ClientPki> {
    mkdirSync(rootDir, { recursive: true, mode: 0o700 });
    const certificateManager = new OPCUACertificateManager({
      rootFolder: rootDir,
      automaticallyAcceptUnknownCertificate: false,
      // Trust changes go through this class; no file watchers to hold libuv threads.
      disableFileWatchers: true,
    });
    ensurePkcs8PrivateKey(certificateManager.privateKey);
    await certificateManager.initialize();
    const pki = new ClientPki(rootDir, certificateManager, clock);
    await pki.ensureOwnCertificate();
    return pki;
  }

  get ownCertificateFile(): string {
    return path.join(this.rootDir, OWN_CERTIFICATE);
  }

  get privateKeyFile(): string {
    return this.certificateManager.privateKey;
  }

  /** Creates the application instance certificate the first time; later starts reuse it. */
  private async ensureOwnCertificate(): Promise<void> {
    const file = this.ownCertificateFile;
    if (!existsSync(file)) {
      const hostname = getHostname();
      await this.certificateManager.createSelfSignedCertificate({
        applicationUri: this.applicationUri,
        dns: [hostname],
        subject: `/CN=${APPLICATION_NAME}@${hostname}/O=${APPLICATION_NAME}`,
        startDate: new Date(this.clock() - 24 * 3600_000),
        validity: OWN_VALIDITY_DAYS,
        outputFile: file,
      });
    }
    this.own = describeCertificate(readFileSync(file));
  }

  ownCertificate(): CertificateInfo {
    if (!this.own) throw new Error('PKI not initialised');
    return this.own;
  }

  /** Every server certificate the store knows, trusted first, then the review queue, then rejected. */
  list(): StoredCertificate[] {
    const review = this.readReview();
    const out: StoredCertificate[] = [];
    const seen = new Set<string>();
    const add = (file: string, folderState: 'trusted' | 'rejected') => {
      const info = readCertificateFile(file);
      if (!info || seen.has(info.thumbprint)) return;
      seen.add(info.thumbprint);
      const decision = review.decided[info.thumbprint];
      const state: TrustState =
        folderState === 'trusted' ? 'trusted' : decision?.decision === 'rejected' ? 'rejected' : 'pending';
      out.push({
        ...info,
        state,
        firstSeenAt: review.firstSeen[info.thumbprint] ?? null,
        decidedAt: decision?.at ?? null,
      });
    };
    for (const file of listFiles(this.certificateManager.trustedFolder)) add(file, 'trusted');
    for (const file of listFiles(this.certificateManager.rejectedFolder)) add(file, 'rejected');
    const order: Record<TrustState, number> = { trusted: 0, pending: 1, rejected: 2 };
    return out.sort((a, b) => order[a.state] - order[b.state] || a.subject.localeCompare(b.subject));
  }

  find(thumbprint: string): StoredCertificate | null {
    const hex = normaliseThumbprint(thumbprint);
    return hex ? (this.list().find((c) => c.thumbprint === hex) ?? null) : null;
  }

  trust(thumbprint: string): Promise<StoredCertificate> {
    return this.decide(thumbprint, 'trusted');
  }

  reject(thumbprint: string): Promise<StoredCertificate> {
    return this.decide(thumbprint, 'rejected');
  }

  private async decide(thumbprint: string, decision: 'trusted' | 'rejected'): Promise<StoredCertificate> {
    const hex = normaliseThumbprint(thumbprint);
    if (!hex) throw new CertificateNotFoundError(`"${thumbprint}" is not a SHA-1 thumbprint (40 hex digits)`);
    const file = this.fileOf(hex);
    if (!file)
      throw new CertificateNotFoundError(`No server certificate with thumbprint ${hex} in the store`);
    const der = new X509Certificate(readFileSync(file)).raw;
    if (decision === 'trusted') await this.certificateManager.trustCertificate(der);
    else await this.certificateManager.rejectCertificate(der);
    const review = this.readReview();
    review.decided[hex] = { decision, at: this.clock() };
    this.writeReview(review);
    for (const listener of this.listeners) listener();
    return this.find(hex)!;
  }

  private fileOf(thumbprint: string): string | null {
    const folders = [this.certificateManager.trustedFolder, this.certificateManager.rejectedFolder];
    for (const file of folders.flatMap(listFiles)) {
      if (readCertificateFile(file)?.thumbprint === thumbprint) return file;
    }
    return null;
  }

  /**
   * Checks a server certificate before a secure connection is opened. An unknown certificate is
   * filed for review (never accepted), so the operator sees it in the queue.
   */
  async checkServerCertificate(der: Buffer): Promise<ServerCertificateCheck> {
    const info = describeCertificate(der);
    // Someone may have placed or removed files by hand since the last check.
    await this.certificateManager.reloadCertificates();
    const status = await this.certificateManager.checkCertificate(der);
    const review = this.readReview();
    if (review.firstSeen[info.thumbprint] === undefined) {
      review.firstSeen[info.thumbprint] = this.clock();
      this.writeReview(review);
    }
    const name = status.name;
    if (status.isGood()) return { state: 'trusted', status: name, info };
    if (name === 'BadCertificateUntrusted') {
      const rejected = review.decided[info.thumbprint]?.decision === 'rejected';
      return { state: rejected ? 'rejected' : 'pending', status: name, info };
    }
    return { state: 'invalid', status: name, info };
  }

  /** Warnings for Vigil's own certificate and trusted server certificates that expire soon or have. */
  expiryWarnings(now = this.clock()): string[] {
    const out: string[] = [];
    const own = this.own ? expiryWarning("Vigil's own certificate", this.own, now) : null;
    if (own) out.push(own);
    for (const cert of this.list()) {
      if (cert.state !== 'trusted') continue;
      const warning = expiryWarning(
        `Trusted server certificate "${cert.subject}" (${cert.thumbprint})`,
        cert,
        now,
      );
      if (warning) out.push(warning);
    }
    return out;
  }

  /** Called after every trust decision (connections waiting for one retry then). */
  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return {
      dispose: () => {
        this.listeners.delete(listener);
      },
    };
  }

  async release(): Promise<void> {
    const entry = openStores.get(this.rootDir);
    if (!entry) return;
    if (--entry.refs > 0) return;
    openStores.delete(this.rootDir);
    this.listeners.clear();
    await this.certificateManager.dispose();
  }

  private readReview(): ReviewRecord {
    try {
      const parsed = JSON.parse(
        readFileSync(path.join(this.rootDir, REVIEW_FILE), 'utf8'),
      ) as Partial<ReviewRecord>;
      return { firstSeen: parsed.firstSeen ?? {}, decided: parsed.decided ?? {} };
    } catch {
      return { firstSeen: {}, decided: {} };
    }
  }

  private writeReview(review: ReviewRecord): void {
    const file = path.join(this.rootDir, REVIEW_FILE);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(review, null, 2));
    renameSync(temp, file);
  }
}

function listFiles(folder: string): string[] {
  try {
    return readdirSync(folder)
      .filter((f) => /\.(pem|der|crt|cer)$/i.test(f))
      .map((f) => path.join(folder, f));
  } catch {
    return [];
  }
}

function readCertificateFile(file: string): CertificateInfo | null {
  try {
    return describeCertificate(readFileSync(file));
  } catch {
    // A file that is not a certificate is not ours to judge; it is left alone.
    return null;
  }
}
