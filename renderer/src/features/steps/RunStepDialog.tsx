import { useEffect, useId, useMemo, useState } from 'react';
import { LoaderCircle, Play, ShieldAlert, TriangleAlert } from 'lucide-react';
import type { CallInput, Environment, TerminalInfo } from '@shared/contract';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { modKeyLabel } from '../../app/keys';
import { tierLabel } from '../environments/tiers';
import { ColourDot } from '../environments/TierBadge';
import { kindLabels, terminalChoices } from '../terminals/targets';
import { terminalLabels } from '../terminals/terminalsSlice';
import type { PrepareResult, RunStepRequest } from './stepsSlice';
import './steps.css';

/** The Run dialog of the command the operator pressed Run on, if any. */
export function RunStepDialog() {
  const request = useAppStore((s) => s.runStepRequest);
  if (!request) return null;
  return <RunStepForm key={`${request.runbookId}:${request.command.line}`} request={request} />;
}

// The preview is prepared again this long after the last keystroke.
const PREVIEW_DEBOUNCE_MS = 150;
// A new terminal starts at this size; its pane resizes it once shown.
const NEW_TERMINAL_SIZE = { cols: 80, rows: 24 };

/** Where the command goes: a new terminal (kind and target) or one already running. */
interface Destination {
  value: string;
  label: string;
  run: Pick<CallInput<'steps.run'>, 'terminalId' | 'open'>;
}

/**
 * Fill the placeholders, see the exact command, pick where it runs, run it. A destructive command
 * in production needs the environment's name typed first. Ctrl/Cmd+Enter runs, Esc cancels.
 */
