#!/usr/bin/env node
// The `vigil` command runs straight from the TypeScript sources through tsx, so it works
// right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/index.ts');
