import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { AlarmsActions, AlarmsState, AlarmsStore } from '../../store/alarmsStore';

export const AlarmsContext = createContext<AlarmsStore | null>(null);

export function useAlarmsStore(): AlarmsStore {
  const store = useContext(AlarmsContext);
  if (!store) throw new Error('AlarmsContext is missing: render inside <AlarmsContext.Provider>');
  return store;
}

/** Reads the alarm store through a selector (select raw fields; derive with useMemo). */
export function useAlarms<T>(selector: (state: AlarmsState & AlarmsActions) => T): T {
  return useStore(useAlarmsStore(), selector);
}
