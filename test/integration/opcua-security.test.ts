import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPki } from '../../electron/core/acquisition/pki';
import { AcquisitionHarness } from './fixtures/acquisitionHarness';
import { startTestServer, TestProcess, type TestServer } from './fixtures/opcuaTestServer';
import { waitFor } from '../helpers/wait';

/** A port nothing listens on: bound, closed, and not reused within the test. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OPC UA security: trust flow, policies, identities, bad input', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-opcua-security-'));
  const process = new TestProcess(3, 100);
  let secure: TestServer;
  let other: TestServer;
  let usersOnly: TestServer;
  let h: AcquisitionHarness;

  beforeAll(async () => {
    process.start();
    const users = [{ userName: 'operator', password: 'correct horse' }];
    [secure, other, usersOnly] = await Promise.all([
      startTestServer({ pkiDir: path.join(work, 'secure'), process, secure: true, users }),
      startTestServer({ pkiDir: path.join(work, 'other'), process, secure: true }),
      startTestServer({ pkiDir: path.join(work, 'users'), process, allowAnonymous: false, users }),
    ]);
    h = new AcquisitionHarness({ dataDir: path.join(work, 'vigil') });
  });

  afterAll(async () => {
    await h?.dispose();
    await Promise.all([secure?.dispose(), other?.dispose(), usersOnly?.dispose()]);
    process.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds an unknown server certificate for review and connects once the operator trusts it', async () => {
    await h.connect({
      id: 'secure',
      endpointUrl: secure.endpointUrl,
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
    });
    const waiting = h.status('secure');
    expect(waiting.state).toBe('failed');
    expect(waiting.lastError).toContain(secure.thumbprint);
    expect(waiting.lastError).toMatch(/not trusted yet/);
    expect(h.samples.size).toBe(0);

    const { servers } = await h.service.listCertificates();
    const pending = servers.find((c) => c.thumbprint === secure.thumbprint)!;
    expect(pending).toMatchObject({
      state: 'pending',
      selfSigned: true,
      applicationUri: 'urn:vigil:test-plant',
    });
    expect(pending.subject).toMatch(/^CN=/);
    expect(pending.notBefore).toBeLessThan(Date.now());
    expect(pending.notAfter).toBeGreaterThan(Date.now());
    expect(pending.firstSeenAt).not.toBeNull();

    // No reconnect command: the waiting connection retries as soon as the decision is made.
    const trusted = await h.service.trustCertificate(
      pending.thumbprint.toUpperCase().replace(/(..)(?!$)/g, '$1:'),
    );
    expect(trusted.state).toBe('trusted');
    await h.waitForState('secure', 'connected');
    const tag = await waitFor(() =>
      h.models.get('secure')?.tags.find((t) => t.source?.nodeId === secure.nodeId(0)),
    );
    await waitFor(() => h.samplesOf(tag.id).length >= 3, { what: 'secure samples' });
    const details = h.service.source('secure').getDetails();
    expect(details.security).toEqual({ mode: 'SignAndEncrypt', policy: 'Basic256Sha256' });
    expect(details.serverCertificate).toMatchObject({ thumbprint: secure.thumbprint, state: 'trusted' });
  });

  it('connects with Sign / Aes128_Sha256_RsaOaep and SignAndEncrypt / Aes256_Sha256_RsaPss as a named user', async () => {
    const identity = { type: 'username', userName: 'operator', password: 'correct horse' };
    await h.connect({
      id: 'oaep',
      endpointUrl: secure.endpointUrl,
      security: { mode: 'Sign', policy: 'Aes128_Sha256_RsaOaep' },
      identity,
    });
    await h.connect({
      id: 'pss',
      endpointUrl: secure.endpointUrl,
      security: { mode: 'SignAndEncrypt', policy: 'Aes256_Sha256_RsaPss' },
      identity,
    });
    for (const id of ['oaep', 'pss']) {
      await h.waitForState(id, 'connected');
      const tag = h.tagByNode(id, secure.nodeId(1));
      await waitFor(() => h.samplesOf(tag.id).length >= 2, { what: `${id} samples` });
    }
    expect(h.service.source('pss').getDetails().identity).toBe('user "operator"');
  });

  it('refuses a rejected certificate with a clear error while the other connections keep running', async () => {
    await h.connect({
      id: 'other',
      endpointUrl: other.endpointUrl,
      security: { mode: 'Sign', policy: 'Basic256Sha256' },
    });
    expect(h.status('other').lastError).toMatch(/not trusted yet/);
    await h.service.openPki();
    expect(h.service.healthProblems()).toContainEqual(
      expect.stringMatching(/^1 server certificate waiting for review: "CN=/),
    );
    await h.service.rejectCertificate(other.thumbprint);
    expect(h.service.healthProblems().filter((p) => /waiting for review/.test(p))).toEqual([]);
    await waitFor(() => /rejected by an operator/.test(h.status('other').lastError ?? ''), {
      what: 'rejection',
    });
    expect(h.status('other').state).toBe('failed');
    const { servers } = await h.service.listCertificates();
    expect(servers.find((c) => c.thumbprint === other.thumbprint)?.state).toBe('rejected');

    const tag = h.tagByNode('secure', secure.nodeId(0));
    const before = h.samplesOf(tag.id).length;
    await waitFor(() => h.samplesOf(tag.id).length > before + 2, { what: 'secure keeps delivering' });
    expect(h.status('secure').state).toBe('connected');
  });

  it('reports a wrong password, anonymous access to a users-only server and unoffered security, without retrying', async () => {
    // The secure server's certificate is trusted by now; passwords travel encrypted.
    const encrypted = { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' };
    await h.connect({
      id: 'badpw',
      endpointUrl: secure.endpointUrl,
      security: encrypted,
      identity: { type: 'username', userName: 'operator', password: 'wrong' },
    });
    await h.connect({ id: 'anon', endpointUrl: usersOnly.endpointUrl });
    await h.connect({
      id: 'nosec',
      endpointUrl: usersOnly.endpointUrl,
      security: { mode: 'Sign', policy: 'Basic256Sha256' },
    });
    expect(h.status('badpw')).toMatchObject({ state: 'failed' });
    expect(h.status('badpw').lastError).toMatch(/refused user "operator".*wrong user name or password/);
    expect(h.status('anon').lastError).toMatch(/does not accept anonymous users/);
    expect(h.status('nosec').lastError).toMatch(
      /refuses the security asked for \(Sign\/Basic256Sha256\); it offers None\/None/,
    );

    const attempts = h.states.filter((s) => s.connectionId === 'badpw').length;
    await new Promise((r) => setTimeout(r, 1500));
    // A wrong password is not retried (servers lock accounts); the state stays put.
    expect(h.states.filter((s) => s.connectionId === 'badpw').length).toBe(attempts);

    await h.connect({
      id: 'goodpw',
      endpointUrl: secure.endpointUrl,
      security: encrypted,
      identity: { type: 'username', userName: 'operator', passwordEnv: 'VIGIL_TEST_OPCUA_PASSWORD' },
    });
    expect(h.status('goodpw').lastError).toMatch(/VIGIL_TEST_OPCUA_PASSWORD is not set/);
    globalThis.process.env.VIGIL_TEST_OPCUA_PASSWORD = 'correct horse';
    await h.service.source('goodpw').reconnect();
    await h.waitForState('goodpw', 'connected');
    delete globalThis.process.env.VIGIL_TEST_OPCUA_PASSWORD;
  });

  it('logs in with an X.509 user certificate the server trusts, and is refused with one it does not', async () => {
    // Another PKI's application certificate and key serve as the user's certificate.
    const user = await ClientPki.open(path.join(work, 'user-identity'));
    const trustedUser = await ClientPki.open(path.join(work, 'user-identity-2'));
    try {
      await secure.trustUserCertificate(
        new X509Certificate(readFileSync(trustedUser.ownCertificateFile)).raw,
      );
      const encrypted = { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' };
      const identity = (pki: ClientPki) => ({
        type: 'certificate',
        certificateFile: pki.ownCertificateFile,
        privateKeyFile: pki.privateKeyFile,
      });
      await h.connect({
        id: 'x509',
        endpointUrl: secure.endpointUrl,
        security: encrypted,
        identity: identity(trustedUser),
      });
      await h.waitForState('x509', 'connected');
      expect(h.service.source('x509').getDetails().identity).toMatch(/^certificate /);
      await h.connect({
        id: 'x509-unknown',
        endpointUrl: secure.endpointUrl,
        security: encrypted,
        identity: identity(user),
      });
      expect(h.status('x509-unknown')).toMatchObject({ state: 'failed' });
      expect(h.status('x509-unknown').lastError).toMatch(
        /refused the session's identity \(Bad(IdentityTokenRejected|IdentityTokenInvalid|UserAccessDenied)\)/,
      );
      await h.connect({
        id: 'x509-missing',
        endpointUrl: secure.endpointUrl,
        security: encrypted,
        identity: {
          type: 'certificate',
          certificateFile: path.join(work, 'nope.pem'),
          privateKeyFile: path.join(work, 'nope.key'),
        },
      });
      expect(h.status('x509-missing').lastError).toMatch(/^Cannot read the user certificate .*nope\.pem/);
    } finally {
      await user.release();
      await trustedUser.release();
    }
  });

  it('keeps retrying an unreachable endpoint and says so', async () => {
    const port = await closedPort();
    await h.connect({ id: 'gone', endpointUrl: `opc.tcp://127.0.0.1:${port}` });
    const status = h.status('gone');
    expect(status.state).toBe('connecting');
    expect(status.lastError).toMatch(
      new RegExp(`Cannot reach opc\\.tcp://127\\.0\\.0\\.1:${port}.*retrying in \\d+ s`),
    );
    expect(h.status('secure').state).toBe('connected');
  });

  it('lists the endpoints a server offers with their certificate trust state', async () => {
    const endpoints = await h.service.discoverEndpoints(secure.endpointUrl);
    const offered = endpoints.map((e) => `${e.securityMode}/${e.securityPolicy}`);
    for (const want of [
      'None/None',
      'Sign/Basic256Sha256',
      'SignAndEncrypt/Aes128_Sha256_RsaOaep',
      'SignAndEncrypt/Aes256_Sha256_RsaPss',
    ]) {
      expect(offered).toContain(want);
    }
    const signed = endpoints.find((e) => e.securityMode === 'SignAndEncrypt')!;
    expect(signed.userTokens).toEqual(expect.arrayContaining(['anonymous', 'username']));
    expect(signed.serverCertificate).toMatchObject({ thumbprint: secure.thumbprint, state: 'trusted' });
    await expect(h.service.discoverEndpoints('opc.tcp://127.0.0.1:1')).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it("creates Vigil's own certificate once per data directory and warns before it expires", async () => {
    const { own } = await h.service.listCertificates();
    const pki = await h.service.openPki();
    const file = pki.ownCertificateFile;
    const mtime = statSync(file).mtimeMs;
    const again = new AcquisitionHarness({ dataDir: h.dataDir });
    try {
      expect((await again.service.listCertificates()).own.thumbprint).toBe(own.thumbprint);
      expect(statSync(file).mtimeMs).toBe(mtime);
    } finally {
      await again.service.dispose();
    }
    expect(own.applicationUri).toMatch(/^urn:.*:Vigil$/);
    expect(pki.expiryWarnings(own.notAfter - 10 * 24 * 3600_000)).toContainEqual(
      expect.stringMatching(/^Vigil's own certificate expires in (9|10) days/),
    );
    expect(pki.expiryWarnings(own.notAfter + 1000)).toContainEqual(
      expect.stringMatching(/^Vigil's own certificate expired on/),
    );
    expect(pki.expiryWarnings(Date.now())).toEqual([]);
  });
});
