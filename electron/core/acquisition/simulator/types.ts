import type { StatusCode } from 'node-opcua';
import { z } from 'zod';
import type { Clock } from '../../app/clock';
import type { Disposable } from '../../app/disposable';

/** Playback steps have whole-millisecond timestamps that must increase, hence at most 1000 steps/s. */
export const MAX_SPEED = 1000;
export const MAX_BULK_TAGS = 100_000;
export const MAX_BULK_RATE_HZ = 1000;
/** Vibration faster than 10x real time would be 120,000 samples/s of Float arrays: a CPU test, not a demo. */
export const MAX_VIBRATION_SPEED = 10;
export const MAX_HISTORY_VALUES = 1_000_000;

/** A user name and password the simulator accepts (UserNameIdentityToken). */
export interface SimulatorUser {
  userName: string;
  password: string;
}

const UserSchema = z.object({ userName: z.string().min(1), password: z.string().min(1) });

/** A certificate as DER bytes or PEM text. */
const CertificateSchema = z.union([z.instanceof(Uint8Array), z.string().min(1)]);

export const SimulatorOptionsSchema = z
  .object({
    /** TCP port; 0 = any free port. */
    port: z.number().int().min(0).max(65535).default(0),
    /** Interface to listen on; the default keeps the simulator private to this machine. */
    host: z.string().min(1).default('127.0.0.1'),
    /** C-MAPSS cycles (and AI4I rows) per second. */
    speed: z.number().positive().max(MAX_SPEED).default(1),
    /**
     * A synthetic asset with `tags` plain Double variables (no EU properties, so 10,000 of them start
     * in about a second and 50,000 in 4-5 s on a quiet 2-core machine; node-opcua spends ~0.1 ms on
     * each new variable), all updated `rateHz` times a second (about 6 µs per value). One update
     * of every tag is spread over several event-loop turns (slices of about 8 ms), so 50,000 tags do
     * not block the server; an update still running when the next is due makes that next one skipped
     * (counted in stats().skipped), as a load generator keeps its rate rather than queueing.
     */
    bulk: z
      .object({
        tags: z.number().int().min(1).max(MAX_BULK_TAGS),
        rateHz: z.number().positive().max(MAX_BULK_RATE_HZ),
        /** Also answer HistoryRead for the bulk tags (default false: memory grows with tags x depth). */
        historize: z.boolean().default(false),
        /** Values kept per bulk tag when `historize` is on (about 24 bytes each). */
        historyValuesPerTag: z.number().int().min(1).max(MAX_HISTORY_VALUES).default(60),
      })
      .optional(),
    /** Folder with the playback CSVs (or a resources/ folder holding simulator/); searched for when absent. */
    resourcesDir: z.string().min(1).optional(),
    /** Where the server keeps its certificate and key; a folder under the OS temp dir when absent. */
    pkiDir: z.string().min(1).optional(),
    /**
     * Endpoint security. The server always offers Sign and SignAndEncrypt with Basic256Sha256,
     * Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss, using its own certificate in `pkiDir`.
     */
    security: z
      .object({
        /**
         * Also offer the unsecured None endpoint (default true). When false, a None channel can only
         * call GetEndpoints/FindServers (to learn the secure endpoints and the server certificate).
         */
        allowNone: z.boolean().default(true),
        /**
         * Trust any client application certificate on first use (default true: it is a simulator).
         * When false, an unknown client is refused with BadCertificateUntrusted and its certificate
         * is stored in `pki.rejectedClientsDir` until trustClientCertificate() (or moving the file to
         * `pki.trustedClientsDir`) trusts it.
         */
        autoAcceptClientCertificates: z.boolean().default(true),
        /**
         * Certificates (DER bytes or PEM text) accepted as X.509 user identity tokens; any other user
         * certificate is refused with BadIdentityTokenRejected.
         */
        trustedUserCertificates: z.array(CertificateSchema).default([]),
      })
      .default({ allowNone: true, autoAcceptClientCertificates: true, trustedUserCertificates: [] }),
    /** Accept sessions without a user identity (default true). */
    allowAnonymous: z.boolean().default(true),
    /** User names and passwords accepted (UserNameIdentityToken); a wrong one gets BadUserAccessDenied. */
    users: z.array(UserSchema).default([]),
    /**
     * HistoryRead (ReadRawModifiedDetails, raw values) over what was played: every scalar playback
     * and vibration tag keeps its last `maxValuesPerTag` values in memory (about 24 bytes each;
     * 3,600 = one hour at speed 1 for the C-MAPSS tags, six minutes for the 10 Hz vibration tags).
     * The waveform array itself is not historized.
     */
    history: z
      .object({ maxValuesPerTag: z.number().int().min(1).max(MAX_HISTORY_VALUES).default(3600) })
      .default({ maxValuesPerTag: 3600 }),
    /**
     * Alarms & Conditions (default true): an ExclusiveLimitAlarm on each engine's T50 and on the
     * bearing's VibrationRMS, with High and HighHigh limits derived from the data (see
     * alarmLimits.ts), acknowledgeable and confirmable, raised through the Server object.
     */
    alarms: z.boolean().default(true),
    /**
     * The CWRU bearing (asset "Pump P1 Drive-End Bearing" in area "Utilities"): every 100 ms / speed
     * a Float array of 1,200 samples (100 ms at 12 kHz) plus RMS, peak, kurtosis and shaft speed.
     * `false` leaves the asset out. `recording` is one of the shipped recordings: "normal",
     * "inner-race", "outer-race", "ball" (switch at run time with setBearingRecording).
     */
    vibration: z
      .union([
        z.literal(false),
        z.object({
          recording: z.string().min(1).default('normal'),
          speed: z.number().positive().max(MAX_VIBRATION_SPEED).default(1),
        }),
      ])
      .default({ recording: 'normal', speed: 1 }),
  })
  .superRefine((o, ctx) => {
    if (!o.allowAnonymous && o.users.length === 0 && o.security.trustedUserCertificates.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowAnonymous'],
        message: 'nobody could log in: allowAnonymous is false and no users or user certificates are given',
      });
    }
    const names = new Set<string>();
    for (const u of o.users) {
      if (names.has(u.userName)) {
        ctx.addIssue({ code: 'custom', path: ['users'], message: `user "${u.userName}" is listed twice` });
      }
      names.add(u.userName);
    }
  });

