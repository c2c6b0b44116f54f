import { BookOpenText, Check, CircleAlert, FileOutput, History, ListChecks, LoaderCircle } from 'lucide-react';
import { useId, useState, type RefObject } from 'react';
import type { IncidentStatus, IncidentSummary, Severity } from '@shared/contract';
import { useAppStore } from '../../store';
import { SeverityChip } from '../alerts/AlertBits';
import { severities, severityLabels } from '../alerts/format';
import { ago, exactTime, statusLabels, statuses } from './format';
import { IncidentClocksRow } from './IncidentClocks';
import { AttachButton, useAttach } from './Attachments';
import { EditableField, ProcedurePicker, RecoveryBanners } from './IncidentParts';
import { StepText } from './StepText';
import { Timeline } from './Timeline';
import { Walkthrough } from './Walkthrough';

/**
 * One incident in full: what it is, its clocks, its walkthrough or its timeline, the details and
 * the runbook's context at the side, and the note box. Files dropped or pasted on it are attached.
 */
export function IncidentDetailView({ incident, now, noteRef, tab, onTab }: { incident: IncidentSummary; now: number; noteRef: RefObject<HTMLTextAreaElement | null>; tab: IncidentTab; onTab: (tab: IncidentTab) => void }) {
  const titleId = useId();
  const busy = useAppStore((s) => s.busyIncidentIds.includes(incident.id));
  const setStatus = useAppStore((s) => s.setIncidentStatus);
  const setSeverity = useAppStore((s) => s.setIncidentSeverity);
  const detail = useAppStore((s) => s.incidentDetails[incident.id]);
  const attach = useAttach(incident.id);
  const [dropping, setDropping] = useState(false);
  const statusId = useId();
  const severityId = useId();
  const walkTabId = useId();
  const timelineTabId = useId();
  const panelId = useId();
  const clocks = detail?.clocks;
  return (
    <section
      className={`incident-detail${dropping ? ' is-dropping' : ''}`}
      aria-labelledby={titleId}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDropping(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDropping(false);
      }}
      onDrop={(e) => {
        if (!e.dataTransfer.files.length) return;
        e.preventDefault();
        setDropping(false);
        void attach([...e.dataTransfer.files]);
      }}
      onPaste={(e) => {
        const files = [...e.clipboardData.files].filter((f) => f.type.startsWith('image/'));
        if (files.length === 0) return;
        e.preventDefault();
        void attach(files);
      }}
    >
      <header className="incident-head">
        <SeverityChip severity={incident.severity} />
        <h2 id={titleId} className="incident-title">
          {incident.title}
        </h2>
        {busy ? <LoaderCircle size={15} className="spin" aria-label="Saving" /> : null}
        <AttachButton incidentId={incident.id} />
        <ExportButton incidentId={incident.id} />
      </header>

      <div className="incident-bar">
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
      </div>

      {detail ? <RecoveryBanners detail={detail} /> : null}

      <div className="incident-body">
        <div className="incident-main">
          <div className="incident-tabs" role="tablist" aria-label="Incident views">
            <button type="button" role="tab" id={walkTabId} aria-selected={tab === 'walkthrough'} aria-controls={panelId} className="incident-tab" onClick={() => onTab('walkthrough')}>
              <ListChecks size={14} aria-hidden="true" /> Walkthrough
            </button>
            <button type="button" role="tab" id={timelineTabId} aria-selected={tab === 'timeline'} aria-controls={panelId} className="incident-tab" onClick={() => onTab('timeline')}>
              <History size={14} aria-hidden="true" /> Timeline <span className="muted">{incident.events.toLocaleString()}</span>
            </button>
            <span className="incident-tabs-hint muted" aria-hidden="true">
              <kbd>T</kbd> switches · <kbd>?</kbd> keys
            </span>
          </div>
          <div id={panelId} role="tabpanel" aria-labelledby={tab === 'walkthrough' ? walkTabId : timelineTabId} className={`incident-panel incident-panel-${tab}`}>
            {!detail ? (
              <p className="list-note">Loading the incident…</p>
            ) : tab === 'timeline' ? (
              <Timeline incidentId={incident.id} openedAt={incident.openedAt} />
            ) : detail.walkthrough ? (
              <Walkthrough detail={detail} noteRef={noteRef} />
            ) : (
              <ProcedurePicker incident={incident} />
            )}
          </div>
          <NoteBox incidentId={incident.id} noteRef={noteRef} />
        </div>
        <aside className="incident-aside" aria-label="Incident details">
          <dl className="incident-facts">
            <dt>Environment</dt>
            <dd>
              <EnvironmentName id={incident.environmentId} />
            </dd>
            <dt>Opened</dt>
            <dd>
              <time dateTime={incident.openedAt} title={exactTime(incident.openedAt)}>
                {ago(incident.openedAt, now)}
              </time>
              {incident.resolvedAt ? <span className="muted"> · resolved {exactTime(incident.resolvedAt)}</span> : null}
            </dd>
            <dt>Commander</dt>
            <dd>
              <EditableField incident={incident} field="commander" />
            </dd>
            <dt>Scribe</dt>
            <dd>
              <EditableField incident={incident} field="scribe" />
            </dd>
            <dt>Tags</dt>
            <dd>
              <EditableField incident={incident} field="tags" />
            </dd>
            <dt>Runbook</dt>
            <dd>
              <IncidentRunbook incident={incident} />
            </dd>
            <dt>Alerts</dt>
            <dd>
              <LinkedAlerts alertIds={incident.alertIds} />
            </dd>
          </dl>
          {detail?.walkthrough?.context.length ? <ContextSections sections={detail.walkthrough.context} /> : null}
        </aside>
      </div>
    </section>
  );
}

