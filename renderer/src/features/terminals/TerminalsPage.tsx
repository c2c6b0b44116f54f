import { Layers, SquareTerminal } from 'lucide-react';
import { useAppStore } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';

export function TerminalsPage() {
  const navigate = useAppStore((s) => s.navigate);
  return (
    <EmptyState
      icon={SquareTerminal}
      title="No terminals yet"
      actions={
        <button type="button" className="button button-primary" onClick={() => navigate('environments')}>
          <Layers size={15} aria-hidden="true" /> Set up environments
        </button>
      }
    >
      <p>
        Local and SSH terminals are coming, opened in the environment you are working in, so a runbook command can
        be sent to the right shell with its placeholders filled in.
      </p>
      <p>
        <strong>For now:</strong> describe your environments (production, staging…) and their variables, and copy
        commands from the runbook pages.
      </p>
    </EmptyState>
  );
}
