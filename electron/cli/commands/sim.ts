import { format } from 'node:util';
import { InvalidArgumentError, type Command } from 'commander';
import { MAX_BULK_RATE_HZ, MAX_BULK_TAGS, MAX_SPEED } from '../../core/acquisition/simulator/types';
import { onShutdown, portOption, positiveIntegerOption, positiveNumberOption } from '../options';

/** The IANA-registered OPC UA port, so OPC UA tools find the simulator where they look first. */
export const DEFAULT_SIM_PORT = 4840;

interface SimOptions {
  port: number;
  host: string;
  speed: number;
  bulk?: number;
  bulkRate?: number;
}

/** An option parser that also enforces an upper limit, so a bad value fails before node-opcua loads. */
function atMost(parse: (value: string) => number, max: number): (value: string) => number {
  return (value) => {
    const n = parse(value);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}.`);
    return n;
  };
}

/** Lists at most this many tag names per asset; a 10,000-tag load generator prints a count instead. */
const TAGS_LISTED = 8;

export function register(program: Command): void {
  program
    .command('sim')
    .description('Run the built-in OPC UA simulator: C-MAPSS turbofan engines and the AI4I milling machine')
    .option('-p, --port <n>', 'TCP port (0 = any free port)', portOption, DEFAULT_SIM_PORT)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option(
      '-s, --speed <x>',
      'playback speed: C-MAPSS cycles (and AI4I rows) per second',
      atMost(positiveNumberOption, MAX_SPEED),
      1,
    )
    .option(
      '--bulk <n>',
      'add a load-test asset with N synthetic tags',
      atMost(positiveIntegerOption, MAX_BULK_TAGS),
    )
    .option(
      '--bulk-rate <hz>',
      'updates per second of every bulk tag (default 1)',
      atMost(positiveNumberOption, MAX_BULK_RATE_HZ),
    )
    .action(async (opts: SimOptions, command: Command) => {
      if (opts.bulkRate !== undefined && opts.bulk === undefined) {
        command.error('error: --bulk-rate needs --bulk <n>', { exitCode: 2 });
      }
      // node-opcua logs warnings to stdout; stdout is for the endpoint and the asset list.
      const opcua = await import('node-opcua');
      const toStderr = (_context?: unknown, ...args: unknown[]) =>
        process.stderr.write(`${format(...args)}\n`);
      opcua.setWarningLogger(toStderr);
      opcua.setErrorLogger(toStderr);
      const { startSimulator, SimulatorOptionsError } = await import('../../core/acquisition/simulator');

      let simulator;
      try {
        simulator = await startSimulator({
          port: opts.port,
          host: opts.host,
          speed: opts.speed,
          bulk: opts.bulk ? { tags: opts.bulk, rateHz: opts.bulkRate ?? 1 } : undefined,
        });
      } catch (err) {
        if (err instanceof SimulatorOptionsError) command.error(`error: ${err.message}`, { exitCode: 2 });
        throw new Error(`the simulator did not start: ${(err as Error).message}`, { cause: err });
      }
      const out: string[] = [
        `Vigil OPC UA simulator listening at ${simulator.endpointUrl}`,
        `Security: None (anonymous). Speed: ${opts.speed} step(s) per second. Namespace: ${simulator.namespaceUri}`,
        '',
      ];
      for (const asset of simulator.assets) {
        const names = asset.tags.map((t) => t.browseName);
        const shown =
          names.length > TAGS_LISTED ? `${names.slice(0, TAGS_LISTED).join(', ')}, ...` : names.join(', ');
        out.push(`${asset.site} / ${asset.area} / ${asset.asset}  [${asset.nodeId}]`);
        out.push(`    ${names.length} tags: ${shown}`);
      }
      out.push('', 'Press Ctrl+C to stop.');
      process.stdout.write(`${out.join('\n')}\n`);
      onShutdown(() => simulator.dispose());
    });
}
