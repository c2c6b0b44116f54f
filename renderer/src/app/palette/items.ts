import { ArrowRightLeft, BellRing, BookOpenText, Circle, FileDown, FileOutput, FileUp, Layers, Monitor, Moon, NotebookPen, Plug, Plus, Sun, type LucideIcon } from 'lucide-react';
import type { Environment, RunbookSummary } from '@shared/contract';
import { kindIcons, terminalChoices } from '../../features/terminals/targets';
import type { AppStore } from '../../store';
import { openImportPicker } from '../../features/runbooks/importPicker';
import { openBundlePicker } from '../../features/reports/Bundles';
import { tierLabel } from '../../features/environments/tiers';
import { shiftShortcutLabel, shortcutLabel } from '../keys';
import { sections } from '../sections';
import { themeLabels, type ThemePreference } from '../theme';

export interface PaletteItem {
  id: string;
  group: 'Go to' | 'Actions' | 'Terminals' | 'Environments' | 'Runbooks';
  label: string;
  /** Matched by the fuzzy search but not shown. */
  keywords?: string;
  detail?: string;
  shortcut?: string;
  icon: LucideIcon;
  /** A colour dot instead of the icon (environments). */
  colour?: string;
  run(): void;
}

export function paletteItems(
  store: AppStore,
  runbooks: RunbookSummary[],
  environments: Environment[],
  currentEnvironmentId: string | null,
  theme: ThemePreference,
): PaletteItem[] {
  const s = () => store.getState();
  const items: PaletteItem[] = sections.map((section) => ({
    id: `go-${section.id}`,
    group: 'Go to',
    label: `Go to ${section.label}`,
    shortcut: shortcutLabel(section.key),
    icon: section.icon,
    run: () => s().navigate(section.id),
  }));
  items.push(
    {
      id: 'import-runbooks',
      group: 'Actions',
      label: 'Import runbooks…',
      keywords: 'upload markdown files add',
      icon: FileUp,
      run: () => {
        s().navigate('runbooks');
        openImportPicker();
      },
    },
    {
      id: 'new-environment',
      group: 'Actions',
      label: 'New environment',
      keywords: 'create add',
      icon: Plus,
      run: () => s().editEnvironment('new'),
    },
    {
      id: 'alert-sources',
      group: 'Actions',
      label: 'Alert sources…',
      keywords: 'add alertmanager prometheus health check status page webhook feed',
      icon: Plug,
      run: () => {
        s().navigate('alerts');
        s().setAlertSourcesOpen(true);
      },
    },
    {
      id: 'quick-note',
      group: 'Actions',
      label: 'Quick note to the incident journal…',
      keywords: 'journal write incident log note',
      shortcut: shiftShortcutLabel('j'),
      icon: NotebookPen,
      run: () => s().openQuickNote(),
    },
    {
      id: 'export-report',
      group: 'Actions',
      label: 'Export incident report…',
      keywords: 'markdown html pdf json bundle download redact',
      shortcut: 'E',
      icon: FileOutput,
      run: () => {
        const id = s().selectedIncidentId ?? s().activeIncidentId();
        if (id) s().openExport({ kind: 'incident', id });
        else {
          s().closePalette();
          s().pushToast({ kind: 'info', title: 'No incident to export', message: 'Select an incident on the Incidents page, then export it.' });
        }
      },
    },
    {
      id: 'shift-handoff',
      group: 'Actions',
      label: 'Shift hand-off report…',
      keywords: 'handoff handover open incidents export',
      icon: ArrowRightLeft,
      run: () => s().openExport({ kind: 'handoff' }),
    },
    {
      id: 'import-bundle',
      group: 'Actions',
      label: 'Import incident bundle…',
      keywords: 'json upload verify chain read-only',
      icon: FileDown,
      run: () => {
        s().navigate('incidents');
        // The picker lives on the Incidents page: open it once the page has rendered.
        setTimeout(openBundlePicker, 0);
      },
    },
    {
      id: 'alert-notifications',
      group: 'Actions',
      label: 'Alert notifications…',
      keywords: 'desktop notify quiet hours severity',
      icon: BellRing,
      run: () => {
        s().navigate('alerts');
        s().setAlertNotificationsOpen(true);
      },
    },
  );
  const themeIcons: Record<ThemePreference, LucideIcon> = { system: Monitor, dark: Moon, light: Sun };
  for (const option of ['system', 'dark', 'light'] as const) {
    items.push({
      id: `theme-${option}`,
      group: 'Actions',
      label: `Theme: ${themeLabels[option]}`,
      keywords: 'toggle appearance colour scheme dark light mode',
      ...(option === theme ? { detail: 'current' } : {}),
      icon: themeIcons[option],
      run: () => {
        s().setThemePreference(option);
        s().closePalette();
      },
    });
  }
  // A terminal on each target of the environment the operator is working in.
  const current = environments.find((e) => e.id === currentEnvironmentId) ?? null;
  for (const choice of terminalChoices(current)) {
    const label = choice.kind === 'local' ? 'Open local shell' : `Open ${choice.label}`;
    items.push({
      id: `terminal-${choice.kind}-${choice.targetId ?? 'local'}`,
      group: 'Terminals',
      label: current ? `${label} (${current.name})` : label,
      keywords: `new terminal shell ${choice.kind} ${choice.detail ?? ''}`,
      ...(choice.detail ? { detail: choice.detail } : {}),
      icon: kindIcons[choice.kind],
      run: () => {
        s().navigate('terminals');
        void s().openTerminal({ kind: choice.kind, targetId: choice.targetId, label: choice.label });
      },
    });
  }
  for (const env of environments) {
    items.push({
      id: `env-${env.id}`,
      group: 'Environments',
      label: `Switch environment: ${env.name}`,
      keywords: `${env.tier} use work in`,
      detail: env.id === currentEnvironmentId ? `${tierLabel(env.tier)} · current` : tierLabel(env.tier),
      icon: Layers,
      colour: env.color,
      run: () => s().setCurrentEnvironment(env.id),
    });
  }
  if (currentEnvironmentId) {
    items.push({
      id: 'env-none',
      group: 'Environments',
      label: 'Switch environment: No environment',
      keywords: 'clear leave',
      icon: Circle,
      run: () => s().setCurrentEnvironment(null),
    });
  }
  for (const runbook of runbooks) {
    items.push({
      id: `runbook-${runbook.id}`,
      group: 'Runbooks',
      label: runbook.title,
      keywords: `runbook ${runbook.sourceName}`,
      detail: runbook.sourceName,
      icon: BookOpenText,
      run: () => s().openRunbook(runbook.id),
    });
  }
  return items;
}
