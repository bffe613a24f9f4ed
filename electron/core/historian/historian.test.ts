import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../app/clock';
import {
  HistorianInputError,
  HistorianUnavailableError,
  openHistorian,
  type Historian,
  type HistorianFault,
  type HistorianOptions,
} from './index';
import {
  batchOf,
  expectedSeries,
  referenceAggregate,
  seeded,
  tempDataDir,
  type Sample,
} from './testing/fixtures';
import { DAY, HOUR, MINUTE, SECOND } from './types';

const T0 = Date.UTC(2024, 2, 1); // aligned to days, hours, minutes
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(options: Partial<HistorianOptions> = {}): {
  historian: Historian;
  dir: string;
  clock: ManualClock;
  reopen(extra?: Partial<HistorianOptions>): Historian;
} {
  const temp = tempDataDir();
  const clock = new ManualClock(T0 + 30 * DAY);
  let current: Historian | null = null;
  const open = (extra: Partial<HistorianOptions> = {}): Historian => {
    // No fsync per commit here (durability is the crash test's subject): keeps these tests fast.
    current = openHistorian({
      dataDir: temp.dir,
      clock,
      autoFlush: false,
      synchronous: 'normal',
      ...options,
      ...extra,
    });
    return current;
  };
  cleanups.push(() => {
    current?.close();
    temp.remove();
  });
  const historian = open();
  return {
    historian,
    dir: temp.dir,
    clock,
    reopen: (extra) => {
      current?.close();
      return open(extra);
    },
  };
}

/**
 * Three tags at very different rates over three hours: 10 Hz, 1 Hz with jitter, one sample
 * every 90 s; NaN values, Bad and Uncertain stretches, a late backfill and duplicate timestamps.
 */
function workload(): Sample[] {
  const r = seeded(7);
  const out: Sample[] = [];
  const span = 3 * HOUR;
  for (let t = 0; t < span; t += 100) {
    const q = t > 20 * MINUTE && t < 21 * MINUTE ? 0x80000000 : t % 777_000 < 5000 ? 0x40000000 : 0;
    out.push({ tagId: 'fast', t: T0 + t, v: Math.round(Math.sin(t / 60_000) * 10_000) / 100, q });
  }
  for (let t = 0; t < span; t += 1000) {
    const jitter = Math.floor(r() * 5) - 2;
    out.push({
      tagId: 'plant/pump 1, "A"',
      t: T0 + 350 + t + jitter,
      v: r() < 0.01 ? NaN : Math.round(r() * 5000) / 10,
      q: 0,
    });
  }
  for (let t = 0; t < span; t += 90_000) out.push({ tagId: 'slow', t: T0 + t + 17, v: t / 1000, q: 0 });
  // Arrival order: mostly time order, with one tag's first hour re-sent late (backfill) and
  // a few duplicate timestamps.
  const sorted = out.sort((a, b) => a.t - b.t);
  const late = sorted.filter(
    (s) => s.tagId === 'plant/pump 1, "A"' && s.t < T0 + 40 * MINUTE && s.t > T0 + 30 * MINUTE,
  );
  const main = sorted.filter((s) => !late.includes(s));
  const duplicates = main
    .filter((s) => s.tagId === 'fast' && s.t % 600_000 === 0)
    .map((s) => ({ ...s, v: s.v + 1 }));
  return [...main, ...duplicates, ...late];
}

function ingest(historian: Historian, samples: Sample[], seed = 3): void {
  const r = seeded(seed);
  let i = 0;
  while (i < samples.length) {
    const size = 1 + Math.floor(r() * 4000);
    historian.append(batchOf(samples.slice(i, i + size)));
    i += size;
    if (r() < 0.3) historian.flush();
  }
}

