import { describe, expect, it } from 'vitest';
import { runBench } from './run';

describe('runBench', () => {
  it('names the known suites when asked for an unknown one', async () => {
    await expect(runBench({ short: true, only: ['nope'], log: () => {} })).rejects.toThrow(
      /Unknown benchmark suite in "nope"; known: .*pipeline/,
    );
  });
});
