import type { SearchHit } from '@shared/contract';
import type { SliceContext } from '../../store';
import { createRunbookSearch } from '../../features/runbooks/search';

export interface PaletteSlice {
  paletteQuery: string;
  /** Full-text hits for steps and commands, for the palette's current query. */
  paletteHits: SearchHit[];
  setPaletteQuery(query: string): void;
}

export function createPaletteSlice({ set, get, api }: SliceContext): PaletteSlice {
  const search = createRunbookSearch(
    api,
    12,
    (_query, hits) => set({ paletteHits: hits }),
    (error) => get().reportError('Searching runbooks', error),
  );
  return {
    paletteQuery: '',
    paletteHits: [],
    setPaletteQuery(query) {
      set({ paletteQuery: query });
      search(query);
    },
  };
}
