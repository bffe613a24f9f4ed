import { describe, expect, it } from 'vitest';
import { VigilApiError, type CommandInput, type LiveSamplesMessage } from '../../../shared/api';
import type { Series } from '../../../shared/domain';
import { STATUS_BAD } from '../../../shared/quality';
import { LiveFeed, type FeedStatus } from './liveFeed';
import { LiveSeriesStore } from './liveSeries';

/**
 * A scripted stand-in for the core's API (the core is another team's process): getRecent
 * answers when the test says so, and the test pushes live messages itself.
 */
function scriptedClient() {
  const recentCalls: CommandInput<'getRecent'>[] = [];
  const answers: { resolve: (s: Series[]) => void; reject: (e: Error) => void }[] = [];
  let onMessage: ((m: LiveSamplesMessage) => void) | null = null;
  let onError: ((e: VigilApiError) => void) | null = null;
  let unsubscribed = 0;
  const client = {
    call: ((name: string, input: CommandInput<'getRecent'>) => {
      if (name !== 'getRecent') throw new Error(`unexpected ${name}`);
      recentCalls.push(input);
      return new Promise<Series[]>((resolve, reject) => answers.push({ resolve, reject }));
    }) as never,
    subscribe: ((
      _name: string,
      _params: unknown,
      handler: (m: LiveSamplesMessage) => void,
      errorHandler: (e: VigilApiError) => void,
    ) => {
      onMessage = handler;
      onError = errorHandler;
      return () => unsubscribed++;
    }) as never,
  };
  return {
    client,
    recentCalls,
    answer: (series: Series[]) => answers.shift()!.resolve(series),
    fail: (e: Error) => answers.shift()!.reject(e),
    push: (series: Series[], dropped = 0) => onMessage!({ series, dropped }),
    streamError: (e: VigilApiError) => onError!(e),
    unsubscribed: () => unsubscribed,
  };
}

const series = (tagId: string, t: number[], q?: number[]): Series => ({
  tagId,
  t,
  v: t.map((x) => x / 10),
  q: q ?? t.map(() => 0),
});

function setup(tagIds = ['a', 'b']) {
  const script = scriptedClient();
  const store = new LiveSeriesStore(tagIds, 100);
  const statuses: FeedStatus[] = [];
  const feed = new LiveFeed(script.client, store, {
    windowMs: 60_000,
    now: () => 100_000,
    onStatus: (s) => statuses.push(s),
  });
  return { script, store, feed, statuses };
}

const times = (store: LiveSeriesStore, tagId: string) => [...store.buffer(tagId)!.toColumns().t];

describe('LiveFeed', () => {
  it('subscribes, prefills from history and stores live samples that arrived meanwhile after it, without duplicates', async () => {
    const { script, store, feed, statuses } = setup();
    const started = feed.start();
    expect(script.recentCalls).toEqual([{ tagIds: ['a', 'b'], sinceMs: 40_000, limit: 100 }]);

    // Live samples overtake the history answer; one of them overlaps the history.
    script.push([series('a', [50_000, 50_100])]);
    expect(store.buffer('a')!.length).toBe(0); // held back until history is in
    script.answer([series('a', [49_800, 49_900, 50_000]), series('b', [49_500])]);
    await started;

    expect(times(store, 'a')).toEqual([49_800, 49_900, 50_000, 50_100]);
    expect(times(store, 'b')).toEqual([49_500]);
    expect(statuses.at(-1)).toEqual({ state: 'live', message: null });

    script.push([series('b', [49_600]), series('other', [1])], 3);
    expect(times(store, 'b')).toEqual([49_500, 49_600]);
    expect(store.dropped).toBe(3);
  });

  it('prefills through loadHistory when given one (the trend fetches scores as M4 columns)', async () => {
    const script = scriptedClient();
    const store = new LiveSeriesStore(['a', 'a#anomaly'], 100);
    const asked: [string[], number, number][] = [];
    let answer: (s: Series[]) => void = () => {};
    const feed = new LiveFeed(script.client, store, {
      windowMs: 60_000,
      now: () => 100_000,
      loadHistory: (tagIds, sinceMs, limit) => {
        asked.push([tagIds, sinceMs, limit]);
        return new Promise((resolve) => (answer = resolve));
      },
    });
    const started = feed.start();
    script.push([series('a#anomaly', [70_000])]);
    answer([series('a', [41_000]), series('a#anomaly', [42_000, 69_000])]);
    await started;
    expect(asked).toEqual([[['a', 'a#anomaly'], 40_000, 100]]);
    expect(script.recentCalls).toEqual([]);
    expect(times(store, 'a#anomaly')).toEqual([42_000, 69_000, 70_000]);
    expect(times(store, 'a')).toEqual([41_000]);
  });

  it('keeps going live when the history cannot be fetched, and says so', async () => {
    const { script, store, feed, statuses } = setup();
    const started = feed.start();
    script.push([series('a', [60_000])]);
    script.fail(new VigilApiError({ code: 'unavailable', message: 'historian offline', issues: [] }));
    await started;
    expect(times(store, 'a')).toEqual([60_000]);
    expect(statuses.at(-1)).toEqual({
      state: 'live',
      message: 'History unavailable, showing live values only: historian offline',
    });
  });

  it('reports a stream the host ended as failed, even once history arrives', async () => {
    const { script, feed, statuses } = setup();
    const started = feed.start();
    script.streamError(new VigilApiError({ code: 'forbidden', message: 'No view permission', issues: [] }));
    script.answer([]);
    await started;
    expect(statuses.at(-1)).toEqual({ state: 'failed', message: 'Live updates stopped: No view permission' });
  });

  it('fills the gap after a reconnect from the oldest newest-sample across tags', async () => {
    const { script, store, feed } = setup();
    const started = feed.start();
    script.answer([series('a', [70_000]), series('b', [65_000])]);
    await started;

    const resynced = feed.resync();
    expect(script.recentCalls[1]).toEqual({ tagIds: ['a', 'b'], sinceMs: 65_000, limit: 100 });
    script.push([series('a', [90_000]), series('b', [90_000])]); // the stream resumes first
    script.answer([series('a', [70_000, 80_000]), series('b', [65_000, 75_000, 85_000])]);
    await resynced;
    expect(times(store, 'a')).toEqual([70_000, 80_000, 90_000]);
    expect(times(store, 'b')).toEqual([65_000, 75_000, 85_000, 90_000]);
  });

  it('ignores a late history answer after dispose and unsubscribes', async () => {
    const { script, store, feed } = setup();
    const started = feed.start();
    feed.dispose();
    expect(script.unsubscribed()).toBe(1);
    script.answer([series('a', [50_000])]);
    await started;
    expect(store.buffer('a')!.length).toBe(0);
  });
});

describe('LiveSeriesStore', () => {
  it('bumps a tag version only when samples were stored and notifies listeners', () => {
    const store = new LiveSeriesStore(['a'], 10);
    let notified = 0;
    store.onChange(() => notified++);
    expect(store.ingest([series('a', [1, 2])])).toBe(2);
    expect(store.version('a')).toBe(1);
    expect(store.ingest([series('a', [2])])).toBe(0); // duplicate
    expect(store.version('a')).toBe(1);
    expect(notified).toBe(1);
    store.ingest([series('a', [3], [STATUS_BAD])]);
    expect(store.buffer('a')!.lastQuality).toBe(STATUS_BAD);
    expect(store.newestTime()).toBe(3);
  });
});