/** Compares a raw query with the expected samples; reports the first difference (fast on 100k). */
function expectRaw(historian: Historian, samples: Sample[], tagId: string, from: number, to: number): void {
  const expected = expectedSeries(samples, tagId, from, to);
  const got = historian.raw(tagId, from, to);
  let first = -1;
  for (let i = 0; i < Math.max(expected.length, got.t.length) && first < 0; i++) {
    const e = expected[i];
    const same = e !== undefined && got.t[i] === e.t && Object.is(got.v[i], e.v) && got.q[i] === e.q;
    if (!same) first = i;
  }
  const context =
    first < 0
      ? null
      : {
          at: first,
          expected: expected.slice(first, first + 3),
          got: Array.from(got.t.slice(first, first + 3)),
        };
  expect({ tagId, from, to, length: got.t.length, mismatch: context }).toEqual({
    tagId,
    from,
    to,
    length: expected.length,
    mismatch: null,
  });
}

const smallChunks: Partial<HistorianOptions> = {
  chunkSamples: 256,
  maxChunkSpanMs: 10 * MINUTE,
  sealIdleMs: HOUR,
};

describe('historian storage', () => {
  it('returns exactly what was written, across chunk boundaries, before and after flush and reopen', () => {
    const { historian, reopen } = setup(smallChunks);
    const samples = workload();
    const tags = ['fast', 'plant/pump 1, "A"', 'slow'];
    // Pending only: visible before any flush.
    historian.append(batchOf(samples.slice(0, 500)));
    expectRaw(historian, samples.slice(0, 500), 'fast', T0, T0 + HOUR);
    ingest(historian, samples.slice(500));
    const stats = historian.stats();
    expect(stats.sources[0]!.rows).toBeGreaterThan(50); // many chunks and open segments
    const r = seeded(11);
    const check = (h: Historian): void => {
      for (const tag of tags) {
        expectRaw(h, samples, tag, T0 - HOUR, T0 + 4 * HOUR);
        for (let k = 0; k < 8; k++) {
          const a = T0 + Math.floor(r() * 3 * HOUR);
          const b = a + Math.floor(r() * 30 * MINUTE);
          expectRaw(h, samples, tag, a, b);
        }
      }
    };
    check(historian);
    historian.flush();
    const reopened = reopen();
    check(reopened);
    // Exclusive end and limit.
    const limited = reopened.raw('fast', T0, T0 + HOUR, { limit: 100 });
    expect(limited.t.length).toBe(100);
    expect(limited.truncated).toBe(true);
    expect(limited.t[0]).toBe(T0);
    const exclusive = reopened.raw('slow', T0 + 17, T0 + 90_017, { toExclusive: true });
    expect(Array.from(exclusive.t)).toEqual([T0 + 17]);
    expect(reopened.raw('never-seen', T0, T0 + DAY).t.length).toBe(0);
  });

  it('keeps a real-time trickle in a bounded number of rows and seals idle tags', () => {
    // synchronous 'normal': 2400 commits without an fsync each keep the test fast.
    const { historian, clock } = setup({
      chunkSamples: 1024,
      sealIdleMs: 10 * MINUTE,
      synchronous: 'normal',
    });
    const samples: Sample[] = [];
    // 30 tags at 1 Hz, flushed every 500 ms as the timer does: one sample per tag every other flush.
    for (let tick = 0; tick < 2400; tick++) {
      clock.advance(500);
      if (tick % 2 === 0) {
        const batch = Array.from({ length: 30 }, (_, k) => ({
          tagId: `t${k}`,
          t: T0 + tick * 500 + k,
          v: tick + k / 100,
          q: 0,
        }));
        samples.push(...batch);
        historian.append(batchOf(batch));
      }
      historian.flush();
      if (tick % 400 === 399) {
        // Segments are merged as they pile up: a few dozen rows per tag, not one per sample.
        expect(historian.stats().sources[0]!.rows).toBeLessThan(30 * 40);
      }
    }
    for (const tag of ['t0', 't29']) expectRaw(historian, samples, tag, T0, T0 + DAY);
    const minuteItems = () => historian.stats().sources.find((s) => s.resolutionMs === MINUTE)!.items;
    expect(minuteItems()).toBeGreaterThan(0); // 1200 samples per tag: one chunk sealed with its rollups
    const before = minuteItems();
    // The tags go quiet: their open chunks are sealed, so their rollups are stored too.
    clock.advance(11 * MINUTE);
    historian.flush();
    expect(minuteItems()).toBeGreaterThan(before);
    const [perMinute] = historian.aggregate({
      tagIds: ['t5'],
      from: T0,
      to: T0 + 20 * MINUTE,
      intervalMs: MINUTE,
    });
    expect(Array.from(perMinute!.columns.count)).toEqual(new Array(20).fill(60));
    expect(historian.stats().sources[0]!.rows).toBeLessThan(30 * 4);
  });

  it('keeps rollups equal to the aggregates computed from the raw samples', () => {
    const { historian } = setup({ ...smallChunks, sealIdleMs: 1 });
    const samples = workload();
    ingest(historian, samples);
    historian.flush();
    // Seal the idle open chunks too, so most of the data is served from stored rollups.
    historian.flush();
    for (const tag of ['fast', 'plant/pump 1, "A"', 'slow']) {
      const series = expectedSeries(samples, tag);
      const valueAt = new Map(series.map((s) => [s.t, s.v] as const));
      const duplicateTimes = new Set(
        series.filter((s, i) => i > 0 && series[i - 1]!.t === s.t).map((s) => s.t),
      );
      for (const interval of [SECOND, 10 * SECOND, MINUTE, 5 * MINUTE, HOUR]) {
        const from = T0;
        const to = T0 + 3 * HOUR;
        const [got] = historian.aggregate({ tagIds: [tag], from, to, intervalMs: interval });
        const expected = referenceAggregate(series, from, to, interval);
        expect(got!.columns.t.length).toBe(expected.length);
        expect(got!.resolutionMs).toBe(
          interval === 5 * MINUTE ? MINUTE : interval === 10 * SECOND ? SECOND : interval,
        );
        const c = got!.columns;
        const at = `${tag} every ${interval} ms`;
        const pick = (f: (e: (typeof expected)[number]) => number): unknown[] => [at, ...expected.map(f)];
        expect([at, ...c.count]).toEqual(pick((e) => e.count));
        expect([at, ...c.validCount]).toEqual(pick((e) => e.validCount));
        expect([at, ...c.min]).toEqual(pick((e) => e.min));
        expect([at, ...c.max]).toEqual(pick((e) => e.max));
        expect([at, ...c.first]).toEqual(pick((e) => e.first));
        expect([at, ...c.last]).toEqual(pick((e) => e.last));
        expect([at, ...c.tFirst]).toEqual(pick((e) => e.tFirst));
        expect([at, ...c.tLast]).toEqual(pick((e) => e.tLast));
        expect([at, ...c.quality]).toEqual(pick((e) => e.quality));
        // Sums are added in a different order than the reference: equal to rounding.
        const worstMeanError = Math.max(
          0,
          ...expected.map((e, i) =>
            e.validCount > 0
              ? Math.abs(c.mean[i]! - e.mean) / Math.max(1, Math.abs(e.mean))
              : Number.isNaN(c.mean[i]!)
                ? 0
                : 1,
          ),
        );
        expect(worstMeanError).toBeLessThan(1e-9);
        // tMin / tMax point at a sample holding the extreme value.
        const badExtremes = expected.filter(
          (e, i) =>
            e.validCount > 0 &&
            !duplicateTimes.has(c.tMin[i]!) &&
            !duplicateTimes.has(c.tMax[i]!) &&
            (valueAt.get(c.tMin[i]!) !== e.min || valueAt.get(c.tMax[i]!) !== e.max),
        );
        expect(badExtremes).toEqual([]);
      }
    }
    // The fast tag's second and minute data really came from stored blocks.
    const stats = historian.stats();
    expect(stats.sources.find((s) => s.resolutionMs === SECOND)!.items).toBeGreaterThan(5000);
    expect(stats.sources.find((s) => s.resolutionMs === MINUTE)!.items).toBeGreaterThan(150);
  });

  it('answers a chart with M4 columns identical to brute force over the raw samples', () => {
    const { historian } = setup({ ...smallChunks, sealIdleMs: 1, chartRawBudget: 1000 });
    const samples = workload();
    ingest(historian, samples);
    historian.flush();
    historian.flush();
    const series = expectedSeries(samples, 'fast');
    // 180 columns of 1 minute: the planner must use the 1 min rollups, aligned to the columns.
    const [chart] = historian.chart({ tagIds: ['fast'], from: T0, to: T0 + 3 * HOUR, width: 180 });
    expect(chart!.resolutionMs).toBe(MINUTE);
    const expected = referenceAggregate(series, T0, T0 + 3 * HOUR, MINUTE).filter((b) => b.count > 0);
    expect(Array.from(chart!.columns.t)).toEqual(expected.map((b) => b.start));
    expect(Array.from(chart!.columns.min)).toEqual(expected.map((b) => b.min));
    expect(Array.from(chart!.columns.max)).toEqual(expected.map((b) => b.max));
    expect(Array.from(chart!.columns.first)).toEqual(expected.map((b) => b.first));
    expect(Array.from(chart!.columns.last)).toEqual(expected.map((b) => b.last));
    expect(Array.from(chart!.columns.count)).toEqual(expected.map((b) => b.count));

    // Unaligned pixels over a short range: raw M4, exact per column.
    const from = T0 + 12_345;
    const to = from + 19_000;
    const [raw] = historian.chart({ tagIds: ['fast'], from, to, width: 37 });
    expect(raw!.resolutionMs).toBe(0);
    const inRange = series.filter((s) => s.t >= from && s.t < to);
    expect(raw!.columns.count.reduce((a, b) => a + b, 0)).toBe(inRange.length);
    const usable = inRange.filter((s) => Number.isFinite(s.v) && s.q >>> 30 < 2).map((s) => s.v);
    expect(Math.min(...raw!.columns.min)).toBe(Math.min(...usable));
    expect(Math.max(...raw!.columns.max)).toBe(Math.max(...usable));
  });

  it('picks the coarsest fitting resolution and zooms from raw to hours without losing peaks', () => {
    const { historian } = setup({ chartRawBudget: 5000 });
    // Two days of a 1 Hz tag with a single one-second spike.
    const samples: Sample[] = [];
    for (let t = 0; t < 2 * DAY; t += 1000)
      samples.push({ tagId: 'x', t: T0 + t, v: t === 30 * HOUR ? 999 : 1, q: 0 });
    for (let i = 0; i < samples.length; i += 20_000) {
      historian.append(batchOf(samples.slice(i, i + 20_000)));
      historian.flush();
    }
    // The coarsest resolution whose bucket fits in a pixel column, unless raw is cheap enough.
    const zooms = [
      { span: 2 * DAY, width: 40, expected: HOUR },
      { span: 6 * HOUR, width: 300, expected: MINUTE },
      { span: 2 * HOUR, width: 600, expected: SECOND }, // served by the chunks themselves
      { span: 20 * MINUTE, width: 600, expected: 0 },
    ];
    for (const { span, width, expected } of zooms) {
      const from = T0 + 30 * HOUR - span / 2;
      const [chart] = historian.chart({ tagIds: ['x'], from, to: from + span, width });
      expect(chart!.resolutionMs).toBe(expected);
      expect(Math.max(...chart!.columns.max)).toBe(999);
      expect(chart!.columns.count.reduce((a, b) => a + b, 0)).toBe(
        samples.filter((s) => s.t >= from && s.t < from + span).length,
      );
    }
  });

  it('returns the last value and the most recent samples per tag', () => {
    const { historian } = setup(smallChunks);
    const samples = workload();
    ingest(historian, samples);
    const last = historian.last(['fast', 'slow', 'missing']);
    const fast = expectedSeries(samples, 'fast');
    expect(last[0]).toMatchObject({ tagId: 'fast', t: fast.at(-1)!.t, v: fast.at(-1)!.v });
    expect(last[1]!.t).toBe(expectedSeries(samples, 'slow').at(-1)!.t);
    expect(last[2]).toBeNull();
    const [recent] = historian.recent(['plant/pump 1, "A"'], T0 + 2 * HOUR, 50);
    const expected = expectedSeries(samples, 'plant/pump 1, "A"')
      .filter((s) => s.t > T0 + 2 * HOUR)
      .slice(-50);
    expect(Array.from(recent!.t)).toEqual(expected.map((s) => s.t));
    expect(recent!.truncated).toBe(true);
    // A new pending sample is the last value at once.
    historian.append(batchOf([{ tagId: 'slow', t: T0 + 5 * HOUR, v: 5, q: 0 }]));
    expect(historian.last(['slow'])[0]).toMatchObject({ t: T0 + 5 * HOUR, v: 5 });
  });

  it('refuses bad queries with clear errors and counts samples with bad timestamps', () => {
    const { historian } = setup();
    expect(() => historian.raw('x', 10, 5)).toThrow(HistorianInputError);
    expect(() => historian.chart({ tagIds: ['x'], from: 0, to: 10, width: 0 })).toThrow(/width/);
    expect(() => historian.chart({ tagIds: [], from: 0, to: 10, width: 10 })).toThrow(/tagIds/);
    expect(() => historian.aggregate({ tagIds: ['x'], from: 0, to: DAY * 1000, intervalMs: 1 })).toThrow(
      /intervals/,
    );
    const result = historian.append(
      batchOf([
        { tagId: 'x', t: NaN, v: 1, q: 0 },
        { tagId: 'x', t: Infinity, v: 1, q: 0 },
        { tagId: 'x', t: T0, v: 1, q: 0 },
      ]),
    );
    expect(result).toEqual({ accepted: 1, dropped: 0, rejected: 2 });
    expect(historian.status().ingest.rejected).toBe(2);
    historian.flush();
    expect(historian.raw('x', T0, T0 + 1).t.length).toBe(1);
  });
});

