import { X } from 'lucide-react';

/** A dialog's title with a close button beside it (Esc closes too, through the dialog's cancel). */
export function DialogHead({ titleId, title, onClose }: { titleId: string; title: string; onClose: () => void }) {
  return (
    <div className="sources-dialog-head">
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
        <X size={16} aria-hidden="true" />
      </button>
    </div>
  );
}
