import { useEffect } from 'react';
import { useAppStoreApi } from '../store';
import { hasModifier } from './keys';
import { sections } from './sections';

/**
 * Ctrl/Cmd+K opens the palette, Ctrl/Cmd+1..5 go to a section, from anywhere in the app but a
 * terminal: there every key belongs to the shell (Ctrl+K is readline's kill-line). Ctrl/Cmd+Shift+K
 * opens the palette and Ctrl/Cmd+Shift+J the incident quick note ("journal") from anywhere, a
 * terminal included; no shell binds them.
 */
export function useGlobalShortcuts(): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!hasModifier(e)) return;
      const state = store.getState();
      const terminal = inTerminal(e.target);
      if (e.key.toLowerCase() === 'k' && (e.shiftKey || !terminal)) {
        e.preventDefault();
        if (state.paletteOpen) state.closePalette();
        else state.openPalette();
        return;
      }
      if (e.key.toLowerCase() === 'j' && e.shiftKey) {
        e.preventDefault();
        if (state.quickNoteOpen) state.closeQuickNote();
        else state.openQuickNote();
        return;
      }
      if (e.shiftKey || terminal) return;
      const section = sections.find((s) => s.key === e.key);
      if (section) {
        e.preventDefault();
        state.navigate(section.id);
      }
    };
    // Dropping a file outside the Runbooks page must not navigate the window to that file.
    const swallowDrop = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('dragover', swallowDrop);
    window.addEventListener('drop', swallowDrop);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('dragover', swallowDrop);
      window.removeEventListener('drop', swallowDrop);
    };
  }, [store]);
}

/** Whether a key went to a terminal's xterm (its hidden textarea, or anything inside it). */
function inTerminal(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('.xterm') !== null;
}
