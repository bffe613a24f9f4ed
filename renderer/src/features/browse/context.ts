import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BrowseActions, BrowseState, BrowseStore } from '../../store/browseStore';

export const BrowseContext = createContext<BrowseStore | null>(null);

export function useBrowseStore(): BrowseStore {
  const store = useContext(BrowseContext);
  if (!store) throw new Error('BrowseContext is missing: render inside <BrowseContext.Provider>');
  return store;
}

/** Reads the browse store through a selector (select raw fields; derive with useMemo). */
export function useBrowse<T>(selector: (state: BrowseState & BrowseActions) => T): T {
  return useStore(useBrowseStore(), selector);
}
