import { useAppStore } from '../../store';
import { selectCurrentEnvironment } from '../../app/selectors';
import { ColourDot } from './TierBadge';
import { tierLabel } from './tiers';

/** The environment the operator is working in, in the top bar of every page. */
export function EnvironmentSelect() {
  const environments = useAppStore((s) => s.environments);
  const current = useAppStore(selectCurrentEnvironment);
  const setCurrent = useAppStore((s) => s.setCurrentEnvironment);
  const production = current?.tier === 'production';
  return (
    <div className={`env-select${production ? ' env-select-production' : ''}`}>
      <ColourDot colour={current?.color ?? 'transparent'} />
      <select
        aria-label="Current environment"
        value={current?.id ?? ''}
        onChange={(e) => setCurrent(e.target.value || null)}
      >
        <option value="">No environment</option>
        {environments.map((env) => (
          <option key={env.id} value={env.id}>
            {env.name} · {tierLabel(env.tier)}
          </option>
        ))}
      </select>
    </div>
  );
}
