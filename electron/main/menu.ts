import type { MenuItemConstructorOptions } from 'electron';

/**
 * A minimal application menu. Reload and the developer tools exist only in development:
 * an operator console has no use for them and they bypass what the UI allows.
 * Edit is there so copy/paste shortcuts work in text fields on macOS.
 */
export function buildMenuTemplate(options: { isDev: boolean; isMac: boolean }): MenuItemConstructorOptions[] {
  const { isDev, isMac } = options;
  const view: MenuItemConstructorOptions[] = [
    ...(isDev
      ? ([
          { role: 'reload' },
          { role: 'forceReload' },
          { role: 'toggleDevTools' },
          { type: 'separator' },
        ] satisfies MenuItemConstructorOptions[])
      : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(isMac ? [{ role: 'appMenu' } satisfies MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    { role: 'help', submenu: [{ role: 'about', label: 'About Vigil' }] },
  ];
}
