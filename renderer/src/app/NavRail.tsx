import { Command, Monitor, Moon, Sun } from 'lucide-react';
import { useEffect } from 'react';
import { useAppStore } from '../store';
import { ariaShortcut, shortcutLabel } from './keys';
import { sections } from './sections';
import { themeLabels } from './theme';

export function NavRail() {
  const current = useAppStore((s) => s.section);
  const navigate = useAppStore((s) => s.navigate);
  const firing = useFiringAlerts();
  return (
    <nav className="rail" aria-label="Sections">
      <div className="rail-brand" aria-hidden="true" title="Watchfloor">
        <svg viewBox="0 0 24 24" width="22" height="22">
          <path d="M12 2.5 3.5 6v6.2c0 4.7 3.6 8.4 8.5 9.3 4.9-.9 8.5-4.6 8.5-9.3V6L12 2.5Z" fill="currentColor" opacity=".18" />
          <path d="M12 2.5 3.5 6v6.2c0 4.7 3.6 8.4 8.5 9.3 4.9-.9 8.5-4.6 8.5-9.3V6L12 2.5Z" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinejoin="round" />
          <path d="M7.5 12.5h2.2l1.4-3.2 2 6 1.5-2.8h1.9" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </div>
      <ul className="rail-items">
        {sections.map((section) => {
          const Icon = section.icon;
          const active = section.id === current;
          return (
            <li key={section.id}>
              <a
                href={`#${section.id}`}
                className="rail-item"
                aria-label={section.id === 'alerts' && firing > 0 ? `${section.label}, ${firing} firing` : section.label}
                aria-current={active ? 'page' : undefined}
                aria-keyshortcuts={ariaShortcut(section.key)}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(section.id);
                }}
              >
                <Icon size={19} strokeWidth={active ? 2 : 1.75} aria-hidden="true" />
                {section.id === 'alerts' && firing > 0 ? (
                  <span className="rail-badge" aria-hidden="true">
                    {firing > 999 ? '999+' : firing}
                  </span>
                ) : null}
                <span className="rail-label" aria-hidden="true">
                  {section.label}
                </span>
                <span className="tooltip" aria-hidden="true">
                  {section.label} <kbd>{shortcutLabel(section.key)}</kbd>
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      <div className="rail-bottom">
        <PaletteButton />
        <ThemeButton />
      </div>
    </nav>
  );
}

/**
 * Firing, unacknowledged alerts, for the badge on Alerts. The rail is always shown, so it is also
 * where the feed starts following the core: the badge and notifications work on every page.
 */
function useFiringAlerts(): number {
  const startAlerts = useAppStore((s) => s.startAlerts);
  useEffect(() => startAlerts(), [startAlerts]);
  return useAppStore((s) => s.alerts.reduce((n, a) => (a.state === 'firing' ? n + 1 : n), 0));
}

function PaletteButton() {
  const openPalette = useAppStore((s) => s.openPalette);
  return (
    <button
      type="button"
      className="rail-item rail-item-small"
      aria-label="Command palette"
      aria-keyshortcuts={ariaShortcut('k')}
      onClick={openPalette}
    >
      <Command size={17} aria-hidden="true" />
      <span className="tooltip" aria-hidden="true">
        Command palette <kbd>{shortcutLabel('k')}</kbd>
      </span>
    </button>
  );
}

function ThemeButton() {
  const preference = useAppStore((s) => s.themePreference);
  const cycleTheme = useAppStore((s) => s.cycleTheme);
  const Icon = preference === 'dark' ? Moon : preference === 'light' ? Sun : Monitor;
  return (
    <button
      type="button"
      className="rail-item rail-item-small"
      aria-label={`Theme: ${themeLabels[preference]}`}
      onClick={cycleTheme}
    >
      <Icon size={17} aria-hidden="true" />
      <span className="tooltip" aria-hidden="true">
        Theme: {themeLabels[preference]} (click to change)
      </span>
    </button>
  );
}