export type SimulatorOptions = z.input<typeof SimulatorOptionsSchema> & {
  /** Time source of the playback timers and timestamps (tests may pass a ManualClock). */
  clock?: Clock;
};

export class SimulatorOptionsError extends Error {
  override name = 'SimulatorOptionsError';
}

export interface SimulatorTagInfo {
  browseName: string;
  /** e.g. "ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T24" */
  nodeId: string;
  description: string;
  /** Display symbol of the EngineeringUnits ('' when the value has no unit). */
  unit: string;
  /** EURange; null for the synthetic load-test signals, which are plain Double variables. */
  range: { low: number; high: number } | null;
  /** 'Float' for the waveform (an array), 'Double' for every scalar tag. */
  dataType: 'Double' | 'Float';
  /** Samples per value, for the waveform (ValueRank 1); absent for scalars. */
  arrayLength?: number;
  /** Samples per second of the waveform; absent for scalars. */
  sampleRateHz?: number;
  /** Whether HistoryRead answers for this tag. */
  historized: boolean;
}

export interface SimulatorAssetInfo {
  site: string;
  area: string;
  asset: string;
  /** Node id of the asset Object. */
  nodeId: string;
  description: string;
  /** Where the values come from; absent for the synthetic load-test asset. */
  source?: { dataset: string; unit?: number; rows: number };
  tags: SimulatorTagInfo[];
}

export interface SimulatorStats {
  /** Playback steps done (one C-MAPSS cycle per engine and one AI4I row each). */
  steps: number;
  /** Values set on the server, playback, vibration and bulk together (not those held back by a stall). */
  valuesWritten: number;
  /** Bulk updates done (each sets every bulk tag). */
  bulkTicks: number;
  /**
   * Steps, waveform blocks or bulk updates dropped: the event loop was blocked for too long to
   * catch up, or (bulk) the previous update was still running when the next was due.
   */
  skipped: number;
  /** The last error raised while writing values, if any. */
  lastError: string | null;
  /** Waveform blocks written (each 1,200 samples). */
  vibrationBlocks: number;
  /** Values produced during a publishing stall and not set on the server. */
  valuesHeldBack: number;
  /** Wall time of the last complete bulk update, from its start to its last slice (ms). */
  bulkTickMs: number;
  /** Time spent writing in the last complete bulk update, summed over its slices (ms). */
  bulkBusyMs: number;
  /** Longest single slice of any bulk update so far: the longest the event loop was held (ms). */
  bulkMaxSliceMs: number;
}

/** One Alarms & Conditions alarm of the simulator and its current state. */
export interface SimulatorAlarmInfo {
  /** e.g. "Engine 1 T50 high" */
  name: string;
  /** ConditionName field of its events, e.g. "T50High". */
  conditionName: string;
  /** Node id of the condition (the ConditionId of its events), e.g. "ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T50High". */
  conditionNodeId: string;
  /** The asset Object the alarm is about (SourceNode of its events). */
  sourceNodeId: string;
  /** The tag the alarm watches (its InputNode property). */
  inputNodeId: string;
  type: 'ExclusiveLimitAlarmType';
  limits: { high: number; highHigh: number };
  /** How the limits were derived from the data. */
  basis: string;
  enabled: boolean;
  active: boolean;
  acked: boolean;
  confirmed: boolean;
  /** "High", "HighHigh" or null when inside the limits. */
  limitState: string | null;
  severity: number;
  message: string;
  retain: boolean;
  /** Branches kept for earlier states that still need an acknowledgement (OPC 10000-9 5.5.2). */
  branches: number;
}

/** What setBadQuality accepts as a status: a StatusCode, its name ("BadSensorFailure") or its value. */
export type StatusLike = StatusCode | string | number;

