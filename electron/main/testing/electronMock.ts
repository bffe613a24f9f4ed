import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import type { CoreHostMessage } from '../../../shared/ipc';
import { FakeCoreProcess, FakeIpcMain, FakeWebContents } from './fakes';

/**
 * A stand-in for the 'electron' module (the binary cannot be downloaded here), complete enough
 * to run electron/main/index.ts: it records what the shell asked of Electron so tests can
 * check the window options, the security hooks and the IPC wiring.
 */
export function createElectronMock(options: { isPackaged?: boolean; gotLock?: boolean } = {}) {
  const app = Object.assign(new EventEmitter(), {
    isPackaged: options.isPackaged ?? true,
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => options.gotLock ?? true),
    whenReady: vi.fn(() => Promise.resolve()),
    getAppPath: () => '/opt/vigil/resources/app.asar',
    getPath: (name: string) =>
      `/home/operator/.config/Vigil/${name === 'userData' ? '' : name}`.replace(/\/$/, ''),
    getVersion: () => '0.1.0',
    setAboutPanelOptions: vi.fn(),
    quit: vi.fn(),
    exit: vi.fn(),
  });

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents: FakeWebContents;
    readonly loadURL = vi.fn((_url: string) => Promise.resolve());
    readonly show = vi.fn();
    readonly focus = vi.fn();
    readonly restore = vi.fn();
    isMinimized = (): boolean => false;

    constructor(readonly options: Record<string, unknown>) {
      super();
      this.webContents = new FakeWebContents('vigil://app/index.html');
      windows.push(this);
      app.emit('web-contents-created', {}, this.webContents);
    }
  }

  /** Every forked core process; the scripted core answers calls and reports ready. */
  const coreProcesses: FakeCoreProcess[] = [];
  const scriptedCore = (message: CoreHostMessage, proc: FakeCoreProcess): void => {
    if (message.type === 'call') {
      queueMicrotask(() =>
        proc.reply({
          type: 'result',
          id: message.id,
          ok: true,
          result: { answeredBy: 'core', name: message.name },
        }),
      );
    }
    if (message.type === 'shutdown') queueMicrotask(() => proc.crash(0));
  };
  const utilityProcess = {
    fork: vi.fn((_modulePath: string, _args?: string[], _options?: Record<string, unknown>) => {
      const proc = new FakeCoreProcess(scriptedCore);
      coreProcesses.push(proc);
      return proc;
    }),
  };

  let headersListener: ((details: unknown, callback: (response: unknown) => void) => void) | null = null;
  const session = {
    defaultSession: {
      webRequest: {
        onHeadersReceived: vi.fn((listener: typeof headersListener) => (headersListener = listener)),
      },
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
    },
  };

  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    utilityProcess,
    session,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })), setApplicationMenu: vi.fn() },
    dialog: { showErrorBox: vi.fn() },
  };

  return {
    module,
    windows,
    coreProcesses,
    /** Plays a response through the session's onHeadersReceived hook. */
    respond(
      url: string,
      responseHeaders: Record<string, string[]>,
    ): { responseHeaders?: Record<string, string[]> } {
      if (!headersListener) throw new Error('No onHeadersReceived listener installed');
      let result: unknown;
      headersListener({ url, responseHeaders }, (response) => (result = response));
      return result as { responseHeaders?: Record<string, string[]> };
    },
  };
}

export type ElectronMock = ReturnType<typeof createElectronMock>;
