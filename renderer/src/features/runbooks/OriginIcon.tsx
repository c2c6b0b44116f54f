import { Folder, GitBranch, Package, Upload } from 'lucide-react';
import type { RunbookOrigin } from '@shared/contract';

export function OriginIcon({ origin, size = 13 }: { origin: RunbookOrigin; size?: number }) {
  const Icon = origin === 'folder' ? Folder : origin === 'git' ? GitBranch : origin === 'bundled' ? Package : Upload;
  return <Icon size={size} aria-hidden="true" />;
}
