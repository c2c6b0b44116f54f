/**
 * The renderer's one store, built from feature slices (the zustand slices pattern). Each slice
 * owns its state and the actions that change it; side effects (API calls, storage) live in those
 * actions, never in components. Components select the smallest piece they need.
 * High-rate streams (terminal output, log tails) never go through here.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { WatchfloorApi } from '@shared/rpc';
import { createShellSlice, type ShellSlice } from '../app/shellSlice';
import { createToastsSlice, type ToastsSlice } from '../app/toasts/toastsSlice';
import { createPaletteSlice, type PaletteSlice } from '../app/palette/paletteSlice';
import { createRunbooksSlice, type RunbooksSlice } from '../features/runbooks/runbooksSlice';
import { createSourcesSlice, type SourcesSlice } from '../features/runbooks/sourcesSlice';
import { createEnvironmentsSlice, type EnvironmentsSlice } from '../features/environments/environmentsSlice';
import { createSecretsSlice, type SecretsSlice } from '../features/secrets/secretsSlice';
import { createTerminalsSlice, type TerminalsSlice } from '../features/terminals/terminalsSlice';
import { createStepsSlice, type StepsSlice } from '../features/steps/stepsSlice';
import { createAlertsSlice, type AlertsSlice } from '../features/alerts/alertsSlice';
import { createIncidentsSlice, type IncidentsSlice } from '../features/incidents/incidentsSlice';
import { createReportsSlice, type ReportsSlice } from '../features/reports/reportsSlice';

export type AppState = ShellSlice & ToastsSlice & PaletteSlice & RunbooksSlice & SourcesSlice & EnvironmentsSlice & SecretsSlice & TerminalsSlice & StepsSlice & AlertsSlice & IncidentsSlice & ReportsSlice;

/** What every slice creator receives: the store's setter and getter, and the core's API. */
export interface SliceContext {
  set: (partial: Partial<AppState> | ((state: AppState) => Partial<AppState>)) => void;
  get: () => AppState;
  api: WatchfloorApi;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(api: WatchfloorApi): AppStore {
  return createStore<AppState>()((set, get) => {
    const ctx: SliceContext = { set, get, api };
    return {
      ...createShellSlice(ctx),
      ...createToastsSlice(ctx),
      ...createPaletteSlice(ctx),
      ...createRunbooksSlice(ctx),
      ...createSourcesSlice(ctx),
      ...createEnvironmentsSlice(ctx),
      ...createSecretsSlice(ctx),
      ...createTerminalsSlice(ctx),
      ...createStepsSlice(ctx),
      ...createAlertsSlice(ctx),
      ...createIncidentsSlice(ctx),
      ...createReportsSlice(ctx),
    };
  });
}

export const StoreContext = createContext<AppStore | null>(null);

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore is used outside <StoreContext.Provider>');
  return useStore(store, selector);
}

/** The store itself, for event handlers that call actions without subscribing to state. */
export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStoreApi is used outside <StoreContext.Provider>');
  return store;
}
