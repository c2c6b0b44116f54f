import type { ImportResult, LintFinding, RunbookDetail, RunbookSummary, SearchHit } from '@shared/contract';
import type { SliceContext } from '../../store';
import { downloadText } from '../../app/download';
import { errorMessage } from '../../app/toasts/errorMessage';
import { readRunbookFiles, type ReadFiles } from './readFiles';
import { createRunbookSearch } from './search';

/** Where to scroll when a runbook opens: a procedure, a step in it, or a source line. */
export interface RunbookTarget {
  procedureIndex: number | null;
  stepIndex: number | null;
  line: number | null;
  /** Changes on every request, so opening the same hit twice scrolls twice. */
  seq: number;
}

/** Lines of the open runbook's source to show highlighted beside its structure. */
export interface SourceSelection {
  line: number;
  endLine: number;
  /** Changes on every request, so showing the same lines twice scrolls twice. */
  seq: number;
}

/** A runbook's checks: the findings, or why they could not be read. */
export type LintState = { state: 'loading' } | { state: 'done'; findings: LintFinding[] } | { state: 'failed'; message: string };

export interface RunbooksSlice {
  runbooks: RunbookSummary[];
  runbooksLoaded: boolean;
  openRunbookId: string | null;
  runbookDetails: Record<string, RunbookDetail>;
  openRunbookError: string | null;
  runbookTarget: RunbookTarget | null;
  runbookQuery: string;
  runbookHits: SearchHit[];
  /** The query `runbookHits` answer; differs from `runbookQuery` while a search is on its way. */
  runbookHitsQuery: string;
  importing: boolean;
  lastImport: ImportResult | null;
  loadRunbooks(): Promise<void>;
  openRunbook(id: string, target?: Omit<RunbookTarget, 'seq'>): void;
  /** Reads a runbook in full (its procedures) without opening it, unless it is held already. */
  ensureRunbookDetail(id: string): void;
  closeRunbook(): void;
  setRunbookQuery(query: string): void;
  importRunbookFiles(files: readonly File[]): Promise<void>;
  /** Import files already read (the desktop menu reads them in the main process). */
  importRunbookTexts(read: ReadFiles): Promise<void>;
  dismissImportResult(): void;
  deleteRunbook(id: string): Promise<void>;
  runbooksChanged(ids: string[]): void;
  /** Whether the library lists runbooks whose file left their source. */
  showArchived: boolean;
  setShowArchived(show: boolean): void;
  /** The Markdown source beside the structure of the open runbook. */
  sourceVisible: boolean;
  sourceSelection: SourceSelection | null;
  setSourceVisible(visible: boolean): void;
  /** Open the source beside the structure and highlight these lines. */
  showSourceLines(line: number, endLine?: number): void;
  runbookLint: Record<string, LintState>;
  loadLint(id: string): Promise<void>;
  exportRunbook(id: string): Promise<void>;
  /** Rewrite the command starting on `line`; resolves to an error message for the editor, or null. */
  updateCommand(id: string, line: number, code: string): Promise<string | null>;
}

