import { Bell, Contact, Gauge, Layers2, Route, TriangleAlert, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import type { ImportWarning, ImportedRunbook } from '@shared/runbook';
import { procedureAnchor } from './ProcedureSection';

/** Alert rules, severity levels, the escalation ladder and matrix, and contacts a runbook declares, when it has them. */
export function ReferencePanels({ runbook }: { runbook: ImportedRunbook }) {
  const { alertRules, severityLevels, escalation, escalationMatrix, contacts } = runbook;
  if (!alertRules.length && !severityLevels.length && !escalation.length && !escalationMatrix.length && !contacts.length) return null;
  const procedureIndexById = new Map(
    runbook.procedures.flatMap((p, i) => (p.id ? [[p.id.toLowerCase(), i] as const] : [])),
  );
  const jump = (ref: string) => {
    const i = procedureIndexById.get(ref.toLowerCase());
    if (i !== undefined) document.getElementById(procedureAnchor(i))?.scrollIntoView({ block: 'start' });
  };
  return (
    <div className="reference-panels">
      {alertRules.length > 0 ? (
        <Panel id="alert-rules" icon={Bell} title="Alert rules" count={alertRules.length} wide>
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Alert</th>
                  <th scope="col">Condition</th>
                  <th scope="col">Window</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Runbook</th>
                </tr>
              </thead>
              <tbody>
                {alertRules.map((rule, i) => (
                  <tr key={i}>
                    <td className="mono">{rule.name}</td>
                    <td className="mono">{rule.condition}</td>
                    <td>{rule.window ?? '—'}</td>
                    <td>{rule.severity ? <span className={`badge severity severity-${rule.severity.toLowerCase()}`}>{rule.severity}</span> : '—'}</td>
                    <td>
                      {rule.runbookRef ? (
                        procedureIndexById.has(rule.runbookRef.toLowerCase()) ? (
                          <button type="button" className="link-button id-badge" onClick={() => jump(rule.runbookRef ?? '')}>
                            {rule.runbookRef}
                          </button>
                        ) : (
                          rule.runbookRef
                        )
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      ) : null}

      {severityLevels.length > 0 ? (
        <Panel id="severity" icon={Gauge} title="Severity levels">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Level</th>
                <th scope="col">Respond within</th>
                <th scope="col">Means</th>
              </tr>
            </thead>
            <tbody>
              {severityLevels.map((s, i) => (
                <tr key={i}>
                  <td>
                    <span className={`badge severity severity-${s.level.toLowerCase()}`}>{s.level}</span>
                  </td>
                  <td>{s.responseTargetMinutes === null ? '—' : formatResponse(s.responseTargetMinutes)}</td>
                  <td>{s.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      ) : null}

      {escalation.length > 0 ? (
        <Panel id="escalation" icon={Layers2} title="Escalation">
          <ol className="ladder">
            {escalation.map((rung, i) => (
              <li key={i} className="ladder-rung">
                <span className="ladder-time">
                  {rung.toMinutes === null ? `${rung.fromMinutes}+ min` : `${rung.fromMinutes}–${rung.toMinutes} min`}
                </span>
                <span className="ladder-action">{rung.action}</span>
              </li>
            ))}
          </ol>
        </Panel>
      ) : null}

      {escalationMatrix.length > 0 ? (
        <Panel id="escalation-matrix" icon={Route} title="Escalation matrix">
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Issue</th>
                  <th scope="col">First response</th>
                  <th scope="col">Escalate to</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {escalationMatrix.map((path, i) => (
                  <tr key={i}>
                    <td>{path.issue}</td>
                    <td>{path.firstResponse ?? '—'}</td>
                    <td className="escalate-to">{path.escalateTo}</td>
                    <td>{path.trigger ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      ) : null}

      {contacts.length > 0 ? (
        <Panel id="contacts" icon={Contact} title="Contacts">
          <dl className="contacts">
            {contacts.map((c, i) => (
              <div key={i} className="contact">
                <dt>{c.label}</dt>
                {/* A value still to be filled in (`[Add emergency contact]`) is shown as written, marked. */}
                <dd className={PLACEHOLDER_VALUE.test(c.value) ? 'contact-placeholder' : undefined}>{c.value}</dd>
              </div>
            ))}
          </dl>
        </Panel>
      ) : null}
    </div>
  );
}

const PLACEHOLDER_VALUE = /^\[[^\]]*\]$|^(tbd|todo|n\/a)$/i;

function formatResponse(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return `${Math.round((minutes / 60) * 10) / 10} h`;
  return `${Math.round((minutes / 60 / 24) * 10) / 10} days`;
}

/** What the importer was unsure about; worth a look before relying on the runbook. */
export function WarningsPanel({ warnings }: { warnings: ImportWarning[] }) {
  if (!warnings.length) return null;
  return (
    <details className="panel panel-warning">
      <summary className="panel-title">
        <TriangleAlert size={14} aria-hidden="true" /> Import warnings <span className="count">{warnings.length}</span>
      </summary>
      <ul className="warnings">
        {warnings.map((w, i) => (
          <li key={i}>
            {w.line > 0 ? <span className="source-line">line {w.line}</span> : null}
            <span>{w.message}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** One titled reference panel; the title names the region for screen readers. */
function Panel({ id, icon: Icon, title, count, wide, children }: { id: string; icon: LucideIcon; title: string; count?: number; wide?: boolean; children: ReactNode }) {
  return (
    <section className={wide ? 'panel panel-wide' : 'panel'} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="panel-title">
        <Icon size={14} aria-hidden="true" /> {title}{count !== undefined ? <> <span className="count">{count}</span></> : null}
      </h3>
      {children}
    </section>
  );
}
