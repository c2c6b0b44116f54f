import { useEffect, useState } from 'react';
import { Columns2, ListChecks, LoaderCircle, SquareTerminal, X } from 'lucide-react';
import '@xterm/xterm/css/xterm.css';
import './terminals.css';
import { useAppStore } from '../../store';
import { selectCurrentEnvironment } from '../../app/selectors';
import { EmptyState } from '../../app/ui/EmptyState';
import { readPreference, storageKeys, writePreference } from '../../app/storage';
import { StepRuns } from '../steps/StepRuns';
import { NewTerminalMenu } from './NewTerminalMenu';
import { TerminalPane } from './TerminalPane';
import { kindIcons } from './targets';
import { terminalLabels } from './terminalsSlice';

export function TerminalsPage() {
  const terminals = useAppStore((s) => s.terminals);
  const loaded = useAppStore((s) => s.terminalsLoaded);
  const activeId = useAppStore((s) => s.activeTerminalId);
  const splitId = useAppStore((s) => s.splitTerminalId);
  const opening = useAppStore((s) => s.openingTerminal);
  const loadTerminals = useAppStore((s) => s.loadTerminals);
  const loadTranscripts = useAppStore((s) => s.loadTranscripts);
  const closeTerminal = useAppStore((s) => s.closeTerminal);
  const selectTerminal = useAppStore((s) => s.selectTerminal);
  const toggleSplit = useAppStore((s) => s.toggleSplit);
  const runCount = useAppStore((s) => s.transcripts.length);
  const environment = useAppStore(selectCurrentEnvironment);
  // Until the operator chooses, the list shows once there is something in it.
  const [runsChoice, setRunsChoice] = useState(() => readPreference(storageKeys.stepRuns));
  const showRuns = runsChoice === null ? runCount > 0 : runsChoice === 'shown';

  useEffect(() => {
    void loadTerminals();
    void loadTranscripts();
  }, [loadTerminals, loadTranscripts]);

  const connecting = opening ? (
    <span className="terminals-opening" role="status">
      <LoaderCircle size={14} className="spin" aria-hidden="true" /> Connecting {opening}…
    </span>
  ) : null;

  if (loaded && terminals.length === 0) {
    return (
      <EmptyState
        icon={SquareTerminal}
        title="No terminals open"
        actions={
          <>
            <NewTerminalMenu />
            {connecting}
          </>
        }
      >
        <p>
          A new terminal is a local shell, or a shell on one of the targets of the environment you are working in
          {environment ? ` (${environment.name})` : ' (none is selected)'}, locked to that environment.
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
            const Icon = kindIcons[t.kind];
            return (
              <div key={t.id} className={`terminal-tab${shown ? ' is-shown' : ''}`}>
                <button
                  type="button"
                  role="tab"
                  className="terminal-tab-select"
                  aria-selected={t.id === activeId}
                  onClick={() => selectTerminal(t.id)}
                >
                  <Icon size={13} aria-hidden="true" />
                  {labels.get(t.id)}
                  {t.status === 'exited' ? <span className="muted"> (exited)</span> : null}
                  {t.status === 'reconnecting' ? <span className="terminal-tab-warning"> (reconnecting)</span> : null}
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
        {connecting}
        <button type="button" className="button" aria-pressed={splitId !== null} onClick={() => void toggleSplit()}>
          <Columns2 size={15} aria-hidden="true" /> Split
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={showRuns}
          onClick={() => {
            const choice = showRuns ? 'hidden' : 'shown';
            writePreference(storageKeys.stepRuns, choice);
            setRunsChoice(choice);
          }}
        >
          <ListChecks size={15} aria-hidden="true" /> Step runs{runCount ? <span className="count">{runCount}</span> : null}
        </button>
        <NewTerminalMenu />
      </div>
      <div className="terminals-body">
        <div className={`terminal-panes${panes.length > 1 ? ' is-split' : ''}`}>
          {panes.map((t) => (
            <TerminalPane key={t.id} terminal={t} label={labels.get(t.id) ?? t.title} />
          ))}
        </div>
        {showRuns ? <StepRuns /> : null}
      </div>
    </div>
  );
}
