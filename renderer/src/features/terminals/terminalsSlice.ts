import type { TerminalInfo } from '@shared/contract';
import type { StreamHandle } from '@shared/rpc';
import type { SliceContext } from '../../store';

/** Where a terminal's output goes: straight into its xterm, never into this store. */
export interface TerminalSink {
  write(bytes: Uint8Array): void;
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
  loadTerminals(): Promise<void>;
  /** A local shell locked to the current environment (or none); shown in `pane`. */
  openTerminal(pane?: 'main' | 'split'): Promise<void>;
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

    async loadTerminals() {
      follow();
      try {
        place(await api.call('terminals.list', {}));
      } catch (error) {
        set({ terminalsLoaded: true });
        get().reportError('Listing terminals', error);
      }
    },

    async openTerminal(pane = 'main') {
      try {
        const terminal = await api.call('terminals.open', {
          kind: 'local',
          environmentId: get().currentEnvironmentId,
          ...initialSize,
        });
        set((s) => ({
          terminals: s.terminals.some((t) => t.id === terminal.id) ? s.terminals : [...s.terminals, terminal],
          ...(pane === 'split' ? { splitTerminalId: terminal.id } : { activeTerminalId: terminal.id }),
        }));
      } catch (error) {
        get().reportError('Opening a terminal', error);
      }
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
      if (id === splitTerminalId) set({ activeTerminalId: id, splitTerminalId: activeTerminalId });
      else set({ activeTerminalId: id });
    },

    async toggleSplit() {
      const { splitTerminalId, activeTerminalId, terminals } = get();
      if (splitTerminalId) return set({ splitTerminalId: null });
      const other = terminals.find((t) => t.id !== activeTerminalId);
      if (other) set({ splitTerminalId: other.id });
      else await get().openTerminal(activeTerminalId ? 'split' : 'main');
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
