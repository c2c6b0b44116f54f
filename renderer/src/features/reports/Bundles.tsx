import { CircleAlert, FileDown, LoaderCircle, ShieldAlert, ShieldCheck, Trash2 } from 'lucide-react';
import { useId, useMemo, useRef, useState } from 'react';
import type { BundleEvent, BundleVerification, ImportedBundleSummary } from '@shared/contract';
import { useAppStore } from '../../store';
import { ConfirmDialog } from '../../app/ui/ConfirmDialog';
import { SeverityChip } from '../alerts/AlertBits';
import { ago, describeEvent, exactTime, kindLabels, sinceOpened, statusLabels } from '../incidents/format';
import './reports.css';

/** Opens the file picker for a bundle; the Incidents page keeps one hidden input for it. */
export function openBundlePicker(): void {
  document.getElementById('bundle-import-input')?.click();
}

/** "Import bundle": the picker (one JSON file), read as text and handed to bundles.import. */
export function ImportBundleButton({ className = 'button button-small' }: { className?: string }) {
  const importFile = useAppStore((s) => s.importBundleFile);
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        id="bundle-import-input"
        type="file"
        hidden
        accept=".json,application/json"
        aria-label="Import an incident bundle"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importFile(file);
        }}
      />
      <button type="button" className={className} onClick={() => input.current?.click()} title="A JSON bundle exported from Watchfloor on another laptop">
        <FileDown size={13} aria-hidden="true" /> Import bundle
      </button>
    </>
  );
}

/** "Chain verified (N events, M redacted at export)" or "Chain broken at event #N: reason". */
export function chainText(v: BundleVerification): string {
  return v.ok ? `Chain verified (${v.events.toLocaleString()} events, ${v.redactedEvents.toLocaleString()} redacted at export)` : `Chain broken at event #${v.brokenSeq}: ${v.reason}`;
}

function ChainBadge({ verification }: { verification: BundleVerification }) {
  const Icon = verification.ok ? ShieldCheck : ShieldAlert;
  return (
    <span className={`bundle-chain ${verification.ok ? 'bundle-chain-ok' : 'bundle-chain-broken'}`}>
      <Icon size={13} aria-hidden="true" /> {chainText(verification)}
    </span>
  );
}

