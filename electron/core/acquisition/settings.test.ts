import { describe, expect, it } from 'vitest';
import { ConnectionConfigSchema, parseConfig } from '../app/config';
import { monitoringFor, resolveSettings } from './settings';

const base = { id: 'plc', endpointUrl: 'opc.tcp://127.0.0.1:4840' };

describe('connection settings', () => {
  it('defaults keep the old behaviour: no security, anonymous, discovery, no writes, no alarms', () => {
    const s = resolveSettings(ConnectionConfigSchema.parse(base));
    expect(s).toMatchObject({
      security: { mode: 'None', policy: 'None' },
      identity: { type: 'anonymous' },
      discover: true,
      tags: [],
      allowWrites: false,
      alarms: { enabled: false, notifiers: ['i=2253'] },
      backfill: { enabled: true },
      maxItemsPerSubscription: 1000,
      monitoring: { samplingIntervalMs: 0, queueSize: 100, deadband: null },
    });
    // 3 keep-alive periods of 100 ms x 10, but never under 5 s.
    expect(s.stallTimeoutMs).toBe(5000);
    expect(
      resolveSettings(ConnectionConfigSchema.parse({ ...base, publishingIntervalMs: 1000 })).stallTimeoutMs,
    ).toBe(30_000);
  });

  it('refuses security settings that do not go together, and identities without a secret', () => {
    expect(() =>
      parseConfig({ connections: [{ ...base, security: { mode: 'Sign', policy: 'None' } }] }),
    ).toThrow(/connections\.0\.security: security mode None goes with policy None/);
    expect(() =>
      parseConfig({ connections: [{ ...base, security: { mode: 'None', policy: 'Basic256Sha256' } }] }),
    ).toThrow(/security mode None/);
    expect(() =>
      parseConfig({
        connections: [{ ...base, security: { mode: 'SignAndEncrypt', policy: 'Basic128Rsa15' } }],
      }),
    ).toThrow(/connections\.0\.security\.policy/);
    expect(() =>
      parseConfig({ connections: [{ ...base, identity: { type: 'username', userName: 'op' } }] }),
    ).toThrow(/needs password or passwordEnv/);
  });

  it("takes a tag's own sampling, queue and deadband over the connection's", () => {
    const defaults = { samplingIntervalMs: 0, queueSize: 100, deadband: null };
    expect(monitoringFor(undefined, defaults)).toEqual(defaults);
    expect(
      monitoringFor({ samplingIntervalMs: 250, deadband: { type: 'percent', value: 1 } }, defaults),
    ).toEqual({
      samplingIntervalMs: 250,
      queueSize: 100,
      deadband: { type: 'percent', value: 1 },
    });
    expect(
      monitoringFor({ deadband: null }, { ...defaults, deadband: { type: 'absolute', value: 2 } }).deadband,
    ).toBeNull();
  });
});
