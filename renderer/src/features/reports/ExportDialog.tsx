import { CircleAlert, Download, FilePen, LoaderCircle, ShieldCheck } from 'lucide-react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { RedactionSummary, ReportFormat, ReportTarget, ReportTemplate } from '@shared/contract';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { DialogHead } from '../../app/ui/DialogHead';
import { downloadBase64 } from '../../app/download';
import { fileSize } from '../incidents/format';
import { describeRedactions } from './redactions';
import './reports.css';

const formats: { id: ReportFormat; label: string; hint: string }[] = [
  { id: 'md', label: 'Markdown', hint: 'for a wiki or a ticket' },
  { id: 'html', label: 'HTML', hint: 'one self-contained page' },
  { id: 'pdf', label: 'PDF', hint: 'to print or attach' },
  { id: 'json', label: 'JSON bundle', hint: 'the whole journal with its hash chain, for another laptop' },
];

/** The export dialog, while one is open (the incident page's Export, `e`, the palette, Shift hand-off). */
export function ExportDialogHost() {
  const target = useAppStore((s) => s.exportTarget);
  if (!target) return null;
  return <ExportDialog key={target.kind === 'incident' ? target.id : 'handoff'} target={target} />;
}

type Preview = { state: 'loading' } | { state: 'ready'; markdown: string; redactions: RedactionSummary } | { state: 'failed'; message: string };

/**
 * Export a report: pick a format, read the Markdown preview and how many values redaction takes
 * out BEFORE anything is saved, then Export saves the file through the browser's download. An
 * error (PDF needs Chromium, a refused template) stays in the dialog. Keyboard: arrows pick the
 * format, Enter exports, Esc closes; the template editor opens in the same dialog.
 */
