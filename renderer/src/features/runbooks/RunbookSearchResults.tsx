import { ChevronRight } from 'lucide-react';
import type { SearchHit } from '@shared/contract';
import { useAppStore } from '../../store';
import { HighlightedText } from '../../app/ui/HighlightedText';

export function RunbookSearchResults() {
  const hits = useAppStore((s) => s.runbookHits);
  const hitsQuery = useAppStore((s) => s.runbookHitsQuery);
  const query = useAppStore((s) => s.runbookQuery).trim();
  const open = useAppStore((s) => s.openRunbook);
  const pending = hitsQuery !== query;
  return (
    <>
      <div className="list-caption" role="status" aria-live="polite">
        {pending ? 'Searching…' : hits.length ? `${hits.length} ${hits.length === 1 ? 'match' : 'matches'}` : `No matches for “${query}”`}
      </div>
      <ul className={`search-results${pending ? ' is-pending' : ''}`} aria-label="Search results">
        {hits.map((hit, i) => (
          <li key={`${hit.runbookId}-${hit.kind}-${hit.procedureIndex}-${hit.stepIndex}-${hit.line}-${i}`}>
            <button
              type="button"
              className="search-hit"
              onClick={() =>
                open(hit.runbookId, { procedureIndex: hit.procedureIndex, stepIndex: hit.stepIndex, line: hit.line })
              }
            >
              <HitTrail hit={hit} />
              <span className="search-hit-snippet">
                <HighlightedText text={hit.snippet} ranges={hit.highlights} />
              </span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Where a hit comes from: its kind, runbook › procedure, source line, then the step. */
function HitTrail({ hit }: { hit: SearchHit }) {
  const where = [hit.runbookTitle, hit.procedureTitle].filter((p): p is string => !!p);
  return (
    <>
      <span className="hit-trail">
        <span className={`badge hit-kind hit-kind-${hit.kind}`}>{hit.kind}</span>
        <span className="hit-where">
          {where.map((p, i) => (
            <span key={i}>
              {i > 0 ? <ChevronRight size={11} aria-hidden="true" className="hit-trail-sep" /> : null}
              {p}
            </span>
          ))}
        </span>
        {hit.line ? <span className="hit-line">line {hit.line}</span> : null}
      </span>
      {hit.stepTitle ? <span className="hit-step">{hit.stepTitle}</span> : null}
    </>
  );
}
