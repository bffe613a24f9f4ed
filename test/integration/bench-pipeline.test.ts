import { describe, expect, it } from 'vitest';
import { run } from '../../bench/suites/pipeline';

describe('pipeline benchmark (short mode)', () => {
  it('moves every bulk value from the simulator into the pipeline and reports its figures', async () => {
    const lines: string[] = [];
    const figures = await run({ short: true, log: (line) => lines.push(line) });
    expect(figures['pipeline.samples_per_s']).toBeGreaterThan(0);
    // No value the simulator wrote inside the measuring window is missing.
    expect(figures['pipeline.delivery_ratio']).toBe(1);
    expect(lines.join('\n')).toMatch(/bulk values stamped in the window: (\d+) of \1 written/);
  });
});
