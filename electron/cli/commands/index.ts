import type { Command } from 'commander';
import { register as bench } from './bench';
import { register as detect } from './detect';
import { register as historian } from './historian';
import { register as serve } from './serve';
import { register as sim } from './sim';

/**
 * Each command lives in its own module and registers itself here. Command modules import
 * heavy dependencies (node-opcua, onnxruntime) lazily inside their action, so `vigil --help`
 * stays fast.
 */
const registrations: ((program: Command) => void)[] = [serve, sim, detect, historian, bench];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
