import { Ban, Check, CircleAlert, CircleDashed, CircleSlash, GitFork, Keyboard, LoaderCircle, Play, RotateCcw, Timer, X } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import type { IncidentDetail, WalkCommand, WalkItem, Walkthrough as WalkthroughData } from '@shared/contract';
import type { Command } from '@shared/runbook';
import { useAppStore } from '../../store';
import { useWindowKeys } from '../../app/useWindowKeys';
import { useNow } from '../alerts/useNow';
import { duration } from './IncidentClocks';
import { StepText } from './StepText';
import type { StepAction } from './incidentsSlice';

/** A note the operator is writing for skip or fail: required, one line. */
type Pending = { action: 'skip' | 'fail'; key: string } | null;

const stateLabels: Record<WalkItem['state'], string> = {
  pending: 'to do',
  current: 'current',
  done: 'done',
  skipped: 'skipped',
  failed: 'failed',
  'not-taken': 'not taken',
};

/** Keys while typing in a field, a dialog or a terminal belong there, not to the walkthrough. */
export function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('input, select, textarea, dialog, [contenteditable="true"], .xterm') !== null;
}

/** The walkthrough's current step key, when the operator is on a step. */
const currentKey = (w: WalkthroughData) => (w.current.kind === 'step' ? w.current.key : null);

/** A walkthrough command as the Run dialog takes it: placeholders by name, the rest as imported. */
function asCommand(c: WalkCommand): Command {
  return {
    code: c.code,
    language: c.language,
    kind: c.language,
    line: c.line,
    endLine: c.line,
    origin: 'fence',
    runnable: c.runnable,
    placeholders: c.placeholders.map((name) => ({ name, syntax: 'dollar' as const })),
    ...(c.destructive ? { destructive: true } : {}),
  };
}

/**
 * The incident's runbook procedure, walked step by step: the current step large, the ones before
 * compact with how they ended, the ones after dimmed, a choice card for alternatives. Everything
 * goes through incidents.step and shows as settled only once the core has it on disk.
 * Keys: d done, s skip, f failed, n note, r run, 1-9 choose, j/k select, o reopen, ? keys.
 */
