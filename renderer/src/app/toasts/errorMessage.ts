import { ApiError } from '@shared/contract';

/** The operator-facing message of anything a call rejected with. Core errors are already written
 * for operators; anything else gets its own message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Field errors from a validation failure, keyed by field path (`name`, `variables.0.key`).
 * `environments.update` reports them under `patch.`; the form does not care which call it was. */
export function fieldIssues(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !error.issues) return out;
  for (const issue of error.issues) {
    const path = issue.path.replace(/^patch\./, '');
    out[path] ??= issue.message;
  }
  return out;
}
