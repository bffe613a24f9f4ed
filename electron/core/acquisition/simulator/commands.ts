import type { Simulator } from './types';

/** One line a user types at `vigil sim` to inject a fault or look at the simulator. */
export type SimulatorCommand =
  | { kind: 'help' }
  | { kind: 'drop' }
  | { kind: 'stall'; ms: number }
  | { kind: 'bad'; status: string; ms?: number; nodeIds: string[] | 'all' }
  | { kind: 'good'; nodeIds: string[] | 'all' }
  | { kind: 'restart'; downtimeMs?: number }
  | { kind: 'bearing'; recording: string }
  | { kind: 'clear' }
  | { kind: 'alarms' }
  | { kind: 'faults' }
  | { kind: 'stats' };

export const COMMAND_HELP = [
  'Commands (one per line):',
  '  drop                               close every client connection (sessions survive)',
  '  stall <ms>                         publish no data changes for ms (keep-alives continue)',
  '  bad <status> [<ms>] [all|<nodeId>...]  e.g. "bad BadSensorFailure 5000 ns=1;s=DemoPlant...T24"',
  '  good [all|<nodeId>...]             back to Good quality',
  '  restart [<downtime ms>]            restart the server on the same port (default 1000 ms down)',
  '  bearing <recording>                switch the bearing recording (normal, inner-race, outer-race, ball)',
  '  clear                              end every stall and bad-quality fault',
  '  alarms | faults | stats            show alarm states, injected faults, counters',
  '  help',
].join('\n');

export class CommandError extends Error {
  override name = 'CommandError';
}

function milliseconds(word: string | undefined, what: string): number {
  const ms = Number(word);
  if (word === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new CommandError(`${what} needs a duration in milliseconds greater than 0, got "${word ?? ''}"`);
  }
  return ms;
}

function targets(words: string[]): string[] | 'all' {
  return words.length === 0 || (words.length === 1 && words[0] === 'all') ? 'all' : words;
}

/** Parses a command line; throws a CommandError that says what is wrong. */
export function parseSimulatorCommand(line: string): SimulatorCommand | null {
  const words = line.trim().split(/\s+/).filter(Boolean);
  const [name, ...rest] = words;
  if (!name) return null;
  switch (name.toLowerCase()) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'drop':
      return { kind: 'drop' };
    case 'stall':
      return { kind: 'stall', ms: milliseconds(rest[0], 'stall') };
    case 'bad': {
      const [status, maybeMs, ...ids] = rest;
      if (!status) throw new CommandError('bad needs a status code name, e.g. "bad BadSensorFailure"');
      if (maybeMs !== undefined && /^\d+(\.\d+)?$/.test(maybeMs)) {
        return { kind: 'bad', status, ms: milliseconds(maybeMs, 'bad'), nodeIds: targets(ids) };
      }
      return { kind: 'bad', status, nodeIds: targets(maybeMs === undefined ? ids : [maybeMs, ...ids]) };
    }
    case 'good':
      return { kind: 'good', nodeIds: targets(rest) };
    case 'restart':
      return rest[0] === undefined
        ? { kind: 'restart' }
        : { kind: 'restart', downtimeMs: milliseconds(rest[0], 'restart') };
    case 'bearing':
      if (!rest[0]) throw new CommandError('bearing needs a recording name, e.g. "bearing outer-race"');
      return { kind: 'bearing', recording: rest[0] };
    case 'clear':
      return { kind: 'clear' };
    case 'alarms':
    case 'faults':
    case 'stats':
      return { kind: name.toLowerCase() as 'alarms' | 'faults' | 'stats' };
    default:
      throw new CommandError(`unknown command "${name}" (type "help")`);
  }
}

/** Runs a parsed command; resolves with what to print. */
export async function runSimulatorCommand(sim: Simulator, command: SimulatorCommand): Promise<string> {
  switch (command.kind) {
    case 'help':
      return COMMAND_HELP;
    case 'drop': {
      const { channels } = await sim.dropConnections();
      return `dropped ${channels} connection(s)`;
    }
    case 'stall': {
      const done = sim.stallPublishing(command.ms);
      done.catch(() => {});
      return `publishing stalled for ${command.ms} ms`;
    }
    case 'bad': {
      await sim.setBadQuality(command.nodeIds, command.status, command.ms);
      const which = command.nodeIds === 'all' ? 'every tag' : `${command.nodeIds.length} tag(s)`;
      return `${which} now ${command.status}${command.ms ? ` for ${command.ms} ms` : ' (until "good")'}`;
    }
    case 'good':
      await sim.clearBadQuality(command.nodeIds);
      return 'quality Good';
    case 'restart':
      await sim.restart(command.downtimeMs === undefined ? {} : { downtimeMs: command.downtimeMs });
      return `restarted; listening again at ${sim.endpointUrl}`;
    case 'bearing':
      await sim.setBearingRecording(command.recording);
      return `bearing now plays "${command.recording}"`;
    case 'clear':
      await sim.clearFaults();
      return 'faults cleared';
    case 'alarms':
      return (
        sim
          .alarms()
          .map(
            (a) =>
              `${a.name}: ${a.active ? `ACTIVE ${a.limitState}` : 'normal'}, ${a.acked ? 'acked' : 'UNACKED'}, ` +
              `${a.confirmed ? 'confirmed' : 'unconfirmed'}, severity ${a.severity} (High ${a.limits.high}, HighHigh ${a.limits.highHigh})`,
          )
          .join('\n') || 'no alarms'
      );
    case 'faults':
      return JSON.stringify(sim.faults());
    case 'stats':
      return JSON.stringify(sim.stats());
  }
}
