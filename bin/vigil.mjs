#!/usr/bin/env -S node --max-semi-space-size=32
// (The shebang's V8 flag is the core's, see electron/core/app/coreV8Flags.json.)
// The `vigil` command runs straight from the TypeScript sources through tsx, so it works
// right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/index.ts');