/** The Imported section under the incidents: bundles from other laptops, each opening read-only. */
export function ImportedList({ now }: { now: number }) {
  const bundles = useAppStore((s) => s.bundles);
  const error = useAppStore((s) => s.bundlesError);
  const selectedId = useAppStore((s) => s.selectedBundleId);
  const selectBundle = useAppStore((s) => s.selectBundle);
  const headingId = useId();
  if (bundles.length === 0 && !error) return null;
  return (
    <section className="imported-list" aria-labelledby={headingId}>
      <h2 id={headingId} className="imported-heading">
        Imported <span className="count">{bundles.length || ''}</span>
      </h2>
      {error ? <p className="list-note muted">Imported bundles could not be listed: {error}</p> : null}
      <ul role="list" aria-label="Imported bundles">
        {bundles.map((b) => {
          const current = b.id === selectedId;
          return (
            <li key={b.id}>
              <button
                type="button"
                id={`bundle-item-${b.id}`}
                className={`incident-item bundle-item${current ? ' incident-item-selected' : ''}`}
                aria-current={current ? 'true' : undefined}
                onClick={() => selectBundle(b.id)}
              >
                <SeverityChip severity={b.severity} />
                <span className="incident-item-main">
                  <span className="incident-item-title" title={b.title}>
                    {b.title}
                  </span>
                  <span className="incident-item-meta">
                    <span className="badge badge-muted">read-only</span>
                    {b.verification.ok ? (
                      <span className="bundle-chain-ok" title={chainText(b.verification)}>
                        <ShieldCheck size={12} aria-hidden="true" /> verified
                      </span>
                    ) : (
                      <span className="bundle-chain-broken" title={chainText(b.verification)}>
                        <ShieldAlert size={12} aria-hidden="true" /> chain broken
                      </span>
                    )}
                    <time dateTime={b.importedAt} title={exactTime(b.importedAt)}>
                      imported {ago(b.importedAt, now)}
                    </time>
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/**
 * An imported bundle, read-only: what it is, whether its hash chain holds, and its journal as a
 * timeline (newest first, as the Timeline shows it). No note box, no walkthrough: nothing can be
 * appended to someone else's incident. Delete removes the copy on this laptop only.
 */
export function BundleView({ summary }: { summary: ImportedBundleSummary }) {
  const detail = useAppStore((s) => s.bundleDetails[summary.id]);
  const deleteBundle = useAppStore((s) => s.deleteBundle);
  const [confirming, setConfirming] = useState(false);
  const titleId = useId();
  const incident = detail?.bundle.incident;
  return (
    <section className="incident-detail bundle-detail" aria-labelledby={titleId}>
      <header className="incident-head">
        <SeverityChip severity={summary.severity} />
        <h2 id={titleId} className="incident-title">
          {summary.title}
        </h2>
        <span className="badge bundle-badge">Imported · read-only</span>
        <button type="button" className="button button-ghost-danger" onClick={() => setConfirming(true)}>
          <Trash2 size={14} aria-hidden="true" /> Delete
        </button>
      </header>
      <p className="bundle-verification" role="status">
        <ChainBadge verification={summary.verification} />
      </p>
      <dl className="bundle-facts">
        <dt>Status</dt>
        <dd>
          <span className={`incident-status incident-status-${summary.status}`}>{statusLabels[summary.status]}</span>
        </dd>
        <dt>Opened</dt>
        <dd>{incident ? exactTime(incident.openedAt) : '…'}</dd>
        {incident?.resolvedAt ? (
          <>
            <dt>Resolved</dt>
            <dd>{exactTime(incident.resolvedAt)}</dd>
          </>
        ) : null}
        <dt>Commander</dt>
        <dd>{incident?.commander ?? <span className="muted">None</span>}</dd>
        <dt>Exported</dt>
        <dd>
          {exactTime(summary.exportedAt)} <span className="muted">by {summary.exportedBy}</span>
        </dd>
        <dt>File</dt>
        <dd className="mono">{summary.fileName}</dd>
        {detail && detail.bundle.redactions.total > 0 ? (
          <>
            <dt>Redacted</dt>
            <dd>{detail.bundle.redactions.total} values at export</dd>
          </>
        ) : null}
      </dl>
      {detail ? (
        <BundleJournal events={detail.bundle.journal} openedAt={detail.bundle.incident.openedAt} brokenSeq={summary.verification.ok ? null : summary.verification.brokenSeq} />
      ) : (
        <p className="list-note">
          <LoaderCircle size={13} className="spin" aria-hidden="true" /> Loading the bundle…
        </p>
      )}
      {confirming ? (
        <ConfirmDialog
          title={`Delete the imported “${summary.title}”?`}
          confirmLabel="Delete"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void deleteBundle(summary.id);
          }}
        >
          <p>This removes the copy imported on this laptop. The incident on the laptop that exported it, and the bundle file itself, are not touched.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** The bundle's journal, newest first, in the Timeline's row layout; corrections sit under what they correct. */
function BundleJournal({ events, openedAt, brokenSeq }: { events: BundleEvent[]; openedAt: string; brokenSeq: number | null }) {
  const { rows, corrections } = useMemo(() => {
    const corrections = new Map<number, BundleEvent[]>();
    const seqs = new Set(events.map((e) => e.seq));
    const rows: BundleEvent[] = [];
    for (const e of events) {
      if (e.kind === 'correction' && typeof e.data.ofSeq === 'number' && seqs.has(e.data.ofSeq)) {
        corrections.set(e.data.ofSeq, [...(corrections.get(e.data.ofSeq) ?? []), e]);
        continue;
      }
      rows.push(e);
    }
    return { rows: rows.reverse(), corrections };
  }, [events]);
  return (
    <section className="incident-timeline bundle-timeline" aria-label="Timeline">
      <p className="timeline-count muted">
        {events.length.toLocaleString()} event{events.length === 1 ? '' : 's'}, newest first
      </p>
      <div className="timeline-scroll">
        <ol className="timeline bundle-events" aria-label="Journal events">
          {rows.map((event) => (
            <li key={event.id} className={`timeline-event timeline-${event.kind}${event.seq === brokenSeq ? ' bundle-event-broken' : ''}`}>
              <time dateTime={event.at} title={`${exactTime(event.at)} · #${event.seq}`} className="timeline-time">
                {sinceOpened(event.at, openedAt)}
              </time>
              <span className="timeline-kind">{kindLabels[event.kind] ?? event.kind}</span>
              <div className="timeline-body">
                <span className="timeline-text">{describeEvent(event)}</span>
                {event.redacted ? <span className="badge badge-muted">redacted at export</span> : null}
                {event.seq === brokenSeq ? (
                  <span className="bundle-chain-broken">
                    <CircleAlert size={12} aria-hidden="true" /> the chain breaks here
                  </span>
                ) : null}
                {event.kind === 'output-captured' && typeof event.data.output === 'string' && event.data.output ? (
                  <details className="timeline-output">
                    <summary className="link-button">Output ({event.data.output.split('\n').length} lines)</summary>
                    <pre className="timeline-output-text mono">{event.data.output}</pre>
                  </details>
                ) : null}
                {corrections.get(event.seq)?.map((c) => (
                  <p key={c.id} className="timeline-corrected">
                    corrected: {typeof c.data.text === 'string' ? c.data.text : ''} <span className="muted">({sinceOpened(c.at, openedAt)})</span>
                  </p>
                ))}
              </div>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
