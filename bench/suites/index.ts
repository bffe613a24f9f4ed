/**
 * The benchmark suites of `npm run bench`. Each suite returns named numeric figures that are
 * merged into one JSON object. Suites measure ratios against a baseline run in the same
 * process where they can: these machines are shared and noisy.
 */
export interface BenchOptions {
  /** A quick run (seconds) that tests call to prove the suite works; figures are rough. */
  short: boolean;
  log: (line: string) => void;
}

export type BenchFigures = Record<string, number>;

export interface BenchSuite {
  name: string;
  run: (options: BenchOptions) => Promise<BenchFigures>;
}

export const suites: { name: string; load: () => Promise<{ run: BenchSuite['run'] }> }[] = [
  { name: 'pipeline', load: () => import('./pipeline') },
  { name: 'opcua', load: () => import('./opcua') },
  { name: 'detection', load: () => import('./detection') },
  { name: 'historian', load: () => import('./historian') },
  { name: 'historian-chart', load: () => import('./historian-chart') },
  { name: 'alarms', load: () => import('./alarms') },
];
