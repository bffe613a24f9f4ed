import { Command } from 'commander';
import { registerCommands } from './commands';

const program = new Command();
program
  .name('vigil')
  .description('Vigil: operator console for predictive maintenance')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
