import { useVirtualizer } from '@tanstack/react-virtual';
import { ChevronDown, ChevronRight, LoaderCircle, Pencil, SquareTerminal } from 'lucide-react';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { JournalEvent, JournalKind } from '@shared/contract';
import { useAppStore } from '../../store';
import { describeEvent, exactTime, kindGroups, kindLabels, sinceOpened } from './format';
import { AttachmentPreview } from './Attachments';

const ROW_ESTIMATE = 34;
/** Rows left below the view when the next (older) page is asked for. */
const PREFETCH_ROWS = 60;

/**
 * The journal, newest first: pages of 500 from incidents.journal as the operator scrolls, one
 * virtualised list (only the rows in view are in the DOM) so a 50,000-event incident opens as
 * fast as a small one. Filter chips by kind; time since the incident opened, the exact time on
 * hover; output in a collapsible block; corrections under the event they correct.
 */
export function Timeline({ incidentId, openedAt }: { incidentId: string; openedAt: string }) {
  const timeline = useAppStore((s) => s.timelines[incidentId]);
  const loadTimeline = useAppStore((s) => s.loadTimeline);
  const loadMore = useAppStore((s) => s.loadMoreTimeline);
  const [groups, setGroups] = useState<string[]>([]);
  const kinds = useMemo<JournalKind[]>(() => kindGroups.filter((g) => groups.includes(g.id)).flatMap((g) => [...g.kinds]), [groups]);
  // Corrections are listed under the event they correct, not on their own.
  const listed = useMemo<JournalKind[]>(() => (kinds.length === 0 ? [] : [...new Set([...kinds, 'correction' as const])]), [kinds]);
  useEffect(() => {
    void loadTimeline(incidentId, listed);
  }, [incidentId, listed, loadTimeline]);

  const events = timeline?.events;
  const { rows, corrections } = useMemo(() => {
    const corrections = new Map<number, JournalEvent[]>();
    const rows: JournalEvent[] = [];
    for (const e of events ?? []) {
      if (e.kind === 'correction' && typeof e.data.ofSeq === 'number') {
        corrections.set(e.data.ofSeq, [e, ...(corrections.get(e.data.ofSeq) ?? [])]);
        if (kinds.length > 0 && !kinds.includes('correction')) continue;
        if ((events ?? []).some((x) => x.seq === e.data.ofSeq)) continue;
      }
      rows.push(e);
    }
    return { rows, corrections };
  }, [events, kinds]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 10,
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (timeline?.hasMore && !timeline.loading && last >= rows.length - PREFETCH_ROWS) void loadMore(incidentId);
  }, [last, rows.length, timeline?.hasMore, timeline?.loading, incidentId, loadMore]);

  const toggle = (id: string) => setGroups((g) => (g.includes(id) ? g.filter((x) => x !== id) : [...g, id]));
  return (
    <section className="incident-timeline" aria-label="Timeline">
      <div className="timeline-filters" role="group" aria-label="Show kinds">
        <button type="button" className={`chip-toggle${groups.length === 0 ? ' is-on' : ''}`} aria-pressed={groups.length === 0} onClick={() => setGroups([])}>
          All
        </button>
        {kindGroups.map((g) => (
          <button key={g.id} type="button" className={`chip-toggle${groups.includes(g.id) ? ' is-on' : ''}`} aria-pressed={groups.includes(g.id)} onClick={() => toggle(g.id)}>
            {g.label}
          </button>
        ))}
        <span className="timeline-count muted" role="status">
          {timeline ? `${timeline.total.toLocaleString()} event${timeline.total === 1 ? '' : 's'}, newest first` : ''}
          {timeline?.loading ? <LoaderCircle size={12} className="spin" aria-label="Loading" /> : null}
        </span>
      </div>
      {timeline?.error ? (
        <p className="field-error" role="alert">
          The journal could not be read: {timeline.error} Nothing was lost; switch tabs to try again.
        </p>
      ) : null}
      <div ref={scrollRef} className="timeline-scroll">
        {timeline && rows.length === 0 && !timeline.loading ? <p className="list-note">No events of these kinds.</p> : null}
        <ol className="timeline" aria-label="Journal events" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const event = rows[item.index]!;
            return (
              <li key={item.key} ref={virtualizer.measureElement} data-index={item.index} className={`timeline-event timeline-${event.kind}`} style={{ transform: `translateY(${item.start}px)` }}>
                <EventRow event={event} openedAt={openedAt} corrections={corrections.get(event.seq) ?? null} />
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}

const EventRow = memo(function EventRow({ event, openedAt, corrections }: { event: JournalEvent; openedAt: string; corrections: JournalEvent[] | null }) {
  const [correcting, setCorrecting] = useState(false);
  return (
    <>
      <time dateTime={event.at} title={`${exactTime(event.at)} · #${event.seq}`} className="timeline-time">
        {sinceOpened(event.at, openedAt)}
      </time>
      <span className="timeline-kind">{kindLabels[event.kind] ?? event.kind}</span>
      <div className="timeline-body">
        <span className="timeline-text">{describeEvent(event)}</span>
        {event.kind === 'note' && !correcting ? (
          <button type="button" className="link-button timeline-action" aria-label={`Correct note #${event.seq}`} onClick={() => setCorrecting(true)}>
            <Pencil size={11} aria-hidden="true" /> Correct
          </button>
        ) : null}
        {event.kind === 'command-sent' ? <ShowTerminal terminalId={typeof event.data.terminalId === 'string' ? event.data.terminalId : null} /> : null}
        {event.kind === 'output-captured' ? <Output text={typeof event.data.output === 'string' ? event.data.output : ''} /> : null}
        {event.kind === 'attachment' ? <AttachmentPreview incidentId={event.incidentId} data={event.data} /> : null}
        {corrections?.map((c) => (
          <p key={c.id} className="timeline-corrected">
            corrected: {typeof c.data.text === 'string' ? c.data.text : ''} <span className="muted" title={exactTime(c.at)}>({sinceOpened(c.at, openedAt)})</span>
          </p>
        ))}
        {correcting ? <CorrectionBox event={event} onDone={() => setCorrecting(false)} /> : null}
      </div>
    </>
  );
});

function Output({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text ? text.split('\n').length : 0;
  if (!text) return <span className="muted timeline-output-empty"> (no output)</span>;
  return (
    <div className="timeline-output">
      <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? <ChevronDown size={12} aria-hidden="true" /> : <ChevronRight size={12} aria-hidden="true" />} {open ? 'Hide' : 'Show'} output ({lines} line{lines === 1 ? '' : 's'})
      </button>
      {open ? <pre className="timeline-output-text mono">{text}</pre> : null}
    </div>
  );
}

function ShowTerminal({ terminalId }: { terminalId: string | null }) {
  const terminal = useAppStore((s) => s.terminals.find((t) => t.id === terminalId) ?? null);
  const show = useAppStore((s) => s.showTerminal);
  if (!terminal || terminal.status === 'exited') return null;
  return (
    <button type="button" className="link-button timeline-action" onClick={() => show(terminal)}>
      <SquareTerminal size={11} aria-hidden="true" /> Show terminal
    </button>
  );
}

/** A correction: a new event under the one it corrects; the original stays as written. */
function CorrectionBox({ event, onDone }: { event: JournalEvent; onDone: () => void }) {
  const correct = useAppStore((s) => s.correctIncidentEvent);
  const [text, setText] = useState(typeof event.data.text === 'string' ? event.data.text : '');
  const [state, setState] = useState<{ saving: boolean; error: string | null }>({ saving: false, error: null });
  async function save() {
    if (!text.trim()) {
      setState({ saving: false, error: 'A correction needs text.' });
      return;
    }
    setState({ saving: true, error: null });
    const message = await correct(event.incidentId, event.seq, text.trim());
    if (message === null) onDone();
    else setState({ saving: false, error: `Not saved: ${message}` });
  }
  return (
    <div className="timeline-correct">
      <input
        type="text"
        aria-label={`Correction of note #${event.seq}`}
        value={text}
        readOnly={state.saving}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          }
        }}
      />
      {state.saving ? <LoaderCircle size={13} className="spin" aria-label="Saving" /> : null}
      {state.error ? (
        <span className="field-error" role="alert">
          {state.error}
        </span>
      ) : (
        <span className="muted">Enter saves a correction (the note stays as written), Esc cancels</span>
      )}
    </div>
  );
}

