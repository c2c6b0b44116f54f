import { useVirtualizer } from '@tanstack/react-virtual';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { memo, useCallback, useEffect, useRef, type RefObject } from 'react';
import type { Alert } from '@shared/contract';
import { useAppStore } from '../../store';
import { RunbookLinkButton, SeverityChip, StateBadge } from './AlertBits';
import { age, exactTime, sourceKindLabels } from './format';
import type { FeedRow } from './feedRows';

const GROUP_HEIGHT = 30;
const ALERT_HEIGHT = 58;

/**
 * The feed as one virtualised list: only the rows in view (and a few around) are in the DOM, so
 * 5,000 alerts scroll like 50. Rows have fixed heights, which keeps scrolling free of measuring.
 */
export function AlertFeed(props: {
  rows: FeedRow[];
  now: number;
  environmentNames: ReadonlyMap<string, string>;
  listRef: RefObject<HTMLDivElement | null>;
  historyOpen: boolean;
  onToggleHistory: () => void;
}) {
  const { rows, now, listRef } = props;
  const selectedId = useAppStore((s) => s.selectedAlertId);
  const selectAlert = useAppStore((s) => s.selectAlert);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => listRef.current,
    estimateSize: (i) => (rows[i]?.type === 'group' ? GROUP_HEIGHT : ALERT_HEIGHT),
    overscan: 12,
    getItemKey: (i) => {
      const row = rows[i];
      return row ? (row.type === 'group' ? `g:${row.key}` : row.alert.id) : i;
    },
  });

  const onSelect = useCallback(
    (id: string, open: boolean) => {
      selectAlert(id, open || undefined);
      listRef.current?.focus({ preventScroll: true });
    },
    [selectAlert, listRef],
  );

  // `i` starts an incident from the selected alert, wherever the Alerts page has the keyboard.
  const startIncident = useAppStore((s) => s.startIncidentFromAlert);
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== 'i' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.repeat) return;
      const target = e.target as HTMLElement;
      if (target !== document.body && !target.closest('.alerts-page')) return;
      if (target.closest('input, select, textarea, dialog')) return;
      if (!selectedId || !rows.some((r) => r.type === 'alert' && r.alert.id === selectedId)) return;
      e.preventDefault();
      void startIncident(selectedId);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [selectedId, rows, startIncident]);

  // Keep the row the keyboard is on in view.
  const selectedIndex = rows.findIndex((r) => r.type === 'alert' && r.alert.id === selectedId);
  const lastScrolled = useRef<string | null>(null);
  useEffect(() => {
    if (selectedIndex < 0 || lastScrolled.current === selectedId) return;
    lastScrolled.current = selectedId;
    virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedId, selectedIndex, virtualizer]);

  return (
    <div
      ref={listRef}
      className="alert-feed"
      role="list"
      aria-label="Alerts"
      tabIndex={0}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` };
          if (row.type === 'group') {
            return (
              <div key={item.key} role="listitem" className="alert-group" style={style} aria-label={`${row.label}, ${row.count}`}>
                {row.history ? (
                  <button type="button" className="alert-group-toggle" aria-expanded={props.historyOpen} onClick={props.onToggleHistory}>
                    {props.historyOpen ? <ChevronDown size={13} aria-hidden="true" /> : <ChevronRight size={13} aria-hidden="true" />}
                    History <span className="count">{row.count} resolved</span>
                  </button>
                ) : (
                  <>
                    {row.label} <span className="count">{row.count}</span>
                  </>
                )}
              </div>
            );
          }
          return (
            <AlertRow
              key={item.key}
              alert={row.alert}
              fading={row.fading}
              selected={row.alert.id === selectedId}
              now={now}
              environment={row.alert.environmentId ? (props.environmentNames.get(row.alert.environmentId) ?? row.alert.environmentId) : null}
              top={item.start}
              height={item.size}
              onSelect={onSelect}
            />
          );
        })}
      </div>
    </div>
  );
}

export const rowId = (alertId: string) => `alert-row-${alertId}`;

/** Memoised: while scrolling, rows already in view keep their DOM and skip rendering. */
const AlertRow = memo(function AlertRow(props: {
  alert: Alert;
  fading: boolean;
  selected: boolean;
  now: number;
  environment: string | null;
  top: number;
  height: number;
  onSelect: (id: string, open: boolean) => void;
}) {
  const { alert, now } = props;
  const openChange = useAppStore((s) => s.selectAlert);
  const busy = useAppStore((s) => s.busyAlertIds.includes(alert.id));
  const classes = ['alert-row', `alert-row-${alert.state}`];
  if (props.selected) classes.push('alert-row-selected');
  if (props.fading) classes.push('alert-row-fading');
  if (alert.stale) classes.push('alert-row-stale');
  return (
    <div
      id={rowId(alert.id)}
      role="listitem"
      aria-label={`${alert.severity} ${alert.name}`}
      aria-current={props.selected ? 'true' : undefined}
      aria-busy={busy || undefined}
      className={classes.join(' ')}
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: props.height, transform: `translateY(${props.top}px)` }}
      onClick={() => props.onSelect(alert.id, false)}
      onDoubleClick={() => props.onSelect(alert.id, true)}
    >
      <SeverityChip severity={alert.severity} />
      <div className="alert-row-main">
        <div className="alert-row-title">
          <span className="alert-name">{alert.name}</span>
          {alert.summary ? <span className="alert-summary">{alert.summary}</span> : null}
        </div>
        <div className="alert-row-meta">
          {props.environment ? <span className="alert-env">{props.environment}</span> : null}
          <span title={sourceKindLabels[alert.sourceKind]}>{alert.sourceName}</span>
          <span className="alert-row-runbook">
            <RunbookLinkButton alert={alert} />
            {alert.runbook ? <span className="alert-runbook-reason">{alert.runbook.reason}</span> : null}
            <button
              type="button"
              className="link-button alert-runbook-change"
              aria-label={`Change the runbook of ${alert.name}`}
              onClick={(e) => {
                e.stopPropagation();
                openChange(alert.id, true);
              }}
            >
              change
            </button>
          </span>
        </div>
      </div>
      <div className="alert-row-side">
        <StateBadge alert={alert} now={now} />
        <time className="alert-age" dateTime={alert.startsAt} title={`Started ${exactTime(alert.startsAt)}${alert.endsAt ? `, ended ${exactTime(alert.endsAt)}` : ''}`}>
          {age(alert.startsAt, now)}
        </time>
      </div>
    </div>
  );
});
