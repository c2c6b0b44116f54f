import type { AppInfo, Preferences } from '@shared/contract';
import type { MenuCommand } from '@shared/menu';
import type { SliceContext } from '../store';
import type { SectionId } from './sections';
import { storageKeys, writePreference } from './storage';
import { loadThemePreference, saveThemePreference, type ThemePreference } from './theme';

export type Connection = { state: 'connected' } | { state: 'lost'; reason: string };

export interface ShellSlice {
  section: SectionId;
  themePreference: ThemePreference;
  info: AppInfo | null;
  noticeDismissed: boolean;
  connection: Connection;
  paletteOpen: boolean;
  /** The operator went to a section in this session: an open incident is then not resumed over it. */
  operatorNavigated: boolean;
  navigate(section: SectionId): void;
  setThemePreference(preference: ThemePreference): void;
  /** System → dark → light → system. */
  cycleTheme(): void;
  openPalette(): void;
  closePalette(): void;
  dismissNotice(): void;
  /** Once, at start: learn about the core, load what every page needs, follow changes. */
  start(): void;
  /** Preferences as the core keeps them (they survive restarts on either host). */
  applyPreferences(preferences: Preferences): void;
  /** A command from the desktop application menu. */
  runMenuCommand(command: MenuCommand): void;
}

const themeOrder: ThemePreference[] = ['system', 'dark', 'light'];

export function createShellSlice({ set, get, api }: SliceContext): ShellSlice {
  return {
    section: 'runbooks',
    themePreference: loadThemePreference(),
    info: null,
    noticeDismissed: false,
    connection: { state: 'connected' },
    paletteOpen: false,
    operatorNavigated: false,
    navigate(section) {
      set({ section, paletteOpen: false, operatorNavigated: true });
    },
    setThemePreference(preference) {
      saveThemePreference(preference);
      set({ themePreference: preference });
      api.call('preferences.update', { theme: preference }).catch((error: unknown) => get().reportError('Saving the theme', error));
    },
    cycleTheme() {
      const current = themeOrder.indexOf(get().themePreference);
      get().setThemePreference(themeOrder[(current + 1) % themeOrder.length] ?? 'system');
    },
    openPalette() {
      set({ paletteOpen: true });
    },
    closePalette() {
      set({ paletteOpen: false });
    },
    dismissNotice() {
      set({ noticeDismissed: true });
    },
    start() {
      api.onDisconnect((reason) => set({ connection: { state: 'lost', reason } }));
      api.on('environments.changed', () => void get().loadEnvironments());
      api.on('runbooks.changed', ({ ids }) => get().runbooksChanged(ids));
      api.on('sources.changed', () => void get().loadSources());
      api.on('preferences.changed', (preferences) => get().applyPreferences(preferences));
      api.call('preferences.get', {}).then(
        (preferences) => get().applyPreferences(preferences),
        (error: unknown) => get().reportError('Reading your preferences', error),
      );
      api.call('app.info', {}).then(
        (info) => set({ info }),
        (error: unknown) => get().reportError('Reading the core’s status', error),
      );
      void get().loadEnvironments();
      void get().loadRunbooks();
      void get().loadSources(true);
      // An incident left open is resumed on start (the Incidents page, at its current step).
      get().startIncidents();
    },
    applyPreferences(preferences) {
      // The local copies only spare a flash of the wrong theme before the core answers.
      saveThemePreference(preferences.theme);
      writePreference(storageKeys.environment, preferences.currentEnvironmentId);
      set({ themePreference: preferences.theme, currentEnvironmentId: preferences.currentEnvironmentId });
    },
    runMenuCommand(command) {
      switch (command.type) {
        case 'navigate':
          get().navigate(command.section);
          return;
        case 'palette.open':
          get().openPalette();
          return;
        case 'runbooks.import':
          void get().importRunbookTexts({ files: command.files, errors: command.errors });
          return;
      }
    },
  };
}
