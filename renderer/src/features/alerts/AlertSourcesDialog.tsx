import { CircleAlert, Copy, LoaderCircle, Pencil, Plus, RefreshCw, ScrollText, Trash } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import type { AlertSource, AlertSourceKind, CallOutput } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { age, exactTime, severities, sourceKindLabels, until } from './format';
import { draftOf, emptyDraft, inputOf, isWebhookKind, kindFields, type SourceDraft } from './sourceDrafts';
import { useNow } from './useNow';
import { DialogHead } from '../../app/ui/DialogHead';

const kinds = Object.keys(sourceKindLabels) as AlertSourceKind[];

/**
 * The alert sources: their health, a form per kind to add or change one, "Poll now", and
 * Prometheus rules read from a runbook's alert table. A native modal <dialog>.
 */
export function AlertSourcesDialog() {
  const ref = useModalDialog();
  const titleId = useId();
  const sources = useAppStore((s) => s.alertSources);
  const loaded = useAppStore((s) => s.alertSourcesLoaded);
  const setOpen = useAppStore((s) => s.setAlertSourcesOpen);
  const [editing, setEditing] = useState<AlertSource | 'new' | null>(null);
  const [created, setCreated] = useState<{ source: AlertSource; token: string } | null>(null);
  const [rulesOpen, setRulesOpen] = useState(false);
  const now = useNow(5_000);
  return (
    <dialog
      ref={ref}
      className="dialog alert-sources-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        setOpen(false);
      }}
    >
      <DialogHead titleId={titleId} title="Alert sources" onClose={() => setOpen(false)} />
      <p className="dialog-body">
        Polled sources are asked on their interval (and backed off when they fail); webhooks listen on a local port for
        Alertmanager or any JSON sender. When a source cannot be reached its last known alerts stay, marked stale.
      </p>
      {created ? <TokenOnce source={created.source} token={created.token} onDone={() => setCreated(null)} /> : null}
      {sources.length === 0 ? (
        <p className="sources-empty">{loaded ? 'No alert sources yet. Add one below.' : 'Loading sources…'}</p>
      ) : (
        <ul className="alert-sources-list" aria-label="Alert sources">
          {sources.map((source) => (
            <SourceItem key={source.id} source={source} now={now} onEdit={() => setEditing(source)} />
          ))}
        </ul>
      )}
      {editing ? (
        <SourceForm
          key={editing === 'new' ? 'new' : editing.id}
          source={editing === 'new' ? null : editing}
          onDone={(result) => {
            setEditing(null);
            if (result?.token) setCreated({ source: result.source, token: result.token });
          }}
        />
      ) : rulesOpen ? (
        <RulesFromRunbook onDone={() => setRulesOpen(false)} />
      ) : (
        <div className="alert-sources-actions">
          <button type="button" className="button button-primary button-small" onClick={() => setEditing('new')}>
            <Plus size={13} aria-hidden="true" /> Add source
          </button>
          <button type="button" className="button button-small" onClick={() => setRulesOpen(true)}>
            <ScrollText size={13} aria-hidden="true" /> Rules from runbook…
          </button>
        </div>
      )}
    </dialog>
  );
}

