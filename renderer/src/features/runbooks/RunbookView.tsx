import { FileText, LoaderCircle, Trash } from 'lucide-react';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { RunbookDetail } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { formatDate, plural } from './format';
import { CommandBlock } from './CommandBlock';
import { childrenByParent, procedureBadge, ProcedureSection, procedureAnchor, stepAnchor } from './ProcedureSection';
import { Prose } from './Prose';
import { ReferencePanels, WarningsPanel } from './ReferencePanels';
import type { RunbookTarget } from './runbooksSlice';

export function RunbookView({ id }: { id: string }) {
  const detail = useAppStore((s) => s.runbookDetails[id]);
  const error = useAppStore((s) => s.openRunbookError);
  if (!detail) {
    return (
      <div className="pane-note" role={error ? 'alert' : 'status'}>
        {error ?? (
          <>
            <LoaderCircle size={16} className="spin" aria-hidden="true" /> Opening the runbook…
          </>
        )}
      </div>
    );
  }
  return <RunbookDocument detail={detail} />;
}

function RunbookDocument({ detail }: { detail: RunbookDetail }) {
  const { summary, runbook } = detail;
  const target = useAppStore((s) => s.runbookTarget);
  const deleteRunbook = useAppStore((s) => s.deleteRunbook);
  const [confirming, setConfirming] = useState(false);
  const ref = useRef<HTMLElement>(null);
  const tree = useMemo(() => childrenByParent(runbook.procedures), [runbook.procedures]);
  const topLevel = tree.get(null) ?? [];
  useScrollToTarget(ref, detail, target);

  return (
    <article className="runbook" ref={ref} aria-labelledby="runbook-title">
      <header className="runbook-head">
        <div className="runbook-head-main">
          <h2 id="runbook-title" className="runbook-title">
            {runbook.title}
          </h2>
          <div className="runbook-meta">
            <span className="runbook-source" title={summary.sourcePath}>
              <FileText size={13} aria-hidden="true" />
              {summary.sourceName}
            </span>
            {summary.bundled ? <span className="badge badge-muted">Bundled</span> : null}
            <span>
              {plural(summary.procedureCount, 'procedure')} · {plural(summary.stepCount, 'step')} ·{' '}
              {plural(summary.commandCount, 'command')}
            </span>
            <span className="muted">Imported {formatDate(summary.importedAt)}</span>
          </div>
          {runbook.text ? <Prose text={runbook.text} className="runbook-intro" /> : null}
        </div>
        <button type="button" className="button button-ghost-danger" onClick={() => setConfirming(true)}>
          <Trash size={14} aria-hidden="true" /> Delete runbook
        </button>
      </header>

      {topLevel.length > 1 ? (
        <nav className="outline" aria-label="Procedures in this runbook">
          {topLevel.map((i) => {
            const p = runbook.procedures[i];
            if (!p) return null;
            const badge = procedureBadge(p);
            return (
              <a
                key={i}
                href={`#${procedureAnchor(i)}`}
                className="outline-item"
                onClick={(e) => {
                  e.preventDefault();
                  const target = document.getElementById(procedureAnchor(i));
                  target?.scrollIntoView({ block: 'start' });
                  target?.focus({ preventScroll: true });
                }}
              >
                {badge ? <span className="id-badge">{badge}</span> : null}
                <span className="outline-title">{p.title}</span>
              </a>
            );
          })}
        </nav>
      ) : null}

      <WarningsPanel warnings={runbook.warnings} />
      <ReferencePanels runbook={runbook} />

      {topLevel.map((i) => (
        <ProcedureSection key={i} procedures={runbook.procedures} index={i} tree={tree} />
      ))}

      {runbook.looseCommands.length > 0 ? (
        <section className="procedure" aria-labelledby="loose-commands-title">
          <header className="procedure-head">
            <h3 id="loose-commands-title" className="procedure-title">
              Other commands
            </h3>
            <span className="muted">outside any step</span>
          </header>
          <div className="loose-commands">
            {runbook.looseCommands.map((c, i) => (
              <CommandBlock key={i} command={c} />
            ))}
          </div>
        </section>
      ) : null}

      {confirming ? (
        <ConfirmDialog
          title={`Delete “${runbook.title}”?`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void deleteRunbook(summary.id);
          }}
        >
          <p>
            The runbook leaves the library. Its file, <code>{summary.sourceName}</code>, is not touched: import it again
            to bring it back.
          </p>
        </ConfirmDialog>
      ) : null}
    </article>
  );
}

/** Scroll to the step (or procedure, or source line) a search hit pointed at; otherwise to the top. */
function useScrollToTarget(ref: RefObject<HTMLElement | null>, detail: RunbookDetail, target: RunbookTarget | null) {
  const id = detail.summary.id;
  useLayoutEffect(() => {
    const pane = ref.current?.closest('.runbook-pane');
    if (pane && !target) pane.scrollTop = 0;
  }, [id, ref, target]);
  useEffect(() => {
    if (!target) return;
    const anchor = anchorFor(detail, target);
    const element = anchor ? document.getElementById(anchor) : null;
    if (!element) return;
    element.scrollIntoView({ block: 'start' });
    element.focus({ preventScroll: true });
    element.classList.remove('flash');
    void element.offsetWidth; // restart the animation when the same target is opened again
    element.classList.add('flash');
  }, [detail, target]);
}

function anchorFor(detail: RunbookDetail, target: RunbookTarget): string | null {
  const { procedures } = detail.runbook;
  if (target.procedureIndex !== null && procedures[target.procedureIndex]) {
    if (target.stepIndex !== null && procedures[target.procedureIndex]?.steps[target.stepIndex]) {
      return stepAnchor(target.procedureIndex, target.stepIndex);
    }
    return procedureAnchor(target.procedureIndex);
  }
  if (target.line !== null) {
    const line = target.line;
    for (const [pi, p] of procedures.entries()) {
      if (line < p.line || line > p.endLine) continue;
      const si = p.steps.findIndex((s) => line >= s.line && line <= s.endLine);
      return si >= 0 ? stepAnchor(pi, si) : procedureAnchor(pi);
    }
  }
  return null;
}