export function Walkthrough({ detail, noteRef }: { detail: IncidentDetail; noteRef: React.RefObject<HTMLTextAreaElement | null> }) {
  const walk = detail.walkthrough!;
  const incident = detail.incident;
  const step = useAppStore((s) => s.stepIncident);
  const openRunStep = useAppStore((s) => s.openRunStep);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const current = currentKey(walk);
  const currentItem = walk.items.find((i) => i.key === current) ?? null;
  const choosing = walk.current.kind === 'choose' ? (walk.groups.find((g) => g.id === (walk.current as { groupId: string }).groupId) ?? null) : null;
  const visible = walk.items;

  async function act(key: string, action: StepAction, note: string | null = null) {
    if (busy) return;
    setBusy(key);
    setError(null);
    const message = await step(incident.id, key, action, note);
    setBusy(null);
    if (message !== null) setError(`${actionLabel(action)} was not saved: ${message}`);
    else setPending(null);
  }

  function run(item: WalkItem | null) {
    const command = item?.commands.find((c) => c.runnable);
    if (!item || !command) {
      setError(item ? `“${item.title}” has no command to run.` : 'There is no current step to run.');
      return;
    }
    openRunStep({ runbookId: walk.runbookId, command: asCommand(command), environmentId: incident.environmentId, incident: { id: incident.id, stepKey: item.key } });
  }

  // The current step follows the walkthrough; the selection starts there, and it is in view
  // (on resume too: the page opens where the operator was).
  const here = current ?? choosing?.keys[0] ?? null;
  useEffect(() => {
    setSelected(here);
    if (here) document.getElementById(walkId(incident.id, here))?.scrollIntoView({ block: 'nearest' });
  }, [here, incident.id]);

  useWindowKeys((e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const target = e.target as HTMLElement;
    if (target !== document.body && !target.closest('.incidents-page')) return;
    if (typing(target)) return;
    const move = (by: number) => {
      const at = visible.findIndex((i) => i.key === selected);
      const next = visible[Math.min(visible.length - 1, Math.max(0, (at < 0 ? 0 : at) + by))];
      if (next) {
        setSelected(next.key);
        document.getElementById(walkId(incident.id, next.key))?.scrollIntoView({ block: 'nearest' });
      }
    };
    const handled = () => e.preventDefault();
    if (/^[1-9]$/.test(e.key) && choosing) {
      const key = choosing.keys[Number(e.key) - 1];
      if (key) {
        handled();
        void act(key, 'choose');
      }
      return;
    }
    switch (e.key) {
      case 'd':
        if (!current) return;
        handled();
        void act(current, 'done');
        return;
      case 's':
      case 'f':
        if (!current) return;
        handled();
        setError(null);
        setPending({ action: e.key === 's' ? 'skip' : 'fail', key: current });
        return;
      case 'r':
        handled();
        run(currentItem);
        return;
      case 'n':
        handled();
        noteRef.current?.focus();
        return;
      case 'j':
        handled();
        move(1);
        return;
      case 'k':
        handled();
        move(-1);
        return;
      case 'o': {
        const item = walk.items.find((i) => i.key === selected);
        if (!item || item.state === 'pending' || item.state === 'current') return;
        handled();
        void act(item.key, 'reopen');
        return;
      }
      case '?':
        handled();
        setHelpOpen((o) => !o);
        return;
      case 'Escape':
        if (helpOpen) setHelpOpen(false);
        return;
    }
  });

  const settled = walk.items.filter((i) => i.state === 'done' || i.state === 'skipped' || i.state === 'failed').length;
  const countable = walk.items.filter((i) => i.state !== 'not-taken').length;
  return (
    <section className="walkthrough" aria-label="Walkthrough">
      <header className="walk-head">
        <span className="walk-procedure">
          {walk.procedureId && walk.procedureId !== walk.procedureTitle ? <strong>{walk.procedureId} · </strong> : null}
          {walk.procedureTitle} <span className="muted">in {walk.runbookTitle}</span>
        </span>
        <span className="walk-progress muted">
          {settled} of {countable} settled
        </span>
        <button type="button" className="icon-button" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" aria-expanded={helpOpen} onClick={() => setHelpOpen((o) => !o)}>
          <Keyboard size={15} aria-hidden="true" />
        </button>
      </header>
      {helpOpen ? <KeysHelp onClose={() => setHelpOpen(false)} /> : null}
      {error ? (
        <p className="walk-error" role="alert">
          <CircleAlert size={14} aria-hidden="true" /> {error}
        </p>
      ) : null}
      {walk.current.kind === 'finished' ? (
        <p className="walk-finished" role="status">
          <Check size={15} aria-hidden="true" /> Every step is settled. Set the status to Monitoring or Resolved when the service is back.
        </p>
      ) : null}
      <ol className="walk-steps" aria-label="Steps">
        {walk.items.map((item, index) => {
          if (item.groupId && choosing && item.groupId === choosing.id) {
            // The whole group as one choice card, where its first alternative is.
            if (choosing.keys[0] !== item.key) return null;
            return (
              <li key={`choose-${choosing.id}`} id={walkId(incident.id, item.key)}>
                <ChooseCard
                  title={choosing.title}
                  options={choosing.keys.map((k) => walk.items.find((i) => i.key === k)).filter((i): i is WalkItem => i !== undefined)}
                  selected={selected}
                  busy={busy}
                  onChoose={(key) => void act(key, 'choose')}
                />
              </li>
            );
          }
          if (item.key === current) {
            return (
              <li key={item.key} id={walkId(incident.id, item.key)}>
                <CurrentStep
                  item={item}
                  procedureTitle={walk.procedureTitle}
                  number={index + 1}
                  clock={detail.clocks.step?.key === item.key ? detail.clocks.step : item.clock}
                  busy={busy === item.key}
                  pending={pending?.key === item.key ? pending.action : null}
                  onAction={(action, note) => void act(item.key, action, note)}
                  onCancelNote={() => setPending(null)}
                  onAskNote={(action) => setPending({ action, key: item.key })}
                  onRun={() => run(item)}
                  onNoteError={setError}
                />
              </li>
            );
          }
          return (
            <li key={item.key} id={walkId(incident.id, item.key)}>
              <CompactStep
                item={item}
                number={index + 1}
                selected={selected === item.key}
                busy={busy === item.key}
                onSelect={() => setSelected(item.key)}
                onCheck={(checked) => void act(item.key, checked ? 'done' : 'reopen')}
                onReopen={() => void act(item.key, 'reopen')}
              />
            </li>
          );
        })}
      </ol>
    </section>
  );
}

const walkId = (incidentId: string, key: string) => `walk-${incidentId}-${key.replace(/[^\w-]/g, '_')}`;

function actionLabel(action: StepAction): string {
  return { start: 'Starting the step', done: 'Done', skip: 'Skipping', fail: 'Marking it failed', reopen: 'Reopening', choose: 'Choosing the path' }[action];
}

