import { useEffect } from 'react';
import { useAppStoreApi } from '../store';
import { hasModifier } from './keys';
import { sections } from './sections';

/** Ctrl/Cmd+K opens the palette, Ctrl/Cmd+1..5 go to a section, from anywhere in the app. */
export function useGlobalShortcuts(): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!hasModifier(e) || e.shiftKey) return;
      const state = store.getState();
      if (e.key.toLowerCase() === 'k') {
        e.preventDefault();
        if (state.paletteOpen) state.closePalette();
        else state.openPalette();
        return;
      }
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
