import { format } from 'node:util';
import type { Command } from 'commander';
import { onShutdown, portOption, positiveNumberOption } from '../options';

export const DEFAULT_SERVE_PORT = 8470;

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the console headless: the core plus the user interface at http://127.0.0.1:PORT/')
    .option('-p, --port <n>', 'HTTP port on 127.0.0.1 (0 = any free port)', portOption, DEFAULT_SERVE_PORT)
    .option('-d, --data-dir <dir>', 'data directory (historian, certificates)')
    .option('-c, --config <file>', 'configuration file (JSON; default: <data dir>/vigil.config.json)')
    .option('--no-simulator', 'do not start the built-in OPC UA simulator')
    .option('--sim-speed <x>', 'simulator speed (cycles per second)', positiveNumberOption)
    .action(
      async (opts: {
        port: number;
        dataDir?: string;
        config?: string;
        simulator: boolean;
        simSpeed?: number;
      }) => {
        const [{ loadHostConfig }, { startHeadlessConsole }, { createLogger }] = await Promise.all([
          import('../../core/app/hostConfig'),
          import('../../server/console'),
          import('../../core/app/logger'),
        ]);
        // Without --config: <data dir>/vigil.config.json, read when it exists and written by the
        // first connection or tag added in the console.
        const { config, configFile } = loadHostConfig({
          configFile: opts.config ?? null,
          dataDir: opts.dataDir ?? null,
          relativeDataDir: 'cwd',
        });
        if (!opts.simulator) config.simulator.enabled = false;
        if (opts.simSpeed) config.simulator.speed = opts.simSpeed;
        // node-opcua logs warnings to stdout; stdout is for the console's URL.
        const opcua = await import('node-opcua');
        const toStderr = (_context?: unknown, ...args: unknown[]) =>
          process.stderr.write(`${format(...args)}\n`);
        opcua.setWarningLogger(toStderr);
        opcua.setErrorLogger(toStderr);
        const logger = createLogger('vigil');
        const running = await startHeadlessConsole({
          config,
          port: opts.port,
          logger,
          configFile,
        });
        process.stdout.write(`Vigil console running at ${running.url}\n`);
        process.stdout.write('Open it in a browser. Press Ctrl+C to stop.\n');
        onShutdown(() => running.close());
      },
    );
}
