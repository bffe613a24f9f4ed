import { Command, type CommanderError } from 'commander';
import { registerCommands } from './commands';

const program = new Command();
program
  .name('vigil')
  .description('Vigil: operator console for predictive maintenance')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError()
  // Usage errors (unknown option, bad value) exit with 2, as command-line tools conventionally do;
  // help and --version exit with 0. Subcommands inherit this when registered below.
  .exitOverride((err: CommanderError) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
