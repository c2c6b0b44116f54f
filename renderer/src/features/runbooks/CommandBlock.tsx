import { Check, Copy } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import type { Command, Placeholder } from '@shared/runbook';
import { useAppStore } from '../../store';
import { highlightCode } from './highlight';

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
  return (
    <figure className={`command${command.runnable ? '' : ' command-reference'}`} aria-label={`Command, ${language}, line ${command.line}`}>
      <figcaption className="command-head">
        <span className="command-lang">{language}</span>
        {command.kind && command.kind !== language ? <span className="command-kind">{command.kind}</span> : null}
        {!command.runnable ? <span className="badge badge-muted" title="Comments, output or a pointer; not a command to run">reference</span> : null}
        <span className="source-line">line {command.line}</span>
        <CopyButton code={command.code} line={command.line} />
      </figcaption>
      <pre className="command-code">
        {html !== null ? (
          // highlight.js escapes the code; its output is markup for the tokens only.
          <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          <code>{command.code}</code>
        )}
      </pre>
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
    </figure>
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
