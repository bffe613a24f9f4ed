import { describe, expect, it } from 'vitest';
import { STATUS_GOOD, STATUS_UNCERTAIN } from '../../../shared/quality';
import type { SampleBatch } from '../../../shared/samples';
import { ValidationFlag } from '../validation/flags';
import { DetectionStage, type AnomalyEvent, type AssetScore, type DetectionStageOptions } from './stage';

const T0 = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC

function gaussian(seed: number): () => number {
  let s = seed;
  const u = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Drives a stage with one batch per time step for one asset, like a poller would. */
function asset(tags: string[], options: DetectionStageOptions = {}) {
  const stage = new DetectionStage({ assetOf: () => 'pump', utcOffsetMs: 0, ...options });
  const n = tags.length;
  const batch: SampleBatch = {
    tagIndex: Uint32Array.from(tags.map((_, i) => i)),
    timestamps: new Float64Array(n),
    values: new Float64Array(n),
    quality: new Uint32Array(n),
    tagIds: tags,
    correlationId: 'c',
    length: n,
  };
  const events: AnomalyEvent[] = [];
  return {
    stage,
    events,
    step(t: number, values: number[], flags: Uint32Array | null = null): AssetScore {
      batch.timestamps.fill(t);
      batch.values.set(values);
      const result = stage.process(batch, flags);
      events.push(...result.events);
      return result.assets[0]!;
    },
  };
}

describe('DetectionStage', () => {
  it('stays quiet on noise, then flags a persistent shift of one tag and names it', () => {
    const noise = gaussian(11);
    const tags = ['pump/flow', 'pump/pressure', 'pump/current', 'pump/temp'];
    const scale = [2, 0.1, 5, 0.5];
    const mean = [120, 3, 40, 60];
    const a = asset(tags);
    let alarms = 0;
    let scored = 0;
    for (let i = 0; i < 3000; i++) {
      const s = a.step(
        T0 + i * 1000,
        mean.map((m, j) => m + scale[j]! * noise()),
      );
      if (i >= 300 && s.warm) {
        scored++;
        if (s.isAnomaly) alarms++;
      }
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
    }
    expect(scored).toBe(2700);
    expect(alarms / scored).toBeLessThan(0.01);

    // The pressure rises by 3 of its noise levels and stays there.
    let flagged = 0;
    const tops = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const values = mean.map((m, j) => m + scale[j]! * noise());
      values[1]! += 0.3;
      const s = a.step(T0 + (3000 + i) * 1000, values);
      if (s.isAnomaly) {
        flagged++;
        const top = s.topTags[0]!.tagId;
        tops.set(top, (tops.get(top) ?? 0) + 1);
      }
    }
    expect(flagged).toBeGreaterThan(0.8 * 300);
    expect([...tops.entries()].sort((x, y) => y[1] - x[1])[0]![0]).toBe('pump/pressure');
    expect(a.events[0]).toMatchObject({
      assetId: 'pump',
      state: 'raised',
      topTags: expect.arrayContaining(['pump/pressure']),
    });
  });

  it('follows a wandering (random-walk) tag without alarms but flags a sudden jump', () => {
    const noise = gaussian(5);
    const a = asset(['kiln/temp', 'kiln/fan']);
    let level = 500;
    let alarms = 0;
    for (let i = 0; i < 4000; i++) {
      level += 0.5 * noise(); // drifts by tens of degrees over the run
      const s = a.step(T0 + i * 1000, [level + 0.2 * noise(), 10 + noise()]);
      if (i >= 300 && s.isAnomaly) alarms++;
    }
    expect(alarms / 3700).toBeLessThan(0.01);
    let caught = -1;
    for (let i = 0; i < 30; i++) {
      const s = a.step(T0 + (4000 + i) * 1000, [level + 15 + 0.2 * noise(), 10 + noise()]);
      if (s.isAnomaly && caught < 0) caught = i;
    }
    expect(caught).toBeGreaterThanOrEqual(0);
    expect(caught).toBeLessThan(5);
  });

  it('reports warm-up: score 0 with Uncertain quality until each tag has learned', () => {
    const noise = gaussian(3);
    const stage = new DetectionStage({ detector: { warmupSamples: 100 } });
    let firstWarm = -1;
    for (let i = 0; i < 130; i++) {
      const batch: SampleBatch = {
        tagIndex: Uint32Array.of(0, 1),
        timestamps: Float64Array.of(T0 + i * 1000, T0 + i * 1000),
        values: Float64Array.of(noise(), noise()),
        quality: Uint32Array.of(0, 0),
        tagIds: ['line-1/press/force', 'line-1/press/stroke'],
        correlationId: `b${i}`,
        length: 2,
      };
      const { assets, scores } = stage.process(batch, null);
      expect(assets.map((s) => s.assetId)).toEqual(['line-1/press']);
      // Derived samples: one per input sample plus one for the asset, in a compact dictionary.
      expect(scores.length).toBe(3);
      expect([...scores.tagIds].sort()).toEqual([
        'line-1/press/anomaly_score',
        'line-1/press/force#anomaly',
        'line-1/press/stroke#anomaly',
      ]);
      expect(scores.correlationId).toBe(`b${i}`);
      const warm = assets[0]!.warm;
      if (warm && firstWarm < 0) firstWarm = i;
      for (let k = 0; k < scores.length; k++) {
        expect(scores.quality[k]).toBe(warm ? STATUS_GOOD : STATUS_UNCERTAIN);
        if (!warm) expect(scores.values[k]).toBe(0);
      }
    }
    expect(firstWarm).toBe(99);
  });

  it('keeps invalid samples out of the models: the same scores as if they never came', () => {
    const noise = gaussian(9);
    const series = Array.from({ length: 1500 }, (_, i) => [50 + noise(), i % 97 === 0 ? 0 : 20 + noise()]);
    const clean = asset(['m/a', 'm/b']);
    const dirty = asset(['m/a', 'm/b']);
    const cleanScores: number[] = [];
    const dirtyScores: number[] = [];
    series.forEach((values, i) => {
      const t = T0 + i * 1000;
      cleanScores.push(clean.step(t, values).score);
      // Between real samples, the dirty stage also receives flagged garbage (NaN, spikes, bad quality).
      dirty.step(t - 500, [NaN, 1e9], Uint32Array.of(ValidationFlag.NotFinite, ValidationFlag.Spike));
      dirtyScores.push(dirty.step(t, values).score);
    });
    expect(dirtyScores).toEqual(cleanScores);
  });

  it('scores a row with no valid value as NaN (no score), not as normal', () => {
    const a = asset(['x/a', 'x/b']);
    const s = a.step(T0, [NaN, NaN], Uint32Array.of(ValidationFlag.NotFinite, ValidationFlag.QualityBad));
    expect(s.score).toBeNaN();
    expect(s.isAnomaly).toBe(false);
  });

  it('sees a broken correlation that no single tag shows (multivariate statistic)', () => {
    const run = (multivariate: boolean): { normal: number; broken: number } => {
      const noise = gaussian(21);
      const a = asset(['pump/current', 'pump/flow'], { detector: { multivariate } });
      let load = 0;
      let normal = 0;
      let broken = 0;
      for (let i = 0; i < 3500; i++) {
        const step = noise();
        load += step; // shared load changes drive both tags
        const breakNow = i >= 3000;
        const current = load + 0.1 * noise();
        // After the break the flow moves against the current, by the same amounts.
        const flow = (breakNow ? -load + 2 * loadAt3000 : load) + 0.1 * noise();
        if (i === 2999) loadAt3000 = load;
        const s = a.step(T0 + i * 1000, [current, flow]);
        if (i >= 500 && i < 3000 && s.isAnomaly) normal++;
        if (breakNow && s.isAnomaly) broken++;
      }
      return { normal, broken };
    };
    let loadAt3000 = 0;
    const withMv = run(true);
    const withoutMv = run(false);
    expect(withMv.normal / 2500).toBeLessThan(0.01);
    expect(withMv.broken / 500).toBeGreaterThan(0.5);
    expect(withoutMv.broken / 500).toBeLessThan(0.1);
  });

  it('learns a daily pattern, then flags the pattern not happening', () => {
    const run = (seasonal: boolean) => {
      const noise = gaussian(17);
      const a = asset(['hall/power'], { detector: { seasonal } });
      const fiveMin = 300_000;
      let alarmsNormalDays = 0;
      let alarmsMissedShutdown = 0;
      for (let i = 0; i < 14 * 288; i++) {
        const t = T0 + i * fiveMin;
        const day = Math.floor(i / 288);
        const hour = (i % 288) / 12;
        // Production 06:10-21:50, idle at night; on day 12 the night shutdown does not happen.
        const producing = (hour >= 6 + 1 / 6 && hour < 22 - 1 / 6) || (day === 12 && hour >= 22);
        const s = a.step(t, [(producing ? 50 : 20) + noise()]);
        if (day >= 4 && day < 12 && s.isAnomaly) alarmsNormalDays++;
        if (day === 12 && hour >= 22.5 && s.isAnomaly) alarmsMissedShutdown++;
      }
      return { alarmsNormalDays, alarmsMissedShutdown };
    };
    const withProfile = run(true);
    const trackerOnly = run(false);
    expect(withProfile.alarmsNormalDays / (8 * 288)).toBeLessThan(0.01);
    expect(withProfile.alarmsMissedShutdown / 18).toBeGreaterThan(0.8);
    // Without the profile the level simply follows the pattern: quiet, but blind to it failing.
    expect(trackerOnly.alarmsNormalDays / (8 * 288)).toBeLessThan(0.01);
    expect(trackerOnly.alarmsMissedShutdown / 18).toBeLessThan(0.2);
  });

  it('learns a weekly pattern (weekends idle), then flags a weekend shift that never happened before', () => {
    const noise = gaussian(23);
    const a = asset(['hall/power']);
    const quarterHour = 900_000;
    let alarmsNormal = 0;
    let normalSamples = 0;
    let alarmsSaturday = 0;
    for (let i = 0; i < 4 * 7 * 96; i++) {
      const week = Math.floor(i / (7 * 96));
      const weekday = Math.floor(i / 96) % 7; // 0 = Monday (T0 is a Monday)
      const hour = (i % 96) / 4;
      const working = weekday < 5 || (week === 3 && weekday === 5); // week 4: a Saturday shift
      const s = a.step(T0 + i * quarterHour, [(working && hour >= 6 && hour < 22 ? 50 : 20) + noise()]);
      if (week === 3 && weekday === 5 && hour >= 6 && hour < 9) {
        if (s.isAnomaly) alarmsSaturday++;
      } else if (week >= 2 && !(week === 3 && weekday >= 5) && s.warm) {
        normalSamples++;
        if (s.isAnomaly) alarmsNormal++;
      }
    }
    // Weekdays and the quiet weekend of week 3 (weekly profile in use since day 14).
    expect(normalSamples).toBeGreaterThan(800);
    expect(alarmsNormal / normalSamples).toBeLessThan(0.01);
    // The first hours of the unexpected Saturday shift stand out (the level follows it later).
    expect(alarmsSaturday / 12).toBeGreaterThan(0.8);
  });

  it('flags a lasting change of level, then accepts it as the new normal instead of alarming forever', () => {
    const noise = gaussian(31);
    const a = asset(['m/a', 'm/b'], { detector: { acceptAfterSamples: 500 } });
    for (let i = 0; i < 1000; i++) a.step(T0 + i * 1000, [noise(), noise()]);
    const flagged: boolean[] = [];
    for (let i = 1000; i < 4000; i++) flagged.push(a.step(T0 + i * 1000, [6 + noise(), noise()]).isAnomaly);
    expect(flagged.slice(0, 400).filter(Boolean).length).toBeGreaterThan(380);
    expect(flagged.slice(2000).filter(Boolean).length).toBeLessThan(10);
  });

  it('raises an anomaly once and clears it after the asset stays below the threshold', () => {
    const noise = gaussian(2);
    const a = asset(['m/a', 'm/b'], { clearAfter: 5 });
    for (let i = 0; i < 1000; i++) a.step(T0 + i * 1000, [noise(), noise()]);
    for (let i = 1000; i < 1100; i++) a.step(T0 + i * 1000, [8 + noise(), noise()]);
    for (let i = 1100; i < 1400; i++) a.step(T0 + i * 1000, [noise(), noise()]);
    const states = a.events.map((e) => e.state);
    expect(states[0]).toBe('raised');
    expect(states.filter((s) => s === 'raised').length).toBe(states.filter((s) => s === 'cleared').length);
    expect(states.length).toBeLessThanOrEqual(4);
    expect(a.stage.assetState('pump')!.anomalous).toBe(false);
  });
});
