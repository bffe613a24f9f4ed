import { MessageSecurityMode, OPCUAClient, UserTokenType, type EndpointDescription } from 'node-opcua';
import { describeCertificate, type CertificateInfo } from './certificateInfo';
import { classifyConnectError } from './errors';
import type { ClientPki, TrustState } from './pki';
import { policyName } from './settings';

export type UserTokenKind = 'anonymous' | 'username' | 'certificate' | 'issued';

/** One endpoint a server offers, as the connection dialog lists them. */
export interface EndpointInfo {
  endpointUrl: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  /** Short policy name, e.g. "Basic256Sha256". */
  securityPolicy: string;
  /** The server's own ranking; higher is more secure. */
  securityLevel: number;
  userTokens: UserTokenKind[];
  serverCertificate: (CertificateInfo & { state: TrustState | 'unknown' }) | null;
}

/** The raw endpoint descriptions, fetched over an unsecured channel as GetEndpoints allows. */
export async function fetchEndpoints(endpointUrl: string, pki: ClientPki): Promise<EndpointDescription[]> {
  const client = OPCUAClient.create({
    applicationName: pki.applicationName,
    applicationUri: pki.applicationUri,
    clientCertificateManager: pki.certificateManager,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 200, maxDelay: 1000 },
  });
  try {
    await client.connect(endpointUrl);
    return await client.getEndpoints();
  } catch (err) {
    throw classifyConnectError(err, endpointUrl, null);
  } finally {
    await client.disconnect().catch(() => {});
  }
}

/** Endpoint discovery for the operator: what the server offers and whether its certificate is trusted. */
export async function discoverEndpoints(endpointUrl: string, pki: ClientPki): Promise<EndpointInfo[]> {
  const endpoints = await fetchEndpoints(endpointUrl, pki);
  const stored = new Map(pki.list().map((c) => [c.thumbprint, c.state] as const));
  return endpoints.map((e) => describeEndpoint(e, stored)).sort((a, b) => b.securityLevel - a.securityLevel);
}

function describeEndpoint(e: EndpointDescription, stored: ReadonlyMap<string, TrustState>): EndpointInfo {
  let serverCertificate: EndpointInfo['serverCertificate'] = null;
  if (e.serverCertificate && e.serverCertificate.length) {
    try {
      const info = describeCertificate(e.serverCertificate);
      serverCertificate = { ...info, state: stored.get(info.thumbprint) ?? 'unknown' };
    } catch {
      serverCertificate = null;
    }
  }
  return {
    endpointUrl: e.endpointUrl ?? '',
    securityMode: modeName(e.securityMode),
    securityPolicy: policyName(e.securityPolicyUri ?? ''),
    securityLevel: e.securityLevel,
    userTokens: [...new Set((e.userIdentityTokens ?? []).map((t) => tokenKind(t.tokenType)))],
    serverCertificate,
  };
}

export function modeName(mode: MessageSecurityMode): EndpointInfo['securityMode'] {
  if (mode === MessageSecurityMode.Sign) return 'Sign';
  if (mode === MessageSecurityMode.SignAndEncrypt) return 'SignAndEncrypt';
  return 'None';
}

export function tokenKind(type: UserTokenType): UserTokenKind {
  switch (type) {
    case UserTokenType.UserName:
      return 'username';
    case UserTokenType.Certificate:
      return 'certificate';
    case UserTokenType.IssuedToken:
      return 'issued';
    default:
      return 'anonymous';
  }
}
