import { useEffect } from 'react';
import { Columns2, Plus, SquareTerminal, X } from 'lucide-react';
import '@xterm/xterm/css/xterm.css';
import './terminals.css';
import { useAppStore } from '../../store';
import { selectCurrentEnvironment } from '../../app/selectors';
import { EmptyState } from '../../app/ui/EmptyState';
import { TerminalPane } from './TerminalPane';
import { terminalLabels } from './terminalsSlice';

export function TerminalsPage() {
  const terminals = useAppStore((s) => s.terminals);
  const loaded = useAppStore((s) => s.terminalsLoaded);
  const activeId = useAppStore((s) => s.activeTerminalId);
  const splitId = useAppStore((s) => s.splitTerminalId);
  const loadTerminals = useAppStore((s) => s.loadTerminals);
  const openTerminal = useAppStore((s) => s.openTerminal);
  const closeTerminal = useAppStore((s) => s.closeTerminal);
  const selectTerminal = useAppStore((s) => s.selectTerminal);
  const toggleSplit = useAppStore((s) => s.toggleSplit);
  const environment = useAppStore(selectCurrentEnvironment);

  useEffect(() => {
    void loadTerminals();
  }, [loadTerminals]);

  const newTerminal = (
    <button
      type="button"
      className="button button-primary"
      title={environment ? `A local shell locked to ${environment.name}` : 'A local shell in no environment'}
      onClick={() => void openTerminal()}
    >
      <Plus size={15} aria-hidden="true" /> New terminal
    </button>
  );

  if (loaded && terminals.length === 0) {
    return (
      <EmptyState icon={SquareTerminal} title="No terminals open" actions={newTerminal}>
        <p>
          A new terminal is a local shell locked to the environment you are working in
          {environment ? ` (${environment.name})` : ' (none is selected)'}.
        </p>
      </EmptyState>
    );
  }

  const labels = terminalLabels(terminals);
  const panes = [activeId, splitId].flatMap((id) => terminals.filter((t) => t.id === id));
  return (
    <div className="terminals-page">
      <div className="terminals-bar">
        <div className="terminal-tabs" role="tablist" aria-label="Open terminals">
          {terminals.map((t) => {
            const shown = t.id === activeId || t.id === splitId;
            return (
              <div key={t.id} className={`terminal-tab${shown ? ' is-shown' : ''}`}>
                <button
                  type="button"
                  role="tab"
                  className="terminal-tab-select"
                  aria-selected={t.id === activeId}
                  onClick={() => selectTerminal(t.id)}
                >
                  <SquareTerminal size={13} aria-hidden="true" />
                  {labels.get(t.id)}
                  {t.status === 'exited' ? <span className="muted"> (exited)</span> : null}
                </button>
                <button
                  type="button"
                  className="icon-button terminal-tab-close"
                  aria-label={`Close terminal ${labels.get(t.id)}`}
                  title="Close"
                  onClick={() => void closeTerminal(t.id)}
                >
                  <X size={13} aria-hidden="true" />
                </button>
              </div>
            );
          })}
        </div>
        <button type="button" className="button" aria-pressed={splitId !== null} onClick={() => void toggleSplit()}>
          <Columns2 size={15} aria-hidden="true" /> Split
        </button>
        {newTerminal}
      </div>
      <div className={`terminal-panes${panes.length > 1 ? ' is-split' : ''}`}>
        {panes.map((t) => (
          <TerminalPane key={t.id} terminal={t} label={labels.get(t.id) ?? t.title} />
        ))}
      </div>
    </div>
  );
}
