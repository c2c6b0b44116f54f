import { createContext, useContext } from 'react';

/** What a command or step deep in the page needs to know about the runbook it belongs to. */
export interface RunbookContextValue {
  runbookId: string;
  /** Whether Watchfloor may rewrite the runbook's source (see RunbookSummary.editable). */
  editable: boolean;
}

export const RunbookContext = createContext<RunbookContextValue | null>(null);

export function useRunbookContext(): RunbookContextValue | null {
  return useContext(RunbookContext);
}

/** Clicks on controls inside a step or command are theirs, not a request to show its source. */
export function isControlClick(target: EventTarget): boolean {
  return target instanceof Element && target.closest('button, a, input, textarea, select, summary, label') !== null;
}

/** A click that ends a text selection is not a request to show the source either. */
export function selectingText(): boolean {
  const selection = window.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString().length > 0;
}

export const linesLabel = (line: number, endLine: number) => (endLine > line ? `lines ${line}–${endLine}` : `line ${line}`);
