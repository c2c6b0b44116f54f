import { useEffect, useRef, useState } from 'react';
import { RefreshCw, Search, X } from 'lucide-react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { SerializeAddon } from '@xterm/addon-serialize';
import { WebglAddon } from '@xterm/addon-webgl';
import type { TerminalInfo } from '@shared/contract';
import { useAppStore, useAppStoreApi } from '../../store';
import { ColourDot, TierBadge } from '../environments/TierBadge';
import { kindIcons, kindLabels } from './targets';

let hardwareWebgl: boolean | null = null;

/**
 * WebGL draws faster than the DOM only on a GPU: a software rasteriser (SwiftShader, llvmpipe,
 * as in headless Chromium) is slower, so those keep xterm's DOM renderer. Probed once.
 */
function hasHardwareWebgl(): boolean {
  if (hardwareWebgl !== null) return hardwareWebgl;
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return (hardwareWebgl = false);
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return (hardwareWebgl = !/swiftshader|llvmpipe|softpipe|software/i.test(renderer));
}

/**
 * One terminal: its header (environment in its colour, tier, kind, where it runs, status) and its
 * xterm. A dropped SSH connection shows its notice in amber until it is back.
 */
export function TerminalPane(props: { terminal: TerminalInfo; label: string }) {
  const { terminal, label } = props;
  const environment = useAppStore((s) => s.environments.find((e) => e.id === terminal.environmentId) ?? null);
  const KindIcon = kindIcons[terminal.kind];
  return (
    <section className="terminal-pane" aria-label={`Terminal ${label}`}>
      <header className={`terminal-pane-header${environment?.tier === 'production' ? ' is-production' : ''}`} title={label}>
        {environment ? (
          <>
            <ColourDot colour={environment.color} />
            <span className="terminal-pane-env">{environment.name}</span>
            <TierBadge tier={environment.tier} />
          </>
        ) : (
          <span className="terminal-pane-env muted">No environment</span>
        )}
        <span className="badge terminal-pane-kind" title={`${kindLabels[terminal.kind]} terminal`}>
          <KindIcon size={11} aria-hidden="true" />
          {kindLabels[terminal.kind]}
        </span>
        {terminal.target ? (
          <span className="terminal-pane-target mono" title={terminal.target}>
            {terminal.target}
          </span>
        ) : null}
        <TerminalStatus terminal={terminal} />
      </header>
      {terminal.status === 'reconnecting' ? (
        <p className="terminal-pane-notice" role="status">
          <RefreshCw size={13} className="spin" aria-hidden="true" />
          {terminal.notice ?? 'The connection dropped; connecting again. The scrollback is kept.'}
        </p>
      ) : null}
      <XtermView id={terminal.id} />
    </section>
  );
}

function TerminalStatus({ terminal }: { terminal: TerminalInfo }) {
  if (terminal.status === 'running') return <span className="terminal-status terminal-status-running">running</span>;
  if (terminal.status === 'reconnecting') return <span className="badge terminal-status terminal-status-reconnecting">reconnecting</span>;
  const failed = terminal.exitCode !== null && terminal.exitCode !== 0;
  return (
    <span className={`badge terminal-status${failed ? ' terminal-status-failed' : ''}`}>
      exited{terminal.exitCode !== null ? ` (code ${terminal.exitCode})` : ''}
    </span>
  );
}

/**
 * The xterm itself. Output goes from the stream straight into xterm; React only mounts and
 * disposes it, and holds the search box's state.
 */
