import { Layers, Plus } from 'lucide-react';
import { useAppStore } from '../../store';
import { EmptyState } from '../../app/ui/EmptyState';
import { EnvironmentForm } from './EnvironmentForm';
import { SecretsPanel } from '../secrets/SecretsPanel';
import { ColourDot, TierBadge } from './TierBadge';

export function EnvironmentsPage() {
  const editing = useAppStore((s) => s.editingEnvironmentId);
  const edit = useAppStore((s) => s.editEnvironment);
  const seq = useAppStore((s) => s.editingSeq);
  const editingEnvironment = useAppStore((s) =>
    s.editingEnvironmentId && s.editingEnvironmentId !== 'new'
      ? (s.environments.find((e) => e.id === s.editingEnvironmentId) ?? null)
      : null,
  );
  return (
    <div className="environments-page">
      <aside className="env-list-pane" aria-label="Environment list">
        <div className="library-head">
          <button type="button" className="button button-primary" onClick={() => edit('new')}>
            <Plus size={15} aria-hidden="true" /> New environment
          </button>
        </div>
        <EnvironmentList />
      </aside>
      <div className="env-editor-pane">
        {editing === 'new' ? (
          <EnvironmentForm key={`new-${seq}`} environment={null} />
        ) : editingEnvironment ? (
          <><EnvironmentForm key={`${editingEnvironment.id}-${editingEnvironment.updatedAt}`} environment={editingEnvironment} /><SecretsPanel key={editingEnvironment.id} environment={editingEnvironment} /></>
        ) : (
          <EmptyState icon={Layers} title="Environments">
            <p>
              An environment is a place you operate in — production, staging, a customer’s cluster. Give each a tier
              and a colour so you always know where you are: while a production environment is current, a red banner
              stays across the top of every page.
            </p>
            <p className="muted">Pick one on the left to edit it, or create a new one.</p>
          </EmptyState>
        )}
      </div>
    </div>
  );
}

function EnvironmentList() {
  const environments = useAppStore((s) => s.environments);
  const loaded = useAppStore((s) => s.environmentsLoaded);
  const editing = useAppStore((s) => s.editingEnvironmentId);
  const currentId = useAppStore((s) => s.currentEnvironmentId);
  const edit = useAppStore((s) => s.editEnvironment);
  if (!loaded) return <p className="list-note">Loading environments…</p>;
  if (environments.length === 0) {
    return <p className="list-note">No environments yet. Create one for each place you operate in.</p>;
  }
  return (
    <ul className="env-list" aria-label="Environments">
      {environments.map((env) => (
        <li key={env.id}>
          <button
            type="button"
            className="env-list-item"
            aria-current={env.id === editing ? 'true' : undefined}
            onClick={() => edit(env.id)}
          >
            <span className="env-list-top">
              <ColourDot colour={env.color} />
              <span className="env-list-name">{env.name}</span>
              <TierBadge tier={env.tier} />
              {env.id === currentId ? <span className="badge badge-current">Current</span> : null}
            </span>
            {env.description ? <span className="env-list-description">{env.description}</span> : null}
          </button>
        </li>
      ))}
    </ul>
  );
}
