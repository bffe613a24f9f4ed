import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { format } from 'node:util';
import { InvalidArgumentError, type Command } from 'commander';
import {
  MAX_BULK_RATE_HZ,
  MAX_BULK_TAGS,
  MAX_HISTORY_VALUES,
  MAX_SPEED,
  MAX_VIBRATION_SPEED,
} from '../../core/acquisition/simulator/types';
import { onShutdown, portOption, positiveIntegerOption, positiveNumberOption } from '../options';

/** The IANA-registered OPC UA port, so OPC UA tools find the simulator where they look first. */
export const DEFAULT_SIM_PORT = 4840;

interface SimOptions {
  port: number;
  host: string;
  speed: number;
  bulk?: number;
  bulkRate?: number;
  bulkHistory?: boolean;
  secureOnly?: boolean;
  autoAccept: boolean;
  anonymous: boolean;
  user: { userName: string; password: string }[];
  userCert: string[];
  pkiDir?: string;
  history?: number;
  alarms: boolean;
  vibration: boolean;
  bearing?: string;
  vibrationSpeed?: number;
  commands: boolean;
}

/** An option parser that also enforces an upper limit, so a bad value fails before node-opcua loads. */
function atMost(parse: (value: string) => number, max: number): (value: string) => number {
  return (value) => {
    const n = parse(value);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max}.`);
    return n;
  };
}

/** `--user name:password`, repeatable. */
function collectUser(
  value: string,
  previous: { userName: string; password: string }[] = [],
): { userName: string; password: string }[] {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError('expected name:password.');
  return [...previous, { userName: value.slice(0, colon), password: value.slice(colon + 1) }];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Lists at most this many tag names per asset; a 10,000-tag load generator prints a count instead. */
const TAGS_LISTED = 8;

export function register(program: Command): void {
  program
    .command('sim')
    .description(
      'Run the built-in OPC UA simulator: C-MAPSS turbofan engines, the AI4I milling machine and the CWRU bearing',
    )
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
    .option('--bulk-history', 'also answer HistoryRead for the bulk tags')
    .option('--secure-only', 'offer only Sign and SignAndEncrypt endpoints (no None)')
    .option('--no-auto-accept', 'refuse unknown client certificates until trusted (see the PKI folder)')
    .option('--no-anonymous', 'refuse anonymous sessions')
    .option('--user <name:password>', 'accept this user name and password (repeatable)', collectUser)
    .option('--user-cert <file>', 'accept this X.509 user certificate, PEM or DER (repeatable)', collect)
    .option('--pki-dir <dir>', 'folder for the server certificate and trust lists')
    .option(
      '--history <n>',
      'values kept per tag for HistoryRead (default 3600)',
      atMost(positiveIntegerOption, MAX_HISTORY_VALUES),
    )
    .option('--no-alarms', 'no Alarms & Conditions')
    .option('--no-vibration', 'leave out the CWRU bearing asset')
    .option('--bearing <recording>', 'bearing recording to start with: normal, inner-race, outer-race, ball')
    .option(
      '--vibration-speed <x>',
      'bearing waveform speed (1 = real time, 1,200 samples per 100 ms)',
      atMost(positiveNumberOption, MAX_VIBRATION_SPEED),
    )
    .option('--no-commands', 'do not read fault-injection commands from stdin')
    .action(async (opts: SimOptions, command: Command) => {
      if (opts.bulkRate !== undefined && opts.bulk === undefined) {
        command.error('error: --bulk-rate needs --bulk <n>', { exitCode: 2 });
      }
      if (opts.bulkHistory && opts.bulk === undefined) {
        command.error('error: --bulk-history needs --bulk <n>', { exitCode: 2 });
      }
      if (!opts.vibration && (opts.bearing !== undefined || opts.vibrationSpeed !== undefined)) {
        command.error('error: --bearing and --vibration-speed need the vibration asset', { exitCode: 2 });
      }
      const userCertificates = (opts.userCert ?? []).map((file) => {
        try {
          return readFileSync(file);
        } catch (err) {
          return command.error(`error: --user-cert ${file}: ${(err as Error).message}`, { exitCode: 2 });
        }
      });
      // node-opcua logs warnings to stdout; stdout is for the endpoint and the asset list.
      const opcua = await import('node-opcua');
      const toStderr = (_context?: unknown, ...args: unknown[]) =>
        process.stderr.write(`${format(...args)}\n`);
      opcua.setWarningLogger(toStderr);
      opcua.setErrorLogger(toStderr);
      const { startSimulator, SimulatorOptionsError } = await import('../../core/acquisition/simulator');
      const commands = await import('../../core/acquisition/simulator/commands');

      let simulator;
      try {
        simulator = await startSimulator({
          port: opts.port,
          host: opts.host,
          speed: opts.speed,
          bulk: opts.bulk
            ? { tags: opts.bulk, rateHz: opts.bulkRate ?? 1, historize: opts.bulkHistory ?? false }
            : undefined,
          pkiDir: opts.pkiDir,
          security: {
            allowNone: !opts.secureOnly,
            autoAcceptClientCertificates: opts.autoAccept,
            trustedUserCertificates: userCertificates,
          },
          allowAnonymous: opts.anonymous,
          users: opts.user ?? [],
          history: opts.history ? { maxValuesPerTag: opts.history } : undefined,
          alarms: opts.alarms,
          vibration: opts.vibration
            ? { recording: opts.bearing ?? 'normal', speed: opts.vibrationSpeed ?? 1 }
            : false,
        });
      } catch (err) {
        if (err instanceof SimulatorOptionsError) command.error(`error: ${err.message}`, { exitCode: 2 });
        throw new Error(`the simulator did not start: ${(err as Error).message}`, { cause: err });
      }
      const sim = simulator;
      const { security } = sim;
      const identities = [
        ...(security.allowAnonymous ? ['anonymous'] : []),
        ...(security.userNames.length ? [`user name and password (${security.userNames.join(', ')})`] : []),
        ...(userCertificates.length ? [`${userCertificates.length} X.509 user certificate(s)`] : []),
      ];
      const out: string[] = [
        `Vigil OPC UA simulator listening at ${sim.endpointUrl}`,
        `Security: ${security.modes.join(', ')} with ${security.policies.filter((p) => p !== 'None').join(', ')}; ` +
          `sign-in: ${identities.join(', ')}; client certificates ${security.autoAcceptClientCertificates ? 'accepted on first use' : `trusted only from ${sim.pki.trustedClientsDir}`}`,
        `Server certificate: ${sim.pki.certificateFile}`,
        `Speed: ${opts.speed} step(s) per second. Namespace: ${sim.namespaceUri}`,
        '',
      ];
      for (const asset of sim.assets) {
        const names = asset.tags.map((t) => t.browseName);
        const shown =
          names.length > TAGS_LISTED ? `${names.slice(0, TAGS_LISTED).join(', ')}, ...` : names.join(', ');
        out.push(`${asset.site} / ${asset.area} / ${asset.asset}  [${asset.nodeId}]`);
        out.push(`    ${names.length} tags: ${shown}`);
      }
      const alarms = sim.alarms();
      if (alarms.length) out.push('', `${alarms.length} alarms: ${alarms.map((a) => a.name).join(', ')}`);
      out.push(
        '',
        `${opts.commands ? 'Type "help" for fault-injection commands. ' : ''}Press Ctrl+C to stop.`,
      );
      process.stdout.write(`${out.join('\n')}\n`);

      if (opts.commands) {
        // One command at a time, in the order typed; a failing command is reported, not fatal.
        const lines = createInterface({ input: process.stdin, terminal: false });
        let queue = Promise.resolve();
        lines.on('line', (line) => {
          queue = queue.then(async () => {
            try {
              const parsed = commands.parseSimulatorCommand(line);
              if (!parsed) return;
              const result = await commands.runSimulatorCommand(sim, parsed);
              process.stdout.write(`${result}\n`);
            } catch (err) {
              process.stderr.write(`sim: ${(err as Error).message}\n`);
            }
          });
        });
      }
      onShutdown(() => sim.dispose());
    });
}
