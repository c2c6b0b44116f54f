import { LoaderCircle, X } from 'lucide-react';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { ReadResult } from './environmentsSlice';
import { useModalDialog } from '../../app/ui/useModalDialog';

export interface Candidate {
  key: string;
  title: string;
  detail: string;
  /** Already in the environment: shown, not offered again. */
  present: boolean;
}

/**
 * A picker over what an operator's own config file offers (ssh hosts, kube contexts). Reads the
 * default file on open; another path can be read instead. Nothing is saved here: picked
 * candidates become rows of the form, saved with it.
 */
export function ImportDialog<T>(props: {
  title: string;
  defaultPath: string;
  noun: string;
  read: (path?: string) => Promise<ReadResult<{ items: T[]; from: string }>>;
  describe: (item: T) => Candidate;
  onAdd: (picked: T[]) => void;
  onClose: () => void;
}) {
  const { read } = props;
  const ref = useModalDialog();
  const titleId = useId();
  const pathId = useId();
  const [path, setPath] = useState('');
  const [state, setState] = useState<{ loading: boolean; error: string | null; items: T[]; from: string | null }>({ loading: true, error: null, items: [], from: null });
  const [picked, setPicked] = useState<Set<string>>(new Set());


  useEffect(() => {
    let live = true;
    void read().then((r) => {
      if (live) setState(r.ok ? { loading: false, error: null, items: r.value.items, from: r.value.from } : { loading: false, error: r.message, items: [], from: null });
    });
    return () => {
      live = false;
    };
  }, [read]);

  async function readPath() {
    setState((s) => ({ ...s, loading: true }));
    setPicked(new Set());
    const r = await read(path.trim() || undefined);
    setState(r.ok ? { loading: false, error: null, items: r.value.items, from: r.value.from } : { loading: false, error: r.message, items: [], from: null });
  }

  const described = state.items.map((item) => ({ item, c: props.describe(item) }));
  const onPathKey = (e: KeyboardEvent) => {
    // The dialog sits inside the environment form: Enter here reads, it must not save the form.
    if (e.key === 'Enter') {
      e.preventDefault();
      void readPath();
    }
  };

  return (
    <dialog
      ref={ref}
      className="dialog import-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <div className="import-dialog-head">
        <h2 id={titleId} className="dialog-title">
          {props.title}
        </h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={props.onClose}>
          <X size={16} aria-hidden="true" />
        </button>
      </div>
      <div className="import-path">
        <label htmlFor={pathId} className="field-label">
          File
        </label>
        <input id={pathId} type="text" className="mono" value={path} placeholder={state.from ?? props.defaultPath} onChange={(e) => setPath(e.target.value)} onKeyDown={onPathKey} spellCheck={false} autoComplete="off" />
        <button type="button" className="button button-small" onClick={() => void readPath()}>
          Read
        </button>
      </div>
      {state.loading ? (
        <p className="dialog-body">
          <LoaderCircle size={13} className="spin" aria-hidden="true" /> Reading…
        </p>
      ) : state.error ? (
        <p className="form-error" role="alert">
          {state.error}
        </p>
      ) : described.length === 0 ? (
        <p className="dialog-body">
          No {props.noun} in {state.from}.
        </p>
      ) : (
        <ul className="import-list" aria-label={`${props.noun} found`}>
          {described.map(({ c }) => (
            <li key={c.key}>
              <label className={`import-item${c.present ? ' import-item-present' : ''}`}>
                <input
                  type="checkbox"
                  disabled={c.present}
                  checked={picked.has(c.key)}
                  onChange={(e) =>
                    setPicked((p) => {
                      const next = new Set(p);
                      if (e.target.checked) next.add(c.key);
                      else next.delete(c.key);
                      return next;
                    })
                  }
                />
                <span className="import-item-title">{c.title}</span>
                <span className="import-item-detail mono">{c.present ? 'already added' : c.detail}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={picked.size === 0}
          onClick={() => props.onAdd(described.filter(({ c }) => picked.has(c.key)).map(({ item }) => item))}
        >
          Add {picked.size || ''} {props.noun}
        </button>
      </div>
    </dialog>
  );
}
