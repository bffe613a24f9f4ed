import { writeFileSync } from 'node:fs';
import { suites, type BenchFigures } from './suites';

export interface BenchRunOptions {
  json?: string;
  short: boolean;
  only?: string[];
  log?: (line: string) => void;
}

/**
 * Runs the benchmark suites one after another (never in parallel: they compete for the same
 * two cores) and merges their figures into one JSON object. A failing suite is reported with
 * its error under `<suite>.failed = 1` and does not stop the others.
 */
export async function runBench(options: BenchRunOptions): Promise<BenchFigures> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const figures: BenchFigures = {};
  const selected = options.only?.length ? suites.filter((s) => options.only!.includes(s.name)) : suites;
  if (options.only?.length && selected.length !== options.only.length) {
    const known = suites.map((s) => s.name).join(', ');
    throw new Error(`Unknown benchmark suite in "${options.only.join(',')}"; known: ${known}`);
  }
  for (const suite of selected) {
    log(`bench: ${suite.name}${options.short ? ' (short)' : ''}...`);
    const started = performance.now();
    try {
      const { run } = await suite.load();
      const result = await run({ short: options.short, log: (line) => log(`  ${suite.name}: ${line}`) });
      for (const [key, value] of Object.entries(result)) {
        if (typeof value !== 'number' || Number.isNaN(value))
          throw new Error(`figure ${key} is not a number`);
        figures[key] = value;
      }
      log(`bench: ${suite.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      figures[`${suite.name}.failed`] = 1;
      log(`bench: ${suite.name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  const text = JSON.stringify(figures, null, 2);
  if (options.json) writeFileSync(options.json, `${text}\n`);
  return figures;
}
