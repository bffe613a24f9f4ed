import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { DecisionsActions, DecisionsState, DecisionsStore } from '../../store/decisionsStore';

export const DecisionsContext = createContext<DecisionsStore | null>(null);

export function useDecisionsStore(): DecisionsStore {
  const store = useContext(DecisionsContext);
  if (!store) throw new Error('DecisionsContext is missing: render inside <DecisionsContext.Provider>');
  return store;
}

/** Reads the decision store through a selector (select raw fields; derive with useMemo). */
export function useDecisions<T>(selector: (state: DecisionsState & DecisionsActions) => T): T {
  return useStore(useDecisionsStore(), selector);
}