function StateIcon({ state }: { state: WalkItem['state'] }) {
  const props = { size: 14, 'aria-hidden': true as const };
  switch (state) {
    case 'done':
      return <Check {...props} />;
    case 'skipped':
      return <CircleSlash {...props} />;
    case 'failed':
      return <X {...props} />;
    case 'not-taken':
      return <Ban {...props} />;
    default:
      return <CircleDashed {...props} />;
  }
}

/** A clock of a step, ticking locally from the target the core computed. */
function StepClock({ clock }: { clock: NonNullable<WalkItem['clock']> }) {
  const now = useNow(1000);
  const remaining = clock.targetAt === null ? null : Date.parse(clock.targetAt) - (clock.metAt ? Date.parse(clock.metAt) : now);
  const overdue = remaining !== null && remaining < 0;
  return (
    <span className={`walk-timer${overdue ? ' walk-timer-overdue' : ''}`} role="timer" aria-label="Step timer" title={clock.label}>
      <Timer size={14} aria-hidden="true" />
      {remaining === null ? duration(now - Date.parse(clock.startedAt)) : overdue ? `overdue ${duration(-remaining)}` : `${duration(remaining)} left`}
    </span>
  );
}

function CurrentStep(props: {
  item: WalkItem;
  procedureTitle: string;
  number: number;
  clock: WalkItem['clock'];
  busy: boolean;
  pending: 'skip' | 'fail' | null;
  onAction: (action: StepAction, note: string | null) => void;
  onAskNote: (action: 'skip' | 'fail') => void;
  onCancelNote: () => void;
  onRun: () => void;
  onNoteError: (message: string | null) => void;
}) {
  const { item } = props;
  const titleId = useId();
  return (
    <article className={`walk-current walk-kind-${item.kind}`} aria-labelledby={titleId} aria-current="step" aria-busy={props.busy}>
      <header className="walk-current-head">
        <span className="walk-number">{props.number}</span>
        <h3 id={titleId} className="walk-current-title">
          {item.title}
        </h3>
        {props.clock ? <StepClock clock={props.clock} /> : item.timerSeconds ? <span className="walk-timer muted">{Math.round(item.timerSeconds / 60)} min timer</span> : null}
        {props.busy ? <LoaderCircle size={16} className="spin" aria-label="Saving" /> : null}
      </header>
      {item.section && item.section !== props.procedureTitle ? <p className="walk-section muted">{item.section}</p> : null}
      <StepText text={item.text} title={item.title} />
      {item.commands.map((command, i) => (
        <figure key={command.line} className="walk-command" aria-label={`Command, line ${command.line}`}>
          <pre className="mono">{command.code}</pre>
          {command.runnable ? (
            <button type="button" className={`button ${command.destructive ? 'button-danger' : 'button-primary'} walk-run`} onClick={props.onRun} aria-keyshortcuts={i === 0 ? 'R' : undefined}>
              <Play size={13} aria-hidden="true" /> Run{i === 0 ? <kbd>R</kbd> : null}
            </button>
          ) : (
            <span className="badge badge-muted">reference</span>
          )}
        </figure>
      ))}
      {props.pending ? (
        <NoteLine action={props.pending} busy={props.busy} onSave={(note) => props.onAction(props.pending!, note)} onCancel={props.onCancelNote} onError={props.onNoteError} />
      ) : (
        <div className="walk-actions">
          <button type="button" className="button button-primary" disabled={props.busy} onClick={() => props.onAction('done', null)} aria-keyshortcuts="D">
            <Check size={14} aria-hidden="true" /> Done <kbd>D</kbd>
          </button>
          <button type="button" className="button" disabled={props.busy} onClick={() => props.onAskNote('skip')} aria-keyshortcuts="S">
            <CircleSlash size={14} aria-hidden="true" /> Skip <kbd>S</kbd>
          </button>
          <button type="button" className="button button-ghost-danger" disabled={props.busy} onClick={() => props.onAskNote('fail')} aria-keyshortcuts="F">
            <X size={14} aria-hidden="true" /> Failed <kbd>F</kbd>
          </button>
        </div>
      )}
    </article>
  );
}

/** The one-line note a skip or a failure needs: Enter saves, Esc cancels. */
function NoteLine({ action, busy, onSave, onCancel, onError }: { action: 'skip' | 'fail'; busy: boolean; onSave: (note: string) => void; onCancel: () => void; onError: (m: string | null) => void }) {
  const [text, setText] = useState('');
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const label = action === 'skip' ? 'Why skip it?' : 'What failed?';
  return (
    <div className="walk-note-line">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        ref={ref}
        id={id}
        type="text"
        value={text}
        readOnly={busy}
        maxLength={2000}
        placeholder="One line for the journal. Enter saves, Esc cancels"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            if (!text.trim()) onError(`${action === 'skip' ? 'Skipping' : 'Marking a step failed'} needs a note: say why, in a line.`);
            else onSave(text.trim());
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onError(null);
            onCancel();
          }
        }}
      />
      {busy ? <LoaderCircle size={14} className="spin" aria-label="Saving" /> : null}
    </div>
  );
}

