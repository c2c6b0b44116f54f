import { BellOff, LoaderCircle } from 'lucide-react';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Alert } from '@shared/contract';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';

const durations = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: 240, label: '4 hours' },
  { minutes: 480, label: '8 hours' },
  { minutes: 1440, label: '24 hours' },
];

/**
 * A silence at the alert's Alertmanager, in two keystrokes: `s` opens this with one hour and a
 * comment already filled in, and focus on "Silence", so Enter confirms.
 */
export function SilenceDialog({ alert }: { alert: Alert }) {
  const ref = useModalDialog();
  const confirmRef = useRef<HTMLButtonElement>(null);
  // After showModal() (the effect above) put focus on its first field: Enter must confirm.
  useEffect(() => confirmRef.current?.focus(), []);
  const titleId = useId();
  const durationId = useId();
  const commentId = useId();
  const close = useAppStore((s) => s.openSilence);
  const silence = useAppStore((s) => s.silenceAlert);
  const [minutes, setMinutes] = useState(60);
  const [comment, setComment] = useState(`Silenced from Watchfloor while ${alert.name} is handled`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matchers = Object.entries(alert.labels);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    void silence({ id: alert.id, durationMinutes: minutes, comment }).then((message) => {
      setBusy(false);
      if (message === null) close(null);
      else setError(message);
    });
  };

  return (
    <dialog
      ref={ref}
      className="dialog silence-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close(null);
      }}
    >
      <form onSubmit={submit}>
        <h2 id={titleId} className="dialog-title">
          Silence {alert.name}
        </h2>
        <p className="dialog-body">
          Creates a silence at {alert.sourceName} matching these labels; Alertmanager stops notifying until it expires.
        </p>
        <ul className="chip-list silence-matchers" aria-label="Matchers">
          {matchers.map(([k, v]) => (
            <li key={k} className="chip mono">
              {k}=&quot;{v}&quot;
            </li>
          ))}
        </ul>
        <label htmlFor={durationId} className="field-label">
          For
        </label>
        <select id={durationId} value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {durations.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </select>
        <label htmlFor={commentId} className="field-label">
          Comment
        </label>
        <input id={commentId} type="text" value={comment} onChange={(e) => setComment(e.target.value)} aria-invalid={!comment.trim() || undefined} />
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => close(null)}>
            Cancel
          </button>
          <button ref={confirmRef} type="submit" className="button button-primary" disabled={busy || !comment.trim()} aria-busy={busy}>
            {busy ? <LoaderCircle size={14} className="spin" aria-hidden="true" /> : <BellOff size={14} aria-hidden="true" />}
            Silence
          </button>
        </div>
      </form>
    </dialog>
  );
}
