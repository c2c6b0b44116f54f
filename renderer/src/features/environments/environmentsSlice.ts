import type { CallOutput, Environment, EnvironmentInput } from '@shared/contract';
import type { SliceContext } from '../../store';
import { readPreference, storageKeys, writePreference } from '../../app/storage';
import { errorMessage, fieldIssues } from '../../app/toasts/errorMessage';

export type SaveResult =
  | { ok: true; environment: Environment }
  | { ok: false; message: string; fieldErrors: Record<string, string> };

/** What an import picker read: its candidates, or why there are none (shown in the picker). */
export type ReadResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface EnvironmentsSlice {
  environments: Environment[];
  environmentsLoaded: boolean;
  /** The environment the operator is working in; shown in the top bar, kept across restarts. */
  currentEnvironmentId: string | null;
  /** Which environment the Environments page is editing; `new` for the create form. */
  editingEnvironmentId: string | 'new' | null;
  /** Bumped on every edit request, so "New environment" while already creating starts afresh. */
  editingSeq: number;
  loadEnvironments(): Promise<void>;
  setCurrentEnvironment(id: string | null): void;
  editEnvironment(id: string | 'new' | null): void;
  /** Create (id null) or update; field errors come back for the form to show beside each field. */
  saveEnvironment(id: string | null, input: EnvironmentInput): Promise<SaveResult>;
  duplicateEnvironment(id: string): Promise<void>;
  /** Candidate hosts from `~/.ssh/config` (or `path`); nothing is saved. */
  readSshConfig(path?: string): Promise<ReadResult<CallOutput<'environments.importSshConfig'>>>;
  /** Candidate contexts from `$KUBECONFIG` / `~/.kube/config` (or `path`); nothing is saved. */
  readKubeconfig(path?: string): Promise<ReadResult<CallOutput<'environments.importKubeconfig'>>>;
  deleteEnvironment(id: string): Promise<void>;
}

export function createEnvironmentsSlice({ set, get, api }: SliceContext): EnvironmentsSlice {
  const nameOf = (id: string) => get().environments.find((e) => e.id === id)?.name ?? 'the environment';

  return {
    environments: [],
    environmentsLoaded: false,
    currentEnvironmentId: readPreference(storageKeys.environment),
    editingEnvironmentId: null,
    editingSeq: 0,

    async loadEnvironments() {
      try {
        const environments = await api.call('environments.list', {});
        set({ environments, environmentsLoaded: true });
        const { currentEnvironmentId, editingEnvironmentId } = get();
        const exists = (id: string | null) => id !== null && environments.some((e) => e.id === id);
        if (currentEnvironmentId && !exists(currentEnvironmentId)) get().setCurrentEnvironment(null);
        if (editingEnvironmentId && editingEnvironmentId !== 'new' && !exists(editingEnvironmentId)) {
          set({ editingEnvironmentId: null });
        }
      } catch (error) {
        set({ environmentsLoaded: true });
        get().reportError('Loading environments', error);
      }
    },

    setCurrentEnvironment(id) {
      writePreference(storageKeys.environment, id);
      set({ currentEnvironmentId: id, paletteOpen: false });
      api.call('preferences.update', { currentEnvironmentId: id }).catch((error: unknown) => get().reportError('Switching environment', error));
    },

    editEnvironment(id) {
      set((s) => ({ editingEnvironmentId: id, editingSeq: s.editingSeq + 1, section: 'environments', paletteOpen: false }));
    },

    async saveEnvironment(id, input) {
      const activity = id ? `Saving ${nameOf(id)}` : 'Creating the environment';
      try {
        const environment = id
          ? await api.call('environments.update', { id, patch: input })
          : await api.call('environments.create', input);
        await get().loadEnvironments();
        set({ editingEnvironmentId: environment.id });
        get().clearErrors(activity);
        get().pushToast({ kind: 'success', message: `Saved ${environment.name}` });
        return { ok: true, environment };
      } catch (error) {
        get().reportError(activity, error);
        return { ok: false, message: errorMessage(error), fieldErrors: fieldIssues(error) };
      }
    },

    async duplicateEnvironment(id) {
      try {
        const copy = await api.call('environments.duplicate', { id });
        await get().loadEnvironments();
        set({ editingEnvironmentId: copy.id });
        get().pushToast({ kind: 'success', message: `Created ${copy.name}` });
      } catch (error) {
        get().reportError(`Duplicating ${nameOf(id)}`, error);
      }
    },

    async readSshConfig(path) {
      try {
        return { ok: true, value: await api.call('environments.importSshConfig', path ? { path } : {}) };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },

    async readKubeconfig(path) {
      try {
        return { ok: true, value: await api.call('environments.importKubeconfig', path ? { path } : {}) };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },

    async deleteEnvironment(id) {
      const name = nameOf(id);
      try {
        await api.call('environments.delete', { id });
        if (get().editingEnvironmentId === id) set({ editingEnvironmentId: null });
        if (get().currentEnvironmentId === id) set({ currentEnvironmentId: null }); // the core forgets it too
        await get().loadEnvironments();
        get().pushToast({ kind: 'success', message: `Deleted ${name}` });
      } catch (error) {
        get().reportError(`Deleting ${name}`, error);
      }
    },
  };
}
