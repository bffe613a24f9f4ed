import { describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import { SampleBatchBuilder } from '../../../shared/samples';
import { StreamHub } from './streamHub';
import type { LiveSamplesMessage } from '../../../shared/api';

function batch(samples: [string, number, number][]) {
  const b = new SampleBatchBuilder(2);
  for (const [tag, t, v] of samples) b.push(tag, t, v, 0);
  return b.take('corr');
}

describe('StreamHub', () => {
  it('sends each subscriber only its tags, at most 30 messages per second', () => {
    const clock = new ManualClock(0);
    const hub = new StreamHub(clock);
    const got: LiveSamplesMessage[] = [];
    hub.subscribe(['a'], (m) => got.push(m));
    // 1,000 batches arriving within one second.
    for (let i = 0; i < 1000; i++) {
      hub.publish(
        batch([
          ['a', i, i],
          ['b', i, -i],
        ]),
      );
      clock.advance(1);
    }
    expect(got.length).toBeLessThanOrEqual(30);
    expect(got.length).toBeGreaterThan(20);
    clock.advance(100);
    // Every sample of tag a, in order, and none of tag b.
    expect(got.every((m) => m.series.every((s) => s.tagId === 'a'))).toBe(true);
    const delivered = got.flatMap((m) => m.series.flatMap((s) => s.v));
    expect(delivered).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    hub.dispose();
  });

  it('counts samples it had to drop for a subscriber that falls behind', () => {
    const clock = new ManualClock(0);
    const hub = new StreamHub(clock, 100);
    const got: LiveSamplesMessage[] = [];
    hub.subscribe(['a'], (m) => got.push(m));
    for (let i = 0; i < 250; i++) hub.publish(batch([['a', i, i]]));
    clock.advance(40);
    const delivered = got.reduce((n, m) => n + m.series.reduce((k, s) => k + s.v.length, 0), 0);
    const dropped = got.reduce((n, m) => n + m.dropped, 0);
    expect(delivered + dropped).toBe(250);
    expect(dropped).toBeGreaterThan(0);
    // The newest samples are the ones kept.
    expect(got.at(-1)?.series[0]?.v.at(-1)).toBe(249);
    hub.dispose();
  });

  it('stops sending after unsubscribe', () => {
    const clock = new ManualClock(0);
    const hub = new StreamHub(clock);
    let count = 0;
    const sub = hub.subscribe(['a'], () => count++);
    hub.publish(batch([['a', 1, 1]]));
    clock.advance(40);
    void sub.dispose();
    hub.publish(batch([['a', 2, 2]]));
    clock.advance(40);
    expect(count).toBe(1);
    hub.dispose();
  });
});
