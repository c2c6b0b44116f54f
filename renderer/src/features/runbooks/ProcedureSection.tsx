import { Timer, Zap } from 'lucide-react';
import type { Procedure, Step } from '@shared/runbook';
import { useAppStore } from '../../store';
import { CommandBlock } from './CommandBlock';
import { Prose } from './Prose';
import { isControlClick, linesLabel, selectingText } from './runbookContext';

export const procedureAnchor = (p: number) => `procedure-${p}`;
export const stepAnchor = (p: number, s: number) => `procedure-${p}-step-${s}`;

const kindLabels: Record<Procedure['kind'], string> = {
  procedure: 'Procedure',
  section: 'Section',
  alternatives: 'Alternatives',
  checklist: 'Checklist',
  reference: 'Reference',
  notes: 'Notes',
};

type Heading = 'h3' | 'h4' | 'h5' | 'h6';
const headingAt = (depth: number): Heading => (depth <= 0 ? 'h3' : depth === 1 ? 'h4' : depth === 2 ? 'h5' : 'h6');

/** Index of each procedure's sub-procedures (`parent` points at the heading it sits under). */
export function childrenByParent(procedures: readonly Procedure[]): Map<number | null, number[]> {
  const map = new Map<number | null, number[]>();
  procedures.forEach((p, i) => {
    const parent = p.parent ?? null;
    const valid = parent !== null && parent >= 0 && parent < i ? parent : null;
    map.set(valid, [...(map.get(valid) ?? []), i]);
  });
  return map;
}

/** A procedure heading's badge: its written id (`RB-01`), else its number (`## 1) …`). */
export function procedureBadge(p: Procedure): string | null {
  if (p.id) return p.id;
  if (p.number !== null && p.number !== undefined) return String(p.number);
  return null;
}

export function ProcedureSection(props: {
  procedures: readonly Procedure[];
  index: number;
  tree: Map<number | null, number[]>;
  depth?: number;
}) {
  const { procedures, index, tree } = props;
  const depth = props.depth ?? 0;
  const procedure = procedures[index];
  if (!procedure) return null;
  const H = headingAt(depth);
  const titleId = `${procedureAnchor(index)}-title`;
  const badge = procedureBadge(procedure);
  const name = badge ? `${badge} ${procedure.title}` : procedure.title;
  const showKind = procedure.kind !== 'section' && (procedure.kind !== 'procedure' || depth === 0);
  const children = tree.get(index) ?? [];
  const style = procedure.kind === 'alternatives' ? 'alternative' : procedure.kind === 'checklist' ? 'checklist' : 'step';
  return (
    <section
      className={`procedure procedure-depth-${Math.min(depth, 2)}`}
      id={procedureAnchor(index)}
      tabIndex={-1}
      aria-labelledby={titleId}
    >
      <header className="procedure-head">
        {badge ? <span className="id-badge">{badge}</span> : null}
        <H id={titleId} className="procedure-title">
          {procedure.title}
        </H>
        {showKind ? <span className={`badge kind-badge kind-${procedure.kind}`}>{kindLabels[procedure.kind]}</span> : null}
        {procedure.recoveryTargetMinutes !== null ? (
          <span className="chip chip-target" title="Recovery time target">
            <Timer size={12} aria-hidden="true" />
            Recover in &lt; {formatMinutes(procedure.recoveryTargetMinutes)}
          </span>
        ) : null}
        <SourceLink line={procedure.line} endLine={procedure.endLine} />
      </header>

      {procedure.triggers.length > 0 ? (
        <div className="triggers">
          <span className="triggers-label">
            <Zap size={12} aria-hidden="true" /> Triggered by
          </span>
          <ul className="chip-list" aria-label={`Triggers of ${name}`}>
            {procedure.triggers.map((t, i) => (
              <li key={i} className="chip chip-trigger">
                {t}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {procedure.text ? <Prose text={procedure.text} /> : null}

      {procedure.kind === 'alternatives' && procedure.steps.length > 1 ? (
        <p className="steps-hint">Choose one of these {procedure.steps.length} paths; they are not a sequence.</p>
      ) : null}
      {procedure.kind === 'checklist' && procedure.steps.length > 0 ? (
        <p className="steps-hint">Tick items as you go; ticks are not saved yet.</p>
      ) : null}

      {procedure.steps.length > 0 ? (
        <ol className={`steps steps-${procedure.kind}`} aria-label={`Steps of ${name}`}>
          {procedure.steps.map((step, si) => (
            <StepItem
              key={si}
              step={step}
              number={si + 1}
              anchor={stepAnchor(index, si)}
              heading={headingAt(depth + 1)}
              style={style}
            />
          ))}
        </ol>
      ) : null}

      {(procedure.commands ?? []).map((command, i) => (
        <details key={i} className="as-written">
          <summary>
            The block as written <span className="source-line">line {command.line}</span>
          </summary>
          <CommandBlock command={command} />
        </details>
      ))}

      {children.map((child) => (
        <ProcedureSection key={child} procedures={procedures} index={child} tree={tree} depth={depth + 1} />
      ))}
    </section>
  );
}

/** A source position that shows its lines in the source panel. */
function SourceLink({ line, endLine }: { line: number; endLine: number }) {
  const showLines = useAppStore((s) => s.showSourceLines);
  return (
    <button
      type="button"
      className="link-button source-line"
      aria-label={`Show ${linesLabel(line, endLine)} in the source`}
      onClick={() => showLines(line, endLine)}
    >
      line {line}
    </button>
  );
}

function StepItem(props: { step: Step; number: number; anchor: string; heading: Heading; style: 'step' | 'alternative' | 'checklist' }) {
  const { step, number, anchor } = props;
  const H = props.heading;
  const sourceVisible = useAppStore((s) => s.sourceVisible);
  const showLines = useAppStore((s) => s.showSourceLines);
  const selected = useAppStore((s) => s.sourceVisible && s.sourceSelection?.line === step.line && s.sourceSelection.endLine === step.endLine);
  // The step's plain text often starts by repeating its title; do not say it twice.
  const text = step.text.startsWith(step.title) ? step.text.slice(step.title.length).replace(/^[\s:.—-]+/, '') : step.text;
  return (
    <li
      className={`step${selected ? ' step-selected' : ''}${sourceVisible ? ' step-clickable' : ''}`}
      id={anchor}
      tabIndex={-1}
      onClick={(e) => {
        if (!sourceVisible || isControlClick(e.target) || selectingText()) return;
        showLines(step.line, step.endLine);
      }}
    >
      {props.style === 'checklist' ? (
        <input type="checkbox" className="step-check" aria-label={step.title} />
      ) : (
        <span className="step-number" aria-hidden="true">
          {props.style === 'alternative' ? String.fromCharCode(64 + Math.min(number, 26)) : number}
        </span>
      )}
      <div className="step-body">
        <div className="step-head">
          <H className="step-title">{step.title}</H>
          {step.timerSeconds ? (
            <span className="chip" title="Wait before the next step">
              <Timer size={12} aria-hidden="true" /> {formatMinutes(step.timerSeconds / 60)}
            </span>
          ) : null}
          <SourceLink line={step.line} endLine={step.endLine} />
        </div>
        {text ? <Prose text={text} className="step-text" /> : null}
        {step.commands.map((command, i) => (
          <CommandBlock key={i} command={command} />
        ))}
      </div>
    </li>
  );
}

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes < 120) return `${Math.round(minutes * 10) / 10} min`;
  return `${Math.round((minutes / 60) * 10) / 10} h`;
}
