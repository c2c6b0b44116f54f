import { readPreference, storageKeys, writePreference } from './storage';

/** `system` follows prefers-color-scheme; the others override it. */
export type ThemePreference = 'system' | 'dark' | 'light';

export const themeLabels: Record<ThemePreference, string> = {
  system: 'Follow system',
  dark: 'Dark',
  light: 'Light',
};

export function loadThemePreference(): ThemePreference {
  const saved = readPreference(storageKeys.theme);
  return saved === 'dark' || saved === 'light' ? saved : 'system';
}

/** The stylesheet keys its colours off `color-scheme`, which `data-theme` pins when overridden. */
export function applyTheme(preference: ThemePreference): void {
  document.documentElement.dataset.theme = preference;
}

export function saveThemePreference(preference: ThemePreference): void {
  writePreference(storageKeys.theme, preference === 'system' ? null : preference);
  applyTheme(preference);
}
