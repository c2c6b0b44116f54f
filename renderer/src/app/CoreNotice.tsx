import { TriangleAlert, X } from 'lucide-react';
import { useAppStore } from '../store';

/** A notice from the core at start (e.g. a damaged store was set aside and a fresh one created). */
export function CoreNotice() {
  const notice = useAppStore((s) => s.info?.storeNotice ?? null);
  const dismissed = useAppStore((s) => s.noticeDismissed);
  const dismiss = useAppStore((s) => s.dismissNotice);
  if (!notice || dismissed) return null;
  return (
    <div className="core-notice" role="alert">
      <TriangleAlert size={16} aria-hidden="true" />
      <p className="core-notice-text">
        {notice.message}
        {notice.movedTo && !notice.message.includes(notice.movedTo) ? (
          <>
            {' '}
            <span className="muted">Kept at</span> <code>{notice.movedTo}</code>
          </>
        ) : null}
      </p>
      <button type="button" className="icon-button" aria-label="Dismiss notice" onClick={dismiss}>
        <X size={16} aria-hidden="true" />
      </button>
    </div>
  );
}
