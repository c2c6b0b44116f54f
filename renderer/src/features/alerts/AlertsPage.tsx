import { Bell, BellRing, CircleAlert, Plug, Search } from 'lucide-react';
import { useMemo, useRef, useState } from 'react';
import type { Alert } from '@shared/contract';
import { useAppStore, useAppStoreApi } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';
import { AlertDetails, canAcknowledge, canExpire, canSilence } from './AlertDetails';
import { AlertFeed } from './AlertFeed';
import { AlertSourcesDialog } from './AlertSourcesDialog';
import { feedRows, labelKeys } from './feedRows';
import { age, clock } from './format';
import { NotificationsDialog } from './NotificationsDialog';
import { SilenceDialog } from './SilenceDialog';
import { useNow } from './useNow';
import './alerts.css';
import { useWindowKeys } from '../../app/useWindowKeys';

/**
 * The live feed: every source's alerts in one list, grouped and filtered, driven from the keyboard
 * (↑/↓ or j/k, Enter details, `a` acknowledge, `s` silence, `e` expire the silence, `/` filter).
 */
export function AlertsPage() {
  const store = useAppStoreApi();
  const alerts = useAppStore((s) => s.alerts);
  const history = useAppStore((s) => s.alertHistory);
  const loaded = useAppStore((s) => s.alertsLoaded);
  const sources = useAppStore((s) => s.alertSources);
  const sourcesLoaded = useAppStore((s) => s.alertSourcesLoaded);
  const environments = useAppStore((s) => s.environments);
  const grouping = useAppStore((s) => s.alertGrouping);
  const filter = useAppStore((s) => s.alertFilter);
  const selectedId = useAppStore((s) => s.selectedAlertId);
  const detailsOpen = useAppStore((s) => s.alertDetailsOpen);
  const silencingId = useAppStore((s) => s.silencingAlertId);
  const sourcesOpen = useAppStore((s) => s.alertSourcesOpen);
  const notificationsOpen = useAppStore((s) => s.alertNotificationsOpen);
  const [historyOpen, setHistoryOpen] = useState(false);
  const now = useNow();
  const listRef = useRef<HTMLDivElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);

  const { rows, shown, historyCount } = useMemo(
    () => feedRows({ alerts, history, environments, grouping, filter, now, historyOpen }),
    [alerts, history, environments, grouping, filter, now, historyOpen],
  );
  const environmentNames = useMemo(() => new Map(environments.map((e) => [e.id, e.name])), [environments]);
  const byId = (id: string | null) => (id ? (alerts.find((a) => a.id === id) ?? history.find((a) => a.id === id) ?? null) : null);
  const selected = byId(selectedId);
  const silencing = byId(silencingId);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const target = e.target as HTMLElement;
    // Keys typed on this page, or with nothing focused (after a dialog closed); not elsewhere.
    if (target !== document.body && !target.closest('.alerts-page')) return;
    if (target.closest('input, select, textarea, dialog')) {
      // From the filter, ↓ and Escape hand over to the list.
      if (target === filterRef.current && (e.key === 'ArrowDown' || e.key === 'Escape')) {
        e.preventDefault();
        listRef.current?.focus();
        if (e.key === 'ArrowDown') move(1);
      }
      return;
    }
    const s = store.getState();
    const current = byId(s.selectedAlertId);
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        e.preventDefault();
        move(1);
        return;
      case 'ArrowUp':
      case 'k':
        e.preventDefault();
        move(-1);
        return;
      case 'Home':
      case 'End':
        e.preventDefault();
        move(e.key === 'Home' ? -Infinity : Infinity);
        return;
      case '/':
        e.preventDefault();
        filterRef.current?.focus();
        filterRef.current?.select();
        return;
      case 'Escape':
        if (s.alertDetailsOpen) s.setAlertDetailsOpen(false);
        return;
      case 'Enter':
        if (target.closest('button, a')) return;
        if (current) {
          e.preventDefault();
          s.selectAlert(current.id, true);
        }
        return;
      case 'a':
        if (current && canAcknowledge(current)) void s.acknowledgeAlert(current.id);
        return;
      case 's':
        if (current && canSilence(current)) {
          e.preventDefault();
          s.openSilence(current.id);
        }
        return;
      case 'e':
        if (current && canExpire(current)) void s.expireSilence(current.id);
        return;
    }
  };

  useWindowKeys(onKeyDown);

  /** Moves the selection by `delta` alert rows (±Infinity: to the first or last). */
  function move(delta: number) {
    const ids = rows.flatMap((r) => (r.type === 'alert' ? [r.alert.id] : []));
    if (ids.length === 0) return;
    const at = ids.indexOf(store.getState().selectedAlertId ?? '');
    let next: number;
    if (!Number.isFinite(delta)) next = delta < 0 ? 0 : ids.length - 1;
    else if (at < 0) next = delta > 0 ? 0 : ids.length - 1;
    else next = Math.min(ids.length - 1, Math.max(0, at + delta));
    store.getState().selectAlert(ids[next]!);
  }

  const empty = sourcesLoaded && sources.length === 0 && loaded && alerts.length === 0 && history.length === 0;
  const firing = alerts.filter((a) => a.state === 'firing').length;
  // The dialogs keep one place in the tree: adding the first source swaps the empty state for the
  // feed, and must not remount the Sources dialog (it holds a webhook's token, shown once).
  return (
    <>
      {empty ? (
        <EmptyState
          icon={Bell}
          title="No alert sources yet"
          actions={
            <button type="button" className="button button-primary" onClick={() => store.getState().setAlertSourcesOpen(true)}>
              <Plug size={15} aria-hidden="true" /> Add an alert source
            </button>
          }
        >
          <p>
            Connect an Alertmanager, a Prometheus rule, an HTTP health check, a status page or a webhook. Their alerts appear
            here in one live feed, each linked to the runbook that answers it.
          </p>
        </EmptyState>
      ) : (
        <div className={`alerts-page${detailsOpen && selected ? ' alerts-page-details' : ''}`}>
          <div className="alerts-main">
            <div className="alerts-toolbar">
              <div className="alerts-filter">
                <Search size={14} aria-hidden="true" />
                <input
                  ref={filterRef}
                  type="search"
                  aria-label="Filter alerts"
                  aria-keyshortcuts="/"
                  placeholder="Filter by name, label or summary   /"
                  value={filter}
                  onChange={(e) => store.getState().setAlertFilter(e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                />
              </div>
              <GroupingSelect alerts={alerts} />
              <span className="alerts-count" aria-live="polite">
                {firing} firing · {shown} shown
              </span>
              <button type="button" className="button button-small" onClick={() => store.getState().setAlertNotificationsOpen(true)}>
                <BellRing size={13} aria-hidden="true" /> Notifications
              </button>
              <button type="button" className="button button-small" onClick={() => store.getState().setAlertSourcesOpen(true)}>
                <Plug size={13} aria-hidden="true" /> Sources <span className="count">{sources.length}</span>
              </button>
            </div>
            <SourceTrouble now={now} />
            {rows.length === 0 ? (
              <p className="list-note">
                {!loaded ? 'Loading alerts…' : filter.trim() ? `No alert matches “${filter.trim()}”.` : 'Nothing is firing. Quiet watch.'}
              </p>
            ) : (
              <AlertFeed
                rows={rows}
                now={now}
                environmentNames={environmentNames}
                listRef={listRef}
                historyOpen={historyOpen}
                onToggleHistory={() => setHistoryOpen((o) => !o)}
              />
            )}
            <p className="alerts-keys muted" aria-hidden="true">
              <kbd>↑</kbd>
              <kbd>↓</kbd> move <kbd>Enter</kbd> details <kbd>A</kbd> acknowledge <kbd>S</kbd> silence <kbd>E</kbd> expire silence <kbd>I</kbd> start incident{' '}
              <kbd>/</kbd> filter {historyCount > 0 && !historyOpen ? ` · ${historyCount} resolved in History` : ''}
            </p>
          </div>
          {detailsOpen && selected ? <AlertDetails alert={selected} now={now} /> : null}
        </div>
      )}
      {sourcesOpen ? <AlertSourcesDialog /> : null}
      {notificationsOpen ? <NotificationsDialog /> : null}
      {silencing ? <SilenceDialog key={silencing.id} alert={silencing} /> : null}
    </>
  );
}

function GroupingSelect({ alerts }: { alerts: readonly Alert[] }) {
  const grouping = useAppStore((s) => s.alertGrouping);
  const setGrouping = useAppStore((s) => s.setAlertGrouping);
  const keys = useMemo(() => labelKeys(alerts).slice(0, 30), [alerts]);
  const value = grouping.by === 'label' ? `label:${grouping.label}` : grouping.by;
  return (
    <select
      className="alerts-grouping"
      aria-label="Group alerts by"
      value={value}
      onChange={(e) => {
        const v = e.target.value;
        if (v === 'severity' || v === 'environment') setGrouping({ by: v });
        else setGrouping({ by: 'label', label: v.slice('label:'.length) });
      }}
    >
      <option value="severity">Group by severity</option>
      <option value="environment">Group by environment</option>
      {keys.map((k) => (
        <option key={k} value={`label:${k}`}>
          Group by label: {k}
        </option>
      ))}
    </select>
  );
}

/** Sources whose last poll failed: their alerts are the last known ones, and the feed says so. */
function SourceTrouble({ now }: { now: number }) {
  const sources = useAppStore((s) => s.alertSources);
  const open = useAppStore((s) => s.setAlertSourcesOpen);
  const stale = sources.filter((x) => x.enabled && (x.health.stale || x.health.lastError));
  if (stale.length === 0) return null;
  return (
    <div className="alerts-trouble" role="status">
      <CircleAlert size={14} aria-hidden="true" />
      <div>
        {stale.map((x) => (
          <p key={x.id}>
            <strong>{x.name}</strong>
            {x.health.stale && x.health.staleSince
              ? `: not answering since ${clock(x.health.staleSince)} (${age(x.health.staleSince, now)}) — showing its last known alerts, marked stale.`
              : ': its last poll failed.'}{' '}
            {x.health.lastError ? <span className="muted">{x.health.lastError}</span> : null}
          </p>
        ))}
      </div>
      <button type="button" className="button button-small" onClick={() => open(true)}>
        Check sources
      </button>
    </div>
  );
}
