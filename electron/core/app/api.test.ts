import { describe, expect, it } from 'vitest';
import { createCoreApi, CoreError, type CommandHandlers, type StreamHandlers } from './api';
import type { Health } from '../../../shared/api';

const health: Health = {
  status: 'ok',
  problems: [],
  version: 'test',
  startedAt: 0,
  uptimeS: 0,
  connections: [],
};

function makeApi(overrides: Partial<CommandHandlers> = {}) {
  const logged: string[] = [];
  // Only the commands these tests call; the others are never reached.
  const handlers = {
    listAssets: () => [],
    listTags: ({ assetId }: { assetId?: string }) => {
      if (assetId === 'missing') throw new CoreError('not_found', 'No asset with id "missing"');
      return [];
    },
    getRecent: ({ tagIds, limit }: { tagIds: string[]; limit: number }) =>
      tagIds.map((tagId) => ({ tagId, t: [limit], v: [1], q: [0] })),
    getHealth: () => health,
    ...overrides,
  } as Partial<CommandHandlers> as CommandHandlers;
  const streams = {
    liveSamples: () => ({ dispose: () => {} }),
  } as Partial<StreamHandlers> as StreamHandlers;
  return { api: createCoreApi(handlers, streams, (msg) => logged.push(msg)), logged };
}

describe('core API contract enforcement', () => {
  it('answers a valid command with its result and applies schema defaults', async () => {
    const { api } = makeApi();
    const result = await api.call('getRecent', { tagIds: ['a'] });
    expect(result).toEqual({ ok: true, result: [{ tagId: 'a', t: [2000], v: [1], q: [0] }] });
  });

  it('rejects an unknown command with a clear error instead of throwing', async () => {
    const { api } = makeApi();
    const result = await api.call('dropAllTables', {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unknown_command');
      expect(result.error.message).toContain('dropAllTables');
    }
  });

  it('rejects malformed input with field-level validation errors', async () => {
    const { api } = makeApi();
    const cases: unknown[] = [
      { tagIds: [] },
      { tagIds: 'a' },
      { tagIds: ['a'], limit: -5 },
      { tagIds: ['a'], extra: true },
      'not an object',
      [1, 2, 3],
    ];
    for (const input of cases) {
      const result = await api.call('getRecent', input);
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('invalid_input');
        expect(result.error.message).toMatch(/^Invalid input for getRecent/);
        expect(result.error.issues.length).toBeGreaterThan(0);
      }
    }
    const limit = await api.call('getRecent', { tagIds: ['a'], limit: -5 });
    expect(!limit.ok && limit.error.issues[0]?.path).toBe('limit');
  });

  it('turns a handler failure into an error result and logs it', async () => {
    const { api, logged } = makeApi({
      listAssets: () => {
        throw new Error('disk on fire');
      },
    });
    const result = await api.call('listAssets', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logged).toEqual(['command listAssets failed']);
  });

  it('keeps intended errors (not found) as they are', async () => {
    const { api } = makeApi();
    const result = await api.call('listTags', { assetId: 'missing' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'No asset with id "missing"' },
    });
  });

  it('refuses a command the caller lacks the permission for', async () => {
    const { api } = makeApi();
    const result = await api.call('listAssets', {}, { user: 'guest', permissions: [] });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('validates stream parameters the same way', () => {
    const { api } = makeApi();
    expect(api.subscribe('liveSamples', { tagIds: [] }, () => {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(api.subscribe('everything', {}, () => {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_command' },
    });
    expect(api.subscribe('liveSamples', { tagIds: ['x'] }, () => {}).ok).toBe(true);
  });
});
