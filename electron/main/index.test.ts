import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL } from '../../shared/ipc';
import { createElectronMock, type ElectronMock } from './testing/electronMock';
import { fakeFrame, flush, FakeWebContents, ipcEvent } from './testing/fakes';

/*
 * Runs the real electron/main/index.ts against a mocked 'electron' module (the binary cannot
 * run here): what a user would notice is checked through what the shell asks of Electron.
 */

const holder = vi.hoisted(() => ({ mock: null as { module: Record<string, unknown> } | null }));

// vi.resetModules() does not re-run mock factories: the mocked module reads the current
// fake on every access, and each launch() installs a fresh one before importing index.ts.
vi.mock('electron', () => {
  const names = [
    'app',
    'BrowserWindow',
    'ipcMain',
    'utilityProcess',
    'session',
    'protocol',
    'Menu',
    'dialog',
  ];
  const current = (name: string) => holder.mock!.module[name] as object;
  return Object.fromEntries(
    names.map((name) => [
      name,
      new Proxy(function electronExport() {}, {
        get: (_target, key) => Reflect.get(current(name), key),
        construct: (_target, args) =>
          Reflect.construct(current(name) as new (...a: unknown[]) => object, args),
      }),
    ]),
  );
});

async function launch(options: { isPackaged?: boolean; gotLock?: boolean } = {}): Promise<ElectronMock> {
  vi.resetModules();
  const mock = createElectronMock(options);
  holder.mock = mock;
  await import('./index');
  await flush();
  return mock;
}

