import { Siren } from 'lucide-react';
import { useAppStore } from '../store';
import { selectCurrentEnvironment } from './selectors';

/** Across the top of every page while the current environment is production. */
export function ProductionBanner() {
  const environment = useAppStore(selectCurrentEnvironment);
  if (environment?.tier !== 'production') return null;
  return (
    <div className="production-banner" role="note" aria-label="Production environment">
      <Siren size={14} aria-hidden="true" />
      <span>PRODUCTION — {environment.name}</span>
    </div>
  );
}
