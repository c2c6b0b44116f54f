import type { SliceContext } from '../../store';
import { errorMessage } from './errorMessage';

export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  message: string;
  /** What the operator was doing, e.g. "Saving prod-eu". */
  title?: string;
}

export interface ToastsSlice {
  toasts: Toast[];
  pushToast(toast: Omit<Toast, 'id'>): void;
  dismissToast(id: number): void;
  /** Once an action succeeds, its earlier failure is no longer news. */
  clearErrors(activity: string): void;
  /** Every failed call ends here: the core's message is written for operators, so show it. */
  reportError(title: string, error: unknown): void;
}

const SUCCESS_MS = 4_000;
const MAX_TOASTS = 5;

export function createToastsSlice({ set, get }: SliceContext): ToastsSlice {
  let nextId = 1;
  return {
    toasts: [],
    pushToast(toast) {
      const id = nextId++;
      // A repeat of the same failure replaces the earlier toast instead of stacking up.
      const same = (t: Toast) => t.title !== undefined && t.title === toast.title && t.kind === toast.kind;
      set((s) => ({ toasts: [...s.toasts.filter((t) => !same(t)), { ...toast, id }].slice(-MAX_TOASTS) }));
      // Errors stay until dismissed: an operator may be looking elsewhere when they appear.
      if (toast.kind !== 'error') setTimeout(() => get().dismissToast(id), SUCCESS_MS);
    },
    dismissToast(id) {
      set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
    },
    clearErrors(activity) {
      set((s) => ({ toasts: s.toasts.filter((t) => !(t.kind === 'error' && t.title === `${activity} failed`)) }));
    },
    reportError(title, error) {
      // When the core is gone the full-screen notice says so; a toast per failed call would be noise.
      if (get().connection.state === 'lost') return;
      get().pushToast({ kind: 'error', title: `${title} failed`, message: errorMessage(error) });
    },
  };
}
