import { Search } from 'lucide-react';
import { useAppStore } from '../store';
import { EnvironmentSelect } from '../features/environments/EnvironmentSelect';
import { ariaShortcut, shortcutLabel } from './keys';
import { sections } from './sections';

export function TopBar() {
  const section = useAppStore((s) => s.section);
  const openPalette = useAppStore((s) => s.openPalette);
  const label = sections.find((s) => s.id === section)?.label ?? '';
  return (
    <header className="topbar">
      <h1 className="topbar-title">{label}</h1>
      <button
        type="button"
        className="palette-trigger"
        onClick={openPalette}
        aria-label="Search or run a command"
        aria-keyshortcuts={ariaShortcut('k')}
      >
        <Search size={14} aria-hidden="true" />
        <span className="palette-trigger-text">Search runbooks, jump, run a command…</span>
        <kbd>{shortcutLabel('k')}</kbd>
      </button>
      <EnvironmentSelect />
    </header>
  );
}
