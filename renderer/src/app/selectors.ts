import type { AppState } from '../store';

export const selectCurrentEnvironment = (s: AppState) =>
  s.environments.find((e) => e.id === s.currentEnvironmentId) ?? null;