function SourceItem({ source, now, onEdit }: { source: AlertSource; now: number; onEdit: () => void }) {
  const polling = useAppStore((s) => s.pollingSourceIds.includes(source.id));
  const poll = useAppStore((s) => s.pollAlertSource);
  const remove = useAppStore((s) => s.deleteAlertSource);
  const environment = useAppStore((s) => s.environments.find((e) => e.id === source.environmentId)?.name ?? null);
  const [confirming, setConfirming] = useState(false);
  const h = source.health;
  const webhook = isWebhookKind(source.config.kind);
  const healthClass = !source.enabled ? 'paused' : h.stale || h.lastError ? 'failing' : h.lastSuccessAt ? 'ok' : 'waiting';
  return (
    <li className="alert-source-item" aria-label={source.name}>
      <span className={`health-dot health-${healthClass}`} aria-hidden="true" />
      <div className="alert-source-main">
        <div className="alert-source-title">
          <strong>{source.name}</strong>
          <span className="badge badge-muted">{sourceKindLabels[source.config.kind]}</span>
          {environment ? <span className="chip">{environment}</span> : null}
          {!source.enabled ? <span className="badge">paused</span> : null}
        </div>
        {'url' in source.config ? <div className="mono muted alert-source-url">{source.config.url}</div> : null}
        {source.endpoint ? (
          <div className="alert-source-url">
            Endpoint <code>{source.endpoint}</code> <CopyButton text={source.endpoint} label="Copy endpoint" />
          </div>
        ) : null}
        <div className="alert-source-health" aria-label={`Health of ${source.name}`}>
          <span title={h.lastSuccessAt ? exactTime(h.lastSuccessAt) : undefined}>
            {h.lastSuccessAt ? `Last success ${age(h.lastSuccessAt, now)}${age(h.lastSuccessAt, now) === 'just now' ? '' : ' ago'}` : webhook ? 'Nothing received yet' : 'Not polled yet'}
          </span>
          {h.latencyMs !== null ? <span>{Math.round(h.latencyMs)} ms</span> : null}
          {h.stale && h.staleSince ? <span className="health-stale">Stale since {exactTime(h.staleSince)}</span> : null}
          {!webhook && h.nextPollAt && source.enabled ? (
            <span title={exactTime(h.nextPollAt)}>
              Next poll {until(h.nextPollAt, now)}
              {h.consecutiveFailures > 0 ? ` (backing off after ${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'})` : ''}
            </span>
          ) : null}
        </div>
        {h.lastError ? (
          <p className="source-error">
            <CircleAlert size={12} aria-hidden="true" />
            <span>
              {h.lastError}
              {h.lastErrorAt ? <span className="muted"> ({exactTime(h.lastErrorAt)})</span> : null}
            </span>
          </p>
        ) : null}
      </div>
      <div className="source-item-actions">
        {!webhook ? (
          <button type="button" className="button button-small" disabled={polling} aria-busy={polling} onClick={() => void poll(source.id)}>
            {polling ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : <RefreshCw size={13} aria-hidden="true" />}
            Poll now
          </button>
        ) : null}
        <button type="button" className="button button-small" onClick={onEdit} aria-label={`Edit ${source.name}`}>
          <Pencil size={13} aria-hidden="true" /> Edit
        </button>
        <button type="button" className="button button-small button-ghost-danger" onClick={() => setConfirming(true)} aria-label={`Remove ${source.name}`}>
          <Trash size={13} aria-hidden="true" /> Remove
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title="Remove this alert source?"
          confirmLabel="Remove"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void remove(source.id);
          }}
        >
          <p>
            Watchfloor stops {webhook ? 'listening for' : 'polling'} <strong>{source.name}</strong>. Nothing changes at the source
            itself; add it again to follow it once more.
          </p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() =>
        void navigator.clipboard.writeText(text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      <Copy size={12} aria-hidden="true" /> {copied ? 'Copied' : label}
    </button>
  );
}

