import { describe, expect, it } from 'vitest';
import { fuzzyMatch } from '../../renderer/src/app/palette/fuzzy';

describe('the palette fuzzy match', () => {
  it('finds a subsequence even where preferring word starts would skip past it', () => {
    // "p" at a word start comes later, in "(Production)"; the "p" of "Open" is the one that works.
    const match = fuzzyMatch('open ssh web', 'Open SSH: web-1 (Production)');
    expect(match).not.toBeNull();
    expect(match!.indices.slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it('still ranks word-start matches above scattered ones', () => {
    const words = fuzzyMatch('gt', 'Go to Terminals')!;
    const scattered = fuzzyMatch('gt', 'Wrangler settings')!;
    expect(words.score).toBeGreaterThan(scattered.score);
  });

  it('refuses text that does not hold the query in order', () => {
    expect(fuzzyMatch('ssh web', 'web ssh')).toBeNull();
  });
});
