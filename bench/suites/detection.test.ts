import { describe, expect, it } from 'vitest';
import { run, skabFiles } from './detection';

describe('detection bench suite (short)', () => {
  it('measures throughput and scores SKAB with the fixed defaults, with sane figures', async () => {
    const lines: string[] = [];
    const figures = await run({ short: true, log: (line) => lines.push(line) });
    expect(figures['detection.samples_per_s']).toBeGreaterThan(0);
    expect(figures['detection.validation_samples_per_s']).toBeGreaterThan(
      figures['detection.samples_per_s']!,
    );
    if (skabFiles(true).length === 0) return; // data set not present on this machine
    expect(figures['detection.skab_files']).toBe(3);
    // Sane, not tuned: better than flagging nothing, few false alarms, a real share of anomalies found.
    expect(figures['detection.skab_f1']).toBeGreaterThan(0.5);
    expect(figures['detection.skab_f1']).toBeLessThanOrEqual(1);
    expect(figures['detection.skab_far']).toBeLessThan(0.2);
    expect(figures['detection.skab_mar']).toBeLessThan(0.6);
    expect(lines.some((l) => l.startsWith('SKAB 3 files'))).toBe(true);
    // Long normal operation: most of it must pass without an alarm.
    expect(figures['detection.skab_anomaly_free_flagged']).toBeLessThan(0.3);
  });
});
