import type { SearchHit } from '@shared/contract';
import type { WatchfloorApi } from '@shared/rpc';

export const SEARCH_DEBOUNCE_MS = 80;

/**
 * Full-text search as the operator types: debounced, and only the answer to the latest query is
 * delivered (an earlier, slower answer never overwrites a newer one).
 */
export function createRunbookSearch(
  api: WatchfloorApi,
  limit: number,
  onResult: (query: string, hits: SearchHit[]) => void,
  onError: (error: unknown) => void,
): (query: string) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  return (raw) => {
    clearTimeout(timer);
    const query = raw.trim();
    const mine = ++latest;
    if (!query) {
      onResult('', []);
      return;
    }
    timer = setTimeout(() => {
      api.call('runbooks.search', { query, limit }).then(
        (hits) => mine === latest && onResult(query, hits),
        (error: unknown) => mine === latest && onError(error),
      );
    }, SEARCH_DEBOUNCE_MS);
  };
}
