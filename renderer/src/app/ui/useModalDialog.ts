import { useEffect, useRef } from 'react';

/** A `<dialog>` shown modal while its component is mounted (focus trapped, Esc handled by the
 * browser), and closed when it unmounts. */
export function useModalDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return ref;
}
