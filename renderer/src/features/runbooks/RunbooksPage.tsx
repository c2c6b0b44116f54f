import { FileUp, FolderGit2, LoaderCircle, Search, Upload, X } from 'lucide-react';
import { useRef, useState, type DragEvent } from 'react';
import { useAppStore } from '../../store';
import { openImportPicker } from './importPicker';
import { ImportResultPanel } from './ImportResultPanel';
import { RunbookList } from './RunbookList';
import { RunbookSearchResults } from './RunbookSearchResults';
import { RunbookSplit } from './RunbookView';
import { LibraryOverview } from './LibraryOverview';
import { SourcesDialog } from './SourcesDialog';

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer.types).includes('Files');

export function RunbooksPage() {
  const openId = useAppStore((s) => s.openRunbookId);
  const split = useAppStore((s) => s.sourceVisible && s.openRunbookId !== null);
  const sourcesOpen = useAppStore((s) => s.sourcesOpen);
  const query = useAppStore((s) => s.runbookQuery);
  const importFiles = useAppStore((s) => s.importRunbookFiles);
  const [dragging, setDragging] = useState(false);
  // dragenter/dragleave fire for every child crossed; count them to know when the pointer left.
  const depth = useRef(0);

  return (
    <div
      className="runbooks-page"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current += 1;
        setDragging(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={() => {
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        const files = Array.from(e.dataTransfer.files);
        if (files.length) void importFiles(files);
      }}
    >
      <aside className="library" aria-label="Runbook library">
        <div className="library-head">
          <SearchBox />
        </div>
        <div className="library-toolbar">
          <LibraryCount />
          <div className="library-actions">
            <SourcesButton />
            <ImportButton />
          </div>
        </div>
        <ArchivedFilter />
        <ImportResultPanel />
        <div className="library-body">{query.trim() ? <RunbookSearchResults /> : <RunbookList />}</div>
      </aside>
      <div className={`runbook-pane${split ? ' runbook-pane-split' : ''}`} id="runbook-pane">
        {openId ? (
          <RunbookSplit id={openId} />
        ) : (
          <div className="runbook-scroll">
            <LibraryOverview />
          </div>
        )}
      </div>
      {sourcesOpen ? <SourcesDialog /> : null}
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-card">
            <FileUp size={32} strokeWidth={1.5} />
            <div className="drop-overlay-title">Drop to import runbooks</div>
            <div className="muted">Markdown or text files (.md, .markdown, .txt), up to 16 MB each</div>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function SearchBox() {
  const query = useAppStore((s) => s.runbookQuery);
  const setQuery = useAppStore((s) => s.setRunbookQuery);
  return (
    <div className="search-box">
      <Search size={14} className="search-box-icon" aria-hidden="true" />
      <input
        type="search"
        aria-label="Search runbooks"
        placeholder="Search steps, commands, alerts…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && query) {
            e.preventDefault();
            setQuery('');
          }
        }}
        spellCheck={false}
        autoComplete="off"
      />
      {query ? (
        <button type="button" className="icon-button search-box-clear" aria-label="Clear search" onClick={() => setQuery('')}>
          <X size={14} aria-hidden="true" />
        </button>
      ) : null}
    </div>
  );
}

function LibraryCount() {
  const count = useAppStore((s) => s.runbooks.length);
  return <span className="library-count">{count === 0 ? 'Library' : `Library · ${count}`}</span>;
}

function SourcesButton() {
  const open = useAppStore((s) => s.setSourcesOpen);
  const count = useAppStore((s) => s.sources.length);
  return (
    <button type="button" className="button button-small" onClick={() => open(true)} title="Folders and git repositories the library follows">
      <FolderGit2 size={15} aria-hidden="true" />
      Sources{count ? <span className="count">{count}</span> : null}
    </button>
  );
}

/** Shown once something is archived: runbooks whose file left their folder stay, greyed. */
function ArchivedFilter() {
  const archived = useAppStore((s) => s.runbooks.filter((r) => r.archived).length);
  const show = useAppStore((s) => s.showArchived);
  const setShow = useAppStore((s) => s.setShowArchived);
  if (archived === 0) return null;
  return (
    <label className="library-filter">
      <input type="checkbox" checked={show} onChange={(e) => setShow(e.target.checked)} />
      Show archived <span className="count">{archived}</span>
    </label>
  );
}

function ImportButton() {
  const importing = useAppStore((s) => s.importing);
  return (
    <button type="button" className="button button-small" onClick={openImportPicker} disabled={importing} aria-busy={importing}>
      {importing ? <LoaderCircle size={15} className="spin" aria-hidden="true" /> : <Upload size={15} aria-hidden="true" />}
      Import runbooks
    </button>
  );
}