describe('historian retention', () => {
  it('expires each resolution in bounded steps and keeps long trends complete through the coarser ones', () => {
    const { historian, clock } = setup({
      retention: { raw: DAY, rollups: { [SECOND]: 2 * DAY, [MINUTE]: 5 * DAY, [HOUR]: null } },
      retentionBatchRows: 10,
      maxChunkSpanMs: HOUR,
      chunkSamples: 1024,
    });
    // Twelve days of a 10 s tag, written as it arrives (one flush per hour of data).
    const start = T0;
    const samples: Sample[] = [];
    for (let t = 0; t < 12 * DAY; t += 10_000)
      samples.push({ tagId: 'p', t: start + t, v: (t / 10_000) % 97, q: 0 });
    clock.advance(start + 12 * DAY - clock.now());
    for (let i = 0; i < samples.length; i += 360) {
      historian.append(batchOf(samples.slice(i, i + 360)));
      historian.flush();
    }
    const before = historian.stats();
    let steps = 0;
    for (;;) {
      steps++;
      const { more } = historian.runRetentionStep();
      if (!more) break;
    }
    expect(steps).toBeGreaterThan(3); // bounded steps, not one big delete
    const after = historian.stats();
    const source = (label: string) => after.sources.find((s) => s.label === label)!;
    expect(source('raw').rows).toBeLessThan(before.sources[0]!.rows);
    const now = clock.now();
    // Chunks of this tag stand in for its 1 s rollups, so they live for the 1 s retention.
    expect(source('raw').oldest!).toBeGreaterThanOrEqual(now - 2 * DAY - HOUR);
    expect(source('1min').oldest!).toBeGreaterThanOrEqual(now - 5 * DAY - 256 * MINUTE);
    expect(source('1min').oldest!).toBeLessThan(now - 5 * DAY + 256 * MINUTE);
    expect(source('1h').oldest).toBe(start);
    expect(source('raw').horizon).toBe(now - DAY);
    // Raw samples older than the retention are gone...
    expect(historian.raw('p', start, start + DAY).t.length).toBe(0);
    // ...yet an hourly trend over all twelve days has every sample in every hour: the parts
    // whose fine data expired come from the coarser rollups, without gaps or double counts.
    const [trend] = historian.chart({ tagIds: ['p'], from: start, to: start + 12 * DAY, width: 12 * 24 });
    expect(trend!.columns.t.length).toBe(12 * 24);
    expect(new Set(trend!.columns.count)).toEqual(new Set([360]));
    // The newest part is read raw (few enough samples left), the older ones from rollups.
    expect(trend!.sources[0]).toMatchObject({ resolutionMs: 0, to: start + 12 * DAY });
    expect(trend!.sources.at(-1)).toMatchObject({ resolutionMs: HOUR, from: start });
    const [hourly] = historian.aggregate({
      tagIds: ['p'],
      from: start,
      to: start + 12 * DAY,
      intervalMs: HOUR,
    });
    expect(new Set(hourly!.columns.count)).toEqual(new Set([360]));
    // A minute-level view across the 1 min horizon stitches 1 min and 1 h data.
    const [stitched] = historian.chart({
      tagIds: ['p'],
      from: now - 7 * DAY,
      to: now - 3 * DAY,
      width: 4 * 24 * 6,
    });
    expect(stitched!.sources.length).toBeGreaterThan(1);
    expect(stitched!.columns.count.reduce((a, b) => a + b, 0)).toBe((4 * DAY) / 10_000);
  });
});

