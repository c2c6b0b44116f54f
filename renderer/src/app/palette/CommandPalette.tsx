import { CornerDownLeft, FileSearch, Search } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '@shared/contract';
import { useAppStore, useAppStoreApi } from '../../store';
import { HighlightedText } from '../ui/HighlightedText';
import { shiftShortcutLabel } from '../keys';
import { ColourDot } from '../../features/environments/TierBadge';
import { fuzzyMatch, indicesToRanges } from './fuzzy';
import { paletteItems, type PaletteItem } from './items';

type Row =
  | { kind: 'item'; item: PaletteItem; ranges: [number, number][] }
  | { kind: 'hit'; hit: SearchHit };

const MAX_LOCAL_RESULTS = 30;
const groupOrder = ['Go to', 'Actions', 'Terminals', 'Environments', 'Runbooks'] as const;

/** Ctrl/Cmd+K: every action and runbook, fuzzy-matched, plus full-text hits in runbook steps. */
export function CommandPalette() {
  const open = useAppStore((s) => s.paletteOpen);
  const close = useAppStore((s) => s.closePalette);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="palette"
      aria-label="Command palette"
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) close(); // a click on the backdrop
      }}
    >
      {open ? <PaletteBody /> : null}
    </dialog>
  );
}

function PaletteBody() {
  const store = useAppStoreApi();
  const runbooks = useAppStore((s) => s.runbooks);
  const environments = useAppStore((s) => s.environments);
  const currentEnvironmentId = useAppStore((s) => s.currentEnvironmentId);
  const theme = useAppStore((s) => s.themePreference);
  const hits = useAppStore((s) => s.paletteHits);
  const setQuery = useAppStore((s) => s.setPaletteQuery);
  const [query, setLocalQuery] = useState('');
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);

  // A fresh palette every time it opens.
  useEffect(() => {
    setQuery('');
  }, [setQuery]);

  const items = useMemo(
    () => paletteItems(store, runbooks, environments, currentEnvironmentId, theme),
    [store, runbooks, environments, currentEnvironmentId, theme],
  );

  const rows = useMemo<Row[]>(() => {
    const q = query.trim();
    if (!q) {
      return groupOrder.flatMap((g) =>
        items.filter((i) => i.group === g).map((item) => ({ kind: 'item' as const, item, ranges: [] })),
      );
    }
    const ranked: { item: PaletteItem; score: number; ranges: [number, number][] }[] = [];
    for (const item of items) {
      const onLabel = fuzzyMatch(q, item.label);
      if (onLabel) {
        ranked.push({ item, score: onLabel.score, ranges: indicesToRanges(onLabel.indices) });
        continue;
      }
      const onKeywords = item.keywords ? fuzzyMatch(q, `${item.label} ${item.keywords}`) : null;
      if (onKeywords) ranked.push({ item, score: onKeywords.score - 10, ranges: [] });
    }
    ranked.sort((a, b) => b.score - a.score);
    const local: Row[] = ranked.slice(0, MAX_LOCAL_RESULTS).map((r) => ({ kind: 'item', item: r.item, ranges: r.ranges }));
    return [...local, ...hits.map((hit) => ({ kind: 'hit' as const, hit }))];
  }, [items, query, hits]);

  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${activeIndex}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [activeIndex]);

  function run(row: Row | undefined) {
    if (!row) return;
    const state = store.getState();
    // Close the modal now, not on the next render: while it is open the rest of the page is inert,
    // and an action such as opening the import file picker must reach it.
    listRef.current?.closest('dialog')?.close();
    state.closePalette();
    if (row.kind === 'item') row.item.run();
    else state.openRunbook(row.hit.runbookId, { procedureIndex: row.hit.procedureIndex, stepIndex: row.hit.stepIndex, line: row.hit.line });
  }

  function onKeyDown(e: KeyboardEvent) {
    const page = 8;
    const move = (to: number) => {
      e.preventDefault();
      setActive(Math.max(0, Math.min(rows.length - 1, to)));
    };
    if (e.key === 'ArrowDown') move(activeIndex + 1 >= rows.length ? 0 : activeIndex + 1);
    else if (e.key === 'ArrowUp') move(activeIndex - 1 < 0 ? rows.length - 1 : activeIndex - 1);
    else if (e.key === 'PageDown') move(activeIndex + page);
    else if (e.key === 'PageUp') move(activeIndex - page);
    else if (e.key === 'Home' && e.ctrlKey) move(0);
    else if (e.key === 'End' && e.ctrlKey) move(rows.length - 1);
    else if (e.key === 'Enter') {
      e.preventDefault();
      run(rows[activeIndex]);
    }
  }

  const optionId = (i: number) => `palette-option-${i}`;
  let lastGroup: string | null = null;
  const trimmed = query.trim();

  return (
    <div className="palette-body">
      <div className="palette-input-row">
        <Search size={16} className="palette-input-icon" aria-hidden="true" />
        <input
          className="palette-input"
          type="text"
          autoFocus
          aria-label="Search commands and runbooks"
          placeholder="Go to, import, switch environment, or search runbooks…"
          value={query}
          spellCheck={false}
          autoComplete="off"
          aria-controls="palette-list"
          aria-activedescendant={rows.length ? optionId(activeIndex) : undefined}
          onChange={(e) => {
            setLocalQuery(e.target.value);
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <kbd className="palette-esc">Esc</kbd>
      </div>
      <div className="palette-list" id="palette-list" role="listbox" aria-label="Commands and runbooks" ref={listRef}>
        {rows.length === 0 ? (
          <div className="palette-empty">
            {trimmed ? `Nothing matches “${trimmed}”.` : 'Nothing here yet.'}
          </div>
        ) : null}
        {rows.map((row, i) => {
          const group = row.kind === 'item' ? (trimmed ? 'Best matches' : row.item.group) : 'In runbook text';
          const header = group !== lastGroup ? group : null;
          lastGroup = group;
          return (
            <div key={row.kind === 'item' ? row.item.id : `hit-${i}`} role="presentation">
              {header ? (
                <div className="palette-group" aria-hidden="true">
                  {header}
                </div>
              ) : null}
              <div
                id={optionId(i)}
                data-index={i}
                role="option"
                aria-selected={i === activeIndex}
                className={`palette-option${i === activeIndex ? ' is-active' : ''}`}
                onMouseMove={() => i !== activeIndex && setActive(i)}
                onClick={() => run(row)}
              >
                {row.kind === 'item' ? <ItemRow row={row} /> : <HitRow hit={row.hit} />}
                {i === activeIndex ? <CornerDownLeft size={13} className="palette-enter" aria-hidden="true" /> : null}
              </div>
            </div>
          );
        })}
      </div>
      <div className="palette-footer" aria-hidden="true">
        <span><kbd>↑</kbd><kbd>↓</kbd> move</span>
        <span><kbd>Enter</kbd> open</span>
        <span><kbd>Esc</kbd> close</span>
        <span className="palette-footer-hint"><kbd>{shiftShortcutLabel('k')}</kbd> opens this from inside a terminal</span>
      </div>
    </div>
  );
}

function ItemRow({ row }: { row: Extract<Row, { kind: 'item' }> }) {
  const { item } = row;
  const Icon = item.icon;
  return (
    <>
      <span className="palette-option-icon" aria-hidden="true">
        {item.colour ? <ColourDot colour={item.colour} /> : <Icon size={15} />}
      </span>
      <span className="palette-option-label">
        <HighlightedText text={item.label} ranges={row.ranges} />
      </span>
      {item.detail ? <span className="palette-option-detail">{item.detail}</span> : null}
      {item.shortcut ? <kbd className="palette-option-shortcut">{item.shortcut}</kbd> : null}
    </>
  );
}

function HitRow({ hit }: { hit: SearchHit }) {
  const where = [hit.runbookTitle, hit.procedureTitle, hit.stepTitle].filter(Boolean).join(' › ');
  return (
    <>
      <span className="palette-option-icon" aria-hidden="true">
        <FileSearch size={15} />
      </span>
      <span className="palette-option-label palette-hit">
        <span className="palette-hit-snippet">
          <HighlightedText text={hit.snippet} ranges={hit.highlights} />
        </span>
        <span className="palette-hit-where">
          {where}
          {hit.line ? ` · line ${hit.line}` : ''}
        </span>
      </span>
    </>
  );
}