function XtermView(props: { id: string }) {
  const { id } = props;
  const store = useAppStoreApi();
  const hostRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const termRef = useRef<Terminal | null>(null);
  const [searching, setSearching] = useState(false);
  const focus = useAppStore((s) => (s.terminalFocus?.id === id ? s.terminalFocus.seq : null));

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const actions = store.getState();
    const term = new Terminal({
      allowProposedApi: true, // unicode11
      cursorBlink: true,
      fontFamily: 'ui-monospace, "JetBrains Mono", "DejaVu Sans Mono", monospace',
      fontSize: 13,
      scrollback: 10_000,
      theme: { background: '#0f1115', foreground: '#e6e6e6' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(new WebLinksAddon());
    term.loadAddon(new Unicode11Addon());
    term.loadAddon(new SerializeAddon());
    term.unicode.activeVersion = '11';
    term.open(host);
    if (hasHardwareWebgl()) {
      try {
        const webgl = new WebglAddon();
        webgl.onContextLoss(() => webgl.dispose());
        term.loadAddon(webgl);
      } catch {
        // The DOM renderer stays in place.
      }
    }
    termRef.current = term;
    searchRef.current = search;

    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      const key = event.key.toLowerCase();
      // Ctrl+Shift+K is the app's way out of a terminal (the palette); plain Ctrl+K is readline's.
      // Ctrl+Shift+J is the incident quick note: the app's too, never a newline to the shell.
      if (key === 'k' || key === 'j') return false;
      if (key === 'c') {
        const selection = term.getSelection();
        if (selection) void navigator.clipboard?.writeText(selection);
        return false;
      }
      if (key === 'v') {
        void navigator.clipboard?.readText().then((text) => term.paste(text));
        return false;
      }
      if (key === 'f') {
        setSearching(true);
        return false;
      }
      return true;
    });

    const input = term.onData((data) => actions.writeTerminal(id, data));
    // The shell learns the pane's size once mounted (it may have been opened in another pane) and
    // on every change after that.
    let sent = '';
    const sendSize = () => {
      if (`${term.cols}x${term.rows}` === sent) return;
      sent = `${term.cols}x${term.rows}`;
      actions.resizeTerminal(id, term.cols, term.rows);
    };
    const resized = term.onResize(sendSize);
    const refit = () => {
      if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
    };
    const observer = new ResizeObserver(refit);
    observer.observe(host);
    refit();
    sendSize();
    // The pane asked for (a new terminal, a chosen tab, a step's run) takes the keyboard; with
    // none asked for, the one mounted last does, as before.
    const wanted = store.getState().terminalFocus;
    if (wanted === null || wanted.id === id) term.focus();

    let disposed = false;
    let stream: { close(): void } | null = null;
    void actions
      .attachTerminal(id, {
        // Consumed once xterm has parsed it: the host is acknowledged then, so a slow screen
        // pauses the pty instead of queueing megabytes in xterm.
        write: (bytes) => new Promise<void>((resolve) => term.write(bytes, resolve)),
        end: (reason) => {
          if (!disposed && reason) term.write(`\r\n\x1b[2m[${reason}]\x1b[0m\r\n`);
        },
      })
      .then((handle) => {
        if (disposed) handle?.close();
        else stream = handle;
      });

    return () => {
      disposed = true;
      stream?.close();
      observer.disconnect();
      input.dispose();
      resized.dispose();
      term.dispose();
      termRef.current = null;
      searchRef.current = null;
    };
  }, [id, store]);

  useEffect(() => {
    if (focus !== null) termRef.current?.focus();
  }, [focus]);

  return (
    <div className="terminal-view">
      {searching && (
        <TerminalSearch
          onFind={(query, backwards) => {
            const search = searchRef.current;
            if (!search || !query) return;
            if (backwards) search.findPrevious(query);
            else search.findNext(query);
          }}
          onClose={() => {
            searchRef.current?.clearDecorations();
            setSearching(false);
            termRef.current?.focus();
          }}
        />
      )}
      <div className="terminal-xterm" ref={hostRef} />
    </div>
  );
}

function TerminalSearch(props: { onFind: (query: string, backwards: boolean) => void; onClose: () => void }) {
  const [query, setQuery] = useState('');
  return (
    <form
      className="terminal-search"
      role="search"
      aria-label="Search the terminal"
      onSubmit={(event) => {
        event.preventDefault();
        props.onFind(query, false);
      }}
    >
      <Search size={14} aria-hidden="true" />
      <input
        type="search"
        aria-label="Find in scrollback"
        autoFocus
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          props.onFind(event.target.value, false);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onClose();
          if (event.key === 'Enter' && event.shiftKey) {
            event.preventDefault();
            props.onFind(query, true);
          }
        }}
      />
      <button type="button" className="icon-button" aria-label="Close search" onClick={props.onClose}>
        <X size={14} aria-hidden="true" />
      </button>
    </form>
  );
}
