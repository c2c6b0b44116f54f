import { BookOpenText, LoaderCircle, Pencil, ShieldAlert, TriangleAlert } from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import type { DamagedEvent, IncidentDetail, IncidentSummary } from '@shared/contract';
import { useAppStore } from '../../store';
import { exactTime } from './format';

type Field = 'commander' | 'scribe' | 'tags';
const fieldLabels: Record<Field, string> = { commander: 'Commander', scribe: 'Scribe', tags: 'Tags' };

/**
 * Commander, scribe or tags, edited in place: Enter saves through incidents.update (one `details`
 * event), Esc cancels; the value shows as changed only once the core answered.
 */
export function EditableField({ incident, field }: { incident: IncidentSummary; field: Field }) {
  const update = useAppStore((s) => s.updateIncident);
  const shown = field === 'tags' ? incident.tags.join(', ') : (incident[field] ?? '');
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(shown);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  async function save() {
    setSaving(true);
    setError(null);
    const patch =
      field === 'tags'
        ? {
            tags: value
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : { [field]: value.trim() || null };
    const message = await update(incident.id, patch);
    setSaving(false);
    if (message === null) setEditing(false);
    else setError(`Not saved: ${message}`);
  }
  if (!editing) {
    return (
      <span className="incident-field">
        {field === 'tags' && incident.tags.length > 0 ? (
          incident.tags.map((t) => (
            <span key={t} className="badge badge-muted">
              {t}
            </span>
          ))
        ) : shown ? (
          <span>{shown}</span>
        ) : (
          <span className="muted">Not set</span>
        )}
        <button
          type="button"
          className="icon-button incident-field-edit"
          aria-label={`Edit ${fieldLabels[field].toLowerCase()}`}
          onClick={() => {
            setValue(shown);
            setError(null);
            setEditing(true);
          }}
        >
          <Pencil size={12} aria-hidden="true" />
        </button>
      </span>
    );
  }
  return (
    <span className="incident-field-editor">
      <input
        id={id}
        type="text"
        aria-label={fieldLabels[field]}
        value={value}
        autoFocus
        readOnly={saving}
        placeholder={field === 'tags' ? 'billing, queue, eu (comma-separated)' : 'A name'}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            setEditing(false);
          }
        }}
        onBlur={() => {
          if (!saving && value === shown) setEditing(false);
        }}
      />
      {saving ? <LoaderCircle size={13} className="spin" aria-label="Saving" /> : null}
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : (
        <span className="field-hint">Enter saves, Esc cancels</span>
      )}
    </span>
  );
}

