import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const cli = path.join(projectRoot, 'bin/vigil.mjs');

/** `vigil sim <args>` in a child process, as a user runs it; with `stdin`, commands can be typed. */
function runSim(args: string[], stdin: 'ignore' | 'pipe' = 'ignore') {
  const child = spawn(process.execPath, [cli, 'sim', ...args], {
    cwd: projectRoot,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kill = setTimeout(() => child.kill('SIGKILL'), 45_000); // never outlive the test
  void exit.then(() => clearTimeout(kill));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

describe('vigil sim', () => {
  it('rejects invalid options with a clear message and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--port', '-1'], /--port.*'-1' is invalid.*port number/],
      [['--speed', '0'], /--speed.*'0' is invalid.*greater than 0/],
      [['--speed', 'fast'], /--speed.*'fast' is invalid/],
      [['--speed', '5000'], /--speed.*at most 1000/],
      [['--bulk-rate', '5'], /--bulk-rate needs --bulk/],
      [['--user', 'nopassword'], /--user.*expected name:password/],
      [['--no-vibration', '--bearing', 'ball'], /--bearing and --vibration-speed need the vibration asset/],
      [['--no-anonymous'], /nobody could log in/],
      [['--user-cert', '/nonexistent/cert.pem'], /--user-cert \/nonexistent\/cert\.pem/],
    ];
    const runs = cases.map(([args]) => runSim(args));
    const codes = await Promise.all(runs.map((r) => r.exit));
    cases.forEach(([args, message], i) => {
      expect({ args, code: codes[i] }).toEqual({ args, code: 2 });
      expect(runs[i]!.stderr()).toMatch(message);
      expect(runs[i]!.stdout()).toBe('');
    });
  });

  it('prints the endpoint and the assets, takes fault commands on stdin, refuses a second copy, exits on SIGINT', async () => {
    const sim = runSim(
      ['--port', '0', '--speed', '20', '--bulk', '12', '--bulk-rate', '2', '--user', 'operator:secret'],
      'pipe',
    );
    const port = await waitFor(() => /listening at opc\.tcp:\/\/127\.0\.0\.1:(\d+)/.exec(sim.stdout())?.[1], {
      timeoutMs: 40_000,
      what: 'the endpoint line',
    });
    await waitFor(() => sim.stdout().includes('Press Ctrl+C to stop.'), { what: 'the asset list' });
    const out = sim.stdout();
    expect(out).toContain(
      'Demo Plant / Turbofan Test Cell / Engine 1  [ns=1;s=DemoPlant.TurbofanTestCell.Engine1]',
    );
    expect(out).toContain('Demo Plant / Machining / Milling Machine M1');
    expect(out).toContain('Demo Plant / Load Test / Load Generator');
    expect(out).toContain('12 tags: Signal01, Signal02');
    expect(out).not.toMatch(/NODE-OPCUA|W27/); // library warnings go to stderr, not among the results
    expect(out).toMatch(
      /Security: None, Sign, SignAndEncrypt with Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss/,
    );
    expect(out).toContain('sign-in: anonymous, user name and password (operator)');
    expect(out).toContain('Demo Plant / Utilities / Pump P1 Drive-End Bearing');
    expect(out).toMatch(/6 alarms: Engine 1 T50 high, .*Pump P1 Drive-End Bearing vibration high/);

    const type = (line: string) => sim.child.stdin!.write(`${line}\n`);

    type('stall 300');
    await waitFor(() => sim.stdout().includes('publishing stalled for 300 ms'), { what: 'the stall' });
    type('bad BadSensorFailure 200 ns=1;s=DemoPlant.TurbofanTestCell.Engine1.T24');
    await waitFor(() => sim.stdout().includes('1 tag(s) now BadSensorFailure for 200 ms'), {
      what: 'bad quality',
    });
    type('bearing outer-race');
    await waitFor(() => sim.stdout().includes('bearing now plays "outer-race"'), {
      what: 'the bearing switch',
    });
    // The stall may still hold the first outer-race values back on a busy machine: ask until it shows.
    await waitFor(
      () => {
        if (/Pump P1 Drive-End Bearing vibration high: ACTIVE HighHigh, UNACKED/.test(sim.stdout()))
          return true;
        type('alarms');
        return false;
      },
      { intervalMs: 500, what: 'the alarm list' },
    );
    type('restart 100');
    await waitFor(() => sim.stdout().includes('restarted; listening again at opc.tcp://127.0.0.1:'), {
      what: 'the restart',
    });
    type('faults');
    await waitFor(() => sim.stdout().includes('"restarts":1'), { what: 'the fault state' });
    type('frobnicate');
    type('stall soon');
    await waitFor(() => sim.stderr().includes('sim: unknown command "frobnicate"'), { what: 'the error' });
    await waitFor(() => sim.stderr().includes('stall needs a duration in milliseconds'), {
      what: 'the error',
    });

    const accepts = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    expect(accepts).toBe(true);

    const second = runSim(['--port', port]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(
      /the simulator did not start: Cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/,
    );

    sim.child.kill('SIGINT');
    expect(await sim.exit).toBe(0);
    expect(sim.stderr()).toContain('SIGINT: shutting down');
  });
});