function CompactStep(props: { item: WalkItem; number: number; selected: boolean; busy: boolean; onSelect: () => void; onCheck: (checked: boolean) => void; onReopen: () => void }) {
  const { item } = props;
  const settled = item.state === 'done' || item.state === 'skipped' || item.state === 'failed';
  if (item.kind === 'check') {
    return (
      <label className={`walk-row walk-check walk-state-${item.state}${props.selected ? ' walk-selected' : ''}`} onClick={props.onSelect}>
        <input type="checkbox" checked={item.state === 'done'} disabled={props.busy || item.state === 'not-taken'} onChange={(e) => props.onCheck(e.target.checked)} />
        <span className="walk-row-main">
          <span className="walk-row-title">{item.title}</span>
          {item.note ? <span className="walk-row-note">{item.note}</span> : null}
        </span>
        {props.busy ? <LoaderCircle size={13} className="spin" aria-label="Saving" /> : null}
      </label>
    );
  }
  return (
    <div role="group" className={`walk-row walk-state-${item.state}${props.selected ? ' walk-selected' : ''}`} aria-label={`Step ${props.number}: ${item.title}, ${stateLabels[item.state]}`} onClick={props.onSelect}>
      <span className="walk-row-icon" title={stateLabels[item.state]}>
        <StateIcon state={item.state} />
      </span>
      <span className="walk-row-main">
        <span className="walk-row-title">
          <span className="walk-row-number">{props.number}.</span> {item.title}
        </span>{' '}
        <span className="walk-row-state">{stateLabels[item.state]}</span>
        {item.note ? <span className="walk-row-note">{item.note}</span> : null}
      </span>
      {settled && props.selected ? (
        <button type="button" className="button button-small walk-reopen" disabled={props.busy} onClick={props.onReopen} aria-keyshortcuts="O">
          <RotateCcw size={12} aria-hidden="true" /> Reopen <kbd>O</kbd>
        </button>
      ) : null}
      {props.busy ? <LoaderCircle size={13} className="spin" aria-label="Saving" /> : null}
    </div>
  );
}

/** Alternatives: the operator chooses one path explicitly (1-9), the others are not taken. */
function ChooseCard({ title, options, selected, busy, onChoose }: { title: string; options: WalkItem[]; selected: string | null; busy: string | null; onChoose: (key: string) => void }) {
  const titleId = useId();
  return (
    <article className="walk-current walk-choose" aria-labelledby={titleId} aria-current="step">
      <header className="walk-current-head">
        <GitFork size={18} aria-hidden="true" />
        <h3 id={titleId} className="walk-current-title">
          Choose a path{title ? `: ${title}` : ''}
        </h3>
      </header>
      <ol className="walk-options" aria-label="Paths">
        {options.map((option, i) => (
          <li key={option.key}>
            <button
              type="button"
              className={`walk-option${selected === option.key ? ' walk-selected' : ''}`}
              disabled={busy !== null}
              aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
              onClick={() => onChoose(option.key)}
            >
              {i < 9 ? <kbd>{i + 1}</kbd> : null}
              <span className="walk-option-title">{option.title}</span>
              {option.text ? <span className="walk-option-text muted">{firstLine(option.text)}</span> : null}
              {busy === option.key ? <LoaderCircle size={14} className="spin" aria-label="Saving" /> : null}
            </button>
          </li>
        ))}
      </ol>
    </article>
  );
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('```')) ?? '';
  return line.replace(/[*_`]/g, '').trim().slice(0, 160);
}

function KeysHelp({ onClose }: { onClose: () => void }) {
  const keys: [string, string][] = [
    ['D', 'done'],
    ['S', 'skip (with a note)'],
    ['F', 'failed (with a note)'],
    ['N', 'write a note'],
    ['R', 'run the step’s first command'],
    ['1-9', 'choose a path'],
    ['J / K', 'select the next / previous step'],
    ['O', 'reopen the selected step'],
    ['T', 'walkthrough / timeline'],
    [navigator.platform.includes('Mac') ? '⇧⌘J' : 'Ctrl+Shift+J', 'quick note, from anywhere'],
    ['?', 'these keys'],
  ];
  return (
    <div className="walk-keys" role="note" aria-label="Walkthrough keys">
      <dl>
        {keys.map(([k, what]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="icon-button" aria-label="Close the keys" onClick={onClose}>
        <X size={14} aria-hidden="true" />
      </button>
    </div>
  );
}
