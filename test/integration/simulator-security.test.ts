import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../electron/core/acquisition/simulator';

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-sim-security-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T24 = 'ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T24';

/** A client with its own PKI folder, trusting whatever server certificate it meets. */
function makeClient(
  name: string,
  securityMode: MessageSecurityMode,
  securityPolicy: SecurityPolicy,
  pkiName = 'client',
): OPCUAClient {
  return OPCUAClient.create({
    applicationName: `vigil-sim-security-${name}`,
    applicationUri: `urn:vigil:test:${pkiName}`,
    endpointMustExist: false,
    securityMode,
    securityPolicy,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: path.join(work, pkiName),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    }),
  });
}

/** Connects, opens a session as `user`, reads T24 and closes; returns the read's status or the error. */
async function trySession(
  sim: Simulator,
  client: OPCUAClient,
  user?: UserIdentityInfo,
): Promise<{ ok: true; session: ClientSession } | { ok: false; error: string }> {
  try {
    await client.connect(sim.endpointUrl);
  } catch (err) {
    return { ok: false, error: String(err) };
  }
  try {
    const session = await client.createSession(user);
    return { ok: true, session };
  } catch (err) {
    await client.disconnect();
    return { ok: false, error: String(err) };
  }
}

async function readT24(session: ClientSession): Promise<number> {
  const dv = await session.read({ nodeId: T24, attributeId: AttributeIds.Value });
  expect(dv.statusCode).toBe(StatusCodes.Good);
  return dv.value.value as number;
}

describe('simulator security: secure endpoints and user identities', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      pkiDir: path.join(work, 'server-pki'),
      users: [{ userName: 'operator', password: 'correct horse' }],
      vibration: false,
    });
  });

  afterAll(async () => {
    await sim?.dispose();
  });

  it('offers None, Sign and SignAndEncrypt with the three current policies, with its own certificate', async () => {
    const client = makeClient('discovery', MessageSecurityMode.None, SecurityPolicy.None);
    await client.connect(sim.endpointUrl);
    const endpoints = await client.getEndpoints();
    await client.disconnect();
    const offered = new Set(
      endpoints.map(
        (e) => `${MessageSecurityMode[e.securityMode]}/${(e.securityPolicyUri ?? '').split('#')[1]}`,
      ),
    );
    for (const policy of ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']) {
      expect(offered).toContain(`Sign/${policy}`);
      expect(offered).toContain(`SignAndEncrypt/${policy}`);
    }
    expect(offered).toContain('None/None');
    expect(offered).not.toContain('SignAndEncrypt/Basic256'); // deprecated policies stay off
    expect(sim.security.policies).toEqual([
      'None',
      'Basic256Sha256',
      'Aes128_Sha256_RsaOaep',
      'Aes256_Sha256_RsaPss',
    ]);
    // Every endpoint carries the certificate kept in the PKI folder.
    const der = sim.certificate();
    expect(der.length).toBeGreaterThan(500);
    for (const e of endpoints) expect(Buffer.compare(e.serverCertificate!, der)).toBe(0);
    expect(readFileSync(sim.pki.certificateFile, 'utf8')).toContain('BEGIN CERTIFICATE');
    // It names the simulator and Vigil as its organisation (the operator reviews this subject).
    const subject = new X509Certificate(der).subject.split('\n').sort();
    expect(subject).toEqual([expect.stringMatching(/^CN=Vigil OPC UA Simulator@/), 'O=Vigil']);
  });

  it('accepts a SignAndEncrypt Basic256Sha256 session and serves data over it', async () => {
    const client = makeClient('secure', MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256);
    const result = await trySession(sim, client);
    expect(result.ok, result.ok ? '' : result.error).toBe(true);
    if (!result.ok) return;
    expect(await readT24(result.session)).toBeGreaterThan(600);
    await result.session.close();
    await client.disconnect();
    // The client's certificate was trusted on first use (the default) and kept.
    expect(readdirSync(sim.pki.trustedClientsDir).length).toBeGreaterThan(0);
  });

  it('accepts the right user name and password and refuses a wrong one', async () => {
    const good = makeClient(
      'user-ok',
      MessageSecurityMode.SignAndEncrypt,
      SecurityPolicy.Aes256_Sha256_RsaPss,
    );
    const accepted = await trySession(sim, good, {
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'correct horse',
    });
    expect(accepted.ok, accepted.ok ? '' : accepted.error).toBe(true);
    if (accepted.ok) {
      expect(await readT24(accepted.session)).toBeGreaterThan(600);
      await accepted.session.close();
      await good.disconnect();
    }

    const bad = makeClient('user-bad', MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256);
    const refused = await trySession(sim, bad, {
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'wrong horse',
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/BadUserAccessDenied|BadIdentityTokenRejected/);
  });
});

