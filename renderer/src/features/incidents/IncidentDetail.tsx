import { BookOpenText, Check, CircleAlert, LoaderCircle } from 'lucide-react';
import { useId, useMemo, useState, type RefObject } from 'react';
import type { IncidentStatus, IncidentSummary, Severity } from '@shared/contract';
import { useAppStore } from '../../store';
import { SeverityChip } from '../alerts/AlertBits';
import { severities, severityLabels } from '../alerts/format';
import { ago, describeEvent, exactTime, kindLabels, statusLabels, statuses } from './format';
import { IncidentClocksRow } from './IncidentClocks';

/** One incident in full: what it is, what it links to, and its journal. */
export function IncidentDetailView({ incident, now, noteRef }: { incident: IncidentSummary; now: number; noteRef: RefObject<HTMLTextAreaElement | null> }) {
  const titleId = useId();
  const busy = useAppStore((s) => s.busyIncidentIds.includes(incident.id));
  const setStatus = useAppStore((s) => s.setIncidentStatus);
  const setSeverity = useAppStore((s) => s.setIncidentSeverity);
  const environment = useAppStore((s) => s.environments.find((e) => e.id === incident.environmentId) ?? null);
  const statusId = useId();
  const severityId = useId();
  const clocks = useAppStore((s) => s.incidentDetails[incident.id]?.clocks);
  return (
    <section className="incident-detail" aria-labelledby={titleId}>
      <header className="incident-head">
        <SeverityChip severity={incident.severity} />
        <h2 id={titleId} className="incident-title">
          {incident.title}
        </h2>
        {busy ? <LoaderCircle size={15} className="spin" aria-label="Saving" /> : null}
      </header>

      <div className="incident-pickers">
        <label htmlFor={severityId} className="field-label">
          Severity
        </label>
        <select id={severityId} value={incident.severity} disabled={busy} onChange={(e) => void setSeverity(incident.id, e.target.value as Severity)}>
          {severities.map((s) => (
            <option key={s} value={s}>
              {severityLabels[s]}
            </option>
          ))}
        </select>
        <label htmlFor={statusId} className="field-label">
          Status
        </label>
        <select id={statusId} value={incident.status} disabled={busy} onChange={(e) => void setStatus(incident.id, e.target.value as IncidentStatus)}>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {statusLabels[s]}
            </option>
          ))}
        </select>
      </div>

      {clocks ? <IncidentClocksRow clocks={clocks} openedAt={incident.openedAt} /> : null}

      <dl className="incident-facts">
        <dt>Environment</dt>
        <dd>
          {environment ? (
            <>
              <span className="colour-dot" style={{ background: environment.color }} aria-hidden="true" /> {environment.name}
            </>
          ) : (
            <span className="muted">None</span>
          )}
        </dd>
        <dt>Opened</dt>
        <dd>
          <time dateTime={incident.openedAt} title={exactTime(incident.openedAt)}>
            {ago(incident.openedAt, now)}
          </time>{' '}
          <span className="muted">({exactTime(incident.openedAt)})</span>
          {incident.resolvedAt ? <span className="muted"> · resolved {exactTime(incident.resolvedAt)}</span> : null}
        </dd>
        <dt>Commander</dt>
        <dd>{incident.commander ?? <span className="muted">Not set</span>}</dd>
        <dt>Runbook</dt>
        <dd>
          <IncidentRunbook incident={incident} />
        </dd>
        <dt>Alerts</dt>
        <dd>
          <LinkedAlerts alertIds={incident.alertIds} />
        </dd>
      </dl>

      <NoteBox incidentId={incident.id} noteRef={noteRef} />
      <Timeline incidentId={incident.id} now={now} />
    </section>
  );
}

/** The runbook (and procedure) the incident follows, opening at that procedure's line. */
function IncidentRunbook({ incident }: { incident: IncidentSummary }) {
  const runbook = useAppStore((s) => s.runbooks.find((r) => r.id === incident.runbookId) ?? null);
  const detail = useAppStore((s) => (incident.runbookId ? s.runbookDetails[incident.runbookId] : undefined));
  const alerts = useAppStore((s) => s.alerts);
  const history = useAppStore((s) => s.alertHistory);
  const openRunbook = useAppStore((s) => s.openRunbook);
  if (!incident.runbookId) return <span className="muted">None linked</span>;
  // Where the procedure is: from the runbook when it is loaded, else from the alert's own link.
  const procedureIndex = detail?.runbook.procedures.findIndex((p) => p.id !== null && p.id === incident.procedureId) ?? -1;
  const procedure = procedureIndex >= 0 ? detail!.runbook.procedures[procedureIndex]! : null;
  const link = [...alerts, ...history]
    .filter((a) => incident.alertIds.includes(a.id))
    .map((a) => a.runbook)
    .find((l) => l?.runbookId === incident.runbookId && (incident.procedureId === null || l.procedureId === incident.procedureId));
  const title = runbook?.title ?? link?.runbookTitle ?? incident.runbookId;
  const procedureTitle = procedure?.title ?? link?.procedureTitle ?? null;
  const line = procedure?.line ?? link?.line ?? null;
  const label = incident.procedureId ? `${incident.procedureId} · ${procedureTitle ?? title}` : title;
  return (
    <span className="incident-runbook">
      <button
        type="button"
        className="link-button incident-runbook-link"
        aria-label={`Open runbook ${label}`}
        title={`${title}${line ? `, line ${line}` : ''}`}
        onClick={() => openRunbook(incident.runbookId!, { procedureIndex: procedureIndex >= 0 ? procedureIndex : null, stepIndex: null, line })}
      >
        <BookOpenText size={13} aria-hidden="true" /> {label}
      </button>
      {incident.procedureId ? <span className="muted"> in {title}</span> : null}
      {line ? <span className="muted">, line {line}</span> : null}
    </span>
  );
}

