import type { ConnectionStatus } from '../../../shared/domain';
import type { CertificateInfo } from './certificateInfo';
import type { ServerLimits } from './serverLimits';
import type { SubscriptionInfo } from './subscriptions';

/**
 * A stretch of time in which a connection delivered no live data, and how it was closed:
 * republished: the server kept the subscriptions and resent what was queued (nothing lost);
 * history: every affected tag's values were read back from the server's history;
 * partial: some tags were backfilled, others have no history (or it failed): their data is missing;
 * none: nothing could be read back.
 */
export interface DataGap {
  id: number;
  connectionId: string;
  /** Epoch ms: when the connection last proved it was up to date (last Publish answered). */
  from: number;
  /** Epoch ms: when live data resumed. */
  to: number;
  cause: 'connection lost' | 'stalled' | 'reconnected';
  recovery: 'republished' | 'history' | 'partial' | 'none';
  /** True when nothing is missing any more. */
  backfilled: boolean;
  valuesBackfilled: number;
  tagsBackfilled: number;
  /** Tags whose gap stays open (no history, history failed, arrays). */
  tagsNotBackfilled: number;
  /** The first of them (at most 50). */
  unfilledTagIds: string[];
  errors: string[];
}

export interface TagStatus {
  tagId: string;
  nodeId: string;
  /** Why the tag delivers no data, null when it is monitored. */
  error: string | null;
  history: boolean;
  array: boolean;
  /** Values the server discarded because the item's queue overflowed (Overflow bit). */
  overflows: number;
}

export interface StallRecord {
  at: number;
  /** 1-based subscription number. */
  subscription: number;
  silentForMs: number;
}

/** Everything the connections view shows about one connection. */
export interface ConnectionDetails {
  status: ConnectionStatus;
  security: { mode: string; policy: string };
  identity: string;
  /** The server certificate of a secure connection and the operator's decision on it. */
  serverCertificate: (CertificateInfo & { state: string }) | null;
  limits: ServerLimits | null;
  subscriptions: SubscriptionInfo[];
  monitoredItems: number;
  createCalls: number;
  tagErrors: TagStatus[];
  reconnects: number;
  stalls: StallRecord[];
  gaps: DataGap[];
  duplicatesDropped: number;
  valuesBackfilled: number;
  serverQueueOverflows: number;
  alarms: { enabled: boolean; conditions: number; lastEventAt: number | null; error: string | null };
  writesAllowed: boolean;
  /** Wall time of the last connection's steps: session, discovery, tag checks, subscriptions (ms). */
  timings: { connectMs: number; discoverMs: number; inspectMs: number; subscribeMs: number };
  /** Things an operator should look at although data flows (certificates expiring, refused tags). */
  warnings: string[];
}
