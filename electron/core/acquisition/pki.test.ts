import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryWarning, normaliseThumbprint } from './certificateInfo';
import { CertificateNotFoundError, ClientPki } from './pki';

describe('ClientPki: own certificate and the review queue of server certificates', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-pki-'));
  let pki: ClientPki;
  let server: ClientPki;
  let serverDer: Buffer;

  beforeAll(async () => {
    pki = await ClientPki.open(path.join(work, 'client'));
    // Another PKI's own certificate stands in for a server certificate.
    server = await ClientPki.open(path.join(work, 'server'));
    serverDer = Buffer.from(
      readFileSync(server.ownCertificateFile, 'utf8')
        .replace(/-----[^-]+-----/g, '')
        .replace(/\s+/g, ''),
      'base64',
    );
  });

  afterAll(async () => {
    await pki?.release();
    await server?.release();
    rmSync(work, { recursive: true, force: true });
  });

  it('makes one application certificate per folder and shares the open store', async () => {
    const own = pki.ownCertificate();
    expect(own.applicationUri).toBe(pki.applicationUri);
    expect(own.subject).toMatch(/^CN=Vigil@/);
    expect(own.notAfter - own.notBefore).toBeGreaterThan(4 * 365 * 24 * 3600_000);
    const again = await ClientPki.open(path.join(work, 'client'));
    expect(again).toBe(pki);
    await again.release();
    expect(pki.ownCertificate().thumbprint).toBe(own.thumbprint);
  });

  it("keeps its private key as PKCS#8 (what Electron's BoringSSL reads), owner-only, matching the certificate", () => {
    const pem = readFileSync(pki.privateKeyFile, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    if (process.platform !== 'win32') expect(statSync(pki.privateKeyFile).mode & 0o077).toBe(0);
    const certificate = new X509Certificate(readFileSync(pki.ownCertificateFile));
    expect(certificate.checkPrivateKey(createPrivateKey(pem))).toBe(true);
  });

  it('files an unknown server certificate for review instead of accepting it', async () => {
    const check = await pki.checkServerCertificate(serverDer);
    expect(check.state).toBe('pending');
    expect(check.status).toBe('BadCertificateUntrusted');
    expect(check.info.thumbprint).toBe(server.ownCertificate().thumbprint);
    expect(pki.list()).toEqual([
      expect.objectContaining({ thumbprint: check.info.thumbprint, state: 'pending' }),
    ]);
    expect(pki.list()[0]!.firstSeenAt).not.toBeNull();
  });

  it('trusts and rejects by thumbprint, telling listeners, and refuses unknown thumbprints', async () => {
    const thumb = server.ownCertificate().thumbprint;
    let changes = 0;
    const listener = pki.onChange(() => changes++);
    expect((await pki.trust(thumb)).state).toBe('trusted');
    expect((await pki.checkServerCertificate(serverDer)).state).toBe('trusted');
    expect((await pki.reject(thumb)).state).toBe('rejected');
    expect((await pki.checkServerCertificate(serverDer)).state).toBe('rejected');
    expect(changes).toBe(2);
    listener.dispose();
    await expect(pki.trust('00'.repeat(20))).rejects.toThrow(CertificateNotFoundError);
    await expect(pki.trust('not a thumbprint')).rejects.toThrow(/not a SHA-1 thumbprint/);
  });

  it('warns about trusted certificates that expire soon', async () => {
    const thumb = server.ownCertificate().thumbprint;
    await pki.trust(thumb);
    const soon = server.ownCertificate().notAfter - 5 * 24 * 3600_000;
    expect(pki.expiryWarnings(soon)).toContainEqual(
      expect.stringMatching(new RegExp(`Trusted server certificate .*${thumb}.* expires in [45] days`)),
    );
  });
});

describe('certificate helpers', () => {
  it('normalises thumbprints as tools print them', () => {
    expect(normaliseThumbprint('AB:CD:' + 'ef'.repeat(18))).toBe('abcd' + 'ef'.repeat(18));
    expect(normaliseThumbprint('abc')).toBeNull();
  });

  it('words expiry warnings by how close the date is', () => {
    const day = 24 * 3600_000;
    const cert = { notBefore: 0, notAfter: 100 * day };
    expect(expiryWarning('X', cert, 50 * day)).toBeNull();
    expect(expiryWarning('X', cert, 99 * day)).toMatch(/^X expires in 1 day \(/);
    expect(expiryWarning('X', cert, 100 * day - 1000)).toMatch(/^X expires within a day/);
    expect(expiryWarning('X', cert, 101 * day)).toMatch(/^X expired on /);
    expect(expiryWarning('X', { notBefore: 10 * day, notAfter: 20 * day }, 0)).toMatch(
      /^X is not valid before /,
    );
  });
});
