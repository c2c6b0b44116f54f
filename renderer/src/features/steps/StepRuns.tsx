import { CircleCheck, CircleDashed, CircleX, ListChecks } from 'lucide-react';
import { TRANSCRIPT_OUTPUT_CAP, type Transcript } from '@shared/contract';
import { useAppStore } from '../../store';
import { formatDate } from '../runbooks/format';

/** The commands sent from runbook steps, newest first, each with what came back. The page that
 * shows it loads the list; `transcripts.changed` keeps it current. */
export function StepRuns() {
  const transcripts = useAppStore((s) => s.transcripts);
  const loaded = useAppStore((s) => s.transcriptsLoaded);
  return (
    <aside className="step-runs" aria-labelledby="step-runs-title">
      <h2 id="step-runs-title" className="step-runs-title">
        <ListChecks size={14} aria-hidden="true" /> Step runs
      </h2>
      {loaded && transcripts.length === 0 ? (
        <p className="step-runs-empty muted">
          Commands run from a runbook step show here, with their output. Open a runbook and press Run on a command.
        </p>
      ) : null}
      <ul className="step-runs-list" aria-label="Step runs">
        {transcripts.map((t) => (
          <StepRun key={t.id} transcript={t} />
        ))}
      </ul>
    </aside>
  );
}

function StepRun({ transcript: t }: { transcript: Transcript }) {
  const status = runStatus(t);
  const Icon = status.icon;
  return (
    <li className="step-run" aria-label={`${t.command} in ${t.environmentName}, ${status.label}`}>
      <details>
        <summary>
          <code className="step-run-command" title={t.command}>
            {t.command}
          </code>
          <span className="step-run-meta">
            <span className={`step-run-status step-run-${status.tone}`}>
              <Icon size={12} aria-hidden="true" /> {status.label}
            </span>
            <span>{t.environmentName}</span>
            <time dateTime={t.sentAt}>{formatDate(t.sentAt)}</time>
          </span>
        </summary>
        <div className="step-run-body">
          <p className="step-run-where muted">
            {t.runbookTitle} · line {t.line} · {t.terminalTitle}
          </p>
          {t.output ? <pre className="step-run-output">{t.output}</pre> : <p className="muted">No output yet.</p>}
          {t.truncated ? <p className="muted">Output cut at {TRANSCRIPT_OUTPUT_CAP / 1024} KB; the terminal’s scrollback has the rest.</p> : null}
        </div>
      </details>
    </li>
  );
}

function runStatus(t: Transcript) {
  if (t.finishedAt === null) return { label: 'running', tone: 'running', icon: CircleDashed } as const;
  if (t.exitCode === null) return { label: 'finished', tone: 'unknown', icon: CircleCheck } as const;
  if (t.exitCode === 0) return { label: 'exit 0', tone: 'ok', icon: CircleCheck } as const;
  return { label: `exit ${t.exitCode}`, tone: 'failed', icon: CircleX } as const;
}
