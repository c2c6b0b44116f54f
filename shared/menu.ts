/**
 * The desktop menu's commands that act in the UI. The Electron main process builds its menu from
 * these tables and sends the renderer a `MenuCommand` when one is chosen; the renderer subscribes
 * with `window.watchfloorShell.onMenuCommand(cb)` (absent in the headless host, which has no menu
 * and relies on the renderer's own shortcuts for the same actions).
 */

export type MenuSection = 'incidents' | 'runbooks' | 'alerts' | 'terminals' | 'environments';

/** The Go menu, in the navigation rail's order. */
export const goMenu: readonly { section: MenuSection; label: string; accelerator: string }[] = [
  { section: 'incidents', label: 'Incidents', accelerator: 'CmdOrCtrl+1' },
  { section: 'runbooks', label: 'Runbooks', accelerator: 'CmdOrCtrl+2' },
  { section: 'alerts', label: 'Alerts', accelerator: 'CmdOrCtrl+3' },
  { section: 'terminals', label: 'Terminals', accelerator: 'CmdOrCtrl+4' },
  { section: 'environments', label: 'Environments', accelerator: 'CmdOrCtrl+5' },
];

export const menuAccelerators = {
  importRunbooks: 'CmdOrCtrl+O',
  commandPalette: 'CmdOrCtrl+K',
} as const;

/** File types File › Import Runbooks… offers (the same ones the renderer's picker accepts). */
export const runbookFileExtensions = ['md', 'markdown', 'txt'] as const;

export type MenuCommand =
  | { type: 'navigate'; section: MenuSection }
  | { type: 'palette.open' }
  /**
   * File › Import Runbooks…: the main process shows the native file dialog (a page cannot open
   * its file picker without a click of its own) and sends what it read. The renderer imports
   * `files` with `runbooks.import` and reports `errors` (files it could not read) like its own.
   */
  | {
      type: 'runbooks.import';
      files: { name: string; text: string }[];
      errors: { name: string; message: string }[];
    };

/** What the preload exposes as `window.watchfloorShell`. */
export interface WatchfloorShell {
  /** Calls `listener` for every menu command; returns the function that unsubscribes. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

const sections = new Set<string>(goMenu.map((g) => g.section));
const isString = (v: unknown): v is string => typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Checked where a command crosses into the page (the preload), so a malformed one is dropped. */
export function isMenuCommand(value: unknown): value is MenuCommand {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'navigate':
      return isString(value.section) && sections.has(value.section);
    case 'palette.open':
      return true;
    case 'runbooks.import':
      return (
        Array.isArray(value.files) &&
        value.files.every((f) => isRecord(f) && isString(f.name) && isString(f.text)) &&
        Array.isArray(value.errors) &&
        value.errors.every((e) => isRecord(e) && isString(e.name) && isString(e.message))
      );
    default:
      return false;
  }
}
