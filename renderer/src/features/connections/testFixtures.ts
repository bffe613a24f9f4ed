import {
  CertificateListSchema,
  ConnectionDetailsSchema,
  DataGapSchema,
  EndpointInfoSchema,
  StoredCertificateSchema,
} from '../../../../shared/acquisitionApi';
import type { CertificateList, ConnectionDetails, DataGap, StoredCertificate } from './connectionModel';
import type { EndpointInfo } from './connectionForm';

/*
 * Test data in the contract's shapes, parsed with the contract's own schemas so a test cannot use
 * an answer the core could never send. Used by the unit tests of this feature and its store.
 */

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

export const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);
const DAY = 86_400_000;

export function details(
  id: string,
  patch: DeepPartial<ConnectionDetails> & { status?: Partial<ConnectionDetails['status']> } = {},
): ConnectionDetails {
  const { status, ...rest } = patch;
  return ConnectionDetailsSchema.parse({
    name: id,
    configured: true,
    settings: null,
    security: { mode: 'None', policy: 'None' },
    identity: 'anonymous',
    serverCertificate: null,
    limits: null,
    subscriptions: [],
    monitoredItems: 0,
    createCalls: 0,
    tagErrors: [],
    reconnects: 0,
    stalls: [],
    gaps: [],
    duplicatesDropped: 0,
    valuesBackfilled: 0,
    serverQueueOverflows: 0,
    alarms: { enabled: false, conditions: 0, lastEventAt: null, error: null },
    writesAllowed: false,
    timings: { connectMs: 0, discoverMs: 0, inspectMs: 0, subscribeMs: 0 },
    warnings: [],
    ...rest,
    status: {
      id,
      endpointUrl: `opc.tcp://127.0.0.1:4840/${id}`,
      state: 'connected',
      lastError: null,
      tagCount: 0,
      lastValueAt: null,
      valuesReceived: 0,
      ...status,
    },
  });
}

export function certificate(
  thumbprintDigit: string,
  patch: Partial<StoredCertificate> = {},
): StoredCertificate {
  return StoredCertificateSchema.parse({
    thumbprint: thumbprintDigit.repeat(40).slice(0, 40),
    subject: `CN=Server ${thumbprintDigit}`,
    issuer: `CN=Server ${thumbprintDigit}`,
    notBefore: T0 - 30 * DAY,
    notAfter: T0 + 365 * DAY,
    selfSigned: true,
    applicationUri: `urn:server:${thumbprintDigit}`,
    dnsNames: ['plc.local'],
    ipAddresses: ['127.0.0.1'],
    serialNumber: '01',
    state: 'pending',
    firstSeenAt: T0,
    decidedAt: null,
    ...patch,
  });
}

export function certificateList(servers: StoredCertificate[]): CertificateList {
  const { state: _s, firstSeenAt: _f, decidedAt: _d, ...own } = certificate('0', { subject: 'CN=Vigil' });
  return CertificateListSchema.parse({ own, servers, warnings: [] });
}

export function gap(id: number, patch: Partial<DataGap> = {}): DataGap {
  return DataGapSchema.parse({
    id,
    connectionId: 'plc',
    from: T0,
    to: T0 + 5000,
    cause: 'connection lost',
    recovery: 'history',
    backfilled: true,
    valuesBackfilled: 50,
    tagsBackfilled: 2,
    tagsNotBackfilled: 0,
    unfilledTagIds: [],
    errors: [],
    ...patch,
  });
}

export function endpoint(
  mode: EndpointInfo['securityMode'],
  policy: string,
  patch: Partial<EndpointInfo> = {},
): EndpointInfo {
  return EndpointInfoSchema.parse({
    endpointUrl: 'opc.tcp://127.0.0.1:4840',
    securityMode: mode,
    securityPolicy: policy,
    securityLevel: mode === 'None' ? 0 : mode === 'Sign' ? 2 : 4,
    userTokens: ['anonymous', 'username'],
    serverCertificate: mode === 'None' ? null : { ...certificate('a'), state: 'unknown' },
    ...patch,
  });
}