describe('simulator security: locked down', () => {
  let sim: Simulator;
  let userCert: { der: Buffer; keyPem: string };

  beforeAll(async () => {
    // A user certificate (X.509 identity), made with node-opcua's own PKI tooling.
    const userPki = new OPCUACertificateManager({
      rootFolder: path.join(work, 'user-identity'),
      disableFileWatchers: true,
    });
    await userPki.initialize();
    const certificateFile = path.join(work, 'user-identity', 'own', 'certs', 'user.pem');
    await userPki.createSelfSignedCertificate({
      applicationUri: 'urn:vigil:test:user',
      subject: '/CN=maintenance-engineer',
      dns: [],
      startDate: new Date(),
      validity: 30,
      outputFile: certificateFile,
    });
    const pem = readFileSync(certificateFile, 'utf8');
    const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)![1]!;
    userCert = {
      der: Buffer.from(b64.replace(/\s+/g, ''), 'base64'),
      keyPem: readFileSync(path.join(work, 'user-identity', 'own', 'private', 'private_key.pem'), 'utf8'),
    };
    sim = await startSimulator({
      port: 0,
      // The first simulator's folder: its certificate is reused, and it trusts only the first client.
      pkiDir: path.join(work, 'server-pki'),
      security: { allowNone: false, autoAcceptClientCertificates: false, trustedUserCertificates: [pem] },
      allowAnonymous: false,
      users: [{ userName: 'operator', password: 'correct horse' }],
      vibration: false,
      alarms: false,
    });
  });

  afterAll(async () => {
    await sim?.dispose();
  });

  it('refuses an unknown client certificate until it is trusted, then accepts it', async () => {
    const client = makeClient(
      'untrusted',
      MessageSecurityMode.SignAndEncrypt,
      SecurityPolicy.Basic256Sha256,
      'c2',
    );
    const refused = await trySession(sim, client, {
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'correct horse',
    });
    expect(refused.ok).toBe(false);
    const rejected = readdirSync(sim.pki.rejectedClientsDir).filter((f) => /\.(der|pem)$/.test(f));
    expect(rejected.length).toBe(1);

    await sim.trustClientCertificate(readFileSync(path.join(sim.pki.rejectedClientsDir, rejected[0]!)));
    const retry = makeClient(
      'trusted-now',
      MessageSecurityMode.SignAndEncrypt,
      SecurityPolicy.Basic256Sha256,
      'c2',
    );
    const accepted = await trySession(sim, retry, {
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'correct horse',
    });
    expect(accepted.ok, accepted.ok ? '' : accepted.error).toBe(true);
    if (accepted.ok) {
      await accepted.session.close();
      await retry.disconnect();
    }
  });

  it('offers no None endpoint and no anonymous login, but accepts a trusted X.509 user', async () => {
    const discovery = makeClient('discovery2', MessageSecurityMode.None, SecurityPolicy.None, 'c2');
    await discovery.connect(sim.endpointUrl);
    const endpoints = await discovery.getEndpoints();
    await discovery.disconnect();
    // node-opcua keeps a discovery-only None endpoint with no user token policy.
    for (const e of endpoints.filter((x) => x.securityMode === MessageSecurityMode.None)) {
      expect(e.userIdentityTokens ?? []).toEqual([]);
    }
    for (const e of endpoints.filter((x) => x.securityMode !== MessageSecurityMode.None)) {
      expect((e.userIdentityTokens ?? []).map((t) => t.tokenType)).not.toContain(UserTokenType.Anonymous);
    }

    const anonymous = makeClient(
      'anon',
      MessageSecurityMode.SignAndEncrypt,
      SecurityPolicy.Basic256Sha256,
      'c2',
    );
    const refused = await trySession(sim, anonymous);
    expect(refused.ok).toBe(false);

    const x509 = makeClient('x509', MessageSecurityMode.Sign, SecurityPolicy.Aes128_Sha256_RsaOaep, 'c2');
    const accepted = await trySession(sim, x509, {
      type: UserTokenType.Certificate,
      certificateData: userCert.der,
      privateKey: userCert.keyPem,
    });
    expect(accepted.ok, accepted.ok ? '' : accepted.error).toBe(true);
    if (accepted.ok) {
      expect(await readT24(accepted.session)).toBeGreaterThan(600);
      await accepted.session.close();
      await x509.disconnect();
    }
  });
});
