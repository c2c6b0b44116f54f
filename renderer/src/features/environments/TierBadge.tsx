import type { Tier } from '@shared/contract';
import { tierLabel } from './tiers';

export function TierBadge(props: { tier: Tier }) {
  return <span className={`badge tier-badge tier-${props.tier}`}>{tierLabel(props.tier)}</span>;
}

export function ColourDot(props: { colour: string; size?: number }) {
  const size = props.size ?? 10;
  return (
    <span
      className="colour-dot"
      aria-hidden="true"
      style={{ background: props.colour, width: size, height: size }}
    />
  );
}
