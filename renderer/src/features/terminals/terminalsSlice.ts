import { ApiError, type HostKeyOffer, type TerminalInfo, type TerminalKind } from '@shared/contract';
import type { StreamHandle } from '@shared/rpc';
import type { SliceContext } from '../../store';

/** What to open: a kind and target of the current environment, in the left or right pane. */
export interface OpenRequest {
  kind?: TerminalKind;
  /** Default: the current environment. */
  environmentId?: string | null;
  targetId?: string | null;
  /** A label for the "connecting" line while the shell comes up ("SSH: web-1"). */
  label?: string;
  pane?: 'main' | 'split';
}

/** An SSH host's key seen for the first time, waiting for the operator to trust it or not. */
export interface HostKeyPrompt {
  offer: HostKeyOffer;
  /** The terminal to open once the key is trusted; null: only trust it (a step's run asks again). */
  request: OpenRequest | null;
}

/** Where a terminal's output goes: straight into its xterm, never into this store. */
export interface TerminalSink {
  /** A returned promise settles once the bytes are on screen; the host is acknowledged then. */
  write(bytes: Uint8Array): void | PromiseLike<void>;
  end(reason: string | null): void;
}

/**
 * Open terminals as the UI knows them (their metadata, which tab is shown, the split). Their
 * output is not here: `attachTerminal` hands the bytes of `terminal.output` to the pane's xterm.
 */
export interface TerminalsSlice {
  terminals: TerminalInfo[];
  terminalsLoaded: boolean;
  /** The terminal in the left (or only) pane. */
  activeTerminalId: string | null;
  /** The terminal in the right pane while split; null when not split. */
  splitTerminalId: string | null;
  /** The terminal the keyboard should be in; `seq` repeats a request for the same one. */
  terminalFocus: { id: string; seq: number } | null;
  /** What is being opened while an SSH shell comes up ("SSH: web-1"); null when nothing is. */
  openingTerminal: string | null;
  hostKeyPrompt: HostKeyPrompt | null;
  /** Asks the operator about a host key an SSH connection was refused over. */
  promptHostKey(prompt: HostKeyPrompt): void;
  loadTerminals(): Promise<void>;
  /**
   * A terminal locked to the current environment (a local shell unless `kind` says otherwise),
   * shown in `pane`. An unknown SSH host key opens `hostKeyPrompt` instead; null when not opened.
   */
  openTerminal(request?: OpenRequest): Promise<TerminalInfo | null>;
  /** Trusts the prompt's key for its environment, then opens the terminal it was for. */
  trustHostKey(): Promise<void>;
  dismissHostKey(): void;
  /** Shows a terminal (one just opened elsewhere, e.g. by a step run) on the Terminals page, focused. */
  showTerminal(terminal: TerminalInfo): void;
  closeTerminal(id: string): Promise<void>;
  selectTerminal(id: string): void;
  toggleSplit(): Promise<void>;
  /** Streams the terminal's scrollback then its live output to `sink`; null when the core refused. */
  attachTerminal(id: string, sink: TerminalSink): Promise<StreamHandle | null>;
  writeTerminal(id: string, data: string): void;
  resizeTerminal(id: string, cols: number, rows: number): void;
}

/**
 * What each terminal is called in its tab, pane and close button: its title, numbered when
 * several share one (two shells in one environment), so every accessible name is unique.
 */
export function terminalLabels(terminals: readonly TerminalInfo[]): Map<string, string> {
  const seen = new Map<string, number>();
  const labels = new Map<string, string>();
  for (const t of terminals) {
    const n = (seen.get(t.title) ?? 0) + 1;
    seen.set(t.title, n);
    labels.set(t.id, n === 1 ? t.title : `${t.title} (${n})`);
  }
  return labels;
}

/** What the "Connecting …" line says when the request did not name its target. */
const kindOpening: Record<TerminalKind, string> = {
  local: 'a local shell',
  ssh: 'an SSH terminal',
  kubectl: 'a Kubernetes terminal',
  wrangler: 'a Cloudflare terminal',
};

// The size a shell starts with, before its pane has been measured and resized.
const initialSize = { cols: 80, rows: 24 };

