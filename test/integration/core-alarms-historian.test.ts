import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import type { Core } from '../../electron/core/app/types';
import type { CommandName, CommandOutput } from '../../shared/api';
import { waitFor } from '../helpers/wait';

const CYCLE = 'sim/demo-plant/turbofan-test-cell/engine-1/cycle';
const T24 = 'sim/demo-plant/turbofan-test-cell/engine-1/t24';

async function call<N extends CommandName>(core: Core, name: N, input: unknown): Promise<CommandOutput<N>> {
  const result = await core.api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.result as CommandOutput<N>;
}

describe('core: alarms and the historian on the live simulator', () => {
  let core: Core;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-alarms-'));
    core = createCore(
      parseConfig({
        dataDir,
        simulator: { enabled: true, port: 0, speed: 20 },
        historian: { flushIntervalMs: 100 },
        // A deliberately wrong range for one tag: every sample of it breaks the range rule.
        validation: { tags: { [T24]: { range: { low: 0, high: 1 } } } },
        alarms: {
          definitions: [
            {
              id: 'engine1.cycle.high',
              kind: 'high',
              tagId: CYCLE,
              limit: 3,
              priority: 'high',
              message: 'Engine 1 past cycle 3',
              suggestedAction: 'Watch the engine',
            },
          ],
        },
      }),
    );
    await core.start();
  });

  afterAll(async () => {
    await core?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('raises a configured limit alarm, journals it with the samples’ correlation id, and takes an acknowledgement', async () => {
    const alarm = await waitFor(
      async () => {
        const alarms = await call(core, 'listAlarms', {});
        return alarms.find((a) => a.id === 'engine1.cycle.high' && a.state === 'unack_active');
      },
      { what: 'the cycle alarm to activate' },
    );
    expect(alarm.priority).toBe('high');
    expect(alarm.correlationId).toBeTruthy();

    const [acked] = await call(core, 'acknowledgeAlarms', { alarmIds: [alarm.id], comment: 'seen' });
    expect(acked!.state).toBe('ack_active');

    // Acknowledging again is refused and changes nothing.
    const again = await core.api.call('acknowledgeAlarms', { alarmIds: [alarm.id] });
    expect(again.ok).toBe(false);

    const journal = await call(core, 'queryAlarmJournal', { alarmId: alarm.id });
    const transitions = journal.map((e) => e.transition);
    expect(transitions).toContain('activate');
    expect(transitions.some((t) => /ack/.test(t))).toBe(true);
    const activation = journal.find((e) => e.transition === 'activate')!;
    expect(activation.correlationId).toBe(alarm.correlationId);
    const ack = journal.find((e) => /ack/.test(e.transition))!;
    expect(ack.comment).toBe('seen');
    expect(ack.user).not.toBe('system');
  });

  it('keeps every sample in the historian and answers chart, raw and last-value queries', async () => {
    await waitFor(async () => (await call(core, 'historianStats', {})).ingest.acknowledged > 200, {
      what: 'committed samples',
    });
    const raw = await waitFor(
      async () => {
        const now = Date.now();
        const r = await call(core, 'queryRaw', { tagId: CYCLE, from: now - 60_000, to: now + 1000 });
        return r.t.length > 5 ? r : null;
      },
      { what: 'six cycles of engine 1 in the historian' },
    );
    const now = Date.now();
    for (let i = 1; i < raw.t.length; i++) expect(raw.t[i]!).toBeGreaterThan(raw.t[i - 1]!);

    const [chart] = await call(core, 'queryChart', {
      tagIds: [T24],
      from: now - 60_000,
      to: now + 1000,
      width: 200,
    });
    expect(chart!.width).toBe(200);
    const filled = chart!.columns.count.filter((c) => c > 0).length;
    expect(filled).toBeGreaterThan(0);

    const [last] = await call(core, 'lastValues', { tagIds: [T24] });
    expect(last).toMatchObject({ tagId: T24, q: 0 });

    const bad = await core.api.call('queryChart', { tagIds: [T24], from: now, to: now - 1, width: 10 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('applies per-tag validation rules from the configuration and counts what they flag', async () => {
    const [quality] = await waitFor(
      async () => {
        const q = await call(core, 'getDataQuality', { tagIds: [T24] });
        return (q[0]?.flagged.Range ?? 0) > 0 ? q : null;
      },
      { what: 'range flags on T24' },
    );
    expect(quality!.flagged.Range).toBeGreaterThan(0);
    const [other] = await call(core, 'getDataQuality', { tagIds: [CYCLE] });
    expect(other!.flagged.Range ?? 0).toBe(0);
  });

  it('exports a range to CSV and makes a verified backup under the data dir', async () => {
    const now = Date.now();
    const exported = await call(core, 'exportCsv', { tagIds: [CYCLE], from: now - 60_000, to: now + 1000 });
    expect(exported.file.startsWith(path.join(dataDir, 'exports'))).toBe(true);
    expect(exported.rows).toBeGreaterThan(0);
    expect(readFileSync(exported.file, 'utf8').split('\n')[0]).toMatch(/^time,epoch_ms,tag,value/);

    const backup = await call(core, 'backupHistorian', { name: 'before-test' });
    expect(existsSync(backup.file)).toBe(true);
    expect((await call(core, 'listBackups', {})).map((b) => b.name)).toContain('before-test');
    const escape = await core.api.call('backupHistorian', { name: '../../etc/x' });
    expect(escape).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});
