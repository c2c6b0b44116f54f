import { FileText } from 'lucide-react';
import { useAppStore } from '../../store';
import { plural } from './format';

export function RunbookList() {
  const runbooks = useAppStore((s) => s.runbooks);
  const loaded = useAppStore((s) => s.runbooksLoaded);
  const openId = useAppStore((s) => s.openRunbookId);
  const open = useAppStore((s) => s.openRunbook);
  if (!loaded) return <p className="list-note">Loading runbooks…</p>;
  if (runbooks.length === 0) {
    return <p className="list-note">No runbooks yet. Import Markdown runbooks, or drop them anywhere on this page.</p>;
  }
  return (
    <ul className="runbook-list" aria-label="Runbooks in the library">
        {runbooks.map((r) => (
          <li key={r.id}>
            <button
              type="button"
              className="runbook-list-item"
              aria-current={r.id === openId ? 'true' : undefined}
              onClick={() => open(r.id)}
            >
              <span className="runbook-list-title">
                {r.title}
                {r.bundled ? <span className="badge badge-muted">Bundled</span> : null}
              </span>
              <span className="runbook-list-source">
                <FileText size={12} aria-hidden="true" />
                {r.sourceName}
              </span>
              <span className="runbook-list-counts">
                {plural(r.procedureCount, 'procedure')} · {plural(r.stepCount, 'step')} · {plural(r.commandCount, 'command')}
              </span>
            </button>
          </li>
        ))}
      </ul>
  );
}