export function createTerminalsSlice({ set, get, api }: SliceContext): TerminalsSlice {
  let following = false;
  function follow() {
    if (following) return;
    following = true;
    api.on('terminals.changed', () => void get().loadTerminals());
  }

  /** Keeps the panes pointing at terminals that still exist. */
  function place(terminals: TerminalInfo[]) {
    const exists = (id: string | null) => id !== null && terminals.some((t) => t.id === id);
    const { activeTerminalId, splitTerminalId } = get();
    const active = exists(activeTerminalId) ? activeTerminalId : (terminals.find((t) => t.id !== splitTerminalId)?.id ?? null);
    const split = exists(splitTerminalId) && splitTerminalId !== active ? splitTerminalId : null;
    set({ terminals, terminalsLoaded: true, activeTerminalId: active, splitTerminalId: split });
  }

  return {
    terminals: [],
    terminalsLoaded: false,
    activeTerminalId: null,
    splitTerminalId: null,
    terminalFocus: null,
    openingTerminal: null,
    hostKeyPrompt: null,

    async loadTerminals() {
      follow();
      try {
        place(await api.call('terminals.list', {}));
      } catch (error) {
        set({ terminalsLoaded: true });
        get().reportError('Listing terminals', error);
      }
    },

    async openTerminal(request = {}) {
      const environmentId = request.environmentId === undefined ? get().currentEnvironmentId : request.environmentId;
      const kind = request.kind ?? 'local';
      if (kind !== 'local') set({ openingTerminal: request.label ?? kindOpening[kind] });
      try {
        const terminal = await api.call('terminals.open', { kind, environmentId, targetId: request.targetId ?? null, ...initialSize });
        set((s) => ({
          terminals: s.terminals.some((t) => t.id === terminal.id) ? s.terminals : [...s.terminals, terminal],
          ...(request.pane === 'split' ? { splitTerminalId: terminal.id } : { activeTerminalId: terminal.id }),
          terminalFocus: { id: terminal.id, seq: (s.terminalFocus?.seq ?? 0) + 1 },
        }));
        return terminal;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'host_key_unknown' && error.hostKey) {
          set({ hostKeyPrompt: { offer: error.hostKey, request: { ...request, kind, environmentId } } });
        } else {
          get().reportError(request.label ? `Opening ${request.label}` : 'Opening a terminal', error);
        }
        return null;
      } finally {
        set({ openingTerminal: null });
      }
    },

    async trustHostKey() {
      const prompt = get().hostKeyPrompt;
      if (!prompt) return;
      set({ hostKeyPrompt: null });
      try {
        await api.call('terminals.trustHostKey', prompt.offer);
      } catch (error) {
        get().reportError(`Trusting the host key of ${prompt.offer.host}`, error);
        return;
      }
      // The request carries the environment the key was trusted for, even if the operator
      // switched environments meanwhile.
      if (prompt.request) await get().openTerminal(prompt.request);
      else get().pushToast({ kind: 'success', message: `${prompt.offer.host} is trusted now. Run the step again to send it.` });
    },

    promptHostKey(prompt) {
      set({ hostKeyPrompt: prompt });
    },

    dismissHostKey() {
      set({ hostKeyPrompt: null });
    },

    showTerminal(terminal) {
      set((s) => {
        const terminals = s.terminals.some((t) => t.id === terminal.id) ? s.terminals : [...s.terminals, terminal];
        const shown = s.activeTerminalId === terminal.id || s.splitTerminalId === terminal.id;
        return {
          terminals,
          ...(shown ? {} : { activeTerminalId: terminal.id }),
          terminalFocus: { id: terminal.id, seq: (s.terminalFocus?.seq ?? 0) + 1 },
        };
      });
      get().navigate('terminals');
    },

    async closeTerminal(id) {
      try {
        await api.call('terminals.close', { id });
        place(get().terminals.filter((t) => t.id !== id));
      } catch (error) {
        get().reportError('Closing the terminal', error);
      }
    },

    selectTerminal(id) {
      const { activeTerminalId, splitTerminalId } = get();
      // Choosing the terminal already in the right pane swaps the two panes.
      const terminalFocus = { id, seq: (get().terminalFocus?.seq ?? 0) + 1 };
      if (id === splitTerminalId) set({ activeTerminalId: id, splitTerminalId: activeTerminalId, terminalFocus });
      else set({ activeTerminalId: id, terminalFocus });
    },

    async toggleSplit() {
      const { splitTerminalId, activeTerminalId, terminals } = get();
      if (splitTerminalId) return set({ splitTerminalId: null });
      const other = terminals.find((t) => t.id !== activeTerminalId);
      if (other) set({ splitTerminalId: other.id });
      else await get().openTerminal({ pane: activeTerminalId ? 'split' : 'main' });
    },

    async attachTerminal(id, sink) {
      try {
        return await api.openStream('terminal.output', { id }, (bytes) => sink.write(bytes), (reason) => sink.end(reason));
      } catch (error) {
        get().reportError('Showing the terminal', error);
        return null;
      }
    },

    writeTerminal(id, data) {
      api.call('terminals.write', { id, data }).catch((error: unknown) => get().reportError('Typing into the terminal', error));
    },

    resizeTerminal(id, cols, rows) {
      // A terminal that has just exited cannot be resized; that is not worth a toast.
      api.call('terminals.resize', { id, cols, rows }).catch(() => undefined);
    },
  };
}