/** The alerts the incident was opened from: each opens in the feed. */
function LinkedAlerts({ alertIds }: { alertIds: string[] }) {
  const alerts = useAppStore((s) => s.alerts);
  const history = useAppStore((s) => s.alertHistory);
  const navigate = useAppStore((s) => s.navigate);
  const selectAlert = useAppStore((s) => s.selectAlert);
  if (alertIds.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="incident-alerts" aria-label="Linked alerts">
      {alertIds.map((id) => {
        const alert = alerts.find((a) => a.id === id) ?? history.find((a) => a.id === id) ?? null;
        return (
          <li key={id}>
            {alert ? (
              <button
                type="button"
                className="link-button incident-alert-link"
                aria-label={`Show alert ${alert.name}`}
                onClick={() => {
                  navigate('alerts');
                  selectAlert(alert.id, true);
                }}
              >
                <SeverityChip severity={alert.severity} /> {alert.name}
              </button>
            ) : (
              <span className="muted mono">{id}</span>
            )}
            {alert ? <span className={`alert-state alert-state-${alert.state}`}>{alert.state}</span> : null}
            {alert?.summary ? <span className="incident-alert-summary muted">{alert.summary}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

type NoteState = { state: 'idle' } | { state: 'saving' } | { state: 'saved' } | { state: 'failed'; message: string };

/** A quick note: Enter appends it to the journal; "Saved" only once the core says it is on disk. */
function NoteBox({ incidentId, noteRef }: { incidentId: string; noteRef: RefObject<HTMLTextAreaElement | null> }) {
  const addNote = useAppStore((s) => s.addIncidentNote);
  const [text, setText] = useState('');
  const [note, setNote] = useState<NoteState>({ state: 'idle' });
  const id = useId();
  const hintId = useId();
  async function save() {
    if (note.state === 'saving') return;
    if (!text.trim()) {
      setNote({ state: 'failed', message: 'A note needs text.' });
      return;
    }
    setNote({ state: 'saving' });
    const message = await addNote(incidentId, text);
    if (message === null) {
      setText('');
      setNote({ state: 'saved' });
    } else setNote({ state: 'failed', message });
  }
  return (
    <div className="incident-note">
      <label htmlFor={id} className="field-label">
        Note
      </label>
      <textarea
        id={id}
        ref={noteRef}
        rows={2}
        value={text}
        aria-describedby={hintId}
        aria-keyshortcuts="N"
        placeholder="What you see, what you did… Enter saves, Shift+Enter for a new line"
        readOnly={note.state === 'saving'}
        onChange={(e) => {
          setText(e.target.value);
          if (note.state !== 'saving') setNote({ state: 'idle' });
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.currentTarget.blur();
          }
        }}
      />
      <p id={hintId} className="incident-note-status" role="status" aria-live="polite">
        {note.state === 'saving' ? (
          <>
            <LoaderCircle size={12} className="spin" aria-hidden="true" /> Saving…
          </>
        ) : note.state === 'saved' ? (
          <span className="incident-note-saved">
            <Check size={12} aria-hidden="true" /> Saved to the journal
          </span>
        ) : note.state === 'failed' ? (
          <span className="incident-note-failed">
            <CircleAlert size={12} aria-hidden="true" /> Not saved: {note.message}
          </span>
        ) : null}
      </p>
    </div>
  );
}

/** The journal, newest first: relative times, the exact time on hover. */
function Timeline({ incidentId, now }: { incidentId: string; now: number }) {
  const detail = useAppStore((s) => s.incidentDetails[incidentId]);
  const events = useMemo(() => (detail ? [...detail.journal].sort((a, b) => b.seq - a.seq) : []), [detail]);
  return (
    <section className="incident-timeline" aria-label="Journal">
      <h3 className="alert-details-caption">
        Journal <span className="muted">{detail ? `${detail.journal.length} events, newest first` : ''}</span>
      </h3>
      {!detail ? (
        <p className="list-note">Loading the journal…</p>
      ) : (
        <ol className="timeline" aria-label="Journal events">
          {events.map((event) => (
            <li key={event.id} className={`timeline-event timeline-${event.kind}`}>
              <time dateTime={event.at} title={exactTime(event.at)} className="timeline-time">
                {ago(event.at, now)}
              </time>
              <span className="timeline-kind">{kindLabels[event.kind] ?? event.kind}</span>
              <span className="timeline-text">{describeEvent(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
