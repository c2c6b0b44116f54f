import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { useAppStore } from '../../store';

const icons = { success: CircleCheck, error: CircleAlert, info: Info } as const;

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  const dismiss = useAppStore((s) => s.dismissToast);
  return (
    <section className="toasts" aria-label="Notifications">
      {toasts.map((toast) => {
        const Icon = icons[toast.kind];
        return (
          <div key={toast.id} className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
            <Icon size={16} className="toast-icon" aria-hidden="true" />
            <div className="toast-text">
              {toast.title ? <div className="toast-title">{toast.title}</div> : null}
              <div>{toast.message}</div>
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(toast.id)}>
              <X size={14} aria-hidden="true" />
            </button>
          </div>
        );
      })}
    </section>
  );
}
