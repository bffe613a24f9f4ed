import { describe, expect, it } from 'vitest';
import { run } from './alarms';

describe('alarms benchmark suite', () => {
  it('runs short and reports every figure as a positive number', async () => {
    const lines: string[] = [];
    const figures = await run({ short: true, log: (l) => lines.push(l) });
    for (const name of [
      'alarms.evaluations_per_s',
      'alarms.latency_p99_ms',
      'alarms.baseline_scan_per_s',
      'alarms.cost_vs_scan',
      'alarms.sqlite_ms_per_transition',
    ]) {
      expect(figures[name], name).toBeGreaterThan(0);
    }
    // Every measured batch crossed limits, so the latency figure measures real transitions.
    expect(figures['alarms.transitions_per_batch']).toBeGreaterThan(10);
    expect(lines.join('\n')).toMatch(/60 batches of 10000 samples/);
  });
});