/** A webhook's bearer token, shown once after it is created: the core keeps only what checks it. */
function TokenOnce({ source, token, onDone }: { source: AlertSource; token: string; onDone: () => void }) {
  return (
    <div className="token-once" role="status" aria-label={`Token for ${source.name}`}>
      <p>
        <strong>{source.name}</strong> listens on <code>{source.endpoint ?? '(starting…)'}</code>. Send its bearer token with
        every request. It is shown only now: copy it into the sender&apos;s configuration.
      </p>
      <div className="token-once-row">
        <code className="token-once-token">{token}</code>
        <CopyButton text={token} label="Copy token" />
        <button type="button" className="button button-small" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

function SourceForm({ source, onDone }: { source: AlertSource | null; onDone: (result: { source: AlertSource; token: string | null } | null) => void }) {
  const create = useAppStore((s) => s.createAlertSource);
  const update = useAppStore((s) => s.updateAlertSource);
  const environments = useAppStore((s) => s.environments);
  const [draft, setDraft] = useState<SourceDraft>(() => (source ? draftOf(source) : emptyDraft('alertmanager')));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const kind = draft.kind as AlertSourceKind;
  const webhook = isWebhookKind(kind);
  const formId = useId();
  const set = (key: string, value: string | boolean) => setDraft((d) => ({ ...d, [key]: value }));
  const fieldError = (key: string) => error?.fields[key] ?? error?.fields[`config.${key}`] ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const input = inputOf(draft);
    const call = source ? update(source.id, input) : create(input);
    void call.then((result) => {
      setBusy(false);
      if (result.ok) onDone({ source: result.source, token: result.token });
      else setError({ message: result.message, fields: result.fieldErrors });
    });
  };

  const field = (key: string, label: string, input: React.ReactNode) => (
    <div className="source-field" key={key}>
      <label htmlFor={`${formId}-${key}`} className="field-label">
        {label}
      </label>
      {input}
      {fieldError(key) ? <p className="field-error">{fieldError(key)}</p> : null}
    </div>
  );
  const textInput = (key: string, opts: { placeholder?: string; mono?: boolean; number?: boolean } = {}) => (
    <input
      id={`${formId}-${key}`}
      type={opts.number ? 'number' : 'text'}
      className={opts.mono ? 'mono' : undefined}
      placeholder={opts.placeholder}
      value={String(draft[key] ?? '')}
      onChange={(e) => set(key, e.target.value)}
      aria-invalid={fieldError(key) ? true : undefined}
      spellCheck={false}
      autoComplete="off"
    />
  );

  return (
    <form className="source-form alert-source-form" aria-label={source ? `Edit ${source.name}` : 'Add alert source'} onSubmit={submit}>
      <h3 className="source-form-title">{source ? `Edit ${source.name}` : 'Add alert source'}</h3>
      <div className="source-form-grid">
        {field(
          'kind',
          'Kind',
          <select id={`${formId}-kind`} value={kind} disabled={source !== null} onChange={(e) => setDraft({ ...emptyDraft(e.target.value as AlertSourceKind), name: draft.name ?? '', environmentId: draft.environmentId ?? '' })}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {sourceKindLabels[k]}
              </option>
            ))}
          </select>,
        )}
        {field('name', 'Name', textInput('name', { placeholder: 'Alertmanager (prod-eu)' }))}
        {field(
          'environmentId',
          'Environment',
          <select id={`${formId}-environmentId`} value={String(draft.environmentId)} onChange={(e) => set('environmentId', e.target.value)}>
            <option value="">None</option>
            {environments.map((env) => (
              <option key={env.id} value={env.id}>
                {env.name}
              </option>
            ))}
          </select>,
        )}
        {!webhook ? field('pollSeconds', 'Poll every (seconds)', textInput('pollSeconds', { number: true })) : null}
        {!webhook ? field('timeoutSeconds', 'Timeout (seconds)', textInput('timeoutSeconds', { number: true })) : null}
        {kindFields[kind].map((f) => {
          if (f.type === 'checkbox') {
            return (
              <label key={f.key} className="checkbox-field source-field-wide">
                <input type="checkbox" checked={draft[f.key] === true} onChange={(e) => set(f.key, e.target.checked)} /> {f.label}
              </label>
            );
          }
          if (f.type === 'severity' || f.type === 'comparator') {
            const options = f.type === 'severity' ? severities : ['>', '>=', '<', '<=', '==', '!='];
            return field(
              f.key,
              f.label,
              <select id={`${formId}-${f.key}`} value={String(draft[f.key])} onChange={(e) => set(f.key, e.target.value)}>
                {options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>,
            );
          }
          return field(f.key, f.label, textInput(f.key, { placeholder: f.placeholder, mono: f.mono, number: f.type === 'number' }));
        })}
        <label className="checkbox-field source-field-wide">
          <input type="checkbox" checked={draft.enabled === true} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
        </label>
      </div>
      {error && Object.keys(error.fields).length === 0 ? (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      ) : null}
      <div className="source-form-actions">
        <button type="button" className="button button-small" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="button button-primary button-small" disabled={busy} aria-busy={busy}>
          {busy ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : null}
          {source ? 'Save source' : 'Add source'}
        </button>
      </div>
    </form>
  );
}

