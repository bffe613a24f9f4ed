import { describe, expect, it } from 'vitest';
import { SampleBatchBuilder } from '../../../shared/samples';
import { RingStore } from './ringStore';

describe('RingStore', () => {
  it('keeps the newest samples per tag in time order across wrap-around', () => {
    const store = new RingStore(5);
    const b = new SampleBatchBuilder(1);
    for (let i = 0; i < 12; i++) {
      b.push('a', i * 10, i, i === 11 ? 0x80000000 : 0);
      b.push('b', i * 10, -i, 0);
    }
    store.append(b.take('c1'));
    const a = store.recent('a');
    expect(a.t).toEqual([70, 80, 90, 100, 110]);
    expect(a.v).toEqual([7, 8, 9, 10, 11]);
    expect(a.q.at(-1)).toBe(0x80000000);
    expect(store.recent('b', -Infinity, 2).v).toEqual([-10, -11]);
    expect(store.recent('a', 90).t).toEqual([100, 110]);
    expect(store.recent('unknown').t).toEqual([]);
  });
});