export function createRunbooksSlice({ set, get, api }: SliceContext): RunbooksSlice {
  let targetSeq = 0;
  let sourceSeq = 0;
  const search = createRunbookSearch(
    api,
    50,
    (query, hits) => set({ runbookHits: hits, runbookHitsQuery: query }),
    (error) => get().reportError('Searching runbooks', error),
  );

  async function fetchDetail(id: string): Promise<void> {
    try {
      const detail = await api.call('runbooks.get', { id });
      set((s) => ({ runbookDetails: { ...s.runbookDetails, [id]: detail } }));
    } catch (error) {
      if (get().openRunbookId === id) {
        set({ openRunbookError: error instanceof Error ? error.message : String(error) });
      }
      get().reportError('Opening the runbook', error);
    }
  }

  return {
    runbooks: [],
    runbooksLoaded: false,
    openRunbookId: null,
    runbookDetails: {},
    openRunbookError: null,
    runbookTarget: null,
    runbookQuery: '',
    runbookHits: [],
    runbookHitsQuery: '',
    importing: false,
    lastImport: null,
    showArchived: true,
    sourceVisible: false,
    sourceSelection: null,
    runbookLint: {},

    async loadRunbooks() {
      try {
        const runbooks = await api.call('runbooks.list', {});
        set({ runbooks, runbooksLoaded: true });
        const open = get().openRunbookId;
        if (open && !runbooks.some((r) => r.id === open)) set({ openRunbookId: null, runbookTarget: null });
      } catch (error) {
        set({ runbooksLoaded: true });
        get().reportError('Loading the runbook library', error);
      }
    },

    ensureRunbookDetail(id) {
      if (!get().runbookDetails[id]) void fetchDetail(id);
    },

    openRunbook(id, target) {
      set({
        section: 'runbooks',
        paletteOpen: false,
        openRunbookId: id,
        openRunbookError: null,
        runbookTarget: target ? { ...target, seq: ++targetSeq } : null,
        ...(get().openRunbookId === id ? {} : { sourceSelection: null }),
      });
      if (!get().runbookDetails[id]) void fetchDetail(id);
    },

    closeRunbook() {
      set({ openRunbookId: null, runbookTarget: null, openRunbookError: null });
    },

    setRunbookQuery(query) {
      set({ runbookQuery: query });
      search(query);
    },

    async importRunbookFiles(list) {
      if (list.length === 0) return;
      set({ importing: true, section: 'runbooks' });
      await get().importRunbookTexts(await readRunbookFiles(list));
    },

    async importRunbookTexts(read) {
      if (read.files.length === 0 && read.errors.length === 0) return;
      set({ importing: true, section: 'runbooks' });
      try {
        let result: ImportResult = { imported: [], errors: [] };
        if (read.files.length > 0) result = await api.call('runbooks.import', { files: read.files });
        result = { imported: result.imported, errors: [...read.errors, ...result.errors] };
        // The result panel above the library says what came in and lists every refused file
        // (role="alert"); a toast saying the same again would only be noise.
        set({ lastImport: result, section: 'runbooks' });
        if (result.imported.length > 0) {
          await get().loadRunbooks();
          const first = result.imported[0];
          if (first && !get().openRunbookId) get().openRunbook(first.id);
        }
      } catch (error) {
        get().reportError('Importing runbooks', error);
      } finally {
        set({ importing: false });
      }
    },

    dismissImportResult() {
      set({ lastImport: null });
    },

    async deleteRunbook(id) {
      const title = get().runbooks.find((r) => r.id === id)?.title ?? 'the runbook';
      try {
        await api.call('runbooks.delete', { id });
        if (get().openRunbookId === id) get().closeRunbook();
        get().pushToast({ kind: 'success', message: `Deleted “${title}”` });
        await get().loadRunbooks();
        if (get().runbookQuery) search(get().runbookQuery);
      } catch (error) {
        get().reportError(`Deleting “${title}”`, error);
      }
    },

    runbooksChanged(ids) {
      // A changed runbook may have new content: forget cached copies and fetch the open one again.
      // The open one stays on screen until its new copy arrives, so an edit does not blank the page.
      const open = get().openRunbookId;
      const details = { ...get().runbookDetails };
      const lint = { ...get().runbookLint };
      for (const id of ids) {
        if (id !== open) delete details[id];
        delete lint[id];
      }
      set({ runbookDetails: details, runbookLint: lint });
      void get()
        .loadRunbooks()
        .then(() => {
          const stillOpen = get().openRunbookId;
          if (stillOpen && ids.includes(stillOpen)) {
            void fetchDetail(stillOpen);
            void get().loadLint(stillOpen);
          }
          if (get().runbookQuery) search(get().runbookQuery);
        });
    },

    setShowArchived(show) {
      set({ showArchived: show });
    },

    setSourceVisible(visible) {
      set({ sourceVisible: visible });
    },

    showSourceLines(line, endLine) {
      set({ sourceVisible: true, sourceSelection: { line, endLine: Math.max(line, endLine ?? line), seq: ++sourceSeq } });
    },

    async loadLint(id) {
      set((s) => ({ runbookLint: { ...s.runbookLint, [id]: s.runbookLint[id] ?? { state: 'loading' } } }));
      try {
        const findings = await api.call('runbooks.lint', { id });
        set((s) => ({ runbookLint: { ...s.runbookLint, [id]: { state: 'done', findings } } }));
      } catch (error) {
        set((s) => ({ runbookLint: { ...s.runbookLint, [id]: { state: 'failed', message: errorMessage(error) } } }));
      }
    },

    async exportRunbook(id) {
      const title = get().runbooks.find((r) => r.id === id)?.title ?? 'the runbook';
      try {
        const { fileName, markdown } = await api.call('runbooks.export', { id });
        downloadText(fileName, markdown, 'text/markdown');
        get().pushToast({ kind: 'success', message: `Exported “${title}” as ${fileName}` });
      } catch (error) {
        get().reportError(`Exporting “${title}”`, error);
      }
    },

    async updateCommand(id, line, code) {
      try {
        const detail = await api.call('runbooks.updateCommand', { id, line, code });
        // The core also announces runbooks.changed; showing its answer now spares a round trip.
        set((s) => ({ runbookDetails: { ...s.runbookDetails, [id]: detail } }));
        void get().loadLint(id);
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },
  };
}
