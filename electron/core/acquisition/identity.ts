import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserTokenType, type UserIdentityInfo } from 'node-opcua';
import type { IdentityConfig } from './connectionSchema';
import { ConnectionFailure } from './errors';

/** The session identity node-opcua needs, read from the configuration, the environment or files. */
export function userIdentity(identity: IdentityConfig): UserIdentityInfo {
  switch (identity.type) {
    case 'anonymous':
      return { type: UserTokenType.Anonymous };
    case 'username': {
      let password = identity.password;
      if (password === undefined && identity.passwordEnv) {
        password = process.env[identity.passwordEnv];
        if (password === undefined) {
          throw new ConnectionFailure(
            `Environment variable ${identity.passwordEnv} is not set; it should hold the password of user "${identity.userName}"`,
            'never',
          );
        }
      }
      return { type: UserTokenType.UserName, userName: identity.userName, password: password ?? '' };
    }
    case 'certificate': {
      let certificateData: Buffer;
      let privateKey: string;
      try {
        certificateData = new X509Certificate(readFileSync(identity.certificateFile)).raw;
      } catch (err) {
        throw new ConnectionFailure(
          `Cannot read the user certificate ${identity.certificateFile}: ${(err as Error).message}`,
          'never',
        );
      }
      try {
        privateKey = readFileSync(identity.privateKeyFile, 'utf8');
      } catch (err) {
        throw new ConnectionFailure(
          `Cannot read the user's private key ${identity.privateKeyFile}: ${(err as Error).message}`,
          'never',
        );
      }
      return { type: UserTokenType.Certificate, certificateData, privateKey } as UserIdentityInfo;
    }
  }
}

/** "user op", "certificate CN=..." or "anonymous", for messages. */
export function describeIdentity(identity: IdentityConfig): string {
  if (identity.type === 'username') return `user "${identity.userName}"`;
  if (identity.type === 'certificate') return `certificate ${identity.certificateFile}`;
  return 'anonymous';
}
