import type { CallInput, RunbookSource } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage, fieldIssues } from '../../app/toasts/errorMessage';

/** What adding a source came to: the source, or what to show beside the form. */
export type AddSourceResult = { ok: true; source: RunbookSource } | { ok: false; message: string; fieldErrors: Record<string, string> };

export interface SourcesSlice {
  sources: RunbookSource[];
  sourcesLoaded: boolean;
  /** Sources with a sync on its way. */
  syncingSourceIds: string[];
  sourcesOpen: boolean;
  setSourcesOpen(open: boolean): void;
  /** `quiet`: at start-up, a core without sources yet is not worth a toast. */
  loadSources(quiet?: boolean): Promise<void>;
  addFolderSource(path: string): Promise<AddSourceResult>;
  addGitSource(input: CallInput<'sources.addGit'>): Promise<AddSourceResult>;
  syncSource(id: string): Promise<void>;
  removeSource(id: string): Promise<void>;
}

export function createSourcesSlice({ set, get, api }: SliceContext): SourcesSlice {
  const describe = (id: string) => get().sources.find((s) => s.id === id)?.location ?? 'the source';

  async function added(call: Promise<RunbookSource>): Promise<AddSourceResult> {
    try {
      const source = await call;
      await Promise.all([get().loadSources(), get().loadRunbooks()]);
      return { ok: true, source };
    } catch (error) {
      return { ok: false, message: errorMessage(error), fieldErrors: fieldIssues(error) };
    }
  }

  return {
    sources: [],
    sourcesLoaded: false,
    syncingSourceIds: [],
    sourcesOpen: false,

    setSourcesOpen(open) {
      set({ sourcesOpen: open });
      if (open) void get().loadSources();
    },

    async loadSources(quiet = false) {
      try {
        const sources = await api.call('sources.list', {});
        set({ sources, sourcesLoaded: true });
      } catch (error) {
        set({ sourcesLoaded: true });
        if (!quiet) get().reportError('Loading the runbook sources', error);
      }
    },

    addFolderSource(path) {
      return added(api.call('sources.addFolder', { path }));
    },

    addGitSource(input) {
      return added(api.call('sources.addGit', input));
    },

    async syncSource(id) {
      set((s) => ({ syncingSourceIds: [...s.syncingSourceIds, id] }));
      try {
        await api.call('sources.sync', { id });
        await Promise.all([get().loadSources(), get().loadRunbooks()]);
      } catch (error) {
        get().reportError(`Syncing ${describe(id)}`, error);
      } finally {
        set((s) => ({ syncingSourceIds: s.syncingSourceIds.filter((x) => x !== id) }));
      }
    },

    async removeSource(id) {
      const location = describe(id);
      try {
        await api.call('sources.remove', { id });
        get().pushToast({ kind: 'success', message: `Removed the source ${location}` });
        await Promise.all([get().loadSources(), get().loadRunbooks()]);
      } catch (error) {
        get().reportError(`Removing ${location}`, error);
      }
    },
  };
}
