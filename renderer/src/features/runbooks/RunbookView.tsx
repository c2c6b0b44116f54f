import { Archive, Download, FileCode2, FileText, LoaderCircle, Lock, Trash } from 'lucide-react';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { RunbookDetail } from '@shared/contract';
import type { ImportedRunbook } from '@shared/runbook';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { formatDate, plural } from './format';
import { ChecksPanel, checksAnchor, checksSummary } from './ChecksPanel';
import { CommandBlock } from './CommandBlock';
import { originLabel, readOnlyReason } from './origin';
import { OriginIcon } from './OriginIcon';
import { RunbookContext } from './runbookContext';
import { SourcePanel } from './SourcePanel';
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

/** The open runbook, with its Markdown source beside it when the operator asked for it. */
export function RunbookSplit({ id }: { id: string }) {
  const sourceText = useAppStore((s) => s.runbookDetails[id]?.sourceText);
  const visible = useAppStore((s) => s.sourceVisible);
  return (
    <>
      <div className="runbook-scroll">
        <RunbookView id={id} />
      </div>
      {visible && sourceText !== undefined ? <SourcePanel text={sourceText} /> : null}
    </>
  );
}

function RunbookDocument({ detail }: { detail: RunbookDetail }) {
  const { summary, runbook } = detail;
  const target = useAppStore((s) => s.runbookTarget);
  const deleteRunbook = useAppStore((s) => s.deleteRunbook);
  const exportRunbook = useAppStore((s) => s.exportRunbook);
  const loadLint = useAppStore((s) => s.loadLint);
  const lint = useAppStore((s) => s.runbookLint[summary.id]);
  const sourceVisible = useAppStore((s) => s.sourceVisible);
  const setSourceVisible = useAppStore((s) => s.setSourceVisible);
  const source = useAppStore((s) => s.sources.find((x) => x.id === summary.sourceId));
  const [confirming, setConfirming] = useState(false);
  const ref = useRef<HTMLElement>(null);
  const tree = useMemo(() => childrenByParent(runbook.procedures), [runbook.procedures]);
  const topLevel = tree.get(null) ?? [];
  const context = useMemo(
    () => ({ runbookId: summary.id, editable: summary.editable && !summary.archived }),
    [summary.id, summary.editable, summary.archived],
  );
  useScrollToTarget(ref, detail, target);
  useEffect(() => {
    if (!lint) void loadLint(summary.id);
  }, [lint, loadLint, summary.id]);
  const origin = originLabel(summary, source);
  const readOnly = readOnlyReason(summary);
  const checks = checksSummary(lint);
  const errors = lint?.state === 'done' && lint.findings.some((f) => f.severity === 'error');

  return (
    <RunbookContext value={context}>
      <article className={`runbook${summary.archived ? ' runbook-archived' : ''}`} ref={ref} aria-labelledby="runbook-title">
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
              <span className={`origin origin-${summary.origin}`} title={origin.location ?? undefined}>
                <OriginIcon origin={summary.origin} />
                <span className="origin-kind">{origin.kind}</span>
                {origin.location ? <span className="origin-location">{origin.location}</span> : null}
              </span>
              {summary.archived ? (
                <span className="badge badge-archived">
                  <Archive size={11} aria-hidden="true" /> Archived
                </span>
              ) : null}
              <span>
                {plural(summary.procedureCount, 'procedure')} · {plural(summary.stepCount, 'step')} ·{' '}
                {plural(summary.commandCount, 'command')}
              </span>
              {summary.changedAt ? <span className="muted">Source changed {formatDate(summary.changedAt)}</span> : null}
              <span className="muted">Imported {formatDate(summary.importedAt)}</span>
              {checks ? (
                <button
                  type="button"
                  className={`badge checks-badge${errors ? ' checks-badge-error' : lint?.state === 'done' && lint.findings.length === 0 ? ' checks-badge-ok' : ''}`}
                  aria-label={`Checks: ${checks}`}
                  onClick={() => {
                    const panel = document.getElementById(checksAnchor);
                    panel?.scrollIntoView({ block: 'start' });
                    panel?.focus({ preventScroll: true });
                  }}
                >
                  {checks}
                </button>
              ) : null}
            </div>
            {readOnly ? (
              <p className={`runbook-readonly${summary.archived ? ' runbook-readonly-archived' : ''}`} role="note">
                {summary.archived ? <Archive size={13} aria-hidden="true" /> : <Lock size={13} aria-hidden="true" />}
                {readOnly}
              </p>
            ) : null}
            <MetaFacts runbook={runbook} />
            {runbook.text ? <Prose text={runbook.text} className="runbook-intro" /> : null}
          </div>
          <div className="runbook-actions">
            <button type="button" className="button" aria-pressed={sourceVisible} onClick={() => setSourceVisible(!sourceVisible)}>
              <FileCode2 size={14} aria-hidden="true" /> Show source
            </button>
            <button type="button" className="button" onClick={() => void exportRunbook(summary.id)}>
              <Download size={14} aria-hidden="true" /> Export Markdown
            </button>
            <button type="button" className="button button-ghost-danger" onClick={() => setConfirming(true)}>
              <Trash size={14} aria-hidden="true" /> Delete runbook
            </button>
          </div>
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
        <ChecksPanel id={summary.id} />
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
    </RunbookContext>
  );
}

/** What a Watchfloor-format runbook's front matter declares (docs/runbook-format.md). */
function MetaFacts({ runbook }: { runbook: ImportedRunbook }) {
  const meta = runbook.meta;
  if (!meta) return null;
  const facts: [string, string][] = [];
  if (meta.id) facts.push(['Id', meta.id]);
  if (meta.services?.length) facts.push(['Services', meta.services.join(', ')]);
  if (meta.severity) facts.push(['Severity', meta.severity]);
  if (meta.recoveryTargetMinutes) facts.push(['Recover within', `${meta.recoveryTargetMinutes} min`]);
  if (meta.alerts?.length) facts.push(['Alerts', meta.alerts.join('; ')]);
  if (meta.defaultEnvironment) facts.push(['Runs against', meta.defaultEnvironment]);
  if (meta.variables?.length) facts.push(['Variables', meta.variables.join(', ')]);
  if (!facts.length) return null;
  return (
    <dl className="runbook-facts" aria-label="Front matter">
      {facts.map(([term, value]) => (
        <div key={term} className="runbook-fact">
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Scroll to the step (or procedure, or source line) a search hit pointed at; otherwise to the top. */
function useScrollToTarget(ref: RefObject<HTMLElement | null>, detail: RunbookDetail, target: RunbookTarget | null) {
  const id = detail.summary.id;
  useLayoutEffect(() => {
    const scroller = ref.current?.closest('.runbook-scroll');
    if (scroller && !target) scroller.scrollTop = 0;
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
