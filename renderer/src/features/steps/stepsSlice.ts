import { ApiError, type CallInput, type CallOutput, type Transcript } from '@shared/contract';
import type { Command } from '@shared/runbook';
import type { SliceContext } from '../../store';
import { errorMessage } from '../../app/toasts/errorMessage';

/** The command the Run dialog is open for. */
export interface RunStepRequest {
  runbookId: string;
  command: Command;
  /** The environment to start with (an incident's); else the current one. */
  environmentId?: string | null;
  /** Run from an incident's walkthrough: the command and its output are journaled against this step. */
  incident?: { id: string; stepKey: string } | null;
}

export type PrepareResult = { ok: true; prepared: CallOutput<'steps.prepare'> } | { ok: false; message: string };

/** What a run came to: the dialog closes on success and keeps its fields on a refusal. */
export type RunResult = { ok: true } | { ok: false; message: string; confirmationRequired: boolean };

/**
 * Running runbook steps into terminals: the Run dialog's request, and the transcripts of what was
 * sent (the "Step runs" list), kept current by `transcripts.changed`.
 */
export interface StepsSlice {
  runStepRequest: RunStepRequest | null;
  transcripts: Transcript[];
  transcriptsLoaded: boolean;
  openRunStep(request: RunStepRequest): void;
  closeRunStep(): void;
  /** The exact command for these values (secrets redacted), and what running it needs. */
  prepareStep(input: CallInput<'steps.prepare'>): Promise<PrepareResult>;
  /**
   * Sends the command; on success shows its terminal on the Terminals page, focused, except for a
   * run from an incident's walkthrough: the operator stays on the step, the journal gets the output.
   */
  runStep(input: CallInput<'steps.run'>): Promise<RunResult>;
  loadTranscripts(): Promise<void>;
}

// A transcript changes on every chunk of output while its command runs; one reload per burst.
const RELOAD_MS = 250;

export function createStepsSlice({ set, get, api }: SliceContext): StepsSlice {
  let following = false;
  let reload: ReturnType<typeof setTimeout> | null = null;
  function follow() {
    if (following) return;
    following = true;
    api.on('transcripts.changed', () => {
      reload ??= setTimeout(() => {
        reload = null;
        void get().loadTranscripts();
      }, RELOAD_MS);
    });
  }

  return {
    runStepRequest: null,
    transcripts: [],
    transcriptsLoaded: false,

    openRunStep(request) {
      set({ runStepRequest: request, paletteOpen: false });
    },

    closeRunStep() {
      set({ runStepRequest: null });
    },

    async prepareStep(input) {
      try {
        return { ok: true, prepared: await api.call('steps.prepare', input) };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },

    async runStep(input) {
      try {
        const { terminal } = await api.call('steps.run', input);
        set({ runStepRequest: null });
        if (input.incidentId) {
          set((s) => ({ terminals: s.terminals.some((t) => t.id === terminal.id) ? s.terminals : [...s.terminals, terminal] }));
          get().pushToast({ kind: 'success', title: `Sent to ${terminal.title}`, message: 'Its output goes to the incident’s journal; the terminal is on the Terminals page.' });
        } else get().showTerminal(terminal);
        void get().loadTranscripts();
        return { ok: true };
      } catch (error) {
        if (error instanceof ApiError && error.code === 'host_key_unknown' && error.hostKey) {
          get().promptHostKey({ offer: error.hostKey, request: null });
          return { ok: false, message: 'Nothing was sent: the SSH host’s key is new to Watchfloor. Check and trust it, then run again.', confirmationRequired: false };
        }
        const confirmationRequired = error instanceof ApiError && error.code === 'confirmation_required';
        return { ok: false, message: errorMessage(error), confirmationRequired };
      }
    },

    async loadTranscripts() {
      follow();
      try {
        set({ transcripts: await api.call('transcripts.list', {}), transcriptsLoaded: true });
      } catch (error) {
        set({ transcriptsLoaded: true });
        get().reportError('Listing step runs', error);
      }
    },
  };
}
