import { X } from 'lucide-react';
import { useLayoutEffect, useMemo, useRef } from 'react';
import { useAppStore } from '../../store';
import { linesLabel } from './runbookContext';

/** Every source line is this tall (runbooks.css sets the same), so a line's place is arithmetic. */
const LINE_HEIGHT = 18;

/**
 * The runbook's Markdown as written, beside its structure. Two text nodes (the numbers and the
 * text) whatever the length, so a 5,000-line file costs no more to show than a short one; the
 * highlighted lines are one box laid over them.
 */
export function SourcePanel({ text }: { text: string }) {
  const selection = useAppStore((s) => s.sourceSelection);
  const close = useAppStore((s) => s.setSourceVisible);
  const scroller = useRef<HTMLDivElement>(null);
  const { numbers, count } = useMemo(() => {
    const count = text.split('\n').length;
    return { numbers: Array.from({ length: count }, (_, i) => i + 1).join('\n'), count };
  }, [text]);
  const shown = selection && selection.line <= count ? { line: selection.line, endLine: Math.min(selection.endLine, count) } : null;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !selection) return;
    const top = (selection.line - 1) * LINE_HEIGHT;
    const height = (selection.endLine - selection.line + 1) * LINE_HEIGHT;
    // Show the whole selection when it fits, else its start, a little below the top edge.
    el.scrollTop = height < el.clientHeight - 2 * LINE_HEIGHT ? top - (el.clientHeight - height) / 3 : top - LINE_HEIGHT;
  }, [selection]);

  return (
    <section className="source-panel" aria-label="Source">
      <header className="source-panel-head">
        <span className="source-panel-title">Source</span>
        <span className="muted" aria-live="polite">
          {shown ? `Showing ${linesLabel(shown.line, shown.endLine)}` : `${count} lines`}
        </span>
        <button type="button" className="icon-button" aria-label="Hide source" onClick={() => close(false)}>
          <X size={14} aria-hidden="true" />
        </button>
      </header>
      <div className="source-scroll" ref={scroller} tabIndex={0} aria-label="Markdown source">
        <div className="source-body">
          <pre className="source-gutter" aria-hidden="true">
            {numbers}
          </pre>
          <div className="source-text-wrap">
            {shown ? (
              <div
                className="source-highlight"
                key={selection?.seq}
                data-testid="source-highlight"
                data-lines={`${shown.line}-${shown.endLine}`}
                style={{ top: (shown.line - 1) * LINE_HEIGHT, height: (shown.endLine - shown.line + 1) * LINE_HEIGHT }}
              />
            ) : null}
            <pre className="source-text">{text}</pre>
          </div>
        </div>
      </div>
    </section>
  );
}
