import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { createServer as createTcpServer, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import {
  makeRoles,
  MessageSecurityMode,
  OPCUACertificateManager,
  setDefaultCertificateSubject,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
  WellKnownRoles,
} from 'node-opcua';
import type { SimulatorUser } from './types';
import { ensurePkcs8PrivateKey } from '../privateKey';

export const SIMULATOR_APPLICATION_URI = 'urn:vigil:simulator';

/**
 * The secure policies offered besides None: the three that OPC 10000-7 keeps current (Basic128Rsa15
 * and Basic256 are deprecated since 1.04 and not offered).
 */
export const SECURE_POLICIES = [
  SecurityPolicy.Basic256Sha256,
  SecurityPolicy.Aes128_Sha256_RsaOaep,
  SecurityPolicy.Aes256_Sha256_RsaPss,
] as const;

export interface ServerSettings {
  port: number;
  host: string;
  pkiDir?: string;
  /** Offer the unsecured None endpoint too (default true). */
  allowNone?: boolean;
  /** Trust unknown client application certificates at once (default true). */
  autoAcceptClientCertificates?: boolean;
  allowAnonymous?: boolean;
  users?: readonly SimulatorUser[];
  /** DER certificates accepted as X.509 user identity tokens. */
  trustedUserCertificates?: readonly Buffer[];
}

export interface SimulatorPki {
  /** The PKI root: `server/` holds the application certificate and trust lists, `user/` the X.509 user trust list. */
  dir: string;
  /** PEM of the server's application certificate (made on the first start, reused after). */
  certificateFile: string;
  privateKeyFile: string;
  /** Client application certificates the server trusts (one DER file each). */
  trustedClientsDir: string;
  /** Client application certificates the server refused (when it does not accept them automatically). */
  rejectedClientsDir: string;
}

export interface CreatedServer {
  server: OPCUAServer;
  pki: SimulatorPki;
  certificateManager: OPCUACertificateManager;
}

/** Per user, so two accounts on one machine do not fight over one folder's permissions. */
export function defaultPkiDir(): string {
  const user =
    typeof process.getuid === 'function' ? String(process.getuid()) : (process.env.USERNAME ?? 'user');
  return join(tmpdir(), `vigil-simulator-pki-${user}`);
}

/**
 * Creates the PKI folder private to this user. The server's private key lives there and the server
 * trusts what it reads there, so a folder someone else owns (possible under a shared temp root) is
 * refused rather than used.
 */
function preparePkiDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (uid === null) return; // Windows: the per-user temp folder is private already
  const stat = statSync(dir);
  if (stat.uid !== uid) {
    throw new Error(`Simulator PKI folder ${dir} belongs to another user; pass pkiDir to use another folder`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Fails at once when the port is taken, instead of after the second or so node-opcua spends
 * loading its nodeset. The server's own listen still reports a port taken in between.
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`Cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err })),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** DER bytes of a certificate given as DER bytes or PEM (text or bytes); null when PEM holds none. */
export function certificateDer(certificate: Uint8Array | string): Buffer | null {
  const isPemBytes =
    typeof certificate !== 'string' &&
    Buffer.from(certificate.subarray(0, 11)).toString('latin1') === '-----BEGIN ';
  if (typeof certificate !== 'string' && !isPemBytes) return Buffer.from(certificate);
  const text = typeof certificate === 'string' ? certificate : Buffer.from(certificate).toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  return pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : null;
}

/** Compares in time independent of where the strings differ, so response times do not leak passwords. */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Creates and initialises (but does not start) the OPC UA server.
 *
 * Endpoints: None (unless `allowNone` is false; node-opcua then keeps a discovery-only None
 * endpoint so clients can still call GetEndpoints), plus Sign and SignAndEncrypt for each of
 * SECURE_POLICIES. User identity: anonymous unless `allowAnonymous` is false, user name and
 * password for `users`, X.509 certificates listed in `trustedUserCertificates`. Registration with
 * a discovery server: none.
 *
 * The application certificate is made on the first start in `<pkiDir>/server/own` and reused after,
 * which keeps later starts fast and lets clients trust it once. Unknown client certificates are
 * accepted (and stored in trusted/) unless `autoAcceptClientCertificates` is false, in which case
 * they land in rejected/ until someone trusts them.
 */
export async function createServer(settings: ServerSettings): Promise<CreatedServer> {
  await assertPortFree(settings.host, settings.port);
  const pkiDir = settings.pkiDir ?? defaultPkiDir();
  preparePkiDir(pkiDir);
  const certificateManager = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'server'),
    automaticallyAcceptUnknownCertificate: settings.autoAcceptClientCertificates ?? true,
    disableFileWatchers: true,
  });
  // Without its own manager the server creates one under ~/.config for X509 user tokens.
  const userCertificateManager = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'user'),
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
  // Made with node:crypto so the simulator also starts inside Electron (see privateKey.ts).
  ensurePkcs8PrivateKey(certificateManager.privateKey);
  // The certificate node-opcua makes on the first start names its organisation from this default.
  setDefaultCertificateSubject('/O=Vigil');
  const users = settings.users ?? [];
  const securityModes = [MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt];
  const securityPolicies: SecurityPolicy[] = [...SECURE_POLICIES];
  if (settings.allowNone ?? true) {
    securityModes.unshift(MessageSecurityMode.None);
    securityPolicies.unshift(SecurityPolicy.None);
  }
  const hostname = isWildcard(settings.host) ? undefined : settings.host;
  const server = new OPCUAServer({
    port: settings.port,
    host: settings.host,
    // The endpoint URL names the interface clients can reach; a wildcard bind advertises the host name.
    hostname,
    // An IP given here also goes into the certificate's subjectAltName when it is first made, so
    // clients that check the server certificate against the endpoint address accept it.
    alternateHostname: hostname && isIP(hostname) ? [hostname] : undefined,
    serverCertificateManager: certificateManager,
    userCertificateManager,
    securityPolicies,
    securityModes,
    allowAnonymous: settings.allowAnonymous ?? true,
    userManager: {
      isValidUser: (userName: string, password: string) =>
        users.some((u) => u.userName === userName && sameSecret(u.password, password)),
      // Operators may acknowledge and confirm alarms; nothing in the simulator needs more.
      getUserRoles: () => makeRoles([WellKnownRoles.AuthenticatedUser, WellKnownRoles.Operator]),
    },
    registerServerMethod: RegisterServerMethod.HIDDEN,
    serverInfo: {
      applicationUri: SIMULATOR_APPLICATION_URI,
      productUri: SIMULATOR_APPLICATION_URI,
      applicationName: { text: 'Vigil OPC UA Simulator', locale: 'en' },
    },
    buildInfo: {
      productName: 'Vigil OPC UA Simulator',
      manufacturerName: 'Vigil',
      productUri: SIMULATOR_APPLICATION_URI,
    },
    serverCapabilities: {
      maxSessions: 50,
      // 0: an exception-based monitored item (samplingInterval 0) is sent every change, not only
      // the last one per 50 ms window, so fast playback loses no step (see node-opcua
      // MonitoredItem._on_value_changed_exception_based).
      minSupportedSampleRate: 0,
      // Enough for one subscription over the largest bulk asset with room for a second client.
      maxMonitoredItems: 1_000_000,
      maxMonitoredItemsPerSubscription: 200_000,
    },
  });
  try {
    await server.initialize();
    // OPCUAServer does not pass these on to its engine; the engine reads them when asked.
    server.engine.historyServerCapabilities.accessHistoryDataCapability = true;
    server.engine.historyServerCapabilities.maxReturnDataValues = 0;
    for (const certificate of settings.trustedUserCertificates ?? []) {
      await userCertificateManager.trustCertificate(certificate);
    }
  } catch (err) {
    await server.shutdown(0).catch(() => {});
    throw err;
  }
  const root = join(pkiDir, 'server');
  return {
    server,
    certificateManager,
    pki: {
      dir: pkiDir,
      certificateFile: server.certificateFile,
      privateKeyFile: server.privateKeyFile,
      trustedClientsDir: join(root, 'trusted', 'certs'),
      rejectedClientsDir: join(root, 'rejected'),
    },
  };
}
