import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { AlarmEngine } from './engine';
import { InMemoryAlarmJournal } from './journal';
import {
  openRunMarker,
  startDiskMonitor,
  withDefaultSystemDefinitions,
  type DiskReading,
} from './systemMonitors';
import { MapTagCatalog } from './testing';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-sysmon-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('system alarm sources', () => {
  it('reads the real free space of the data folder and raises disk low below the threshold', async () => {
    const dir = tempDir();
    const clock = new ManualClock(0);
    const engine = new AlarmEngine({
      clock,
      journal: new InMemoryAlarmJournal(),
      catalog: new MapTagCatalog(),
      config: { definitions: withDefaultSystemDefinitions([]) },
    });
    const readings: DiskReading[] = [];
    let minFreeBytes = Number.MAX_SAFE_INTEGER; // no disk has this much: "low"
    const monitor = startDiskMonitor({
      clock,
      path: dir,
      get minFreeBytes() {
        return minFreeBytes;
      },
      intervalMs: 60_000,
      onReading: (r) => {
        readings.push(r);
        engine.setSystemCondition('disk_low', r.path, r.low, { detail: `${r.freeBytes} bytes free` });
      },
    });
    const first = await monitor.check();
    expect(first.freeBytes).toBeGreaterThan(0);
    expect(first.totalBytes).toBeGreaterThanOrEqual(first.freeBytes);
    expect(engine.get('system.disk_low').state).toBe('unack_active');
    minFreeBytes = 1; // any disk has a byte free
    await monitor.check();
    expect(engine.get('system.disk_low').state).toBe('unack_rtn');
    monitor.dispose();
    expect(readings.length).toBeGreaterThanOrEqual(2);
  });

  it('tells a crash from a clean shutdown by the run marker', () => {
    const dir = tempDir();
    const first = openRunMarker(dir, 1000);
    expect(first.previousRun).toBe('first');
    first.dispose(); // clean shutdown
    const second = openRunMarker(dir, 2000);
    expect(second.previousRun).toBe('clean');
    // No dispose: the process "crashed".
    const third = openRunMarker(dir, 3000);
    expect(third.previousRun).toBe('crashed');
    expect(third.previousDetail).toContain(new Date(2000).toISOString());
    third.dispose();
  });
});