function RunStepForm({ request }: { request: RunStepRequest }) {
  const { command, runbookId } = request;
  const environments = useAppStore((s) => s.environments);
  const currentId = useAppStore((s) => s.currentEnvironmentId);
  const terminals = useAppStore((s) => s.terminals);
  const close = useAppStore((s) => s.closeRunStep);
  const prepareStep = useAppStore((s) => s.prepareStep);
  const runStep = useAppStore((s) => s.runStep);
  const loadTerminals = useAppStore((s) => s.loadTerminals);
  const ref = useModalDialog();
  const ids = { title: useId(), env: useId(), dest: useId(), confirm: useId(), preview: useId() };

  const names = useMemo(() => [...new Set(command.placeholders.map((p) => p.name))], [command.placeholders]);
  const [environmentId, setEnvironmentId] = useState(() => request.environmentId ?? currentId ?? environments[0]?.id ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [prepared, setPrepared] = useState<PrepareResult | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const [running, setRunning] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const environment = environments.find((e) => e.id === environmentId) ?? null;

  // showModal() focuses the first control; the first placeholder is where typing starts.
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [ref]);

  // The running terminals it may go to, even if the Terminals page was never opened.
  useEffect(() => {
    void loadTerminals();
  }, [loadTerminals]);

  // Only the values the operator typed: an empty field lets the environment fill its placeholder.
  const given = useMemo(() => Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')), [values]);
  useEffect(() => {
    if (!environmentId) return;
    let stale = false;
    const timer = setTimeout(() => {
      void prepareStep({ runbookId, line: command.line, environmentId, values: given }).then((result) => {
        if (!stale) setPrepared(result);
      });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [prepareStep, runbookId, command.line, environmentId, given]);

  const ready = prepared?.ok ? prepared.prepared : null;
  const destinations = useMemo(
    () => destinationsFor(environment, ready?.suggestedKind ?? 'local', terminals),
    [environment, ready?.suggestedKind, terminals],
  );
  const destination = destinations.find((d) => d.value === chosen) ?? destinations[0] ?? null;
  const confirmation = ready?.confirmation ?? null;
  const confirmed = confirmation === null || typed === confirmation.expected;
  const canRun = ready !== null && destination !== null && confirmed && !running;

  async function run() {
    if (!canRun) return;
    setRunning(true);
    setFailure(null);
    const result = await runStep({
      runbookId,
      line: command.line,
      environmentId,
      values: given,
      ...destination.run,
      confirmation: confirmation ? typed : null,
      incidentId: request.incident?.id ?? null,
      stepKey: request.incident?.stepKey ?? null,
    });
    if (!result.ok) {
      setRunning(false);
      setFailure(result.message);
    }
  }

  const production = environment?.tier === 'production';
  return (
    <dialog
      ref={ref}
      className={`dialog run-step${production ? ' is-production' : ''}`}
      aria-labelledby={ids.title}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          void run();
        }
      }}
    >
      <h2 id={ids.title} className="dialog-title">
        Run {command.name ? `“${command.name}”` : `the command from line ${command.line}`}
      </h2>

      <div className="run-step-grid">
        <div className="field">
          <label className="field-label" htmlFor={ids.env}>
            Environment
          </label>
          <span className="run-step-env">
            <ColourDot colour={environment?.color ?? 'transparent'} />
            <select
              id={ids.env}
              value={environmentId}
              onChange={(e) => {
                setEnvironmentId(e.target.value);
                setChosen(null);
                setTyped('');
                setFailure(null);
              }}
            >
              {environments.length === 0 ? <option value="">No environments yet</option> : null}
              {environments.map((env) => (
                <option key={env.id} value={env.id}>
                  {env.name} · {tierLabel(env.tier)}
                </option>
              ))}
            </select>
          </span>
        </div>

        <div className="field">
          <label className="field-label" htmlFor={ids.dest}>
            Run in
          </label>
          <select id={ids.dest} value={destination?.value ?? ''} onChange={(e) => setChosen(e.target.value)} disabled={!environment}>
            {destinations.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      {request.incident ? (
        <p className="field-hint" role="note">
          From the incident&rsquo;s walkthrough: the command and its output are written to the incident&rsquo;s journal.
        </p>
      ) : null}

      {environments.length === 0 ? (
        <p className="run-step-note" role="note">
          A step runs in an environment: create one on the Environments page first.
        </p>
      ) : null}

      {names.length > 0 ? (
        <fieldset className="run-step-fields">
          <legend className="field-label">Placeholders</legend>
          {names.map((name, i) => (
            <PlaceholderField
              key={name}
              name={name}
              value={values[name] ?? ''}
              autoFocus={i === 0}
              prefilled={ready?.prefilled.find((p) => p.name === name)?.from ?? null}
              missing={ready?.missing.includes(name) ?? false}
              onChange={(value) => {
                setValues((v) => ({ ...v, [name]: value }));
                setFailure(null);
              }}
            />
          ))}
        </fieldset>
      ) : null}

      <div className="field">
        <span className="field-label" id={ids.preview}>
          Command to send
        </span>
        {prepared === null ? (
          <p className="run-step-preview is-pending" role="status">
            <LoaderCircle size={14} className="spin" aria-hidden="true" /> Preparing…
          </p>
        ) : prepared.ok ? (
          <figure className="run-step-preview-figure" aria-labelledby={ids.preview}>
            <pre className="run-step-preview">{prepared.prepared.text}</pre>
          </figure>
        ) : (
          <p className="run-step-preview is-error" role="alert">
            {prepared.message}
          </p>
        )}
        {ready && ready.missing.length > 0 ? (
          <p className="field-hint run-step-warning">
            <TriangleAlert size={13} aria-hidden="true" /> No value for {ready.missing.join(', ')}: sent as written in the runbook.
          </p>
        ) : null}
      </div>

      {ready?.destructive ? (
        <div className="run-step-destructive" role="note" aria-label="Destructive command">
          <ShieldAlert size={15} aria-hidden="true" />
          <div>
            <strong>This command is destructive.</strong>
            {ready.reasons.length > 0 ? (
              <ul>
                {ready.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            ) : null}
          </div>
        </div>
      ) : null}

      {confirmation ? (
        <div className="field run-step-confirm">
          <label className="field-label" htmlFor={ids.confirm}>
            Type <strong className="mono">{confirmation.expected}</strong> to run
          </label>
          <input
            id={ids.confirm}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            aria-invalid={typed !== '' && !confirmed ? true : undefined}
            onChange={(e) => {
              setTyped(e.target.value);
              setFailure(null);
            }}
          />
        </div>
      ) : null}

      {failure ? (
        <p className="field-error run-step-failure" role="alert">
          {failure}
        </p>
      ) : null}

      <div className="dialog-actions">
        <span className="run-step-keys muted">
          <kbd>{modKeyLabel}+Enter</kbd> runs · <kbd>Esc</kbd> cancels
        </span>
        <button type="button" className="button" onClick={close}>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${ready?.destructive ? 'button-danger' : 'button-primary'}`}
          disabled={!canRun}
          aria-busy={running}
          onClick={() => void run()}
        >
          {running ? <LoaderCircle size={14} className="spin" aria-hidden="true" /> : <Play size={14} aria-hidden="true" />} Run
        </button>
      </div>
    </dialog>
  );
}

function PlaceholderField(props: {
  name: string;
  value: string;
  autoFocus: boolean;
  prefilled: 'variable' | 'secret' | null;
  missing: boolean;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const hintId = useId();
  const from = props.prefilled === 'variable' ? `from variable ${props.name}` : props.prefilled === 'secret' ? `from vault secret ${props.name}` : null;
  // The source shows in the empty field itself; the hint says what leaving it so does.
  const hint = props.value !== '' ? null : from ? 'leave empty to use it, or type to override' : props.missing ? 'needed' : null;
  return (
    <div className="run-step-field">
      <label className="run-step-field-name mono" htmlFor={id}>
        {props.name}
      </label>
      <input
        id={id}
        type="text"
        autoComplete="off"
        spellCheck={false}
        data-autofocus={props.autoFocus ? true : undefined}
        value={props.value}
        placeholder={from ?? ''}
        aria-describedby={hint ? hintId : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {hint ? (
        <span id={hintId} className={`run-step-field-hint${from ? ' is-prefilled' : ''}`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

/** New terminals of the kind the command is for (one per target), a new local shell, and the
 * terminals of the environment that are still running. The first is the default. */
function destinationsFor(environment: Environment | null, kind: TerminalInfo['kind'], terminals: readonly TerminalInfo[]): Destination[] {
  if (!environment) return [];
  const choices = terminalChoices(environment);
  const fresh = [...choices.filter((c) => c.kind === kind), ...(kind === 'local' ? [] : choices.filter((c) => c.kind === 'local'))];
  const out: Destination[] = fresh.map((c) => ({
    value: `new:${c.kind}:${c.targetId ?? ''}`,
    label: c.kind === 'local' ? 'New local terminal' : `New ${kindLabels[c.kind]} terminal: ${c.label.replace(/^[^:]+: /, '')}`,
    run: { terminalId: null, open: { kind: c.kind, targetId: c.targetId, ...NEW_TERMINAL_SIZE } },
  }));
  const labels = terminalLabels(terminals);
  for (const t of terminals) {
    if (t.environmentId !== environment.id || t.status === 'exited') continue;
    out.push({ value: `terminal:${t.id}`, label: `Running: ${labels.get(t.id) ?? t.title}`, run: { terminalId: t.id, open: null } });
  }
  return out;
}
