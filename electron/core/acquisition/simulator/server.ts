import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  RegisterServerMethod,
  SecurityPolicy,
} from 'node-opcua';

export const SIMULATOR_APPLICATION_URI = 'urn:vigil:simulator';

export interface ServerSettings {
  port: number;
  host: string;
  pkiDir?: string;
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

/**
 * Creates and initialises (but does not start) the OPC UA server: security None with anonymous
 * users only for now, no discovery registration, and its PKI folders outside the repository. The
 * certificate is made on the first start and reused after, which keeps later starts fast; unknown
 * client certificates are accepted, so nothing ever waits for a trust decision.
 */
export async function createServer(settings: ServerSettings): Promise<OPCUAServer> {
  await assertPortFree(settings.host, settings.port);
  const pkiDir = settings.pkiDir ?? defaultPkiDir();
  preparePkiDir(pkiDir);
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'server'),
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  // Without its own manager the server creates one under ~/.config for X509 user tokens.
  const userCertificateManager = new OPCUACertificateManager({
    rootFolder: join(pkiDir, 'user'),
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
  const server = new OPCUAServer({
    port: settings.port,
    host: settings.host,
    // The endpoint URL names the interface clients can reach; a wildcard bind advertises the host name.
    hostname: isWildcard(settings.host) ? undefined : settings.host,
    serverCertificateManager,
    userCertificateManager,
    securityPolicies: [SecurityPolicy.None],
    securityModes: [MessageSecurityMode.None],
    allowAnonymous: true,
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
    },
  });
  try {
    await server.initialize();
  } catch (err) {
    await server.shutdown(0).catch(() => {});
    throw err;
  }
  return server;
}
