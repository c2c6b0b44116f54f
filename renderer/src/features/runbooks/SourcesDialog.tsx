import { CircleAlert, Eye, Folder, GitBranch, LoaderCircle, RefreshCw, Trash } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import type { RunbookSource } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { formatDate, plural } from './format';
import type { AddSourceResult } from './sourcesSlice';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { DialogHead } from '../../app/ui/DialogHead';

/**
 * Folders and git repositories the library follows. A native modal <dialog>: focus stays inside,
 * Esc closes it, the page behind is inert.
 */
export function SourcesDialog() {
  const ref = useModalDialog();
  const titleId = useId();
  const sources = useAppStore((s) => s.sources);
  const loaded = useAppStore((s) => s.sourcesLoaded);
  const setOpen = useAppStore((s) => s.setSourcesOpen);
  return (
    <dialog
      ref={ref}
      className="dialog sources-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        setOpen(false);
      }}
    >
      <DialogHead titleId={titleId} title="Runbook sources" onClose={() => setOpen(false)} />
      <p className="dialog-body">
        Watchfloor follows these: a folder is watched and re-read when its files change; a git repository is cloned read-only
        and pulled on demand and on its schedule. A runbook whose file disappears is archived, never lost.
      </p>
      {sources.length === 0 ? (
        <p className="sources-empty">{loaded ? 'No sources yet. Add a folder or a git repository below.' : 'Loading sources…'}</p>
      ) : (
        <ul className="sources-list" aria-label="Sources">
          {sources.map((source) => (
            <SourceItem key={source.id} source={source} />
          ))}
        </ul>
      )}
      <div className="sources-forms">
        <AddFolderForm />
        <AddGitForm />
      </div>
    </dialog>
  );
}

function SourceItem({ source }: { source: RunbookSource }) {
  const syncing = useAppStore((s) => s.syncingSourceIds.includes(source.id));
  const sync = useAppStore((s) => s.syncSource);
  const remove = useAppStore((s) => s.removeSource);
  const [confirming, setConfirming] = useState(false);
  const Icon = source.kind === 'git' ? GitBranch : Folder;
  return (
    <li className="source-item" aria-label={source.location}>
      <Icon size={16} className="source-item-icon" aria-label={source.kind === 'git' ? 'Git repository' : 'Folder'} />
      <div className="source-item-main">
        <div className="source-item-location" title={source.location}>
          {source.location}
          {source.branch ? <span className="badge badge-muted">{source.branch}</span> : null}
        </div>
        <div className="source-item-status">
          <span>{plural(source.runbookCount, 'runbook')}</span>
          {source.watching ? (
            <span className="source-watching">
              <Eye size={12} aria-hidden="true" /> Watching for changes
            </span>
          ) : null}
          {source.kind === 'git' ? (
            <span>{source.pullIntervalMinutes ? `Pulls every ${plural(source.pullIntervalMinutes, 'minute')}` : 'Pulls on demand'}</span>
          ) : null}
          <span>{source.lastSyncAt ? `Last synced ${formatDate(source.lastSyncAt)}` : 'Not synced yet'}</span>
        </div>
        {source.lastError ? (
          <p className="source-error">
            <CircleAlert size={12} aria-hidden="true" /> {source.lastError}
          </p>
        ) : null}
      </div>
      <div className="source-item-actions">
        <button type="button" className="button button-small" onClick={() => void sync(source.id)} disabled={syncing} aria-busy={syncing}>
          {syncing ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : <RefreshCw size={13} aria-hidden="true" />}
          Sync now
        </button>
        <button type="button" className="button button-small button-ghost-danger" onClick={() => setConfirming(true)}>
          <Trash size={13} aria-hidden="true" /> Remove
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title="Remove this source?"
          confirmLabel="Remove"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void remove(source.id);
          }}
        >
          <p>
            Watchfloor stops following <code>{source.location}</code> and its {plural(source.runbookCount, 'runbook')} leave the
            library. The {source.kind === 'git' ? 'repository' : 'folder'} itself is not touched: add it again to bring them back.
          </p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}

