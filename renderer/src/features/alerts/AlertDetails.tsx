import { BellOff, Check, ExternalLink, LoaderCircle, Siren, TimerOff, X } from 'lucide-react';
import { useEffect, useId, useRef } from 'react';
import type { Alert } from '@shared/contract';
import { useAppStore } from '../../store';
import { RunbookLinkButton, SeverityChip, StateBadge } from './AlertBits';
import { exactTime, sourceKindLabels } from './format';

/** What the operator can do to an alert, shared by the details pane and the keyboard. */
export const canAcknowledge = (a: Alert) => a.state === 'firing';
export const canSilence = (a: Alert) => (a.state === 'firing' || a.state === 'acknowledged') && a.silenceId === null;
export const canExpire = (a: Alert) => a.silenceId !== null;

/** The selected alert in full: labels, times, its source, its runbook (and a way to change it). */
export function AlertDetails({ alert, now }: { alert: Alert; now: number }) {
  const close = useAppStore((s) => s.setAlertDetailsOpen);
  const acknowledge = useAppStore((s) => s.acknowledgeAlert);
  const openSilence = useAppStore((s) => s.openSilence);
  const expire = useAppStore((s) => s.expireSilence);
  const busy = useAppStore((s) => s.busyAlertIds.includes(alert.id));
  const startIncident = useAppStore((s) => s.startIncidentFromAlert);
  const starting = useAppStore((s) => s.startingIncidentFor);
  const environment = useAppStore((s) => s.environments.find((e) => e.id === alert.environmentId)?.name ?? null);
  const titleId = useId();
  return (
    <aside className="alert-details" aria-labelledby={titleId}>
      <div className="alert-details-head">
        <SeverityChip severity={alert.severity} />
        <h2 id={titleId} className="alert-details-title">
          {alert.name}
        </h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={() => close(false)}>
          <X size={16} aria-hidden="true" />
        </button>
      </div>
      <StateBadge alert={alert} now={now} />
      {alert.summary ? <p className="alert-details-summary">{alert.summary}</p> : null}
      <div className="alert-details-actions">
        <button type="button" className="button button-small" disabled={busy || !canAcknowledge(alert)} onClick={() => void acknowledge(alert.id)}>
          {busy ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : <Check size={13} aria-hidden="true" />} Acknowledge <kbd>A</kbd>
        </button>
        {canExpire(alert) ? (
          <button type="button" className="button button-small" disabled={busy} onClick={() => void expire(alert.id)}>
            <TimerOff size={13} aria-hidden="true" /> Expire silence <kbd>E</kbd>
          </button>
        ) : (
          <button type="button" className="button button-small" disabled={busy || !canSilence(alert)} onClick={() => openSilence(alert.id)}>
            <BellOff size={13} aria-hidden="true" /> Silence… <kbd>S</kbd>
          </button>
        )}
        <button type="button" className="button button-small" disabled={starting !== null} onClick={() => void startIncident(alert.id)}>
          {starting === alert.id ? <LoaderCircle size={13} className="spin" aria-hidden="true" /> : <Siren size={13} aria-hidden="true" />} Start incident{' '}
          <kbd>I</kbd>
        </button>
      </div>

      <section className="alert-details-section" aria-label="Runbook">
        <h3 className="alert-details-caption">Runbook</h3>
        <RunbookLinkButton alert={alert} />
        {alert.runbook ? (
          <p className="alert-details-reason">
            {alert.runbook.reason}
            {alert.runbook.pinned ? ' (kept over automatic links)' : ''}
          </p>
        ) : null}
        <RunbookPicker alert={alert} disabled={busy} />
      </section>

      <section className="alert-details-section" aria-label="Details">
        <h3 className="alert-details-caption">Details</h3>
        <dl className="alert-details-list">
          <dt>Started</dt>
          <dd>{exactTime(alert.startsAt)}</dd>
          {alert.endsAt ? (
            <>
              <dt>Ended</dt>
              <dd>{exactTime(alert.endsAt)}</dd>
            </>
          ) : null}
          <dt>Last seen</dt>
          <dd>{exactTime(alert.lastSeenAt)}</dd>
          {alert.acknowledgedAt ? (
            <>
              <dt>Acknowledged</dt>
              <dd>{exactTime(alert.acknowledgedAt)}</dd>
            </>
          ) : null}
          {alert.silenceId ? (
            <>
              <dt>Silence</dt>
              <dd className="mono">{alert.silenceId}</dd>
            </>
          ) : null}
          <dt>Environment</dt>
          <dd>{environment ?? 'None'}</dd>
          <dt>Source</dt>
          <dd>
            {alert.sourceName} <span className="muted">({sourceKindLabels[alert.sourceKind]})</span>
            {alert.url ? (
              <>
                {' '}
                <a href={alert.url} target="_blank" rel="noreferrer noopener" className="alert-source-link">
                  open <ExternalLink size={11} aria-hidden="true" />
                </a>
              </>
            ) : null}
          </dd>
          <dt>Fingerprint</dt>
          <dd className="mono">{alert.fingerprint}</dd>
        </dl>
      </section>

      <section className="alert-details-section" aria-label="Labels">
        <h3 className="alert-details-caption">Labels</h3>
        <ul className="chip-list">
          {Object.entries(alert.labels).map(([k, v]) => (
            <li key={k} className="chip mono">
              {k}={v}
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

/** Pick the runbook that answers this alert (and others of its name), or go back to automatic. */
function RunbookPicker({ alert, disabled }: { alert: Alert; disabled: boolean }) {
  const runbooks = useAppStore((s) => s.runbooks);
  const link = useAppStore((s) => s.linkRunbook);
  const id = useId();
  const ref = useRef<HTMLSelectElement>(null);
  const pinned = alert.runbook?.pinned ? alert.runbook.runbookId : '';
  // "change" in a row opens the details with the picker focused.
  useEffect(() => {
    if (document.activeElement?.classList.contains('alert-runbook-change')) ref.current?.focus();
  }, [alert.id]);
  return (
    <div className="alert-runbook-picker">
      <label htmlFor={id} className="field-label">
        Change runbook
      </label>
      <select
        id={id}
        ref={ref}
        value={pinned}
        disabled={disabled}
        onChange={(e) => void link(alert.id, e.target.value || null)}
      >
        <option value="">Automatic (matched by Watchfloor)</option>
        {runbooks
          .filter((r) => !r.archived)
          .map((r) => (
            <option key={r.id} value={r.id}>
              {r.title}
            </option>
          ))}
      </select>
    </div>
  );
}
