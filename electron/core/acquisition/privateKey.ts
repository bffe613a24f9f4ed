import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** RSA key size for application instance certificates (OPC UA Part 2 asks 2048 or more for Basic256Sha256). */
export const PRIVATE_KEY_BITS = 2048;

/**
 * Writes an unencrypted PKCS#8 PEM RSA private key at `file` unless one is there already; returns
 * whether it made one. node-opcua-pki would otherwise generate the key through WebCrypto and read it
 * back through WebCrypto's importKey, the step that failed inside Electron, whose Node links
 * BoringSSL rather than OpenSSL ("DataError: Invalid keyData ... OPENSSL_internal:WRONG_TAG",
 * node-opcua/node-opcua#1361). A key from node:crypto's generateKeyPairSync in PKCS#8 is what
 * both OpenSSL and BoringSSL read, so Vigil creates it itself before the certificate manager starts.
 */
export function ensurePkcs8PrivateKey(file: string): boolean {
  if (existsSync(file)) return false;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: PRIVATE_KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(file, privateKey, { encoding: 'utf8', mode: 0o600 });
  // Windows ignores POSIX modes; elsewhere make sure an existing umask did not widen it.
  if (process.platform !== 'win32') chmodSync(file, 0o600);
  return true;
}
