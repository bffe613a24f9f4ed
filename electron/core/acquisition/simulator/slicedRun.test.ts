import { describe, expect, it } from 'vitest';
import { runSliced } from './slicedRun';

describe('runSliced', () => {
  it('covers every item once, in order, yielding to the event loop between slices', async () => {
    let fakeNow = 0;
    const seen: number[] = [];
    let ranBetween = false;
    const run = runSliced({
      count: 200,
      budgetMs: 5,
      now: () => fakeNow,
      work: (from, to) => {
        for (let i = from; i < to; i++) seen.push(i);
        fakeNow += 5; // every chunk of 32 uses up a slice
      },
    });
    setImmediate(() => (ranBetween = true));
    const result = await run;
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(result.slices).toBe(7); // ceil(200 / 32)
    expect(result.maxSliceMs).toBe(5);
    expect(result.busyMs).toBe(35);
    expect(ranBetween).toBe(true);
  });

  it('stops when cancelled and rejects when the work throws', async () => {
    let calls = 0;
    let now = 0;
    const stopped = await runSliced({
      count: 1000,
      budgetMs: 1,
      now: () => now,
      work: () => {
        calls++;
        now += 1;
      },
      cancelled: () => calls >= 2,
    });
    expect(calls).toBe(2);
    expect(stopped.slices).toBe(2);
    await expect(
      runSliced({
        count: 10,
        work: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
  });
});
