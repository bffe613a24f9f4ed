import { describe, expect, it } from 'vitest';
import { SequencedLoader, type LoaderTimers } from './sequencedLoader';

/** Timers that run when the test moves the clock. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; cb: () => void }>();
  const timers: LoaderTimers = {
    setTimeout: (cb, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, cb });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
    now: () => now,
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].cb();
    }
    now = until;
  };
  return { timers, advance };
}

/** A fetch the test answers by hand, in any order. */
function scriptedFetch<P>() {
  const calls: { plan: P; resolve: (r: string) => void; reject: (e: Error) => void }[] = [];
  const fetch = (plan: P) => new Promise<string>((resolve, reject) => calls.push({ plan, resolve, reject }));
  return { calls, fetch };
}

const flush = () => new Promise<void>((r) => setTimeout(r, 0));

function setup(options: { debounceMs?: number; maxWaitMs?: number; loadingDelayMs?: number } = {}) {
  const { timers, advance } = manualTimers();
  const { calls, fetch } = scriptedFetch<string>();
  let wanted: string | null = 'a';
  const results: [string, string, number][] = [];
  const errors: [string, string][] = [];
  const loading: boolean[] = [];
  const loader = new SequencedLoader<string, string>({
    plan: () => wanted,
    fetch,
    onResult: (r, plan, seq) => results.push([r, plan, seq]),
    onError: (e, plan) => errors.push([e.message, plan]),
    onLoading: (l) => loading.push(l),
    timers,
    debounceMs: 100,
    maxWaitMs: 300,
    loadingDelayMs: 250,
    ...options,
  });
  return {
    loader,
    calls,
    results,
    errors,
    loading,
    advance,
    want: (p: string | null) => (wanted = p),
  };
}

describe('SequencedLoader', () => {
  it('coalesces a burst of changes into one request for the latest plan', () => {
    const t = setup();
    for (const plan of ['a', 'b', 'c']) {
      t.want(plan);
      t.loader.schedule();
      t.advance(50);
    }
    expect(t.calls).toHaveLength(0);
    t.advance(100);
    expect(t.calls.map((c) => c.plan)).toEqual(['c']);
  });

  it('still fetches during a long continuous gesture (maxWait), not only when it stops', () => {
    const t = setup();
    for (let i = 0; i < 10; i++) {
      t.loader.schedule();
      t.advance(40); // a wheel event every 40 ms: the debounce alone would never fire
    }
    expect(t.calls.length).toBeGreaterThanOrEqual(1);
  });

  it('asks at once for a discrete choice', () => {
    const t = setup();
    t.loader.schedule(true);
    expect(t.calls).toHaveLength(1);
  });

  it('keeps one request in flight and then fetches the latest plan, once', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.want('b');
    t.loader.schedule(true);
    t.want('c');
    t.loader.schedule(true);
    expect(t.calls.map((c) => c.plan)).toEqual(['a']);
    t.calls[0]!.resolve('A');
    await flush();
    expect(t.results).toEqual([['A', 'a', 1]]);
    expect(t.calls.map((c) => c.plan)).toEqual(['a', 'c']);
    t.calls[1]!.resolve('C');
    await flush();
    expect(t.results).toEqual([
      ['A', 'a', 1],
      ['C', 'c', 2],
    ]);
  });

  it('does not ask again when the plan says everything is there', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.loader.schedule(true); // queued behind the first
    t.want(null); // ... but the first answer covers it
    t.calls[0]!.resolve('A');
    await flush();
    expect(t.calls).toHaveLength(1);
  });

  it('drops the answer of a request made before cancel() (the operator went back to live)', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.loader.cancel();
    t.calls[0]!.resolve('stale');
    await flush();
    expect(t.results).toEqual([]);
    // The next request is accepted, with a higher sequence number.
    t.loader.schedule(true);
    t.calls[1]!.resolve('fresh');
    await flush();
    expect(t.results).toEqual([['fresh', 'a', 2]]);
  });

  it('shows loading only for a request that takes a while, and clears it after', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.advance(200);
    expect(t.loading).toEqual([]);
    t.calls[0]!.resolve('quick');
    await flush();
    expect(t.loading).toEqual([]);

    t.loader.schedule(true);
    t.advance(300);
    expect(t.loading).toEqual([true]);
    t.calls[1]!.resolve('slow');
    await flush();
    expect(t.loading).toEqual([true, false]);
  });

  it('reports a failed request with its plan and keeps working', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.calls[0]!.reject(new Error('historian unavailable'));
    await flush();
    expect(t.errors).toEqual([['historian unavailable', 'a']]);
    t.loader.schedule(true);
    t.calls[1]!.resolve('ok');
    await flush();
    expect(t.results.map((r) => r[0])).toEqual(['ok']);
  });

  it('is not stalled by a result handler that throws', async () => {
    const { timers } = manualTimers();
    const { calls, fetch } = scriptedFetch<string>();
    const seen: string[] = [];
    const loader = new SequencedLoader<string, string>({
      plan: () => 'p',
      fetch,
      onResult: (r) => {
        seen.push(r);
        if (r === 'boom') throw new Error('handler failed');
      },
      onError: () => {},
      timers,
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      loader.schedule(true);
      loader.schedule(true); // queued
      calls[0]!.resolve('boom');
      await flush();
      expect(calls).toHaveLength(2); // the queued request still went out
      calls[1]!.resolve('fine');
      await flush();
      expect(seen).toEqual(['boom', 'fine']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('stops for good when disposed', async () => {
    const t = setup();
    t.loader.schedule(true);
    t.loader.dispose();
    t.calls[0]!.resolve('late');
    await flush();
    t.loader.schedule(true);
    t.advance(1000);
    expect(t.results).toEqual([]);
    expect(t.calls).toHaveLength(1);
  });
});
