import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import type { Log } from './log';

/**
 * The renderer runs sandboxed and isolated with no Node: everything it may do goes through
 * the preload's named operations. These are Electron's secure defaults spelled out, so a
 * template default or an upgrade cannot silently weaken them.
 */
export function mainWindowOptions(
  preloadPath: string,
  options: { isDev: boolean },
): BrowserWindowConstructorOptions {
  return {
    title: 'Vigil',
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#101418',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: options.isDev,
    },
  };
}

/**
 * The windows this app created. IPC is accepted only from their WebContents, so a window opened
 * any other way (there should be none: window.open is denied) cannot reach the core.
 */
export class AppWindows {
  private readonly windows = new Map<number, BrowserWindow>();

  constructor(private readonly log: Log) {}

  create(options: { preloadPath: string; url: string; isDev: boolean }): BrowserWindow {
    const window = new BrowserWindow(mainWindowOptions(options.preloadPath, { isDev: options.isDev }));
    // Read once: the WebContents is destroyed by the time 'closed' fires.
    const contentsId = window.webContents.id;
    this.windows.set(contentsId, window);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => this.windows.delete(contentsId));
    window.loadURL(options.url).catch((err: unknown) => this.log.error(`Could not load ${options.url}`, err));
    return window;
  }

  isAppWebContents(contents: WebContents): boolean {
    return this.windows.has(contents.id);
  }

  /** The window to bring forward when the user starts Vigil a second time. */
  first(): BrowserWindow | undefined {
    return this.windows.values().next().value;
  }

  get count(): number {
    return this.windows.size;
  }
}
