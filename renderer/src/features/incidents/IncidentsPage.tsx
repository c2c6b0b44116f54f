import { BookOpenText, Siren } from 'lucide-react';
import { useAppStore } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';

export function IncidentsPage() {
  const navigate = useAppStore((s) => s.navigate);
  return (
    <EmptyState
      icon={Siren}
      title="No incidents yet"
      actions={
        <button type="button" className="button button-primary" onClick={() => navigate('runbooks')}>
          <BookOpenText size={15} aria-hidden="true" /> Go to the runbook library
        </button>
      }
    >
      <p>
        Incidents are coming: declare one, follow its runbook step by step with timers, and keep a journal that is
        written to disk as you go, ready for the post-incident report.
      </p>
      <p>
        <strong>For now:</strong> import your runbooks and check they read correctly, so they are ready when the
        pager goes off.
      </p>
    </EmptyState>
  );
}