/** Submit state shared by both forms: busy while the core works, its message when it refused. */
function useAddForm(): {
  busy: boolean;
  error: AddSourceResult | null;
  submit: (e: FormEvent, run: () => Promise<AddSourceResult>, reset: () => void) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AddSourceResult | null>(null);
  return {
    busy,
    error,
    submit(e, run, reset) {
      e.preventDefault();
      setBusy(true);
      setError(null);
      void run().then((result) => {
        setBusy(false);
        if (result.ok) reset();
        else setError(result);
      });
    },
  };
}

function AddFolderForm() {
  const addFolder = useAppStore((s) => s.addFolderSource);
  const [path, setPath] = useState('');
  const { busy, error, submit } = useAddForm();
  const pathId = useId();
  const errorId = useId();
  const fieldError = error && !error.ok ? (error.fieldErrors.path ?? null) : null;
  return (
    <form className="source-form" aria-label="Add folder" onSubmit={(e) => submit(e, () => addFolder(path), () => setPath(''))}>
      <h3 className="source-form-title">
        <Folder size={14} aria-hidden="true" /> Add folder
      </h3>
      <label htmlFor={pathId} className="field-label">
        Folder path
      </label>
      <input
        id={pathId}
        type="text"
        className="mono"
        placeholder="/srv/runbooks"
        value={path}
        onChange={(e) => setPath(e.target.value)}
        aria-invalid={error && !error.ok ? true : undefined}
        aria-describedby={error && !error.ok ? errorId : undefined}
        spellCheck={false}
        autoComplete="off"
      />
      {error && !error.ok ? (
        <p id={errorId} className="field-error" role="alert">
          {fieldError ?? error.message}
        </p>
      ) : null}
      <div className="source-form-actions">
        <button type="submit" className="button button-primary button-small" disabled={busy || !path.trim()} aria-busy={busy}>
          {busy ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : null}
          Add folder
        </button>
      </div>
    </form>
  );
}

function AddGitForm() {
  const addGit = useAppStore((s) => s.addGitSource);
  const [url, setUrl] = useState('');
  const [branch, setBranch] = useState('');
  const [minutes, setMinutes] = useState('60');
  const { busy, error, submit } = useAddForm();
  const urlId = useId();
  const branchId = useId();
  const minutesId = useId();
  const errorId = useId();
  const fields = error && !error.ok ? error.fieldErrors : {};
  const interval = minutes.trim() === '' ? null : Number(minutes);
  return (
    <form
      className="source-form"
      aria-label="Add git repository"
      onSubmit={(e) =>
        submit(
          e,
          () => addGit({ url, branch: branch.trim() || null, pullIntervalMinutes: interval }),
          () => {
            setUrl('');
            setBranch('');
          },
        )
      }
    >
      <h3 className="source-form-title">
        <GitBranch size={14} aria-hidden="true" /> Add git repository
      </h3>
      <label htmlFor={urlId} className="field-label">
        Repository URL
      </label>
      <input
        id={urlId}
        type="text"
        className="mono"
        placeholder="https://git.example.com/ops/runbooks.git"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        aria-invalid={fields.url ? true : undefined}
        spellCheck={false}
        autoComplete="off"
      />
      {fields.url ? <p className="field-error">{fields.url}</p> : null}
      <div className="source-form-row">
        <div>
          <label htmlFor={branchId} className="field-label">
            Branch (optional)
          </label>
          <input
            id={branchId}
            type="text"
            className="mono"
            placeholder="default branch"
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            aria-invalid={fields.branch ? true : undefined}
            spellCheck={false}
            autoComplete="off"
          />
          {fields.branch ? <p className="field-error">{fields.branch}</p> : null}
        </div>
        <div>
          <label htmlFor={minutesId} className="field-label">
            Pull every (minutes)
          </label>
          <input
            id={minutesId}
            type="number"
            min={1}
            max={10080}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            aria-invalid={fields.pullIntervalMinutes ? true : undefined}
          />
          {fields.pullIntervalMinutes ? <p className="field-error">{fields.pullIntervalMinutes}</p> : null}
        </div>
      </div>
      {error && !error.ok && Object.keys(fields).length === 0 ? (
        <p id={errorId} className="field-error" role="alert">
          {error.message}
        </p>
      ) : null}
      <div className="source-form-actions">
        <button type="submit" className="button button-primary button-small" disabled={busy || !url.trim()} aria-busy={busy}>
          {busy ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : null}
          Add git repository
        </button>
      </div>
    </form>
  );
}
