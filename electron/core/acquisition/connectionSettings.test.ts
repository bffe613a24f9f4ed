import { describe, expect, it } from 'vitest';
import { ConnectionSettingsSchema } from '../../../shared/acquisitionApi';
import { ConnectionConfigSchema } from '../app/config';
import { applySettings, connectionIdFromName, newConnection } from './connectionSettings';

const settings = (input: Record<string, unknown>) =>
  ConnectionSettingsSchema.parse({
    name: 'Line 1',
    endpointUrl: 'opc.tcp://plc:4840',
    security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
    identity: { type: 'anonymous' },
    ...input,
  });

describe('connectionIdFromName', () => {
  it('makes a slug of letters, digits, - and _ from the name', () => {
    expect(connectionIdFromName('Line 1 — Presse Nord', new Set())).toBe('line-1-presse-nord');
    expect(connectionIdFromName('Čerpadlo_2', new Set())).toBe('cerpadlo_2');
    expect(connectionIdFromName('  ***  ', new Set())).toBe('connection');
    expect(connectionIdFromName('-x-', new Set())).toBe('x');
  });

  it('adds -2, -3 when the id is taken, and never gives the simulator id', () => {
    expect(connectionIdFromName('Line 1', new Set(['line-1']))).toBe('line-1-2');
    expect(connectionIdFromName('Line 1', new Set(['line-1', 'line-1-2']))).toBe('line-1-3');
    expect(connectionIdFromName('Sim', new Set())).toBe('sim-2');
  });

  it('stays within the 63 characters an id may have, suffix included', () => {
    const long = 'a'.repeat(100);
    expect(connectionIdFromName(long, new Set())).toBe('a'.repeat(63));
    const second = connectionIdFromName(long, new Set(['a'.repeat(63)]));
    expect(second).toBe(`${'a'.repeat(61)}-2`);
    expect(ConnectionSettingsSchema.shape.id.parse(second)).toBe(second);
  });
});

describe('newConnection', () => {
  it('maps the console settings to the configuration file fields', () => {
    const connection = newConnection({
      ...settings({
        identity: { type: 'username', userName: 'operator', password: 'pw' },
        alarms: true,
        samplingIntervalMs: 250,
      }),
      id: 'line-1',
    });
    expect(connection).toEqual({
      id: 'line-1',
      name: 'Line 1',
      endpointUrl: 'opc.tcp://plc:4840',
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      identity: { type: 'username', userName: 'operator', password: 'pw' },
      discover: false,
      alarms: { enabled: true },
      samplingIntervalMs: 250,
      publishingIntervalMs: 100,
    });
    // What the file schema accepts, so the connection runs as set up.
    expect(ConnectionConfigSchema.parse(connection)).toMatchObject({ id: 'line-1', discover: false });
  });

  it('needs the password of a new username identity', () => {
    expect(() =>
      newConnection({ ...settings({ identity: { type: 'username', userName: 'op' } }), id: 'x' }),
    ).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/password/) }));
  });
});

describe('applySettings', () => {
  const stored = () => ({
    id: 'line-1',
    name: 'Old',
    endpointUrl: 'opc.tcp://old:4840',
    rootPath: ['Line1'],
    identity: { type: 'username', userName: 'operator', password: 'stored-pw' },
    alarms: { enabled: false, notifiers: ['ns=1;s=Line1'] },
    allowWrites: true,
    tags: [{ id: 'a/t', nodeId: 'ns=1;s=T', assetId: 'a', name: 'T' }],
  });

  it('replaces what the settings cover and keeps the rest (tags, rootPath, notifiers, allowWrites)', () => {
    const out = applySettings(
      stored(),
      settings({ id: 'line-1', identity: { type: 'anonymous' }, alarms: true, discover: true }),
    );
    expect(out).toEqual({
      id: 'line-1',
      name: 'Line 1',
      endpointUrl: 'opc.tcp://plc:4840',
      rootPath: ['Line1'],
      security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
      identity: { type: 'anonymous' },
      discover: true,
      alarms: { enabled: true, notifiers: ['ns=1;s=Line1'] },
      allowWrites: true,
      samplingIntervalMs: 0,
      publishingIntervalMs: 100,
      tags: [{ id: 'a/t', nodeId: 'ns=1;s=T', assetId: 'a', name: 'T' }],
    });
  });

  it('keeps the stored password (or passwordEnv) of the same user when none is given', () => {
    const same = applySettings(stored(), settings({ identity: { type: 'username', userName: 'operator' } }));
    expect(same.identity).toEqual({ type: 'username', userName: 'operator', password: 'stored-pw' });
    const env = { ...stored(), identity: { type: 'username', userName: 'operator', passwordEnv: 'PLC_PW' } };
    expect(
      applySettings(env, settings({ identity: { type: 'username', userName: 'operator' } })).identity,
    ).toEqual({ type: 'username', userName: 'operator', passwordEnv: 'PLC_PW' });
    const changed = applySettings(
      stored(),
      settings({ identity: { type: 'username', userName: 'operator', password: 'new' } }),
    );
    expect(changed.identity).toEqual({ type: 'username', userName: 'operator', password: 'new' });
  });

  it('refuses a username without password when none is stored for that user', () => {
    const anonymous = { ...stored(), identity: { type: 'anonymous' } };
    expect(() =>
      applySettings(anonymous, settings({ identity: { type: 'username', userName: 'operator' } })),
    ).toThrow(/A password is needed for user "operator"/);
    expect(() =>
      applySettings(stored(), settings({ identity: { type: 'username', userName: 'admin' } })),
    ).toThrow(/A password is needed for user "admin".*the stored one belongs to user "operator"/);
  });

  it('refuses to change the id', () => {
    expect(() => applySettings(stored(), settings({ id: 'line-2' }))).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(/cannot change/) }),
    );
  });
});
