import type { Tier } from '@shared/contract';

export const tiers: readonly { value: Tier; label: string }[] = [
  { value: 'production', label: 'Production' },
  { value: 'staging', label: 'Staging' },
  { value: 'development', label: 'Development' },
  { value: 'other', label: 'Other' },
];

export const tierLabel = (tier: Tier) => tiers.find((t) => t.value === tier)?.label ?? tier;

/** Colours an environment can take in one click; any other #rrggbb is one picker away. */
export const presetColours: readonly { name: string; value: string }[] = [
  { name: 'Red', value: '#e5484d' },
  { name: 'Orange', value: '#f76b15' },
  { name: 'Amber', value: '#ffb224' },
  { name: 'Green', value: '#30a46c' },
  { name: 'Teal', value: '#12a594' },
  { name: 'Blue', value: '#3e63dd' },
  { name: 'Violet', value: '#8e4ec6' },
  { name: 'Pink', value: '#d6409f' },
  { name: 'Slate', value: '#8b8d98' },
];
