import { CircleAlert, CircleCheck, X } from 'lucide-react';
import { useAppStore } from '../../store';

/** What the last import did: how many runbooks came in, and every file that did not, with why. */
export function ImportResultPanel() {
  const result = useAppStore((s) => s.lastImport);
  const dismiss = useAppStore((s) => s.dismissImportResult);
  if (!result) return null;
  const n = result.imported.length;
  const failed = result.errors.length;
  return (
    <div className={`import-result${failed ? ' import-result-errors' : ''}`} aria-label="Import result" role="region">
      <div className="import-result-head">
        <div role="status" className="import-result-summary">
          {n > 0 ? <CircleCheck size={15} className="ok-icon" aria-hidden="true" /> : <CircleAlert size={15} className="error-icon" aria-hidden="true" />}
          <span>
            {n > 0 ? `Imported ${n} runbook${n === 1 ? '' : 's'}` : 'No runbooks imported'}
            {failed ? `, ${failed} file${failed === 1 ? '' : 's'} refused` : ''}
          </span>
        </div>
        <button type="button" className="icon-button" aria-label="Dismiss import result" onClick={dismiss}>
          <X size={14} aria-hidden="true" />
        </button>
      </div>
      {failed ? (
        <ul className="import-errors" role="alert">
          {result.errors.map((e, i) => (
            <li key={`${e.name}-${i}`}>
              <span className="import-error-name">{e.name}</span>
              <span className="import-error-message">{e.message}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
