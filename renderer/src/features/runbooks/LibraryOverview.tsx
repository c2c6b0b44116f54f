import { BookOpenText, FileUp } from 'lucide-react';
import { useAppStore } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';
import { shortcutLabel } from '../../app/keys';
import { openImportPicker } from './importPicker';
import { plural } from './format';

/** The right-hand pane when no runbook is open. */
export function LibraryOverview() {
  const runbooks = useAppStore((s) => s.runbooks);
  const loaded = useAppStore((s) => s.runbooksLoaded);
  if (!loaded) return null;
  if (runbooks.length === 0) {
    return (
      <EmptyState
        icon={FileUp}
        title="Bring in your runbooks"
        actions={
          <button type="button" className="button button-primary" onClick={openImportPicker}>
            <FileUp size={15} aria-hidden="true" /> Choose files…
          </button>
        }
      >
        <p>
          Import the Markdown runbooks your teams already write — any style: numbered steps, bold headings, commands
          in fenced blocks or inline. Watchfloor finds the procedures, steps, commands and their placeholders, and
          keeps the line each came from.
        </p>
        <p className="muted">Or drop .md, .markdown or .txt files anywhere on this page.</p>
      </EmptyState>
    );
  }
  const totals = runbooks.reduce(
    (t, r) => ({ p: t.p + r.procedureCount, s: t.s + r.stepCount, c: t.c + r.commandCount }),
    { p: 0, s: 0, c: 0 },
  );
  return (
    <EmptyState icon={BookOpenText} title="Pick a runbook">
      <p>
        {plural(runbooks.length, 'runbook')} in the library: {plural(totals.p, 'procedure')}, {plural(totals.s, 'step')},{' '}
        {plural(totals.c, 'command')}.
      </p>
      <p className="muted">
        Choose one on the left, search for a symptom or a command above it, or press <kbd>{shortcutLabel('k')}</kbd> to
        jump anywhere.
      </p>
    </EmptyState>
  );
}
