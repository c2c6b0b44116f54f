import type { SecretSummary, VaultStatus } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage, fieldIssues } from '../../app/toasts/errorMessage';

/** What a vault form shows when the core said no: a message, and errors beside their fields. */
export type VaultResult = { ok: true } | { ok: false; message: string; fieldErrors: Record<string, string> };

/**
 * The secrets vault as the UI knows it: its state and each environment's secret names. A value is
 * never kept here: `revealSecret` hands it to the component that asked, which holds it in its own
 * state only while it is shown.
 */
export interface SecretsSlice {
  vault: VaultStatus | null;
  /** Secret names (and times) per environment id, loaded when that environment is opened. */
  secretNames: Record<string, SecretSummary[]>;
  loadVault(): Promise<void>;
  loadSecrets(environmentId: string): Promise<void>;
  createVault(passphrase: string): Promise<VaultResult>;
  unlockVault(passphrase: string): Promise<VaultResult>;
  lockVault(): Promise<void>;
  saveSecret(environmentId: string, name: string, value: string): Promise<VaultResult>;
  deleteSecret(environmentId: string, name: string): Promise<void>;
  /** The value, for the component that shows it; null when the core refused (reported). */
  revealSecret(environmentId: string, name: string): Promise<string | null>;
}

export function createSecretsSlice({ set, get, api }: SliceContext): SecretsSlice {
  let following = false;
  // Another window (or the other host) may unlock, lock or change secrets: follow the core.
  function follow() {
    if (following) return;
    following = true;
    api.on('secrets.changed', ({ environmentIds, status }) => {
      set({ vault: status });
      for (const id of environmentIds) if (get().secretNames[id]) void get().loadSecrets(id);
    });
  }

  async function attempt(activity: string, run: () => Promise<unknown>): Promise<VaultResult> {
    try {
      await run();
      get().clearErrors(activity);
      return { ok: true };
    } catch (error) {
      const fieldErrors = fieldIssues(error);
      // Errors about a field show beside it; anything else also goes to a toast.
      if (Object.keys(fieldErrors).length === 0) get().reportError(activity, error);
      return { ok: false, message: errorMessage(error), fieldErrors };
    }
  }

  return {
    vault: null,
    secretNames: {},

    async loadVault() {
      follow();
      try {
        set({ vault: await api.call('secrets.status', {}) });
      } catch (error) {
        get().reportError('Reading the secrets vault', error);
      }
    },

    async loadSecrets(environmentId) {
      follow();
      try {
        const names = await api.call('secrets.list', { environmentId });
        set((s) => ({ secretNames: { ...s.secretNames, [environmentId]: names } }));
      } catch (error) {
        get().reportError('Listing secrets', error);
      }
    },

    createVault(passphrase) {
      return attempt('Creating the vault', async () => set({ vault: await api.call('secrets.setup', { passphrase }) }));
    },

    unlockVault(passphrase) {
      return attempt('Unlocking the vault', async () => set({ vault: await api.call('secrets.unlock', { passphrase }) }));
    },

    async lockVault() {
      await attempt('Locking the vault', async () => set({ vault: await api.call('secrets.lock', {}) }));
    },

    async saveSecret(environmentId, name, value) {
      const result = await attempt(`Saving the secret ${name}`, () => api.call('secrets.set', { environmentId, name, value }));
      if (result.ok) {
        await get().loadSecrets(environmentId);
        get().pushToast({ kind: 'success', message: `Saved the secret ${name}` });
      }
      return result;
    },

    async deleteSecret(environmentId, name) {
      const result = await attempt(`Deleting the secret ${name}`, () => api.call('secrets.delete', { environmentId, name }));
      if (result.ok) {
        await get().loadSecrets(environmentId);
        get().pushToast({ kind: 'success', message: `Deleted the secret ${name}` });
      }
    },

    async revealSecret(environmentId, name) {
      try {
        return (await api.call('secrets.reveal', { environmentId, name })).value;
      } catch (error) {
        get().reportError(`Revealing the secret ${name}`, error);
        return null;
      }
    },
  };
}
