import { Check, Copy, Pencil, Play, ShieldAlert, Timer } from 'lucide-react';
import { useEffect, useId, useMemo, useState } from 'react';
import type { Command, Placeholder } from '@shared/runbook';
import { useAppStore } from '../../store';
import { highlightCode } from './highlight';
import { isControlClick, linesLabel, selectingText, useRunbookContext } from './runbookContext';

const written: Record<Placeholder['syntax'], (name: string) => string> = {
  angle: (n) => `<${n}>`,
  dollar: (n) => `$${n}`,
  'dollar-brace': (n) => `\${${n}}`,
  curly: (n) => `{${n}}`,
  square: (n) => `[${n}]`,
  'your-caps': (n) => n,
};

export function CommandBlock({ command }: { command: Command }) {
  const html = useMemo(() => highlightCode(command.code, command.language), [command.code, command.language]);
  const language = command.language || 'text';
  // Fence-line settings (docs/runbook-format.md), when the runbook wrote any.
  const settings = command;
  const context = useRunbookContext();
  const sourceVisible = useAppStore((s) => s.sourceVisible);
  const showLines = useAppStore((s) => s.showSourceLines);
  const [editing, setEditing] = useState(false);
  const canEdit = context?.editable === true;
  const openRunStep = useAppStore((s) => s.openRunStep);
  return (
    <figure
      className={`command${command.runnable ? '' : ' command-reference'}${settings.destructive ? ' command-destructive' : ''}`}
      aria-label={`Command, ${language}, line ${command.line}`}
      onClick={(e) => {
        if (!sourceVisible || isControlClick(e.target) || selectingText()) return;
        e.stopPropagation(); // the command's own lines, not its whole step's
        showLines(command.line, command.endLine);
      }}
    >
      <figcaption className="command-head">
        {settings.name ? <span className="command-name">{settings.name}</span> : null}
        <span className="command-lang">{language}</span>
        {command.kind && command.kind !== language ? <span className="command-kind">{command.kind}</span> : null}
        {!command.runnable ? <span className="badge badge-muted" title="Comments, output or a pointer; not a command to run">reference</span> : null}
        {settings.destructive ? (
          <span className="badge badge-danger" title="Changes or deletes something that cannot simply be undone">
            <ShieldAlert size={11} aria-hidden="true" /> destructive
          </span>
        ) : null}
        {settings.confirm ? <span className="badge badge-muted" title="Asks before it runs">confirm</span> : null}
        {settings.environment ? (
          <span className="badge badge-muted" title="Runs only in this kind of environment">
            {settings.environment}
          </span>
        ) : null}
        {settings.timeoutSeconds ? (
          <span className="chip" title="Stopped if it runs longer">
            <Timer size={12} aria-hidden="true" /> {settings.timeoutSeconds} s
          </span>
        ) : null}
        <button
          type="button"
          className="link-button source-line"
          aria-label={`Show ${linesLabel(command.line, command.endLine)} in the source`}
          onClick={() => showLines(command.line, command.endLine)}
        >
          line {command.line}
        </button>
        {canEdit && !editing ? (
          <button
            type="button"
            className="button button-small command-copy"
            aria-label={`Edit command from line ${command.line}`}
            title="Rewrite this block in the runbook's file"
            onClick={() => setEditing(true)}
          >
            <Pencil size={13} aria-hidden="true" />
            <span aria-hidden="true">Edit</span>
          </button>
        ) : null}
        <CopyButton code={command.code} line={command.line} />
        {command.runnable && context && !editing ? (
          <button
            type="button"
            className="button button-small command-copy command-run"
            aria-label={`Run command from line ${command.line}`}
            title="Fill its placeholders, see the exact command, and send it to a terminal"
            onClick={() => openRunStep({ runbookId: context.runbookId, command })}
          >
            <Play size={13} aria-hidden="true" />
            <span aria-hidden="true">Run</span>
          </button>
        ) : null}
      </figcaption>
      {editing && context ? (
        <CommandEditor runbookId={context.runbookId} command={command} onDone={() => setEditing(false)} />
      ) : (
        <pre className="command-code">
          {html !== null ? (
            // highlight.js escapes the code; its output is markup for the tokens only.
            <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
          ) : (
            <code>{command.code}</code>
          )}
        </pre>
      )}
      {command.placeholders.length > 0 ? (
        <div className="placeholders">
          <span className="placeholders-label">Fill in</span>
          <ul className="chip-list" aria-label="Placeholders">
            {command.placeholders.map((p, i) => (
              <li key={i} className="chip chip-placeholder">
                {written[p.syntax](p.name)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {settings.expectedOutput ? (
        <details className="expected-output">
          <summary>Expected output</summary>
          <pre className="command-code">{settings.expectedOutput}</pre>
        </details>
      ) : null}
    </figure>
  );
}

/** Rewrites one block of the runbook's file; the rest of the file is left byte for byte. */
function CommandEditor({ runbookId, command, onDone }: { runbookId: string; command: Command; onDone: () => void }) {
  const updateCommand = useAppStore((s) => s.updateCommand);
  const [code, setCode] = useState(command.code);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const save = async () => {
    setSaving(true);
    setError(null);
    const failure = await updateCommand(runbookId, command.line, code);
    setSaving(false);
    if (failure === null) onDone();
    else setError(failure);
  };
  return (
    <form
      className="command-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <textarea
        className="command-editor-code"
        aria-label={`Code of the command from line ${command.line}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        value={code}
        rows={Math.min(24, Math.max(3, code.split('\n').length + 1))}
        spellCheck={false}
        autoFocus
        onChange={(e) => setCode(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void save();
          }
        }}
      />
      <div className="command-editor-actions">
        {error ? (
          <p id={errorId} className="field-error command-editor-error" role="alert">
            {error}
          </p>
        ) : (
          <span className="muted">Only this block of the file is rewritten.</span>
        )}
        <button type="button" className="button button-small" onClick={onDone} disabled={saving}>
          Cancel
        </button>
        <button type="submit" className="button button-small button-primary" disabled={saving || code === command.code} aria-busy={saving}>
          Save
        </button>
      </div>
    </form>
  );
}

function CopyButton({ code, line }: { code: string; line: number }) {
  const [copied, setCopied] = useState(false);
  const reportError = useAppStore((s) => s.reportError);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <button
      type="button"
      className="button button-small command-copy"
      aria-label={copied ? `Copied command from line ${line}` : `Copy command from line ${line}`}
      onClick={() => {
        navigator.clipboard.writeText(code).then(
          () => setCopied(true),
          (error: unknown) => reportError('Copying the command', error),
        );
      }}
    >
      {copied ? <Check size={13} aria-hidden="true" /> : <Copy size={13} aria-hidden="true" />}
      <span aria-hidden="true">{copied ? 'Copied' : 'Copy'}</span>
    </button>
  );
}
