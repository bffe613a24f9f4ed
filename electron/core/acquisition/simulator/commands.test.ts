import { describe, expect, it } from 'vitest';
import { parseSimulatorCommand } from './commands';

describe('parseSimulatorCommand', () => {
  it('reads each command with its arguments', () => {
    expect(parseSimulatorCommand('  ')).toBeNull();
    expect(parseSimulatorCommand('drop')).toEqual({ kind: 'drop' });
    expect(parseSimulatorCommand('STALL 2500')).toEqual({ kind: 'stall', ms: 2500 });
    expect(parseSimulatorCommand('bad BadSensorFailure')).toEqual({
      kind: 'bad',
      status: 'BadSensorFailure',
      nodeIds: 'all',
    });
    expect(parseSimulatorCommand('bad BadSensorFailure 5000 all')).toEqual({
      kind: 'bad',
      status: 'BadSensorFailure',
      ms: 5000,
      nodeIds: 'all',
    });
    expect(parseSimulatorCommand('bad UncertainLastUsableValue ns=1;s=A.T24 ns=1;s=A.T30')).toEqual({
      kind: 'bad',
      status: 'UncertainLastUsableValue',
      nodeIds: ['ns=1;s=A.T24', 'ns=1;s=A.T30'],
    });
    expect(parseSimulatorCommand('good ns=1;s=A.T24')).toEqual({ kind: 'good', nodeIds: ['ns=1;s=A.T24'] });
    expect(parseSimulatorCommand('good')).toEqual({ kind: 'good', nodeIds: 'all' });
    expect(parseSimulatorCommand('restart')).toEqual({ kind: 'restart' });
    expect(parseSimulatorCommand('restart 3000')).toEqual({ kind: 'restart', downtimeMs: 3000 });
    expect(parseSimulatorCommand('bearing inner-race')).toEqual({ kind: 'bearing', recording: 'inner-race' });
    expect(parseSimulatorCommand('alarms')).toEqual({ kind: 'alarms' });
  });

  it('says what is wrong with a line it cannot run', () => {
    expect(() => parseSimulatorCommand('explode')).toThrow('unknown command "explode" (type "help")');
    expect(() => parseSimulatorCommand('stall')).toThrow('stall needs a duration in milliseconds');
    expect(() => parseSimulatorCommand('stall -5')).toThrow('greater than 0, got "-5"');
    expect(() => parseSimulatorCommand('bad')).toThrow('bad needs a status code name');
    expect(() => parseSimulatorCommand('bearing')).toThrow('bearing needs a recording name');
  });
});
