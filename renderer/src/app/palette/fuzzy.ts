/**
 * Fuzzy matching for the command palette: the query's characters must appear in order; matches at
 * word starts and runs of consecutive characters rank higher, and so does a plain substring.
 */
export interface FuzzyMatch {
  score: number;
  /** Indices in the text of the matched characters, for highlighting. */
  indices: number[];
}

const isWordStart = (text: string, i: number) => i === 0 || /[\s\-_/.:›(]/.test(text[i - 1] ?? '');

export function fuzzyMatch(query: string, text: string): FuzzyMatch | null {
  const q = query.toLowerCase().replace(/\s+/g, ' ').trim();
  if (!q) return { score: 0, indices: [] };
  const t = text.toLowerCase();

  const at = t.indexOf(q);
  if (at >= 0) {
    const indices = Array.from({ length: q.length }, (_, k) => at + k);
    return { score: 100 + (isWordStart(t, at) ? 40 : 0) + (at === 0 ? 20 : 0) - text.length * 0.05, indices };
  }

  // Jumping ahead to word starts ranks better but can skip past what a later character needs
  // ("open ssh" would take the p of "(production)"); the plain first-occurrence scan finds any
  // subsequence there is.
  return scan(q, t, true) ?? scan(q, t, false);
}

function scan(q: string, t: string, preferWordStarts: boolean): FuzzyMatch | null {
  const indices: number[] = [];
  let score = 0;
  let from = 0;
  for (const ch of q) {
    if (ch === ' ') continue;
    // Prefer the next occurrence that starts a word; fall back to the next occurrence at all.
    let found = -1;
    for (let i = from; i < t.length; i++) {
      if (t[i] !== ch) continue;
      if (found < 0) found = i;
      if (!preferWordStarts) break;
      if (isWordStart(t, i)) {
        found = i;
        break;
      }
    }
    if (found < 0) return null;
    const previous = indices[indices.length - 1];
    score += 1;
    if (isWordStart(t, found)) score += 8;
    if (previous !== undefined && found === previous + 1) score += 5;
    if (previous !== undefined) score -= Math.min(3, (found - previous - 1) * 0.2);
    indices.push(found);
    from = found + 1;
  }
  return { score: score - t.length * 0.05, indices };
}

/** Contiguous `[start, end)` ranges from matched indices, for <HighlightedText>. */
export function indicesToRanges(indices: readonly number[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const i of indices) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else ranges.push([i, i + 1]);
  }
  return ranges;
}
