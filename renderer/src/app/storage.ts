/** Small preferences kept on this machine. Storage may be unavailable; the app then just forgets. */
export const storageKeys = {
  theme: 'watchfloor.theme',
  environment: 'watchfloor.environment',
  /** Whether the Terminals page shows its "Step runs" list. */
  stepRuns: 'watchfloor.terminals.stepRuns',
} as const;

export function readPreference(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writePreference(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Not persisted; the in-memory state still applies for this session.
  }
}
