import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { historianCommands } from '../../../../shared/historianApi';
import type { Historian } from '../../historian';
import type { ColumnStats } from '../../historian/types';
import type { Clock } from '../clock';
import { CoreError, type CommandHandlers } from '../api';

/** NaN (no number: empty column, sensor fault) travels as null; JSON has no NaN. */
const nullable = (a: ArrayLike<number>): (number | null)[] =>
  Array.from(a, (x) => (Number.isFinite(x) ? x : null));

function columns(c: ColumnStats) {
  return {
    t: Array.from(c.t),
    count: Array.from(c.count),
    validCount: Array.from(c.validCount),
    min: nullable(c.min),
    max: nullable(c.max),
    mean: nullable(c.mean),
    first: nullable(c.first),
    last: nullable(c.last),
    quality: Array.from(c.quality),
  };
}

/**
 * The historian's commands. Files go only to `<dataDir>/exports` and `<dataDir>/backups`
 * under names the core makes or checks, never to a path a client chose.
 */
export function historianHandlers(options: {
  historian: Historian;
  dataDir: string;
  clock: Clock;
  knownTag: (tagId: string) => boolean;
}): Pick<CommandHandlers, keyof typeof historianCommands> {
  const { historian, dataDir, clock, knownTag } = options;
  const exportsDir = path.join(dataDir, 'exports');
  const backupsDir = path.join(dataDir, 'backups');
  const requireTags = (ids: readonly string[]) => {
    const unknown = ids.filter((id) => !knownTag(id));
    if (unknown.length) throw new CoreError('not_found', `Unknown tag(s): ${unknown.join(', ')}`);
  };
  const stamp = () => new Date(clock.now()).toISOString().replace(/[:.]/g, '-');

  return {
    queryRaw: ({ tagId, from, to, limit }) => {
      requireTags([tagId]);
      const s = historian.raw(tagId, from, to, { limit });
      return { tagId, t: Array.from(s.t), v: Array.from(s.v), q: Array.from(s.q), truncated: s.truncated };
    },
    queryChart: ({ tagIds, from, to, width }) => {
      requireTags(tagIds);
      return historian.chart({ tagIds, from, to, width }).map((s) => ({
        tagId: s.tagId,
        from: s.from,
        to: s.to,
        width: s.width,
        columnMs: s.columnMs,
        resolutionMs: s.resolutionMs,
        sources: s.sources,
        columns: {
          ...columns(s.columns),
          tFirst: nullable(s.columns.tFirst),
          tLast: nullable(s.columns.tLast),
          tMin: nullable(s.columns.tMin),
          tMax: nullable(s.columns.tMax),
        },
      }));
    },
    queryAggregates: ({ tagIds, from, to, intervalMs }) => {
      requireTags(tagIds);
      if ((to - from) / intervalMs > 100_000) {
        throw new CoreError('invalid_input', 'More than 100,000 intervals: choose a longer interval');
      }
      return historian.aggregate({ tagIds, from, to, intervalMs }).map((s) => ({
        tagId: s.tagId,
        intervalMs: s.intervalMs,
        resolutionMs: s.resolutionMs,
        sources: s.sources,
        columns: columns(s.columns),
      }));
    },
    lastValues: ({ tagIds }) =>
      historian
        .last(tagIds)
        .map((l, i) =>
          l ? { tagId: tagIds[i]!, t: l.t, v: Number.isFinite(l.v) ? l.v : null, q: l.q } : null,
        ),
    historianStats: () => historian.stats(),
    exportCsv: async ({ tagIds, from, to }) => {
      requireTags(tagIds);
      mkdirSync(exportsDir, { recursive: true });
      const file = path.join(exportsDir, `vigil-export-${stamp()}.csv`);
      return historian.exportCsv({ tagIds, from, to, file });
    },
    backupHistorian: async ({ name }) => {
      mkdirSync(backupsDir, { recursive: true });
      return historian.backup(path.join(backupsDir, `${name}.db`));
    },
    listBackups: () => {
      mkdirSync(backupsDir, { recursive: true });
      return readdirSync(backupsDir)
        .filter((f) => f.endsWith('.db'))
        .map((f) => {
          const info = statSync(path.join(backupsDir, f));
          return { name: f.slice(0, -3), bytes: info.size, modifiedAt: info.mtimeMs };
        })
        .sort((a, b) => b.modifiedAt - a.modifiedAt);
    },
    restoreHistorian: async ({ name }) => {
      const file = path.join(backupsDir, `${name}.db`);
      try {
        statSync(file);
      } catch {
        throw new CoreError('not_found', `No backup named "${name}" in ${backupsDir}`);
      }
      const { movedAside, restored } = await historian.restore(file);
      return { movedAside, schemaVersion: restored.schemaVersion, tags: restored.tags };
    },
  };
}
