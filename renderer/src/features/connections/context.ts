import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ConnectionsActions, ConnectionsState, ConnectionsStore } from '../../store/connectionsStore';

export const ConnectionsContext = createContext<ConnectionsStore | null>(null);

export function useConnectionsStore(): ConnectionsStore {
  const store = useContext(ConnectionsContext);
  if (!store) throw new Error('ConnectionsContext is missing: render inside <ConnectionsContext.Provider>');
  return store;
}

/** Reads the connections store through a selector (select raw fields; derive with useMemo). */
export function useConnections<T>(selector: (state: ConnectionsState & ConnectionsActions) => T): T {
  return useStore(useConnectionsStore(), selector);
}
