import { describe, expect, it } from 'vitest';
import { SeriesSchema } from './domain';

describe('SeriesSchema', () => {
  it('reads a sample without a number back as NaN, whether it came as null (JSON) or NaN (IPC)', () => {
    const fromJson = SeriesSchema.parse(
      JSON.parse(JSON.stringify({ tagId: 'a', t: [1, 2], v: [1.5, NaN], q: [0, 0x80000000] })),
    );
    expect(fromJson.v[0]).toBe(1.5);
    expect(Number.isNaN(fromJson.v[1])).toBe(true);
    const fromIpc = SeriesSchema.parse({ tagId: 'a', t: [1], v: [NaN], q: [0x80000000] });
    expect(Number.isNaN(fromIpc.v[0])).toBe(true);
    expect(SeriesSchema.safeParse({ tagId: 'a', t: [1], v: ['x'], q: [0] }).success).toBe(false);
  });
});
