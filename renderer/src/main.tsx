import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App';
import { AppContext } from './app/AppContext';
import { createAppStore } from './store/appStore';
import { createClient } from './transport/createClient';
import './styles.css';

// zod compiles fast parsers with Function() unless told not to; under the strict CSP
// (no 'unsafe-eval') that probe is refused and reported as a violation on every page load.
z.config({ jitless: true });

const client = createClient();
const store = createAppStore(client, { transport: client.status.get() });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ client, store }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
