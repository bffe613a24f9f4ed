import type { Command } from 'commander';

interface DetectFlags {
  input: string;
  timeColumn: string;
  columns?: string;
  output?: string;
}

/** Exit code for bad input (the file, not the program, is at fault). */
const EXIT_BAD_INPUT = 2;
/** Progress is reported for files at least this large (smaller ones finish in a blink). */
const PROGRESS_MIN_BYTES = 8 << 20;

export function register(program: Command): void {
  program
    .command('detect')
    .description(
      'Validate and score a CSV file with the live pipeline (streaming anomaly detection): one output row per input row',
    )
    .requiredOption('--input <file>', 'CSV file: comma or semicolon separated, header row')
    .option(
      '--time-column <name>',
      'column holding the timestamps (ISO 8601, "YYYY-MM-DD HH:MM:SS" or epoch)',
      'timestamp',
    )
    .option('--columns <list>', 'comma-separated columns to score (default: every other numeric column)')
    .option('--output <file>', 'write the result here instead of standard output')
    .addHelpText(
      'after',
      `
Output columns: timestamp (as in the input), anomaly_score (0..1, 0.5 = threshold; empty when the
row had no valid value), is_anomaly (0/1), top_column (the column that contributed most).
The first rows score 0 while the detectors learn (200 valid values per column). Bad input
(ragged rows, non-numeric cells, missing header or time column, empty file) exits with code 2
and a message naming the line.`,
    )
    .action(async (flags: DetectFlags) => {
      const { detectCsv } = await import('../../core/detection/csv/detectCsv');
      const { CsvInputError } = await import('../../core/detection/csv/csvTable');
      // `vigil detect ... | head` closes stdout early: stop quietly instead of crashing.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const columns = flags.columns
        ?.split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      try {
        const summary = await detectCsv({
          input: flags.input,
          output: flags.output ?? process.stdout,
          timeColumn: flags.timeColumn,
          ...(columns ? { columns } : {}),
          onProgress: ({ rows, bytesRead, totalBytes }) => {
            if (totalBytes < PROGRESS_MIN_BYTES) return;
            const pct = totalBytes > 0 ? Math.min(100, (100 * bytesRead) / totalBytes) : 0;
            process.stderr.write(`vigil detect: ${rows.toLocaleString('en-US')} rows (${pct.toFixed(0)}%)\n`);
          },
        });
        const share = summary.rows ? ((100 * summary.anomalousRows) / summary.rows).toFixed(1) : '0.0';
        const lines = [
          `vigil detect: ${summary.rows} rows, ${summary.columns.length} columns (${summary.columns.join(', ')}), ` +
            `${summary.anomalousRows} anomalous rows (${share}%), ${summary.warmupRows} warm-up rows` +
            (summary.unscoredRows ? `, ${summary.unscoredRows} rows without a valid value` : ''),
        ];
        if (summary.skippedColumns.length)
          lines.push(`  not numeric, skipped: ${summary.skippedColumns.join(', ')}`);
        for (const [column, counts] of Object.entries(summary.dataQuality)) {
          const parts = Object.entries(counts).map(([rule, count]) => `${rule} ${count}`);
          lines.push(`  data quality ${column}: ${parts.join(', ')}`);
        }
        if (summary.rows === 0) lines.push('  the file has a header but no data rows');
        process.stderr.write(`${lines.join('\n')}\n`);
      } catch (err) {
        if (err instanceof CsvInputError) {
          process.stderr.write(`vigil detect: ${err.message}\n`);
          process.exitCode = EXIT_BAD_INPUT;
          return;
        }
        throw err;
      }
    });
}
