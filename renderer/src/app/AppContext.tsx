import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { AppActions, AppState, AppStore } from '../store/appStore';
import type { RendererClient } from '../transport/types';

export interface AppServices {
  client: RendererClient;
  store: AppStore;
}

export const AppContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('AppContext is missing: render inside <AppContext.Provider>');
  return services;
}

/** Reads the app store through a selector (re-renders only when the selected value changes). */
export function useAppState<T>(selector: (state: AppState & AppActions) => T): T {
  return useStore(useServices().store, selector);
}

/**
 * The store's actions as one stable object (the functions never change; the state object
 * holding them does on every update), safe to use in effect dependencies.
 */
export function useActions(): AppActions {
  const { store } = useServices();
  return useMemo(() => {
    const s = store.getState();
    return {
      loadAssets: s.loadAssets,
      selectAsset: s.selectAsset,
      focusTreeItem: s.focusTreeItem,
      setExpanded: s.setExpanded,
      refreshHealth: s.refreshHealth,
      setTransport: s.setTransport,
      setTrendStatus: s.setTrendStatus,
    };
  }, [store]);
}
