import { BookOpenText, Clock, type LucideIcon, BellOff, Check, CircleCheck, Flame } from 'lucide-react';
import type { Alert, AlertState, Severity } from '@shared/contract';
import { useAppStore } from '../../store';
import { age, exactTime } from './format';

export function SeverityChip({ severity }: { severity: Severity }) {
  return (
    <span className={`severity-chip severity-${severity}`} title={`Severity ${severity}`}>
      {severity}
    </span>
  );
}

const stateIcons: Record<AlertState, LucideIcon> = { firing: Flame, acknowledged: Check, silenced: BellOff, resolved: CircleCheck };

/** The alert's state; a stale one (its source's last poll failed) says how old what we know is. */
export function StateBadge({ alert, now }: { alert: Alert; now: number }) {
  const Icon = stateIcons[alert.state];
  return (
    <span className="alert-state-badges">
      <span className={`alert-state alert-state-${alert.state}`}>
        <Icon size={11} aria-hidden="true" /> {alert.state}
      </span>
      {alert.stale ? (
        <span
          className="alert-state alert-state-stale"
          title={`Its source could not be reached; this is what it said ${exactTime(alert.lastSeenAt)}`}
        >
          <Clock size={11} aria-hidden="true" /> stale {age(alert.lastSeenAt, now)}
        </span>
      ) : null}
    </span>
  );
}

/** The runbook that answers the alert, and why: click opens it at that procedure's line. */
export function RunbookLinkButton({ alert }: { alert: Alert }) {
  const openRunbook = useAppStore((s) => s.openRunbook);
  const link = alert.runbook;
  if (!link) return <span className="alert-runbook-none">No runbook linked</span>;
  // An id-less procedure is named by its title: say it once.
  const label = link.procedureId ? (link.procedureTitle && link.procedureTitle !== link.procedureId ? `${link.procedureId} · ${link.procedureTitle}` : link.procedureId) : link.runbookTitle;
  return (
    <button
      type="button"
      className="link-button alert-runbook-link"
      title={`${link.runbookTitle}${link.line ? `, line ${link.line}` : ''} — ${link.reason}`}
      aria-label={`Open runbook ${label}`}
      onClick={(e) => {
        e.stopPropagation();
        openRunbook(link.runbookId, { procedureIndex: null, stepIndex: null, line: link.line });
      }}
    >
      <BookOpenText size={12} aria-hidden="true" /> {label}
    </button>
  );
}
