import { describe, expect, it } from 'vitest';
import { STATUS_BAD, STATUS_GOOD, STATUS_UNCERTAIN } from '../../../shared/quality';
import { SampleBatchBuilder } from '../../../shared/samples';
import { ManualClock } from '../app/clock';
import { flagNames, isUsable, ValidationFlag } from './flags';
import { ValidationStage, type DataQualityEvent } from './stage';

const T0 = Date.UTC(2024, 0, 1);

/** Feeds one sample per call and returns its flags and the events it caused. */
function feeder(stage: ValidationStage) {
  const builder = new SampleBatchBuilder(4);
  const events: DataQualityEvent[] = [];
  return {
    events,
    push(tagId: string, t: number, v: number, q = STATUS_GOOD): number {
      builder.push(tagId, t, v, q);
      const result = stage.process(builder.take('test'));
      events.push(...result.events);
      expect(Object.is(result.batch.values[0], v)).toBe(true); // values are never altered
      return result.flags[0]!;
    },
  };
}

/** Deterministic pseudo-random normal noise. */
function noise(seed = 7): () => number {
  let s = seed;
  const u = (): number => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe('ValidationStage', () => {
  it('flags NaN and infinite values as invalid and keeps going', () => {
    const clock = new ManualClock(T0 + 1e9);
    const f = feeder(new ValidationStage({ clock }));
    expect(f.push('a', T0, 1)).toBe(0);
    expect(flagNames(f.push('a', T0 + 1000, NaN))).toEqual(['NotFinite']);
    expect(flagNames(f.push('a', T0 + 2000, Infinity))).toEqual(['NotFinite']);
    expect(flagNames(f.push('a', T0 + 3000, -Infinity))).toEqual(['NotFinite']);
    expect(isUsable(f.push('a', T0 + 4000, 2))).toBe(true);
    // One episode: raised once, cleared once with the number of samples in it.
    const notFinite = f.events.filter((e) => e.rule === 'NotFinite');
    expect(notFinite.map((e) => [e.state, e.samples])).toEqual([
      ['raised', 1],
      ['cleared', 3],
    ]);
  });

  it('flags OPC UA quality that is not Good; Uncertain can be accepted per tag', () => {
    const clock = new ManualClock(T0 + 1e9);
    const stage = new ValidationStage({ clock, rules: { lenient: { acceptUncertain: true } } });
    const f = feeder(stage);
    expect(f.push('a', T0, 1, STATUS_BAD)).toBe(ValidationFlag.QualityBad);
    expect(f.push('a', T0 + 1, 1, STATUS_UNCERTAIN)).toBe(ValidationFlag.QualityUncertain);
    expect(f.push('a', T0 + 2, 1, 0x808a0000)).toBe(ValidationFlag.QualityBad); // BadCommunicationError
    expect(f.push('lenient', T0, 1, STATUS_UNCERTAIN)).toBe(0);
    expect(stage.counts('a')).toMatchObject({ QualityBad: 2, QualityUncertain: 1 });
  });

  it('flags timestamps out of order, duplicated or in the future, without losing the reference', () => {
    const clock = new ManualClock(T0);
    const f = feeder(new ValidationStage({ clock }));
    expect(f.push('a', T0 - 5000, 1)).toBe(0);
    expect(f.push('a', T0 - 6000, 1)).toBe(ValidationFlag.OutOfOrder);
    expect(f.push('a', T0 - 5000, 1)).toBe(ValidationFlag.Duplicate);
    expect(f.push('a', T0 + 3_600_000, 1)).toBe(ValidationFlag.Future);
    // The future timestamp did not become the reference: the next normal sample is in order.
    expect(f.push('a', T0 - 4000, 1)).toBe(0);
    expect(f.push('a', T0 + 30_000, 1)).toBe(0); // within the default clock-skew allowance
  });

  it('checks the engineering range from the rules or from the tag metadata', () => {
    const clock = new ManualClock(T0 + 1e9);
    const stage = new ValidationStage({ clock, rules: { 'p/temp': { range: { low: 0, high: 120 } } } });
    stage.setTags([{ id: 'p/flow', range: { low: 0, high: 50 } }]);
    const f = feeder(stage);
    expect(f.push('p/temp', T0, 121)).toBe(ValidationFlag.Range);
    expect(f.push('p/temp', T0 + 1, 119)).toBe(0);
    expect(f.push('p/flow', T0, -1)).toBe(ValidationFlag.Range);
    expect(f.push('p/flow', T0 + 1, 49)).toBe(0);
    expect(f.push('p/other', T0, 1e9)).toBe(0); // no range known: not checked
  });

  it('rejects invalid rule settings with a message naming the tag', () => {
    const clock = new ManualClock(0);
    expect(() => new ValidationStage({ clock, rules: { x: { range: { low: 5, high: 1 } } } })).toThrow(
      /tag "x"/,
    );
  });

  it('flags a rate of change above the limit against the last good sample', () => {
    const clock = new ManualClock(T0 + 1e9);
    const f = feeder(new ValidationStage({ clock, defaults: { maxRatePerS: 10 } }));
    expect(f.push('a', T0, 0)).toBe(0);
    expect(f.push('a', T0 + 1000, 5)).toBe(0);
    expect(f.push('a', T0 + 2000, 100)).toBe(ValidationFlag.Rate);
    // Judged against t=2000 s / value 5, not against the rejected 100.
    expect(f.push('a', T0 + 3000, 20)).toBe(0);
  });

  it('flags a frozen value after the configured time and raises one episode', () => {
    const clock = new ManualClock(T0 + 1e9);
    const f = feeder(new ValidationStage({ clock, defaults: { frozenMs: 60_000, frozenMinSamples: 10 } }));
    const flags: number[] = [];
    for (let s = 0; s <= 120; s++) flags.push(f.push('a', T0 + s * 1000, 42));
    expect(flags.slice(0, 60).every((x) => x === 0)).toBe(true);
    expect(flags.slice(60).every((x) => x === ValidationFlag.Frozen)).toBe(true);
    expect(f.push('a', T0 + 121_000, 43)).toBe(0);
    const frozen = f.events.filter((e) => e.rule === 'Frozen');
    expect(frozen.map((e) => [e.state, e.at - T0])).toEqual([
      ['raised', 60_000],
      ['cleared', 121_000],
    ]);
    expect(frozen[1]!.samples).toBe(61);
  });

  it('flags an isolated spike but not the steps of a level change or of a quantized signal', () => {
    const clock = new ManualClock(T0 + 1e9);
    const stage = new ValidationStage({ clock });
    const f = feeder(stage);
    const n = noise();
    let t = T0;
    for (let i = 0; i < 200; i++) expect(f.push('a', (t += 1000), 10 + n())).toBe(0);
    expect(f.push('a', (t += 1000), 60)).toBe(ValidationFlag.Spike);
    expect(f.push('a', (t += 1000), 10 + n())).toBe(0);

    // A real change of level: at most spikeMaxRun (2) samples flagged, then accepted.
    const step: number[] = [];
    for (let i = 0; i < 40; i++) step.push(f.push('a', (t += 1000), 80 + n()));
    expect(step.filter((x) => x === ValidationFlag.Spike).length).toBeLessThanOrEqual(2);
    expect(step.slice(2).every((x) => x === 0)).toBe(true);

    // A quantized flow: 32 most of the time, 33 now and then (SKAB's flow meter does this).
    let flagged = 0;
    for (let i = 0; i < 2000; i++) {
      const v = i % 13 === 0 || i % 17 === 0 ? 33 : 32 + 0.001 * (i % 3);
      if (f.push('flow', T0 + i * 1000, v) !== 0) flagged++;
    }
    expect(flagged).toBe(0);
    expect(stage.counts('a')!.Spike).toBeGreaterThanOrEqual(1);
  });

  it('marks a tag stale after ten typical intervals (at least a minute) and clears it on the next sample', () => {
    const clock = new ManualClock(T0 + 1e9);
    const stage = new ValidationStage({ clock });
    const f = feeder(stage);
    for (let i = 0; i < 50; i++) f.push('fast', T0 + i * 10_000, i);
    expect(stage.tick(T0 + 49 * 10_000 + 90_000)).toEqual([]);
    const raised = stage.tick(T0 + 49 * 10_000 + 101_000);
    expect(raised.map((e) => [e.tagId, e.rule, e.state])).toEqual([['fast', 'Stale', 'raised']]);
    expect(stage.isStale('fast')).toBe(true);
    expect(stage.tick(T0 + 49 * 10_000 + 200_000)).toEqual([]); // one event per episode
    const flags = f.push('fast', T0 + 49 * 10_000 + 300_000, 1);
    expect(flags).toBe(ValidationFlag.AfterStale);
    expect(isUsable(flags)).toBe(true);
    expect(f.events.filter((e) => e.rule === 'Stale').map((e) => e.state)).toEqual(['cleared']);
    expect(stage.counts('fast')!.Stale).toBe(1);
  });

  it('validates a large batch of many tags in one call, index-aligned', () => {
    const clock = new ManualClock(T0 + 1e9);
    const stage = new ValidationStage({ clock });
    const builder = new SampleBatchBuilder();
    for (let i = 0; i < 500; i++)
      builder.push(`tag-${i % 50}`, T0 + Math.floor(i / 50) * 1000, i % 7 === 0 ? NaN : i, 0);
    const { flags, batch } = stage.process(builder.take('big'));
    expect(flags.length).toBe(batch.length);
    for (let i = 0; i < 500; i++) expect(flags[i]).toBe(i % 7 === 0 ? ValidationFlag.NotFinite : 0);
  });
});
