import { ArrowRightLeft, Bell, BookOpenText, Siren } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useAppStore, useAppStoreApi } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';
import { SeverityChip } from '../alerts/AlertBits';
import { useNow } from '../alerts/useNow';
import { IncidentDetailView, type IncidentTab } from './IncidentDetail';
import { typing } from './Walkthrough';
import { ago, statusLabels } from './format';
import '../alerts/alerts.css';
import './incidents.css';
import { useWindowKeys } from '../../app/useWindowKeys';
import { shiftShortcutLabel } from '../../app/keys';
import { BundleView, ImportBundleButton, ImportedList } from '../reports/Bundles';

const quickNoteKey = shiftShortcutLabel('j');

/**
 * Incidents: the list on the left, the selected one on the right (clocks, walkthrough or timeline,
 * details). Keyboard: ↑/↓ move through the list (j/k too when there is no walkthrough to move
 * through), `t` switches walkthrough and timeline, `n` writes a note, `e` exports a report.
 * Bundles imported from other laptops are listed under Imported and open read-only in its place.
 */
export function IncidentsPage() {
  const store = useAppStoreApi();
  const startIncidents = useAppStore((s) => s.startIncidents);
  const incidents = useAppStore((s) => s.incidents);
  const loaded = useAppStore((s) => s.incidentsLoaded);
  const selectedId = useAppStore((s) => s.selectedIncidentId);
  const environments = useAppStore((s) => s.environments);
  const navigate = useAppStore((s) => s.navigate);
  const now = useNow(15_000);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const [tab, setTab] = useState<IncidentTab>('walkthrough');
  const startBundles = useAppStore((s) => s.startBundles);
  const bundles = useAppStore((s) => s.bundles);
  const selectedBundle = useAppStore((s) => s.bundles.find((b) => b.id === s.selectedBundleId) ?? null);
  const openExport = useAppStore((s) => s.openExport);
  useEffect(() => startIncidents(), [startIncidents]);
  useEffect(() => startBundles(), [startBundles]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const target = e.target as HTMLElement;
    if (target !== document.body && !target.closest('.incidents-page')) return;
    if (typing(target)) return;
    const list = store.getState().incidents;
    const at = list.findIndex((i) => i.id === store.getState().selectedIncidentId);
    const select = (index: number) => {
      const next = list[Math.min(list.length - 1, Math.max(0, index))];
      if (next) {
        store.getState().selectIncident(next.id);
        document.getElementById(`incident-item-${next.id}`)?.focus();
      }
    };
    // With a walkthrough shown, j/k move through its steps (it handles them); arrows stay here.
    if ((e.key === 'j' || e.key === 'k') && document.querySelector('.walkthrough')) return;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        e.preventDefault();
        select(at < 0 ? 0 : at + 1);
        return;
      case 'ArrowUp':
      case 'k':
        e.preventDefault();
        select(at < 0 ? 0 : at - 1);
        return;
      case 't':
        e.preventDefault();
        setTab((t) => (t === 'walkthrough' ? 'timeline' : 'walkthrough'));
        return;
      case 'e': {
        const id = store.getState().selectedIncidentId;
        if (id && !store.getState().selectedBundleId) {
          e.preventDefault();
          store.getState().openExport({ kind: 'incident', id });
        }
        return;
      }
      case 'n':
        if (noteRef.current) {
          e.preventDefault();
          noteRef.current.focus();
        }
        return;
    }
  };
  useWindowKeys(onKeyDown);

  const tools = (
    <div className="incidents-tools" role="group" aria-label="Incident tools">
      <ImportBundleButton />
      <button type="button" className="button button-small" title="Every open incident in one report, for whoever takes over" onClick={() => openExport({ kind: 'handoff' })}>
        <ArrowRightLeft size={13} aria-hidden="true" /> Shift hand-off
      </button>
    </div>
  );

  if (loaded && incidents.length === 0 && bundles.length === 0) {
    return (
      <EmptyState
        icon={Siren}
        title="No incidents yet"
        actions={
          <>
            <button type="button" className="button button-primary" onClick={() => navigate('alerts')}>
              <Bell size={15} aria-hidden="true" /> Go to the alert feed
            </button>
            <button type="button" className="button" onClick={() => navigate('runbooks')}>
              <BookOpenText size={15} aria-hidden="true" /> Go to the runbook library
            </button>
            <ImportBundleButton className="button" />
          </>
        }
      >
        <p>
          Start one from an alert: select it in the alert feed and press <kbd>I</kbd>, or use <strong>Start incident</strong> in
          its details. The incident takes the alert&rsquo;s runbook and environment, and keeps a journal of notes, status and
          severity changes, each written to disk before it shows as saved.
        </p>
        <p>
          An incident walks you through its runbook step by step (<kbd>D</kbd> done, <kbd>S</kbd> skip, <kbd>R</kbd> run), with
          response, recovery and escalation clocks. <kbd>{quickNoteKey}</kbd> writes a note from anywhere.
        </p>
      </EmptyState>
    );
  }

  const selected = incidents.find((i) => i.id === selectedId) ?? null;
  return (
    <div className="incidents-page">
      <nav className="incidents-list" aria-label="Incidents">
        {tools}
        {!loaded ? <p className="list-note">Loading incidents…</p> : null}
        <ul role="list">
          {incidents.map((incident) => {
            const environment = environments.find((e) => e.id === incident.environmentId)?.name ?? null;
            const current = incident.id === selectedId && !selectedBundle;
            return (
              <li key={incident.id}>
                <button
                  type="button"
                  id={`incident-item-${incident.id}`}
                  className={`incident-item${current ? ' incident-item-selected' : ''}${incident.status === 'resolved' ? ' incident-item-resolved' : ''}`}
                  aria-current={current ? 'true' : undefined}
                  onClick={() => store.getState().selectIncident(incident.id)}
                >
                  <SeverityChip severity={incident.severity} />
                  <span className="incident-item-main">
                    <span className="incident-item-title" title={incident.title}>
                      {incident.title}
                    </span>
                    <span className="incident-item-meta">
                      <span className={`incident-status incident-status-${incident.status}`}>{statusLabels[incident.status]}</span>
                      {environment ? <span className="incident-item-env">{environment}</span> : null}
                      <time dateTime={incident.openedAt} title={new Date(incident.openedAt).toLocaleString()}>
                        opened {ago(incident.openedAt, now)}
                      </time>
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        <ImportedList now={now} />
        <p className="incidents-keys muted" aria-hidden="true">
          <kbd>↑</kbd>
          <kbd>↓</kbd> move <kbd>N</kbd> note <kbd>T</kbd> timeline <kbd>E</kbd> export <kbd>?</kbd> keys
        </p>
      </nav>
      {selectedBundle ? (
        <BundleView key={selectedBundle.id} summary={selectedBundle} />
      ) : selected ? (
        <IncidentDetailView key={selected.id} incident={selected} now={now} noteRef={noteRef} tab={tab} onTab={setTab} />
      ) : (
        <p className="list-note">{loaded ? 'Select an incident.' : ''}</p>
      )}
    </div>
  );
}
