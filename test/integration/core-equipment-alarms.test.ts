import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/app/createCore';
import { parseConfig } from '../../electron/core/app/config';
import type { Core } from '../../electron/core/app/types';
import type { CommandName, CommandOutput } from '../../shared/api';
import { waitFor } from '../helpers/wait';

async function call<N extends CommandName>(core: Core, name: N, input: unknown): Promise<CommandOutput<N>> {
  const result = await core.api.call(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.result as CommandOutput<N>;
}

describe('equipment alarms (OPC UA Alarms & Conditions) in the alarm queue', () => {
  let core: Core;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigil-ac-'));
    // At 50 cycles a second the engine that starts near the end of its life trips its EGT alarm.
    core = createCore(
      parseConfig({ dataDir, simulator: { enabled: true, port: 0, speed: 50, equipmentAlarms: true } }),
    );
    await core.start();
  });

  afterAll(async () => {
    await core?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a condition raised by the simulator and acknowledges it on the server', async () => {
    const alarm = await waitFor(
      async () =>
        (await call(core, 'listAlarms', {})).find(
          (a) => a.id.startsWith('opcua:sim:') && a.state === 'unack_active',
        ),
      { timeoutMs: 45_000, intervalMs: 250, what: 'an equipment alarm from the simulator' },
    );
    await call(core, 'acknowledgeAlarms', { alarmIds: [alarm.id], comment: 'checked on site' });
    const onServer = await waitFor(
      async () =>
        (await call(core, 'listExternalConditions', {})).find(
          (c) => `opcua:${c.connectionId}:${c.conditionId}` === alarm.id && c.acknowledged,
        ),
      { timeoutMs: 15_000, what: 'the server to report the condition acknowledged' },
    );
    expect(onServer.acknowledged).toBe(true);
    const view = (await call(core, 'listAlarms', { includeNormal: true })).find((a) => a.id === alarm.id);
    expect(view).toBeDefined();
    expect(view!.state).not.toBe('unack_active');
  });
});
