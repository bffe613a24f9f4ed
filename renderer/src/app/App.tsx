import { useEffect } from 'react';
import { startConsole } from '../store/lifecycle';
import { useServices } from './AppContext';
import { AssetTree } from './AssetTree';
import { Header } from './Header';
import { TrendPanel } from './TrendPanel';

export function App() {
  const { client, store } = useServices();
  useEffect(() => startConsole(store, client), [client, store]);

  return (
    <div className="app">
      <Header />
      <div className="workspace">
        <nav className="side-panel" aria-label="Assets">
          <AssetTree />
        </nav>
        <main className="main-panel">
          <TrendPanel />
        </main>
      </div>
    </div>
  );
}
