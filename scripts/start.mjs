#!/usr/bin/env node
// `npm start`: builds the app, then runs it in Electron when its binary can be had (downloaded
// on first start where the network allows) and otherwise as the headless console, whose URL is
// printed. VIGIL_HEADLESS=1 forces the headless console. Extra arguments go to `vigil serve`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function run(cmd, cmdArgs, options = {}) {
  return spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', ...options });
}

console.log('Vigil: building the app...');
const build = run(
  process.execPath,
  [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (build.status !== 0) {
  console.error('Vigil: the build failed (see above).');
  process.exit(build.status ?? 1);
}

function electronBinary() {
  const dir = path.join(root, 'node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function wantsHeadless() {
  if (process.env.VIGIL_HEADLESS === '1') return 'VIGIL_HEADLESS=1';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display';
  return null;
}

let reason = wantsHeadless();
let binary = null;
if (!reason) {
  binary = electronBinary();
  if (!binary) {
    console.log('Vigil: fetching the Electron binary (first start only)...');
    run(process.execPath, [path.join(root, 'node_modules/electron/install.js')], {
      timeout: 120_000,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    binary = electronBinary();
    if (!binary) reason = 'the Electron binary could not be downloaded here';
  }
}

/** The V8 flags the core runs with (why: electron/core/app/coreV8Flags.json). */
function coreV8Flags() {
  return JSON.parse(readFileSync(path.join(root, 'electron/core/app/coreV8Flags.json'), 'utf8')).flags;
}

const child =
  binary && !reason
    ? spawn(binary, [root, ...args], { cwd: root, stdio: 'inherit' })
    : (console.log(`Vigil: starting the headless console (${reason}).`),
      spawn(process.execPath, [...coreV8Flags(), path.join(root, 'bin/vigil.mjs'), 'serve', ...args], {
        cwd: root,
        stdio: 'inherit',
      }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
