import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { AlarmsBadge } from '../features/alarms/AlarmsBadge';
import { AlarmsView } from '../features/alarms/AlarmsView';
import { NO_FILTERS } from '../features/alarms/alarmModel';
import { AlarmsContext } from '../features/alarms/context';
import { ConnectionsBadge } from '../features/connections/ConnectionsBadge';
import { ConnectionsView } from '../features/connections/ConnectionsView';
import { ConnectionsContext } from '../features/connections/context';
import { DecisionsBadge } from '../features/decisions/DecisionsBadge';
import { DecisionsView } from '../features/decisions/DecisionsView';
import { DecisionsContext } from '../features/decisions/context';
import { DesktopPermissionButton, Toasts, useNotifications } from '../features/notifications/Notifications';
import { createAlarmsStore } from '../store/alarmsStore';
import { createConnectionsStore } from '../store/connectionsStore';
import { createDecisionsStore } from '../store/decisionsStore';
import { startConsole } from '../store/lifecycle';
import { useServices } from './AppContext';
import { AssetTree } from './AssetTree';
import { Header } from './Header';
import { TrendPanel } from './TrendPanel';

type ViewId = 'trends' | 'alarms' | 'decisions' | 'connections';
const VIEWS: { id: ViewId; label: string; key: string }[] = [
  { id: 'trends', label: 'Trends', key: '1' },
  { id: 'alarms', label: 'Alarms', key: '2' },
  { id: 'decisions', label: 'Decisions', key: '3' },
  { id: 'connections', label: 'Connections', key: '4' },
];

/** Views that are not about one asset: no asset tree beside them. */
const WITHOUT_TREE: ReadonlySet<ViewId> = new Set(['decisions', 'connections']);

/** Where the keyboard lands when a view is opened with Alt+digit, in order of preference. */
const PANEL_FOCUS = [
  '[role="grid"] tbody tr[tabindex="0"]',
  '.rec-buttons button',
  '[role="tree"] [tabindex="0"]',
  'main',
];

export function App() {
  const { client, store } = useServices();
  useEffect(() => startConsole(store, client), [client, store]);

  // The alarm and decision feeds and the certificate queue run whatever view is shown: the tab
  // badges count from them.
  const [alarms] = useState(() => createAlarmsStore(client));
  const [decisions] = useState(() => createDecisionsStore(client));
  const [connections] = useState(() => createConnectionsStore(client));
  useEffect(() => alarms.getState().start(), [alarms]);
  useEffect(() => decisions.getState().start(), [decisions]);
  useEffect(() => connections.getState().start(), [connections]);

  const [view, setView] = useState<ViewId>('trends');
  const panelRef = useRef<HTMLDivElement>(null);
  const tabRefs = useRef(new Map<ViewId, HTMLButtonElement>());
  const [focusPanel, setFocusPanel] = useState(0);

  const show = useCallback((next: ViewId, focus: 'tab' | 'panel') => {
    setView(next);
    if (focus === 'tab') tabRefs.current.get(next)?.focus();
    else setFocusPanel((n) => n + 1);
  }, []);

  // After Alt+digit the keyboard lands in the view (the alarm queue's current row), not on the tab.
  useEffect(() => {
    if (!focusPanel) return;
    const panel = panelRef.current;
    if (!panel) return;
    const target = PANEL_FOCUS.map((selector) => panel.querySelector<HTMLElement>(selector)).find(Boolean);
    target?.focus();
  }, [focusPanel]);

  // Alt+1/2/3/4 from anywhere in the console.
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      // event.code, not event.key: Alt+digit types other characters on some layouts (macOS).
      const match = /^Digit([1-9])$/.exec(event.code);
      const target = match ? VIEWS.find((v) => v.key === match[1]) : undefined;
      if (!target) return;
      event.preventDefault();
      show(target.id, 'panel');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [show]);

  const openAlarm = useCallback(
    (alarmId: string) => {
      const s = alarms.getState();
      // An alarm hidden by a filter would not be found: show everything, then focus it.
      s.setFilters(NO_FILTERS);
      s.focus(alarmId);
      show('alarms', 'panel');
    },
    [alarms, show],
  );
  const notifications = useNotifications(client, openAlarm);

  const onTabKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = VIEWS.findIndex((v) => v.id === view);
    const next =
      event.key === 'ArrowRight'
        ? VIEWS[(at + 1) % VIEWS.length]
        : event.key === 'ArrowLeft'
          ? VIEWS[(at - 1 + VIEWS.length) % VIEWS.length]
          : event.key === 'Home'
            ? VIEWS[0]
            : event.key === 'End'
              ? VIEWS[VIEWS.length - 1]
              : undefined;
    if (!next) return;
    event.preventDefault();
    show(next.id, 'tab');
  };

  return (
    <AlarmsContext.Provider value={alarms}>
      <DecisionsContext.Provider value={decisions}>
        <ConnectionsContext.Provider value={connections}>
          <div className="app">
            <Header />
            <div className="view-bar">
              <div className="view-tabs" role="tablist" aria-label="Views" onKeyDown={onTabKeyDown}>
                {VIEWS.map((v) => (
                  <button
                    key={v.id}
                    ref={(el) => {
                      if (el) tabRefs.current.set(v.id, el);
                      else tabRefs.current.delete(v.id);
                    }}
                    type="button"
                    role="tab"
                    id={`tab-${v.id}`}
                    className="view-tab"
                    aria-selected={view === v.id}
                    aria-controls="view-panel"
                    aria-keyshortcuts={`Alt+${v.key}`}
                    tabIndex={view === v.id ? 0 : -1}
                    onClick={() => show(v.id, 'tab')}
                    data-testid={`tab-${v.id}`}
                  >
                    {v.label}
                    {v.id === 'alarms' && <AlarmsBadge />}
                    {v.id === 'decisions' && <DecisionsBadge />}
                    {v.id === 'connections' && <ConnectionsBadge />}
                    <kbd aria-hidden="true">Alt+{v.key}</kbd>
                  </button>
                ))}
              </div>
              <div className="view-bar-end">
                <DesktopPermissionButton services={notifications} />
              </div>
            </div>
            <div
              className="workspace view-panel"
              role="tabpanel"
              id="view-panel"
              aria-labelledby={`tab-${view}`}
              ref={panelRef}
            >
              {!WITHOUT_TREE.has(view) && (
                <nav className="side-panel" aria-label="Assets">
                  <AssetTree />
                </nav>
              )}
              <main className="main-panel" tabIndex={-1}>
                {view === 'trends' && <TrendPanel />}
                {view === 'alarms' && <AlarmsView />}
                {view === 'decisions' && <DecisionsView />}
                {view === 'connections' && <ConnectionsView />}
              </main>
            </div>
            <Toasts services={notifications} onOpenAlarm={openAlarm} />
          </div>
        </ConnectionsContext.Provider>
      </DecisionsContext.Provider>
    </AlarmsContext.Provider>
  );
}
