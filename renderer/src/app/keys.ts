import type { KeyboardEvent as ReactKeyboardEvent } from 'react';

/** Keyboard shortcut helpers: Cmd on macOS, Ctrl elsewhere (both are accepted everywhere). */
const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export const modKeyLabel = isMac ? '⌘' : 'Ctrl';

/** A shortcut as shown in tooltips and the palette, e.g. "Ctrl+1" or "⌘1". */
export function shortcutLabel(key: string): string {
  return isMac ? `⌘${key.toUpperCase()}` : `Ctrl+${key.toUpperCase()}`;
}

/** A Shift shortcut as shown, e.g. "Ctrl+Shift+K" or "⇧⌘K". */
export function shiftShortcutLabel(key: string): string {
  return isMac ? `⇧⌘${key.toUpperCase()}` : `Ctrl+Shift+${key.toUpperCase()}`;
}

/** The `aria-keyshortcuts` value for a Ctrl/Cmd shortcut. */
export function ariaShortcut(key: string): string {
  return isMac ? `Meta+${key.toUpperCase()}` : `Control+${key.toUpperCase()}`;
}

export function hasModifier(event: KeyboardEvent | ReactKeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey;
}
