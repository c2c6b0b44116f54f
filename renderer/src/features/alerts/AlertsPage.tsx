import { Bell, BookOpenText } from 'lucide-react';
import { useAppStore } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';

export function AlertsPage() {
  const navigate = useAppStore((s) => s.navigate);
  return (
    <EmptyState
      icon={Bell}
      title="No alert feeds connected"
      actions={
        <button type="button" className="button button-primary" onClick={() => navigate('runbooks')}>
          <BookOpenText size={15} aria-hidden="true" /> Go to the runbook library
        </button>
      }
    >
      <p>
        Alert feeds from Alertmanager, Prometheus, health checks and status pages will appear here, each linked to
        the runbook that answers it.
      </p>
      <p>
        <strong>For now:</strong> import your runbooks so alerts can link to them. Alert rules written in a runbook
        (like an “Alert thresholds” table) are already shown on its page.
      </p>
    </EmptyState>
  );
}