export interface SimulatorFaultState {
  /** When the current publishing stall ends (epoch ms), or null. */
  stalledUntil: number | null;
  /** Node ids whose values carry an injected status, or 'all'. */
  badQuality: string[] | 'all';
  /** Times dropConnections() and restart() ran. */
  connectionDrops: number;
  restarts: number;
  /** True while restart() has the server down. */
  down: boolean;
}

export interface SimulatorSecurityInfo {
  /** Offered security modes ("None", "Sign", "SignAndEncrypt"). */
  modes: string[];
  /** Offered security policies by name ("None", "Basic256Sha256", ...). */
  policies: string[];
  allowAnonymous: boolean;
  userNames: string[];
  autoAcceptClientCertificates: boolean;
}

export interface SimulatorPkiInfo {
  /** PKI root passed as pkiDir (or the default under the OS temp dir). */
  dir: string;
  /** PEM file of the server's application certificate. */
  certificateFile: string;
  privateKeyFile: string;
  /** Client application certificates the server trusts. */
  trustedClientsDir: string;
  /** Client application certificates the server refused. */
  rejectedClientsDir: string;
}

export interface Simulator extends Disposable {
  endpointUrl: string;
  port: number;
  /** Namespace of the simulator's nodes; resolve its index from the server's NamespaceArray. */
  namespaceUri: string;
  assets: SimulatorAssetInfo[];
  stats(): SimulatorStats;
  dispose(): Promise<void>;

  /** What the endpoints offer. */
  security: SimulatorSecurityInfo;
  /** Where the server's certificate and trust lists live. */
  pki: SimulatorPkiInfo;
  /** The server's application certificate (DER), as clients see it in the endpoint descriptions. */
  certificate(): Buffer;
  /**
   * Trusts a client application certificate (DER or PEM, e.g. a file from `pki.rejectedClientsDir`),
   * as an administrator does for a client refused while autoAcceptClientCertificates is off.
   */
  trustClientCertificate(certificate: Buffer | string): Promise<void>;

  /** The alarms and their current states (empty when the `alarms` option is false). */
  alarms(): SimulatorAlarmInfo[];

  /** Ids of the bearing recordings that can play (empty when `vibration` is false). */
  bearingRecordings: string[];
  /** The bearing recording playing now, or null without the vibration asset. */
  bearingRecording(): string | null;
  /**
   * Switches the bearing to another recording (fault injection: "normal" -> "outer-race"); the next
   * waveform comes from the new recording's first sample. Resolves once that waveform was produced
   * (written, or held back by a publishing stall).
   */
  setBearingRecording(id: string): Promise<void>;

  /**
   * Closes the TCP connection of every client channel at once, without an OPC UA
   * CloseSecureChannel (to a client: the connection is lost mid-stream). The server keeps listening
   * and keeps every session and subscription, so clients reconnect and reactivate them. Resolves
   * with the number of channels closed once the server has let go of them.
   */
  dropConnections(): Promise<{ channels: number }>;
  /**
   * A "connected but no data" stall for `ms`: channels, sessions, keep-alives, reads and
   * ServerStatus stay alive, but no playback, vibration or bulk value is set on the server, so
   * subscriptions deliver keep-alives and no data change. Playback time keeps running: after the
   * stall, values resume where the playback has got to. Values produced during the stall still go
   * into the history (so a client can backfill the gap with HistoryRead) unless `historize` is
   * false. Resolves when the stall is over; a second call extends a stall in progress.
   */
  stallPublishing(ms: number, options?: { historize?: boolean }): Promise<void>;
  /**
   * From now on the values of `nodeIds` (node ids as in `assets[].tags[].nodeId`, or 'all') carry
   * `status` (Bad or Uncertain, e.g. "BadSensorFailure", "UncertainLastUsableValue") with the
   * values the playback would have written. Each affected tag's last value is re-published at once
   * with the status, so subscribers see it without waiting for the next step. Without `ms` it lasts
   * until clearBadQuality; with `ms` it is cleared by itself after ms. Resolves once applied (not
   * when cleared). Throws for an unknown node id or a Good status.
   */
  setBadQuality(nodeIds: readonly string[] | 'all', status: StatusLike, ms?: number): Promise<void>;
  /** Restores Good for `nodeIds` (default: every tag) and re-publishes their last values with it. */
  clearBadQuality(nodeIds?: readonly string[] | 'all'): Promise<void>;
  /**
   * Simulates a server restart on the same port: stops listening, closes every channel, deletes
   * every session and subscription (as a restarted server has none), stays down `downtimeMs`
   * (default 1,000), sets ServerStatus.StartTime to the new start and listens again. The address
   * space, the alarm states and the history are kept and the playback keeps running while down, so
   * a client can HistoryRead the gap after it reconnects. Resolves once clients can connect again.
   */
  restart(options?: { downtimeMs?: number }): Promise<void>;
  /** Ends every injected data fault (stall, bad quality) at once. */
  clearFaults(): Promise<void>;
  /** The faults in effect and counters of the connection faults. */
  faults(): SimulatorFaultState;
}
