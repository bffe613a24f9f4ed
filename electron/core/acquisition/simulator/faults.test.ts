import { StatusCodes } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../app/clock';
import { badStatus, FaultGate } from './faults';

describe('badStatus', () => {
  it('accepts a StatusCode, a name or a value, Bad or Uncertain', () => {
    expect(badStatus(StatusCodes.BadSensorFailure)).toBe(StatusCodes.BadSensorFailure);
    expect(badStatus('BadCommunicationError')).toBe(StatusCodes.BadCommunicationError);
    expect(badStatus(StatusCodes.UncertainLastUsableValue.value)).toBe(StatusCodes.UncertainLastUsableValue);
  });

  it('refuses Good and unknown codes with a clear message', () => {
    expect(() => badStatus('Good')).toThrow(/Good is Good/);
    expect(() => badStatus('BadNoSuchThing')).toThrow(/Unknown OPC UA status code "BadNoSuchThing"/);
    expect(() => badStatus(0x12345678)).toThrow(/Unknown OPC UA status code/);
  });
});

describe('FaultGate', () => {
  it('stalls for a time, extends a stall in progress, and ends it on request', () => {
    const clock = new ManualClock(1000);
    const gate = new FaultGate(clock);
    expect(gate.stalled).toBe(false);
    gate.stall(500, true);
    expect(gate.stalled).toBe(true);
    expect(gate.stallEndsAt).toBe(1500);
    gate.stall(100, false); // shorter: does not cut the stall
    expect(gate.stallEndsAt).toBe(1500);
    expect(gate.historizeWhileStalled).toBe(false);
    clock.advance(499);
    expect(gate.stalled).toBe(true);
    clock.advance(1);
    expect(gate.stalled).toBe(false);
    gate.stall(1000, true);
    gate.endStall();
    expect(gate.stallEndsAt).toBeNull();
  });

  it('overrides the status of chosen tags, or all, and a timer clears only what its call set', () => {
    const gate = new FaultGate(new ManualClock());
    expect(gate.statusFor('a')).toBe(StatusCodes.Good);
    const first = gate.setQuality(['a', 'b'], StatusCodes.BadSensorFailure);
    gate.setQuality(['b'], StatusCodes.UncertainLastUsableValue); // a later call on b
    expect(gate.statusFor('a')).toBe(StatusCodes.BadSensorFailure);
    expect(gate.statusFor('b')).toBe(StatusCodes.UncertainLastUsableValue);
    expect(gate.statusFor('c')).toBe(StatusCodes.Good);
    gate.clearQuality(['a', 'b'], first); // the first call's timer
    expect(gate.statusFor('a')).toBe(StatusCodes.Good);
    expect(gate.statusFor('b')).toBe(StatusCodes.UncertainLastUsableValue);
    expect(gate.badQualityTags).toEqual(['b']);

    gate.setQuality('all', StatusCodes.BadOutOfService);
    expect(gate.statusFor('c')).toBe(StatusCodes.BadOutOfService);
    expect(gate.statusFor('b')).toBe(StatusCodes.UncertainLastUsableValue); // per tag wins
    expect(gate.badQualityTags).toBe('all');
    gate.clearQuality('all');
    expect(gate.statusFor('b')).toBe(StatusCodes.Good);
    expect(gate.badQualityTags).toEqual([]);
  });
});