describe('historian faults', () => {
  it('pauses on a full disk, keeps every sample in memory, raises a fault and resumes', () => {
    const { historian, clock } = setup({ maxDatabaseBytes: 400_000, retryIntervalMs: 1000 });
    const faults: HistorianFault[] = [];
    const recovered: HistorianFault[] = [];
    historian.onFault((f) => faults.push(f));
    historian.onRecovered((f) => recovered.push(f));
    const r = seeded(1);
    const samples: Sample[] = [];
    let t = T0;
    let full = false;
    for (let round = 0; round < 200 && !full; round++) {
      const batch: Sample[] = [];
      for (let i = 0; i < 5000; i++) batch.push({ tagId: `t${i % 20}`, t: (t += 7), v: r() * 1e6, q: 0 });
      samples.push(...batch);
      historian.append(batchOf(batch));
      try {
        historian.flush();
      } catch (err) {
        expect(err).toBeInstanceOf(HistorianUnavailableError);
        full = true;
      }
    }
    expect(full).toBe(true);
    expect(faults.map((f) => f.kind)).toEqual(['disk_full']);
    expect(faults[0]!.message).toMatch(/disk|full/i);
    expect(historian.status().state).toBe('faulted');
    const pending = historian.status().ingest.pending;
    expect(pending).toBeGreaterThan(0);
    // Ingestion goes on into memory meanwhile; queries still answer.
    const more = Array.from({ length: 100 }, (_, i) => ({ tagId: 't0', t: (t += 7), v: i, q: 0 }));
    samples.push(...more);
    historian.append(batchOf(more));
    expect(historian.raw('t0', T0, t).t.length).toBe(samples.filter((s) => s.tagId === 't0').length);
    // Space comes back: the next tick writes everything and reports recovery.
    historian.setMaxDatabaseBytes(null);
    historian.tick(); // too early: retries wait for retryIntervalMs
    expect(historian.status().state).toBe('faulted');
    clock.advance(1000);
    historian.tick();
    expect(recovered.map((f) => f.kind)).toEqual(['disk_full']);
    expect(historian.status()).toMatchObject({
      state: 'open',
      faults: [],
      ingest: { pending: 0, dropped: 0 },
    });
    for (const tag of ['t0', 't7', 't19']) {
      expect(historian.raw(tag, T0, t).t.length).toBe(samples.filter((s) => s.tagId === tag).length);
    }
  });

  it('refuses samples beyond the spill bound, counts them and says so', () => {
    const { historian } = setup({ maxPendingSamples: 1000, maxDatabaseBytes: 1 });
    const faults: HistorianFault[] = [];
    historian.onFault((f) => faults.push(f));
    const batch = Array.from({ length: 1500 }, (_, i) => ({ tagId: 'a', t: T0 + i, v: i, q: 0 }));
    const result = historian.append(batchOf(batch));
    expect(result).toEqual({ accepted: 1000, dropped: 500, rejected: 0 });
    expect(faults.map((f) => f.kind)).toContain('spill_overflow');
    expect(historian.status().ingest.dropped).toBe(500);
  });

  it('reports a corrupt file, keeps ingesting into memory, and recovers by restoring a backup', async () => {
    const { historian, dir, reopen } = setup();
    historian.append(batchOf([{ tagId: 'a', t: T0, v: 1, q: 0 }]));
    historian.flush();
    const backupFile = path.join(dir, 'backup.db');
    await historian.backup(backupFile);
    historian.close();
    const file = path.join(dir, 'historian.db');
    fs.writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });

    const broken = reopen();
    expect(broken.status().state).toBe('faulted');
    expect(broken.status().faults[0]).toMatchObject({ kind: 'corrupt' });
    expect(broken.status().faults[0]!.message).toMatch(/restore/);
    broken.append(batchOf([{ tagId: 'a', t: T0 + 1000, v: 2, q: 0 }]));
    expect(() => broken.flush()).toThrow(HistorianUnavailableError);
    const recovered: HistorianFault[] = [];
    broken.onRecovered((f) => recovered.push(f));
    const result = await broken.restore(backupFile);
    expect(result.movedAside).toMatch(/before-restore/);
    expect(fs.readFileSync(result.movedAside!).subarray(0, 4)).toEqual(Buffer.from('ZZZZ'));
    expect(recovered.map((f) => f.kind)).toEqual(['corrupt']);
    broken.flush();
    expect(Array.from(broken.raw('a', T0, T0 + 2000).v)).toEqual([1, 2]);
  });
});

