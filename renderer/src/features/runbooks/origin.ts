import type { RunbookSource, RunbookSummary } from '@shared/contract';

/** Where a runbook came from, in the operator's words: `Folder /srv/runbooks`, `Git https://…`. */
export function originLabel(summary: RunbookSummary, source: RunbookSource | undefined): { kind: string; location: string | null } {
  switch (summary.origin) {
    case 'upload':
      return { kind: 'Imported file', location: null };
    case 'bundled':
      return { kind: 'Bundled', location: null };
    case 'folder':
      return { kind: 'Folder', location: source?.location ?? parentFolder(summary.sourcePath) };
    case 'git':
      return { kind: 'Git', location: source ? `${source.location}${source.branch ? ` (${source.branch})` : ''}` : null };
  }
  // A core older than the contract sends no origin.
  return { kind: summary.bundled ? 'Bundled' : 'Imported file', location: null };
}

/** Why Watchfloor will not rewrite this runbook's source; null when it may. */
export function readOnlyReason(summary: RunbookSummary): string | null {
  if (summary.archived) return 'Archived: its file was removed from the folder; kept read-only.';
  if (summary.editable) return null;
  switch (summary.origin) {
    case 'bundled':
      return 'Read-only: it ships with Watchfloor. Export it and import the copy to change it.';
    case 'git':
      return 'Read-only: it comes from a git repository. Change it there, then sync the source.';
    default:
      return 'Read-only: Watchfloor cannot rewrite its source file.';
  }
}

function parentFolder(path: string): string | null {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i > 0 ? path.slice(0, i) : null;
}
