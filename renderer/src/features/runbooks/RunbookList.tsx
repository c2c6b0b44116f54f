import { Archive, FileText } from 'lucide-react';
import { useMemo } from 'react';
import { useAppStore } from '../../store';
import { plural } from './format';
import { originLabel } from './origin';
import { OriginIcon } from './OriginIcon';

export function RunbookList() {
  const all = useAppStore((s) => s.runbooks);
  const showArchived = useAppStore((s) => s.showArchived);
  const sources = useAppStore((s) => s.sources);
  const runbooks = useMemo(() => (showArchived ? all : all.filter((r) => !r.archived)), [all, showArchived]);
  const loaded = useAppStore((s) => s.runbooksLoaded);
  const openId = useAppStore((s) => s.openRunbookId);
  const open = useAppStore((s) => s.openRunbook);
  if (!loaded) return <p className="list-note">Loading runbooks…</p>;
  if (all.length === 0) {
    return (
      <p className="list-note">
        No runbooks yet. Import Markdown runbooks, drop them anywhere on this page, or add a folder or git repository under
        Sources.
      </p>
    );
  }
  if (runbooks.length === 0) return <p className="list-note">Every runbook here is archived; tick “Show archived” to see them.</p>;
  return (
    <ul className="runbook-list" aria-label="Runbooks in the library">
      {runbooks.map((r) => {
        const origin = originLabel(r, sources.find((s) => s.id === r.sourceId));
        return (
          <li key={r.id}>
            <button
              type="button"
              className={`runbook-list-item${r.archived ? ' runbook-list-item-archived' : ''}`}
              aria-current={r.id === openId ? 'true' : undefined}
              onClick={() => open(r.id)}
            >
              <span className="runbook-list-title">
                <span className="runbook-list-title-text">{r.title}</span>
                {r.archived ? (
                  <span className="badge badge-archived">
                    <Archive size={10} aria-hidden="true" /> Archived
                  </span>
                ) : null}
              </span>
              <span className="runbook-list-source">
                <FileText size={12} aria-hidden="true" />
                {r.sourceName}
              </span>
              <span className="runbook-list-origin" title={origin.location ?? undefined}>
                <OriginIcon origin={r.origin} size={11} />
                {origin.kind}
                {origin.location ? <span className="runbook-list-origin-location">{origin.location}</span> : null}
              </span>
              <span className="runbook-list-counts">
                {plural(r.procedureCount, 'procedure')} · {plural(r.stepCount, 'step')} · {plural(r.commandCount, 'command')}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
