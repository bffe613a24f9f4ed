import { describe, expect, it } from 'vitest';
import { run } from '../../bench/suites/opcua';

describe('the opcua benchmark suite (short run)', () => {
  it('measures throughput, client CPU per value and subscribe time with nothing lost', async () => {
    const lines: string[] = [];
    const figures = await run({ short: true, log: (line) => lines.push(line) });
    expect(Object.keys(figures).sort()).toEqual([
      'opcua.client_us_per_value',
      'opcua.server_ticks_skipped',
      'opcua.subscribe_10k_s',
      'opcua.values_lost',
      'opcua.values_per_s',
    ]);
    expect(figures['opcua.values_lost']).toBe(0);
    expect(figures['opcua.values_per_s']).toBeGreaterThan(0);
    expect(figures['opcua.client_us_per_value']).toBeGreaterThan(0);
    expect(figures['opcua.subscribe_10k_s']).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/1000 bulk tags/);
  });
});