export type IncidentTab = 'walkthrough' | 'timeline';

/** Export: the report dialog for this incident (`e` on the incident page, or the palette). */
function ExportButton({ incidentId }: { incidentId: string }) {
  const openExport = useAppStore((s) => s.openExport);
  return (
    <button type="button" className="button" aria-keyshortcuts="E" title="Export a report or a JSON bundle (E)" onClick={() => openExport({ kind: 'incident', id: incidentId })}>
      <FileOutput size={14} aria-hidden="true" /> Export
    </button>
  );
}

function EnvironmentName({ id }: { id: string | null }) {
  const environment = useAppStore((s) => s.environments.find((e) => e.id === id) ?? null);
  if (!environment) return <span className="muted">None</span>;
  return (
    <>
      <span className="colour-dot" style={{ background: environment.color }} aria-hidden="true" /> {environment.name}
    </>
  );
}

/** The runbook's Alert, Symptoms, Investigation... sections: context, collapsible, open at first. */
function ContextSections({ sections }: { sections: { title: string; text: string }[] }) {
  return (
    <div className="incident-context" aria-label="Runbook context">
      {sections.map((section, i) => (
        <details key={`${section.title}-${i}`} className="incident-context-section" open={i < 3}>
          <summary>{section.title}</summary>
          <StepText text={section.text} />
        </details>
      ))}
    </div>
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
  const procedureIndex = detail?.runbook.procedures.findIndex((p) => incident.procedureId !== null && (p.id ?? p.title) === incident.procedureId) ?? -1;
  const procedure = procedureIndex >= 0 ? detail!.runbook.procedures[procedureIndex]! : null;
  const link = [...alerts, ...history]
    .filter((a) => incident.alertIds.includes(a.id))
    .map((a) => a.runbook)
    .find((l) => l?.runbookId === incident.runbookId && (incident.procedureId === null || l.procedureId === incident.procedureId));
  const title = runbook?.title ?? link?.runbookTitle ?? incident.runbookId;
  const procedureTitle = procedure?.title ?? link?.procedureTitle ?? null;
  const line = procedure?.line ?? link?.line ?? null;
  // An id-less procedure is named by its title: say it once.
  const label = incident.procedureId ? (procedureTitle && procedureTitle !== incident.procedureId ? `${incident.procedureId} · ${procedureTitle}` : incident.procedureId) : title;
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