describe('historian backup, restore and export', () => {
  it('backs up online while ingesting and restores to that point, keeping pending samples', async () => {
    const { historian, dir } = setup();
    const write = (from: number, n: number): void => {
      historian.append(
        batchOf(
          Array.from({ length: n }, (_, i) => ({ tagId: 'b', t: T0 + (from + i) * 1000, v: from + i, q: 0 })),
        ),
      );
    };
    write(0, 5000);
    historian.flush();
    const backupFile = path.join(dir, 'snap.db');
    const backup = historian.backup(backupFile);
    write(5000, 1000); // arrives while the backup runs
    const result = await backup;
    expect(result.bytes).toBeGreaterThan(0);
    await expect(historian.backup(backupFile)).rejects.toThrow(/exists/);
    historian.flush();
    write(6000, 10); // pending at restore time
    expect(historian.raw('b', T0, T0 + DAY).t.length).toBe(6010);
    await historian.restore(backupFile);
    historian.flush();
    const restored = historian.raw('b', T0, T0 + DAY);
    // The backup held the first 5000 (+ possibly the ones flushed with it); the 10 pending survive.
    expect(restored.t.length).toBeGreaterThanOrEqual(5010);
    expect(Array.from(restored.v.slice(-10))).toEqual(Array.from({ length: 10 }, (_, i) => 6000 + i));
    expect(restored.v[4999]).toBe(4999);
    await expect(historian.restore(path.join(dir, 'missing.db'))).rejects.toThrow(/does not exist/);
    const notHistorian = path.join(dir, 'other.db');
    fs.writeFileSync(notHistorian, 'not sqlite at all');
    await expect(historian.restore(notHistorian)).rejects.toThrow();
    expect(historian.status().state).toBe('open');
  });

  it('exports chosen tags to CSV in time order, with quoting and exact values', async () => {
    const { historian, dir } = setup(smallChunks);
    const samples = workload();
    ingest(historian, samples);
    const file = path.join(dir, 'export.csv');
    const from = T0 + 29 * MINUTE;
    const to = T0 + 41 * MINUTE;
    const result = await historian.exportCsv({ tagIds: ['slow', 'plant/pump 1, "A"'], from, to, file });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('time,epoch_ms,tag,value,status_code,quality');
    const expected = [
      ...expectedSeries(samples, 'slow', from, to - 1),
      ...expectedSeries(samples, 'plant/pump 1, "A"', from, to - 1),
    ].sort((a, b) => a.t - b.t);
    expect(result.rows).toBe(expected.length);
    expect(lines.length - 1).toBe(expected.length);
    const row = lines.find((l) => l.includes('pump'))!;
    expect(row).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,\d+,"plant\/pump 1, ""A""",/);
    const times = lines.slice(1).map((l) => Number(l.split(',')[1]));
    expect(times).toEqual(expected.map((s) => s.t));
    const values = lines.slice(1).map((l) => l.split(',').at(-3)!);
    expect(values).toEqual(expected.map((s) => (Number.isNaN(s.v) ? '' : String(s.v))));
    await expect(historian.exportCsv({ tagIds: ['slow'], from, to, file })).rejects.toThrow(/exists/);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });
});

