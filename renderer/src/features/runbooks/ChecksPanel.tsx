import { CircleAlert, CircleCheck, ListChecks, LoaderCircle, TriangleAlert } from 'lucide-react';
import type { LintFinding } from '@shared/contract';
import { useAppStore } from '../../store';
import { plural } from './format';
import type { LintState } from './runbooksSlice';

export const checksAnchor = 'runbook-checks';

/** `2 errors · 5 warnings`; null while nothing is known. */
export function checksSummary(lint: LintState | undefined): string | null {
  if (lint?.state !== 'done') return null;
  const errors = lint.findings.filter((f) => f.severity === 'error').length;
  const warnings = lint.findings.length - errors;
  if (errors === 0 && warnings === 0) return 'No problems';
  return [errors ? plural(errors, 'error') : null, warnings ? plural(warnings, 'warning') : null].filter(Boolean).join(' · ');
}

/** What `watchfloor lint` says about this runbook, errors first, each finding linked to its line. */
export function ChecksPanel({ id }: { id: string }) {
  const lint = useAppStore((s) => s.runbookLint[id]);
  const showLines = useAppStore((s) => s.showSourceLines);
  const summary = checksSummary(lint);
  return (
    <section className="panel checks-panel" id={checksAnchor} tabIndex={-1} aria-label="Checks">
      <h3 className="panel-title">
        <ListChecks size={14} aria-hidden="true" /> Checks {summary ? <span className="count">{summary}</span> : null}
      </h3>
      {!lint || lint.state === 'loading' ? (
        <p className="checks-note" role="status">
          <LoaderCircle size={14} className="spin" aria-hidden="true" /> Checking the runbook…
        </p>
      ) : lint.state === 'failed' ? (
        <p className="checks-note" role="alert">
          The checks could not run: {lint.message}
        </p>
      ) : lint.findings.length === 0 ? (
        <p className="checks-note checks-ok">
          <CircleCheck size={14} aria-hidden="true" /> No problems found
        </p>
      ) : (
        <div className="checks-body">
          {(['error', 'warning'] as const).map((severity) => {
            const findings = lint.findings.filter((f) => f.severity === severity).sort((a, b) => a.line - b.line);
            if (!findings.length) return null;
            const heading = severity === 'error' ? 'Errors' : 'Warnings';
            return (
              <div key={severity} className={`checks-group checks-${severity}`}>
                <h4 className="checks-group-title">
                  {severity === 'error' ? <CircleAlert size={13} aria-hidden="true" /> : <TriangleAlert size={13} aria-hidden="true" />}
                  {heading} <span className="count">{findings.length}</span>
                </h4>
                <ul aria-label={heading}>
                  {findings.map((f, i) => (
                    <Finding key={i} finding={f} onShow={() => showLines(f.line)} />
                  ))}
                </ul>
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

function Finding({ finding, onShow }: { finding: LintFinding; onShow: () => void }) {
  return (
    <li className="checks-finding">
      {finding.line > 0 ? (
        <button type="button" className="link-button source-line" aria-label={`Show line ${finding.line} in the source`} onClick={onShow}>
          line {finding.line}
        </button>
      ) : (
        <span className="source-line">whole file</span>
      )}
      <span className="checks-message">{finding.message}</span>
      <span className="checks-rule">{finding.rule}</span>
    </li>
  );
}
