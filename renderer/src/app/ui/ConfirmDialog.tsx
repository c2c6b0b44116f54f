import { useId, type ReactNode } from 'react';
import { useModalDialog } from './useModalDialog';

/**
 * A modal question before something that cannot be undone. Native <dialog>: focus is trapped,
 * Esc cancels, the page behind is inert. Focus starts on Cancel, so a stray Enter is harmless.
 */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useModalDialog();
  const titleId = useId();
  const bodyId = useId();
  return (
    <dialog
      ref={ref}
      className="dialog"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {props.title}
      </h2>
      <div id={bodyId} className="dialog-body">
        {props.children}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" autoFocus onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
