import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

/** A page with nothing in it yet: what will be here, and what the operator can do now. */
export function EmptyState(props: { icon: LucideIcon; title: string; children: ReactNode; actions?: ReactNode }) {
  const Icon = props.icon;
  return (
    <div className="empty-state">
      <div className="empty-state-icon" aria-hidden="true">
        <Icon size={28} strokeWidth={1.5} />
      </div>
      <h2 className="empty-state-title">{props.title}</h2>
      <div className="empty-state-body">{props.children}</div>
      {props.actions ? <div className="empty-state-actions">{props.actions}</div> : null}
    </div>
  );
}
