import { CircleAlert, LoaderCircle, NotebookPen } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { SeverityChip } from '../alerts/AlertBits';

/** The quick-note box (Ctrl/Cmd+Shift+J from anywhere, a terminal included), while it is open. */
export function QuickNoteDialog() {
  const open = useAppStore((s) => s.quickNoteOpen);
  return open ? <QuickNote /> : null;
}

/**
 * A note to the active incident (the selected one if open, else the most recent open one), named
 * in the box so it is clear where it goes. Enter saves and closes only once the core has it on
 * disk; a failure keeps the text and says why. Esc closes.
 */
function QuickNote() {
  const close = useAppStore((s) => s.closeQuickNote);
  const addNote = useAppStore((s) => s.addIncidentNote);
  const incidentId = useAppStore((s) => s.activeIncidentId());
  const incident = useAppStore((s) => s.incidents.find((i) => i.id === incidentId) ?? null);
  const loaded = useAppStore((s) => s.incidentsLoaded);
  const pushToast = useAppStore((s) => s.pushToast);
  const ref = useModalDialog();
  const input = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { title: useId(), box: useId(), hint: useId() };
  useEffect(() => input.current?.focus(), []);

  async function save() {
    if (!incident || saving) return;
    if (!text.trim()) {
      setError('A note needs text.');
      return;
    }
    setSaving(true);
    setError(null);
    const message = await addNote(incident.id, text);
    setSaving(false);
    if (message !== null) {
      setError(`Not saved: ${message} Your text is still here.`);
      return;
    }
    pushToast({ kind: 'success', title: 'Saved to the journal', message: `Note added to ${incident.title}.` });
    close();
  }

  return (
    <dialog
      ref={ref}
      className="dialog quick-note"
      aria-labelledby={ids.title}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <h2 id={ids.title} className="dialog-title">
        <NotebookPen size={16} aria-hidden="true" /> Quick note
      </h2>
      {incident ? (
        <>
          <p className="quick-note-to">
            To <SeverityChip severity={incident.severity} /> <strong>{incident.title}</strong>
          </p>
          <textarea
            ref={input}
            id={ids.box}
            aria-label="Quick note"
            rows={3}
            value={text}
            readOnly={saving}
            aria-describedby={ids.hint}
            placeholder="What you see, what you did… Enter saves, Shift+Enter for a new line, Esc closes"
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void save();
              }
            }}
          />
          <p id={ids.hint} className="incident-note-status" role="status" aria-live="polite">
            {saving ? (
              <>
                <LoaderCircle size={12} className="spin" aria-hidden="true" /> Saving…
              </>
            ) : error ? (
              <span className="incident-note-failed">
                <CircleAlert size={12} aria-hidden="true" /> {error}
              </span>
            ) : null}
          </p>
        </>
      ) : (
        <p className="list-note" role="status">
          {loaded ? 'No open incident: start one from an alert (select it and press I) to write notes to its journal.' : 'Loading incidents…'}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={close}>
          {incident ? 'Cancel' : 'Close'}
        </button>
        {incident ? (
          <button type="button" className="button button-primary" disabled={saving} onClick={() => void save()}>
            Save note
          </button>
        ) : null}
      </div>
    </dialog>
  );
}
