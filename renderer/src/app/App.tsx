import type { JSX } from 'react';
import { useAppStore } from '../store';
import { AlertsPage } from '../features/alerts/AlertsPage';
import { EnvironmentsPage } from '../features/environments/EnvironmentsPage';
import { IncidentsPage } from '../features/incidents/IncidentsPage';
import { RunbookImportInput } from '../features/runbooks/RunbookImportInput';
import { RunbooksPage } from '../features/runbooks/RunbooksPage';
import { TerminalsPage } from '../features/terminals/TerminalsPage';
import { HostKeyDialog } from '../features/terminals/HostKeyDialog';
import { RunStepDialog } from '../features/steps/RunStepDialog';
import { QuickNoteDialog } from '../features/incidents/QuickNote';
import { ExportDialogHost } from '../features/reports/ExportDialog';
import { CoreNotice } from './CoreNotice';
import { NavRail } from './NavRail';
import { NotConnected } from './NotConnected';
import { CommandPalette } from './palette/CommandPalette';
import { ProductionBanner } from './ProductionBanner';
import { sections, type SectionId } from './sections';
import { selectCurrentEnvironment } from './selectors';
import { Toasts } from './toasts/Toasts';
import { TopBar } from './TopBar';
import { useGlobalShortcuts } from './useGlobalShortcuts';

const pages: Record<SectionId, () => JSX.Element> = {
  incidents: IncidentsPage,
  runbooks: RunbooksPage,
  alerts: AlertsPage,
  terminals: TerminalsPage,
  environments: EnvironmentsPage,
};

export function App() {
  const connection = useAppStore((s) => s.connection);
  const section = useAppStore((s) => s.section);
  const production = useAppStore((s) => selectCurrentEnvironment(s)?.tier === 'production');
  useGlobalShortcuts();
  if (connection.state === 'lost') return <NotConnected reason={connection.reason} />;
  const Page = pages[section];
  const label = sections.find((s) => s.id === section)?.label;
  return (
    <div className={`app${production ? ' app-production' : ''}`}>
      <ProductionBanner />
      <CoreNotice />
      <div className="app-body">
        <NavRail />
        <div className="app-content">
          <TopBar />
          <main className={`page page-${section}`} aria-label={label}>
            <Page />
          </main>
        </div>
      </div>
      <CommandPalette />
      <RunStepDialog />
      <QuickNoteDialog />
      <ExportDialogHost />
      <HostKeyDialog />
      <Toasts />
      <RunbookImportInput />
    </div>
  );
}