let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  Object.defineProperty(process, 'resourcesPath', { value: '/opt/vigil/resources', configurable: true });
  vi.stubEnv('VIGIL_DATA_DIR', '');
  vi.stubEnv('VIGIL_CONFIG', '');
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'info').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('Electron shell', () => {
  it('sandboxes renderers and registers the app scheme before the app is ready', async () => {
    const electron = await launch();
    const { app, protocol } = electron.module;
    expect(app.enableSandbox).toHaveBeenCalled();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({
        scheme: 'vigil',
        privileges: expect.objectContaining({ standard: true, secure: true }),
      }),
    ]);
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
  });

  it('opens one locked-down window with the preload and loads the renderer from vigil://app', async () => {
    const electron = await launch();
    expect(electron.windows).toHaveLength(1);
    const window = electron.windows[0]!;
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      preload: '/opt/vigil/resources/app.asar/out/preload/index.cjs',
    });
    expect(window.loadURL).toHaveBeenCalledWith('vigil://app/index.html');
    expect(electron.module.protocol.handle).toHaveBeenCalledWith('vigil', expect.any(Function));
  });

  it('applies the Content-Security-Policy to the app responses', async () => {
    const electron = await launch();
    const response = electron.respond('vigil://app/index.html', { 'content-type': ['text/html'] });
    const csp = response.responseHeaders?.['Content-Security-Policy']?.[0] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('refuses navigation away from the app and new windows in the app window', async () => {
    const electron = await launch();
    const contents = electron.windows[0]!.webContents;
    const navigation = { url: 'https://evil.example/', preventDefault: vi.fn() };
    contents.emit('will-navigate', navigation);
    expect(navigation.preventDefault).toHaveBeenCalled();
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('starts the core in a utility process with a per-user data folder and the shipped resources', async () => {
    const electron = await launch();
    expect(electron.module.utilityProcess.fork).toHaveBeenCalledTimes(1);
    const [modulePath, args, options] = electron.module.utilityProcess.fork.mock.calls[0]!;
    expect(modulePath).toBe('/opt/vigil/resources/app.asar/out/main/core.js');
    expect(args).toEqual([]);
    expect(options).toMatchObject({
      serviceName: 'Vigil core',
      // The core's V8 flags (a larger young generation for OPC UA decoding).
      execArgv: ['--max-semi-space-size=32'],
      env: expect.objectContaining({
        VIGIL_DATA_DIR: '/home/operator/.config/Vigil/data',
        VIGIL_RESOURCES_DIR: '/opt/vigil/resources/resources',
      }),
    });
  });

  it('relays a call from its window to the core and returns the answer', async () => {
    const electron = await launch();
    electron.coreProcesses[0]!.reply({ type: 'ready' });
    const contents = electron.windows[0]!.webContents;
    const result = await electron.module.ipcMain.invoke(IPC_CALL, ipcEvent(contents), 'getHealth', {});
    expect(result).toEqual({ ok: true, result: { answeredBy: 'core', name: 'getHealth' } });
  });

  it('refuses IPC from a WebContents it did not create, and invalid input, before the core', async () => {
    const electron = await launch();
    const core = electron.coreProcesses[0]!;
    core.reply({ type: 'ready' });
    const stranger = new FakeWebContents('vigil://app/index.html');
    const forbidden = await electron.module.ipcMain.invoke(IPC_CALL, ipcEvent(stranger), 'getHealth', {});
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('window the app did not create'));

    const contents = electron.windows[0]!.webContents;
    const invalid = await electron.module.ipcMain.invoke(IPC_CALL, ipcEvent(contents), 'getRecent', {
      tagIds: 'x',
    });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(core.sent.filter((m) => m.type === 'call')).toHaveLength(0);
  });

  it('answers unavailable while the core is down and restarts it', async () => {
    const electron = await launch();
    electron.coreProcesses[0]!.reply({ type: 'ready' });
    vi.useFakeTimers();
    electron.coreProcesses[0]!.crash(139);
    const contents = electron.windows[0]!.webContents;
    const refused = await electron.module.ipcMain.invoke(IPC_CALL, ipcEvent(contents), 'getHealth', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    vi.advanceTimersByTime(30_000);
    expect(electron.module.utilityProcess.fork).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
    electron.coreProcesses[1]!.reply({ type: 'ready' });
    const answered = await electron.module.ipcMain.invoke(IPC_CALL, ipcEvent(contents), 'getHealth', {});
    expect(answered).toMatchObject({ ok: true });
  });

  it('shuts the core down before quitting', async () => {
    const electron = await launch();
    const core = electron.coreProcesses[0]!;
    core.reply({ type: 'ready' });
    const quit = { preventDefault: vi.fn() };
    electron.module.app.emit('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    expect(core.last('shutdown')).toEqual({ type: 'shutdown' });
    expect(electron.module.app.quit).not.toHaveBeenCalled();
    await flush(); // the scripted core exits after shutdown
    await flush();
    expect(electron.module.app.quit).toHaveBeenCalledTimes(1);
    // The second before-quit (from that quit) goes through.
    const second = { preventDefault: vi.fn() };
    electron.module.app.emit('before-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
  });

  it('leaves at once when another Vigil already runs', async () => {
    const electron = await launch({ gotLock: false });
    expect(electron.module.app.quit).toHaveBeenCalled();
    expect(electron.windows).toHaveLength(0);
    expect(electron.module.utilityProcess.fork).not.toHaveBeenCalled();
  });

  it('brings its window forward when a second instance starts', async () => {
    const electron = await launch();
    electron.module.app.emit('second-instance');
    expect(electron.windows[0]!.focus).toHaveBeenCalled();
  });

  it('offers reload and developer tools only in development', async () => {
    const roles = (electron: ElectronMock): string[] => {
      const template = electron.module.Menu.buildFromTemplate.mock.calls[0]![0] as {
        submenu?: { role?: string }[];
      }[];
      return template.flatMap((menu) => (menu.submenu ?? []).map((item) => item.role ?? ''));
    };
    const packaged = roles(await launch({ isPackaged: true }));
    expect(packaged).toContain('quit');
    expect(packaged).toContain('about');
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).not.toContain('reload');
    const dev = roles(await launch({ isPackaged: false }));
    expect(dev).toContain('toggleDevTools');
    expect(dev).toContain('reload');
  });

  it('loads the Vite dev server in development and trusts only that origin', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173');
    const electron = await launch({ isPackaged: false });
    const window = electron.windows[0]!;
    expect(window.loadURL).toHaveBeenCalledWith('http://localhost:5173');
    expect(window.options.webPreferences).toMatchObject({ sandbox: true, devTools: true });
    electron.coreProcesses[0]!.reply({ type: 'ready' });
    const { ipcMain } = electron.module;
    const fromDevServer = ipcEvent(window.webContents, fakeFrame('http://localhost:5173/'));
    await expect(ipcMain.invoke(IPC_CALL, fromDevServer, 'getHealth', {})).resolves.toMatchObject({
      ok: true,
    });
    const fromOtherPort = ipcEvent(window.webContents, fakeFrame('http://localhost:8080/'));
    await expect(ipcMain.invoke(IPC_CALL, fromOtherPort, 'getHealth', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});
