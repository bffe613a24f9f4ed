import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../app/clock';
import type { Disposable } from '../app/disposable';
import type { AlarmDefinition } from './schemas';

/*
 * Sources of the system alarms: disk space of the data folder and whether the previous core run
 * ended cleanly. Connection loss comes from the event bus (AlarmEngine.attach).
 */

export interface DiskReading {
  path: string;
  freeBytes: number;
  totalBytes: number;
  low: boolean;
}

export interface DiskMonitorOptions {
  clock: Clock;
  /** The folder whose volume is watched (the data folder). */
  path: string;
  /** Low when fewer bytes than this are free... */
  minFreeBytes: number;
  /** ...or when less than this share (0..1) of the volume is free. */
  minFreeFraction?: number;
  intervalMs?: number;
  onReading(reading: DiskReading): void;
  onError?(err: unknown): void;
}

/** Reads free space now and then every `intervalMs`; reports each reading. */
export function startDiskMonitor(
  options: DiskMonitorOptions,
): Disposable & { check(): Promise<DiskReading> } {
  let disposed = false;
  const check = async (): Promise<DiskReading> => {
    const s = await statfs(options.path);
    // bavail: blocks available to unprivileged users, what the historian can actually use.
    const freeBytes = Number(s.bavail) * Number(s.bsize);
    const totalBytes = Number(s.blocks) * Number(s.bsize);
    const low =
      freeBytes < options.minFreeBytes ||
      (options.minFreeFraction !== undefined &&
        totalBytes > 0 &&
        freeBytes / totalBytes < options.minFreeFraction);
    const reading = { path: options.path, freeBytes, totalBytes, low };
    if (!disposed) options.onReading(reading);
    return reading;
  };
  const tick = () => {
    check().catch((err: unknown) => options.onError?.(err));
  };
  tick();
  const timer = options.clock.setInterval(tick, options.intervalMs ?? 60_000);
  return {
    check,
    dispose() {
      disposed = true;
      timer.dispose();
    },
  };
}

export interface RunMarker extends Disposable {
  /** 'crashed' when the previous run left its marker behind (it did not shut down cleanly). */
  previousRun: 'first' | 'clean' | 'crashed';
  /** What the stale marker said about the previous run, for the alarm text. */
  previousDetail: string | null;
}

/**
 * A marker file that exists while the core runs and is removed on clean shutdown. Finding it at
 * start means the previous core ended without shutting down (crash, kill, power loss): the
 * "core restarted" system alarm is raised so operators know data may have a gap.
 */
export function openRunMarker(dataDir: string, now: number): RunMarker {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'core.running');
  const seen = path.join(dataDir, 'core.ran-before');
  let previousRun: RunMarker['previousRun'];
  let previousDetail: string | null = null;
  try {
    const text = readFileSync(file, 'utf8');
    previousRun = 'crashed';
    previousDetail = text.trim() || null;
  } catch {
    try {
      readFileSync(seen);
      previousRun = 'clean';
    } catch {
      previousRun = 'first';
    }
  }
  writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: new Date(now).toISOString() }));
  writeFileSync(seen, '');
  return {
    previousRun,
    previousDetail,
    dispose() {
      rmSync(file, { force: true });
    },
  };
}

/** The system alarm definitions a core normally has; the configuration can add or override them. */
export function defaultSystemDefinitions(): AlarmDefinition[] {
  return [
    {
      id: 'system.connection_lost',
      kind: 'system',
      condition: 'connection_lost',
      sourceId: '',
      priority: 'high',
      deadband: 0,
      // node-opcua reconnects within seconds after a short drop; only a lasting loss is an alarm.
      onDelayMs: 10_000,
      offDelayMs: 0,
      message: 'Connection to an OPC UA server lost',
      suggestedAction: 'Check the network and the server; Vigil keeps reconnecting and backfills the gap.',
      latching: false,
      enabled: true,
    },
    {
      id: 'system.disk_low',
      kind: 'system',
      condition: 'disk_low',
      sourceId: '',
      priority: 'high',
      deadband: 0,
      onDelayMs: 0,
      offDelayMs: 0,
      message: 'Little disk space left for the historian',
      suggestedAction:
        'Free disk space or shorten the retention; the historian stops writing when the disk is full.',
      latching: false,
      enabled: true,
    },
    {
      id: 'system.historian_fault',
      kind: 'system',
      condition: 'historian_fault',
      sourceId: '',
      priority: 'critical',
      deadband: 0,
      onDelayMs: 0,
      offDelayMs: 0,
      message: 'The historian cannot write: samples are held in memory',
      suggestedAction:
        'Read the alarm detail (disk full, read-only folder, damaged file); ingestion resumes by itself once it is fixed.',
      latching: false,
      enabled: true,
    },
    {
      id: 'system.core_restarted',
      kind: 'system',
      condition: 'core_restarted',
      sourceId: '',
      priority: 'medium',
      deadband: 0,
      onDelayMs: 0,
      offDelayMs: 0,
      message: 'The Vigil core restarted after an unexpected stop',
      suggestedAction: 'Check the data for a gap around the restart and the logs for the cause.',
      latching: false,
      enabled: true,
    },
  ];
}

/** The configured definitions plus the default system alarms the configuration does not define itself. */
export function withDefaultSystemDefinitions(definitions: readonly AlarmDefinition[]): AlarmDefinition[] {
  const ids = new Set(definitions.map((d) => d.id));
  return [...definitions, ...defaultSystemDefinitions().filter((d) => !ids.has(d.id))];
}
