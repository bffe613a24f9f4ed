import { app, dialog, ipcMain, Menu, Notification, protocol, session, utilityProcess } from 'electron';
import { APP_INDEX_URL, APP_SCHEME, appScheme, createAppProtocolHandler } from './appProtocol';
import { createAppUrlMatcher } from './appOrigin';
import { CoreHost } from './coreHost';
import { showCoreNotifications } from './desktopNotifications';
import { contentSecurityPolicy } from '../../shared/csp';
import { registerIpcRelay } from './ipcRelay';
import { launchPaths } from './launchPaths';
import { CORE_V8_FLAGS } from '../core/app/coreV8Flags';
import { consoleLog } from './log';
import { buildMenuTemplate } from './menu';
import { hardenWebContents, installSessionSecurity } from './security';
import { AppWindows } from './window';

/*
 * The Electron main process: a thin shell. It starts the core in a utility process, shows the
 * renderer in a locked-down window and relays the typed API between them. Domain logic lives
 * in the core (electron/core), which the headless server and the CLI share.
 */

const log = consoleLog;
const windows = new AppWindows(log);

// Before 'ready' (Electron docs): sandbox every renderer, and give the app scheme its privileges.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([appScheme]);

async function startApp(): Promise<void> {
  const isDev = !app.isPackaged;
  const devServerUrl = (isDev && process.env.ELECTRON_RENDERER_URL) || undefined;
  const paths = launchPaths({
    appPath: app.getAppPath(),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    userDataPath: app.getPath('userData'),
    argv: process.argv,
    env: process.env,
  });
  const appUrl = devServerUrl ?? APP_INDEX_URL;
  const isAppUrl = createAppUrlMatcher(appUrl);
  const csp = contentSecurityPolicy({ devServerUrl });

  protocol.handle(APP_SCHEME, createAppProtocolHandler(paths.rendererDir, { csp }));
  installSessionSecurity(session.defaultSession, { csp, isAppUrl, log });
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { isAppUrl, log }));

  const core = new CoreHost({
    fork: () =>
      utilityProcess.fork(paths.coreEntry, paths.coreArgs, {
        serviceName: 'Vigil core',
        env: paths.coreEnv,
        execArgv: [...CORE_V8_FLAGS],
        stdio: 'inherit',
      }),
    log,
  });
  core.onStatusChange((status) =>
    log.info(
      `Core ${status.state}${status.lastError && status.state !== 'ready' ? `: ${status.lastError}` : ''}`,
    ),
  );
  core.start();

  showCoreNotifications({
    core,
    notifications: {
      isSupported: () => Notification.isSupported(),
      show: (options) => new Notification(options).show(),
    },
    log,
  });

  const relay = registerIpcRelay({
    ipcMain,
    core,
    senderPolicy: { isAppWebContents: (contents) => windows.isAppWebContents(contents), isAppUrl },
    log,
  });

  app.setAboutPanelOptions({ applicationName: 'Vigil', applicationVersion: app.getVersion() });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(buildMenuTemplate({ isDev, isMac: process.platform === 'darwin' })),
  );

  const openWindow = (): void => {
    windows.create({ preloadPath: paths.preload, url: appUrl, isDev });
  };
  openWindow();
  app.on('activate', () => {
    if (windows.count === 0) openWindow();
  });

  // Quit only after the core has shut down in order (historian and outbox flushed).
  let quitting: 'no' | 'stopping' | 'done' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'done') return;
    event.preventDefault();
    if (quitting === 'stopping') return;
    quitting = 'stopping';
    relay.dispose();
    void core.stop().finally(() => {
      quitting = 'done';
      app.quit();
    });
  });
}

// One Vigil per user: two cores would contend for the historian file and the OPC UA sessions.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const window = windows.first();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(startApp)
    .catch((err: unknown) => {
      log.error('Vigil could not start', err);
      dialog.showErrorBox('Vigil could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}