type RuleInput = CallOutput<'alertSources.rulesFromRunbook'>[number];

/** Prometheus rules from a runbook's alert table: the core reads them, the operator keeps some. */
function RulesFromRunbook({ onDone }: { onDone: () => void }) {
  const runbooks = useAppStore((s) => s.runbooks);
  const create = useAppStore((s) => s.createAlertSource);
  const pushToast = useAppStore((s) => s.pushToast);
  const readRules = useAppStore((s) => s.rulesFromRunbook);
  const [runbookId, setRunbookId] = useState('');
  const [url, setUrl] = useState('');
  const [rules, setRules] = useState<RuleInput[] | null>(null);
  const [keep, setKeep] = useState<boolean[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const runbookFieldId = useId();
  const urlFieldId = useId();

  const read = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    void readRules(runbookId, url).then((result) => {
      setBusy(false);
      if (!result.ok) return setError(result.message);
      setRules(result.rules);
      setKeep(result.rules.map(() => true));
    });
  };

  const createKept = async () => {
    if (!rules) return;
    setBusy(true);
    setError(null);
    let made = 0;
    const failed: string[] = [];
    for (const [i, rule] of rules.entries()) {
      if (!keep[i]) continue;
      const result = await create(rule);
      if (result.ok) made++;
      else failed.push(`${rule.name}: ${result.message}`);
    }
    setBusy(false);
    if (made > 0) pushToast({ kind: 'success', message: `Created ${made} Prometheus rule source${made === 1 ? '' : 's'}` });
    if (failed.length > 0) setError(`Not created (the others were): ${failed.join('; ')}`);
    else onDone();
  };

  return (
    <form className="source-form alert-source-form" aria-label="Rules from runbook" onSubmit={read}>
      <h3 className="source-form-title">
        <ScrollText size={14} aria-hidden="true" /> Prometheus rules from a runbook&apos;s alert table
      </h3>
      <div className="source-form-grid">
        <div className="source-field">
          <label htmlFor={runbookFieldId} className="field-label">
            Runbook
          </label>
          <select id={runbookFieldId} value={runbookId} onChange={(e) => setRunbookId(e.target.value)}>
            <option value="">Choose a runbook…</option>
            {runbooks
              .filter((r) => !r.archived)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
          </select>
        </div>
        <div className="source-field">
          <label htmlFor={urlFieldId} className="field-label">
            Prometheus URL
          </label>
          <input id={urlFieldId} type="text" className="mono" placeholder="http://prometheus.internal:9090" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
        </div>
      </div>
      {rules ? (
        rules.length === 0 ? (
          <p className="muted">This runbook has no alert table Watchfloor can turn into rules.</p>
        ) : (
          <ul className="rules-list" aria-label="Rules found">
            {rules.map((rule, i) => (
              <li key={i}>
                <label className="checkbox-field">
                  <input type="checkbox" checked={keep[i] ?? false} onChange={(e) => setKeep((k) => k.map((x, j) => (j === i ? e.target.checked : x)))} />
                  <strong>{rule.name}</strong>
                  {rule.config.kind === 'prometheus-rule' ? (
                    <code>
                      {rule.config.expr} {rule.config.comparator} {rule.config.threshold}
                      {rule.config.forSeconds ? ` for ${rule.config.forSeconds}s` : ''}
                    </code>
                  ) : null}
                </label>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="source-form-actions">
        <button type="button" className="button button-small" onClick={onDone}>
          Cancel
        </button>
        {rules && rules.length > 0 ? (
          <button type="button" className="button button-primary button-small" disabled={busy || !keep.some(Boolean)} onClick={() => void createKept()}>
            Create {keep.filter(Boolean).length} source{keep.filter(Boolean).length === 1 ? '' : 's'}
          </button>
        ) : (
          <button type="submit" className="button button-primary button-small" disabled={busy || !runbookId || !url.trim()} aria-busy={busy}>
            {busy ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : null}
            Read rules
          </button>
        )}
      </div>
    </form>
  );
}
