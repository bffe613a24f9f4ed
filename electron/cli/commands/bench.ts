import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('bench')
    .description('Run the benchmark suite and print one JSON object of named figures')
    .option('--json <file>', 'also write the figures to this file')
    .option('--short', 'quick run (seconds per suite); figures are rough', false)
    .option('--only <suites>', 'comma-separated suite names')
    .action(async (opts: { json?: string; short: boolean; only?: string }) => {
      const { runBench } = await import('../../../bench/run');
      const figures = await runBench({
        short: opts.short,
        ...(opts.json ? { json: opts.json } : {}),
        ...(opts.only ? { only: opts.only.split(',').map((s) => s.trim()) } : {}),
      });
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      const failed = Object.keys(figures).filter((k) => k.endsWith('.failed'));
      if (failed.length) process.exitCode = 1;
    });
}