function ExportDialog({ target }: { target: ReportTarget }) {
  const close = useAppStore((s) => s.closeExport);
  const preview = useAppStore((s) => s.previewReport);
  const exportReport = useAppStore((s) => s.exportReport);
  const pushToast = useAppStore((s) => s.pushToast);
  const title = useAppStore((s) => (target.kind === 'incident' ? (s.incidents.find((i) => i.id === target.id)?.title ?? 'the incident') : null));
  const ref = useModalDialog();
  const ids = { title: useId(), preview: useId(), redactions: useId() };
  const [format, setFormat] = useState<ReportFormat>('md');
  const [shown, setShown] = useState<Preview>({ state: 'loading' });
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const handoff = target.kind === 'handoff';
  // Focus starts on the chosen format (showModal would pick the Close button): arrows pick another, Enter exports.
  useEffect(() => ref.current?.querySelector<HTMLInputElement>('input[type=radio]:checked')?.focus(), [ref]);

  const load = useCallback(async () => {
    setShown({ state: 'loading' });
    const r = await preview(target);
    setShown(r.ok ? { state: 'ready', ...r.value } : { state: 'failed', message: r.message });
  }, [preview, target]);
  useEffect(() => {
    void load();
  }, [load]);

  async function run() {
    if (exporting) return;
    setExporting(true);
    setError(null);
    const r = await exportReport(target, format);
    setExporting(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    downloadBase64(r.value.fileName, r.value.mediaType, r.value.base64);
    pushToast({ kind: 'success', title: 'Report exported', message: `${r.value.fileName} (${fileSize(r.value.bytes)}) is in your downloads. ${describeRedactions(r.value.redactions)}.` });
    close();
  }

  const heading = handoff ? 'Shift hand-off' : 'Export report';
  return (
    <dialog
      ref={ref}
      className="dialog report-dialog"
      aria-labelledby={ids.title}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && e.target instanceof HTMLInputElement && e.target.type === 'radio') {
          e.preventDefault();
          void run();
        }
      }}
      onCancel={(e) => {
        e.preventDefault();
        // Esc leaves the template editor first, then the dialog.
        if (editing) setEditing(false);
        else close();
      }}
    >
      <DialogHead titleId={ids.title} title={editing ? 'Report template' : heading} onClose={close} />
      {editing ? (
        <TemplateEditor
          onDone={(changed) => {
            setEditing(false);
            if (changed) void load();
          }}
        />
      ) : (
        <>
          <p className="report-subject muted">{handoff ? 'Every open incident on one page, for whoever takes over the watch.' : <>Of <strong>{title}</strong></>}</p>
          <fieldset className="report-formats">
            <legend className="field-label">Format</legend>
            {formats.map((f) => {
              const disabled = handoff && f.id === 'json';
              return (
                <label key={f.id} className={`report-format${format === f.id ? ' is-on' : ''}${disabled ? ' is-disabled' : ''}`}>
                  <input type="radio" name="report-format" value={f.id} checked={format === f.id} disabled={disabled} onChange={() => setFormat(f.id)} />
                  <span className="report-format-label">{f.label}</span>
                  <span className="report-format-hint muted">{disabled ? 'a bundle is of one incident' : f.hint}</span>
                </label>
              );
            })}
          </fieldset>

          <p id={ids.redactions} className={`report-redactions${shown.state === 'ready' && shown.redactions.total > 0 ? ' has-redactions' : ''}`} role="status" aria-live="polite">
            {shown.state === 'ready' ? (
              <>
                <ShieldCheck size={14} aria-hidden="true" /> {describeRedactions(shown.redactions)}
                {shown.redactions.total > 0 ? <span className="muted"> (in every format)</span> : null}
              </>
            ) : shown.state === 'loading' ? (
              <>
                <LoaderCircle size={13} className="spin" aria-hidden="true" /> Checking what to redact…
              </>
            ) : null}
          </p>

          <div className="report-preview-wrap">
            <span id={ids.preview} className="field-label">
              Preview (Markdown, as redacted)
            </span>
            {shown.state === 'failed' ? (
              <p className="field-error report-error" role="alert">
                <CircleAlert size={13} aria-hidden="true" /> The preview could not be made: {shown.message} Nothing was changed.
              </p>
            ) : (
              <pre className="report-preview mono" aria-labelledby={ids.preview} tabIndex={0}>
                {shown.state === 'ready' ? shown.markdown : ''}
              </pre>
            )}
          </div>

          {error ? (
            <p className="field-error report-error" role="alert">
              <CircleAlert size={13} aria-hidden="true" /> Not exported: {error} Nothing in the incident was changed.
            </p>
          ) : null}

          <div className="dialog-actions report-actions">
            <button type="button" className="button report-edit-template" onClick={() => setEditing(true)}>
              <FilePen size={14} aria-hidden="true" /> Edit template
            </button>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="button" className="button button-primary" disabled={exporting} onClick={() => void run()} aria-describedby={ids.redactions}>
              {exporting ? <LoaderCircle size={14} className="spin" aria-hidden="true" /> : <Download size={14} aria-hidden="true" />} Export
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}

type Loaded = { state: 'loading' } | { state: 'ready'; template: ReportTemplate } | { state: 'failed'; message: string };

/**
 * The operator's report template: Markdown with {{placeholders}}. A click on a placeholder inserts
 * it at the cursor. Save checks it in the core (an unknown placeholder is refused, with its name);
 * Reset to default forgets the operator's version.
 */
function TemplateEditor({ onDone }: { onDone: (changed: boolean) => void }) {
  const read = useAppStore((s) => s.readReportTemplate);
  const save = useAppStore((s) => s.saveReportTemplate);
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const ids = { box: useId(), list: useId() };

  useEffect(() => {
    let live = true;
    void read().then((r) => {
      if (!live) return;
      if (r.ok) {
        setLoaded({ state: 'ready', template: r.value });
        setText(r.value.template);
      } else setLoaded({ state: 'failed', message: r.message });
    });
    return () => {
      live = false;
    };
  }, [read]);

  function insert(name: string) {
    const el = box.current;
    const token = `{{${name}}}`;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + token + text.slice(end));
    setError(null);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  async function store(template: string | null) {
    setSaving(true);
    setError(null);
    const r = await save(template);
    setSaving(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setLoaded({ state: 'ready', template: r.value });
    setText(r.value.template);
    setChanged(true);
  }

  if (loaded.state === 'loading') return <p className="list-note">Loading the template…</p>;
  if (loaded.state === 'failed')
    return (
      <>
        <p className="field-error report-error" role="alert">
          The template could not be read: {loaded.message}
        </p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onDone(false)}>
            Back
          </button>
        </div>
      </>
    );
  const dirty = text !== loaded.template.template;
  return (
    <div className="report-template">
      <p className="muted report-template-state" role="status">
        {loaded.template.isDefault ? 'The default template.' : 'Your template (Reset to default puts the original back).'} Markdown; placeholders in double braces.
      </p>
      <div className="report-template-body">
        <textarea
          id={ids.box}
          ref={box}
          aria-label="Report template"
          className="report-template-text mono"
          spellCheck={false}
          value={text}
          readOnly={saving}
          autoFocus
          aria-invalid={error ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void store(text);
            }
          }}
        />
        <div className="report-placeholders">
          <span id={ids.list} className="field-label">
            Placeholders (click inserts)
          </span>
          <ul aria-labelledby={ids.list}>
            {loaded.template.placeholders.map((p) => (
              <li key={p.name}>
                <button type="button" className="link-button mono" aria-label={`Insert {{${p.name}}}`} onClick={() => insert(p.name)}>
                  {`{{${p.name}}}`}
                </button>
                <span className="muted">{p.description}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
      {error ? (
        <p className="field-error report-error" role="alert">
          <CircleAlert size={13} aria-hidden="true" /> Not saved: {error} Your text is still here.
        </p>
      ) : null}
      <div className="dialog-actions report-actions">
        <button type="button" className="button report-edit-template" disabled={saving || loaded.template.isDefault} onClick={() => void store(null)}>
          Reset to default
        </button>
        <button type="button" className="button" onClick={() => onDone(changed)}>
          Back
        </button>
        <button type="button" className="button button-primary" disabled={saving || !dirty} onClick={() => void store(text)} title="Ctrl+Enter">
          {saving ? <LoaderCircle size={14} className="spin" aria-hidden="true" /> : null} Save
        </button>
      </div>
    </div>
  );
}