describe('journals', () => {
  it('stores alarm transitions, audit entries, incidents and outbox messages across reopen', () => {
    const { historian, reopen } = setup();
    const j = historian.journals;
    j.alarms.append({
      alarmId: 'A1',
      transition: 'raise',
      state: 'UNACK_ALM',
      at: T0,
      correlationId: 'c-1',
      data: { value: 97.5 },
    });
    j.alarms.append({
      alarmId: 'A1',
      transition: 'ack',
      state: 'ACK_ALM',
      at: T0 + 5000,
      user: 'op',
      comment: 'seen',
    });
    j.alarms.append({ alarmId: 'A2', transition: 'raise', state: 'UNACK_ALM', at: T0 + 100 });
    j.audit.append({
      at: T0,
      user: 'admin',
      action: 'historian.backup',
      target: '/tmp/x.db',
      details: { bytes: 1 },
    });
    j.incidents.create(
      { id: 'inc-1', title: 'Bearing wear', assetId: 'pump-1', startedAt: T0, correlationId: 'c-1' },
      T0,
    );
    j.incidents.update('inc-1', { endedAt: T0 + HOUR, data: { rootCause: 'lubrication' } }, T0 + HOUR);
    const id = j.outbox.enqueue('alarm.raised', { alarmId: 'A1' }, T0);
    j.outbox.enqueue('alarm.raised', { alarmId: 'A2' }, T0 + 1);
    j.outbox.markFailed(id, 'redis down', T0 + 60_000);
    expect(() => j.alarms.append({ alarmId: '', transition: 'x', state: 'y', at: T0 })).toThrow(
      HistorianInputError,
    );
    expect(() => j.incidents.create({ id: 'inc-1', title: 'dup', startedAt: T0 }, T0)).toThrow(
      /already exists/,
    );
    expect(() => j.audit.append({ at: T0, user: 'u', action: 'a', details: { big: 1n } })).toThrow(/JSON/);

    const again = reopen().journals;
    expect(again.alarms.query({ alarmId: 'A1' }).map((e) => e.transition)).toEqual(['ack', 'raise']);
    expect(again.alarms.query({ alarmId: 'A1' })[1]!.data).toEqual({ value: 97.5 });
    expect(again.alarms.query({ limit: 1 })[0]!.transition).toBe('ack');
    expect(again.audit.query({ action: 'historian.backup' })[0]).toMatchObject({
      user: 'admin',
      details: { bytes: 1 },
    });
    expect(again.incidents.get('inc-1')).toMatchObject({
      endedAt: T0 + HOUR,
      data: { rootCause: 'lubrication' },
      correlationId: 'c-1',
    });
    expect(again.incidents.list({ openOnly: true })).toEqual([]);
    expect(again.outbox.due(T0 + 1000).map((m) => m.payload)).toEqual([{ alarmId: 'A2' }]);
    expect(again.outbox.due(T0 + 60_000).length).toBe(2);
    const [first] = again.outbox.due(T0 + 60_000);
    again.outbox.markSent(first!.id, T0 + 61_000);
    expect(again.outbox.pendingCount()).toBe(1);
    expect(again.outbox.purgeSent(T0 + 62_000)).toBe(1);
  });
});
