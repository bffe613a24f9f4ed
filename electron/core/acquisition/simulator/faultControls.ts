import type { OPCUAServer } from 'node-opcua';
import type { Clock } from '../../app/clock';
import { dropConnections, restartServer } from './connectionFaults';
import { badStatus, type FaultGate } from './faults';
import { runSliced } from './slicedRun';
import type { LiveTag, TagWriter } from './tagWriter';
import type { Simulator } from './types';

/** Longest fault a caller may ask for; longer is a typo, and a test waiting for it would never end. */
export const MAX_FAULT_MS = 24 * 3_600_000;

export type FaultControls = Pick<
  Simulator,
  | 'dropConnections'
  | 'stallPublishing'
  | 'setBadQuality'
  | 'clearBadQuality'
  | 'restart'
  | 'clearFaults'
  | 'faults'
>;

export interface FaultControlsDeps {
  server: OPCUAServer;
  gate: FaultGate;
  writer: TagWriter;
  clock: Clock;
  /** Every tag the simulator writes, by node id. */
  tags: ReadonlyMap<string, LiveTag>;
  /** Runs `fn` after `ms` unless the simulator is disposed first. */
  after(ms: number, fn: () => void): void;
  isDisposed(): boolean;
  onError(err: unknown): void;
}

function checkDuration(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_FAULT_MS) {
    throw new RangeError(`${name} must be a number of milliseconds > 0 and <= ${MAX_FAULT_MS}, got ${ms}`);
  }
}

/** The fault-injection methods of the Simulator (see their documentation in types.ts). */
export function createFaultControls(deps: FaultControlsDeps): FaultControls {
  const { server, gate, writer, clock, after } = deps;
  let restarting: Promise<void> | null = null;
  const counters = { connectionDrops: 0, restarts: 0 };

  const assertRunning = (what: string) => {
    if (deps.isDisposed()) throw new Error(`${what}: the simulator has been disposed`);
  };
  const resolveTags = (nodeIds: readonly string[] | 'all'): LiveTag[] => {
    if (nodeIds === 'all') return [...deps.tags.values()];
    const unknown = nodeIds.filter((id) => !deps.tags.has(id));
    if (unknown.length) throw new RangeError(`Unknown tag node id(s): ${unknown.slice(0, 5).join(', ')}`);
    return nodeIds.map((id) => deps.tags.get(id)!);
  };
  /** Publishes the last values of `tags` again with their current status, in slices (there may be 50,000). */
  const republish = async (tags: LiveTag[]) => {
    await runSliced({ count: tags.length, work: (from, to) => writer.republish(tags.slice(from, to)) });
  };
  const ids = (nodeIds: readonly string[] | 'all', tags: LiveTag[]) =>
    nodeIds === 'all' ? 'all' : tags.map((t) => t.nodeId);

  const controls: FaultControls = {
    async dropConnections() {
      assertRunning('dropConnections');
      counters.connectionDrops++;
      return { channels: await dropConnections(server) };
    },
    async stallPublishing(ms, options) {
      assertRunning('stallPublishing');
      checkDuration('stallPublishing(ms)', ms);
      gate.stall(ms, options?.historize ?? true);
      await new Promise<void>((resolve) => {
        const check = () => {
          const end = gate.stallEndsAt;
          if (end === null || deps.isDisposed()) resolve();
          else after(Math.max(1, end - clock.now()), check);
        };
        check();
      });
    },
    async setBadQuality(nodeIds, status, ms) {
      assertRunning('setBadQuality');
      const tags = resolveTags(nodeIds);
      const code = badStatus(status);
      if (ms !== undefined) checkDuration('setBadQuality(ms)', ms);
      const token = gate.setQuality(ids(nodeIds, tags), code);
      if (ms !== undefined) {
        after(ms, () => {
          gate.clearQuality(ids(nodeIds, tags), token);
          republish(tags).catch(deps.onError);
        });
      }
      await republish(tags);
    },
    async clearBadQuality(nodeIds = 'all') {
      assertRunning('clearBadQuality');
      const tags = resolveTags(nodeIds);
      gate.clearQuality(ids(nodeIds, tags));
      await republish(tags);
    },
    async restart(options) {
      assertRunning('restart');
      const downtimeMs = options?.downtimeMs ?? 1000;
      if (!Number.isFinite(downtimeMs) || downtimeMs < 0 || downtimeMs > MAX_FAULT_MS) {
        throw new RangeError(`restart downtimeMs must be 0..${MAX_FAULT_MS}, got ${downtimeMs}`);
      }
      if (restarting) throw new Error('restart: a restart is already in progress');
      counters.restarts++;
      restarting = restartServer(server, downtimeMs);
      try {
        await restarting;
      } finally {
        restarting = null;
      }
    },
    async clearFaults() {
      assertRunning('clearFaults');
      gate.endStall();
      await controls.clearBadQuality('all');
    },
    faults: () => ({
      stalledUntil: gate.stallEndsAt,
      badQuality: gate.badQualityTags,
      connectionDrops: counters.connectionDrops,
      restarts: counters.restarts,
      down: restarting !== null,
    }),
  };
  return controls;
}
