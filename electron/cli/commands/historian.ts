import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';

/**
 * `vigil historian ...`: operate on the historian file in a data directory.
 *   stats                 disk usage, oldest/newest time and retention per resolution
 *   check                 full integrity check
 *   backup <file>         online backup (safe while the console runs)
 *   restore <file>        replace the database with a backup (the console must be stopped)
 *   export --tags ...     raw samples of chosen tags over a time range, as CSV
 * stats, check, backup and export open the file read-only and can run next to a live console.
 */

interface DirOptions {
  dataDir?: string;
  config?: string;
}

/** Epoch ms, an ISO 8601 date/time, or "now". */
export function timeOption(value: string): number {
  if (value === 'now') return Date.now();
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InvalidArgumentError('must be epoch milliseconds, an ISO 8601 time, or "now".');
  return t;
}

function tagListOption(value: string, previous: string[] = []): string[] {
  const tags = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.length === 0) throw new InvalidArgumentError('must name at least one tag.');
  return [...previous, ...tags];
}

async function historianFile(opts: DirOptions): Promise<string> {
  const [{ loadConfigFile }, { parseConfig }] = await Promise.all([
    import('../../core/app/loadConfig'),
    import('../../core/app/config'),
  ]);
  const overrides: Record<string, unknown> = {};
  if (opts.dataDir) overrides.dataDir = opts.dataDir;
  const config = opts.config ? loadConfigFile(opts.config, overrides) : parseConfig(overrides);
  return path.resolve(config.dataDir, 'historian.db');
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function formatTime(t: number | null): string {
  return t === null ? '-' : new Date(t).toISOString();
}

function formatDuration(ms: number | null): string {
  if (ms === null) return 'forever';
  const days = ms / 86_400_000;
  return days >= 1 ? `${Number(days.toFixed(1))} d` : `${Number((ms / 3_600_000).toFixed(1))} h`;
}

const out = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};

export function register(program: Command): void {
  const historian = program
    .command('historian')
    .description('Inspect, back up, restore and export the local historian database');
  const withDir = (cmd: Command): Command =>
    cmd
      .option('-d, --data-dir <dir>', 'data directory holding historian.db (default: from the configuration)')
      .option('-c, --config <file>', 'configuration file (JSON) naming the data directory');

  withDir(historian.command('stats'))
    .description('Disk usage, oldest and newest time, and retention per resolution')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: DirOptions & { json?: boolean }) => {
      const file = await historianFile(opts);
      const { openHistorianReader } = await import('../../core/historian');
      const reader = openHistorianReader(file);
      try {
        const stats = reader.stats();
        if (opts.json) {
          out(JSON.stringify(stats, null, 2));
          return;
        }
        out(
          `${stats.file}: ${formatBytes(stats.fileBytes)} (WAL ${formatBytes(stats.walBytes)}), schema v${stats.schemaVersion}, ${stats.tags} tags`,
        );
        if (stats.diskFreeBytes !== null) out(`free disk space: ${formatBytes(stats.diskFreeBytes)}`);
        out('');
        out(['source', 'rows', 'payload', 'items', 'oldest', 'newest', 'kept'].join('\t'));
        for (const s of stats.sources) {
          out(
            [
              s.label,
              s.rows,
              formatBytes(s.bytes),
              s.items,
              formatTime(s.oldest),
              formatTime(s.newest),
              formatDuration(s.retentionMs),
            ].join('\t'),
          );
        }
      } finally {
        reader.close();
      }
    });

  withDir(historian.command('check'))
    .description('Run a full integrity check of the historian database')
    .action(async (opts: DirOptions) => {
      const file = await historianFile(opts);
      const [{ openHistorianReader, IntegrityError }, { checkIntegrity }] = await Promise.all([
        import('../../core/historian'),
        import('../../core/historian/database'),
      ]);
      const reader = openHistorianReader(file);
      try {
        checkIntegrity(reader.db, file, 'full');
        out(`${file}: integrity ok`);
      } catch (err) {
        if (err instanceof IntegrityError) {
          throw new Error(
            `${file} is damaged:\n  ${err.problems.slice(0, 20).join('\n  ')}\nRestore a backup: vigil historian restore <file>`,
            { cause: err },
          );
        }
        throw err;
      } finally {
        reader.close();
      }
    });

  withDir(historian.command('backup'))
    .description('Write an online backup of the historian to <file> (safe while Vigil runs)')
    .argument('<file>', 'backup file to create')
    .option('--overwrite', 'replace <file> if it exists')
    .action(async (target: string, opts: DirOptions & { overwrite?: boolean }) => {
      const file = await historianFile(opts);
      const { openHistorianReader, backupDatabase } = await import('../../core/historian');
      const reader = openHistorianReader(file);
      try {
        const result = await backupDatabase(reader.db, target, { overwrite: opts.overwrite });
        out(
          `backup written: ${result.file} (${formatBytes(result.bytes)}, schema v${result.schemaVersion}, ${Math.round(result.durationMs)} ms)`,
        );
      } finally {
        reader.close();
      }
    });

  withDir(historian.command('restore'))
    .description('Replace the historian with a backup (stop Vigil first; the current file is kept aside)')
    .argument('<file>', 'backup file to restore')
    .action(async (source: string, opts: DirOptions) => {
      const file = await historianFile(opts);
      const { restoreDatabaseFile } = await import('../../core/historian');
      const result = await restoreDatabaseFile(file, source);
      out(
        `restored ${path.resolve(source)} into ${file} (schema v${result.restored.schemaVersion}, ${result.restored.tags} tags)`,
      );
      if (result.movedAside) out(`the previous database was kept as ${result.movedAside}`);
    });

  withDir(historian.command('export'))
    .description('Export raw samples of chosen tags over a time range to CSV')
    .requiredOption('-t, --tags <ids>', 'tag ids, comma separated (repeatable)', tagListOption)
    .requiredOption('--from <time>', 'start (inclusive): epoch ms, ISO 8601, or now', timeOption)
    .requiredOption('--to <time>', 'end (exclusive): epoch ms, ISO 8601, or now', timeOption)
    .requiredOption('-o, --out <file>', 'CSV file to write')
    .option('--overwrite', 'replace the output file if it exists')
    .action(
      async (
        opts: DirOptions & { tags: string[]; from: number; to: number; out: string; overwrite?: boolean },
        command: Command,
      ) => {
        if (!(opts.to > opts.from)) command.error('error: --to must be after --from', { exitCode: 2 });
        const file = await historianFile(opts);
        const { openHistorianReader } = await import('../../core/historian');
        const reader = openHistorianReader(file);
        try {
          const result = await reader.exportCsv({
            tagIds: opts.tags,
            from: opts.from,
            to: opts.to,
            file: opts.out,
            overwrite: opts.overwrite,
          });
          out(`${result.rows} samples written to ${result.file} (${formatBytes(result.bytes)})`);
        } finally {
          reader.close();
        }
      },
    );
}