/** No walkthrough yet: choose a runbook's procedure to walk through (incidents.attachRunbook). */
export function ProcedurePicker({ incident }: { incident: IncidentSummary }) {
  const runbooks = useAppStore((s) => s.runbooks);
  const attach = useAppStore((s) => s.attachIncidentRunbook);
  const ensure = useAppStore((s) => s.ensureRunbookDetail);
  const [runbookId, setRunbookId] = useState(incident.runbookId ?? runbooks[0]?.id ?? '');
  const detail = useAppStore((s) => (runbookId ? s.runbookDetails[runbookId] : undefined));
  const [procedureIndex, setProcedureIndex] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { runbook: useId(), procedure: useId(), title: useId() };
  useEffect(() => {
    if (runbookId) ensure(runbookId);
  }, [runbookId, ensure]);
  const procedures = (detail?.runbook.procedures ?? []).map((p, i) => ({ p, i })).filter(({ p }) => p.steps.length > 0);
  const chosen = procedures.find(({ i }) => String(i) === procedureIndex) ?? procedures.find(({ p }) => incident.procedureId !== null && (p.id ?? p.title) === incident.procedureId) ?? procedures[0] ?? null;
  async function save() {
    if (!chosen) return;
    setSaving(true);
    setError(null);
    // The contract names a procedure by its written id (RB-01), else by its title.
    const message = await attach(incident.id, runbookId, chosen.p.id ?? chosen.p.title);
    setSaving(false);
    if (message !== null) setError(`The procedure was not attached: ${message}`);
  }
  return (
    <form
      className="procedure-picker"
      aria-labelledby={ids.title}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3 id={ids.title} className="walk-current-title">
        <BookOpenText size={16} aria-hidden="true" /> Choose a procedure
      </h3>
      <p className="muted">The incident walks through one runbook procedure step by step, with its timers and escalation.</p>
      {runbooks.length === 0 ? <p className="list-note">No runbooks yet: import one on the Runbooks page.</p> : null}
      <div className="procedure-picker-fields">
        <label htmlFor={ids.runbook} className="field-label">
          Runbook
        </label>
        <select id={ids.runbook} value={runbookId} onChange={(e) => setRunbookId(e.target.value)}>
          {runbooks.map((r) => (
            <option key={r.id} value={r.id}>
              {r.title} ({r.sourceName})
            </option>
          ))}
        </select>
        <label htmlFor={ids.procedure} className="field-label">
          Procedure
        </label>
        <select id={ids.procedure} value={chosen ? String(chosen.i) : ''} disabled={!detail} onChange={(e) => setProcedureIndex(e.target.value)}>
          {procedures.map(({ p, i }) => (
            <option key={i} value={String(i)}>
              {p.id ? `${p.id} · ` : ''}
              {p.title} ({p.steps.length} steps)
            </option>
          ))}
        </select>
        <button type="submit" className="button button-primary" disabled={!chosen || saving}>
          {saving ? <LoaderCircle size={14} className="spin" aria-hidden="true" /> : null} Walk through it
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/**
 * What recovery found: a broken hash chain (red, with the last good event), and events after a
 * torn or bad tail set aside at start (amber, with the list of them for inspection).
 */
export function RecoveryBanners({ detail }: { detail: IncidentDetail }) {
  const { integrity } = detail;
  const damagedEvent = [...detail.recent].reverse().find((e) => e.kind === 'journal-damaged') ?? null;
  return (
    <>
      {integrity.ok === false ? (
        <div className="incident-banner incident-banner-danger" role="alert">
          <ShieldAlert size={16} aria-hidden="true" />
          <p>
            <strong>The journal&rsquo;s hash chain is broken at event #{integrity.brokenSeq}</strong> ({integrity.reason}).{' '}
            {integrity.lastGood
              ? `The last good event is #${integrity.lastGood.seq} (${integrity.lastGood.kind}, ${exactTime(integrity.lastGood.at)}).`
              : 'No event before it verifies.'}{' '}
            Nothing was deleted; keep working, and export the journal for review.
          </p>
        </div>
      ) : null}
      {damagedEvent || detail.damaged > 0 ? <DamagedBanner detail={detail} damagedEvent={damagedEvent} /> : null}
    </>
  );
}

function DamagedBanner({ detail, damagedEvent }: { detail: IncidentDetail; damagedEvent: IncidentDetail['recent'][number] | null }) {
  const listDamaged = useAppStore((s) => s.listDamagedEvents);
  const [rows, setRows] = useState<DamagedEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const d = damagedEvent?.data ?? {};
  const count = typeof d.keptAside === 'number' ? d.keptAside : detail.damaged;
  const after = typeof d.lastGoodSeq === 'number' ? ` after #${d.lastGoodSeq}` : '';
  async function show() {
    if (rows) {
      setRows(null);
      return;
    }
    setLoading(true);
    const result = await listDamaged(detail.incident.id);
    setLoading(false);
    if (result.ok) setRows(result.events);
    else setError(result.message);
  }
  return (
    <div className="incident-banner incident-banner-warning" role="status">
      <TriangleAlert size={16} aria-hidden="true" />
      <div>
        <p>
          <strong>
            {count} event{count === 1 ? '' : 's'}
            {after} {count === 1 ? 'was' : 'were'} damaged and kept aside.
          </strong>{' '}
          The journal goes on from the last good event; the damaged rows are kept for inspection, never dropped.{' '}
          <button type="button" className="link-button" aria-expanded={rows !== null} onClick={() => void show()}>
            {rows ? 'Hide them' : 'Show them'}
          </button>
          {loading ? <LoaderCircle size={12} className="spin" aria-label="Loading" /> : null}
        </p>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        {rows ? (
          <ol className="damaged-list" aria-label="Damaged events">
            {rows.map((r) => (
              <li key={`${r.seq}-${r.keptAt}`}>
                <strong>#{r.seq}</strong> <span className="muted">kept {exactTime(r.keptAt)}</span> · {r.reason}
                <pre className="mono">{JSON.stringify(r.raw, null, 2)}</pre>
              </li>
            ))}
          </ol>
        ) : null}
      </div>
    </div>
  );
}
