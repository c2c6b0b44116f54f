import { Bell, BookOpenText, Layers, Siren, SquareTerminal, type LucideIcon } from 'lucide-react';

export type SectionId = 'incidents' | 'runbooks' | 'alerts' | 'terminals' | 'environments';

export interface Section {
  id: SectionId;
  label: string;
  icon: LucideIcon;
  /** The digit of its Ctrl/Cmd shortcut. */
  key: string;
}

/** The navigation rail, in order; Ctrl/Cmd+1..5 follow this order. */
export const sections: readonly Section[] = [
  { id: 'incidents', label: 'Incidents', icon: Siren, key: '1' },
  { id: 'runbooks', label: 'Runbooks', icon: BookOpenText, key: '2' },
  { id: 'alerts', label: 'Alerts', icon: Bell, key: '3' },
  { id: 'terminals', label: 'Terminals', icon: SquareTerminal, key: '4' },
  { id: 'environments', label: 'Environments', icon: Layers, key: '5' },
];

export const isSectionId = (value: string | null): value is SectionId =>
  sections.some((s) => s.id === value);
