import type { ReactNode } from 'react';

/** Text with `[start, end)` ranges marked. Built from React text nodes: nothing is parsed as HTML. */
export function HighlightedText(props: { text: string; ranges: readonly (readonly [number, number])[] }) {
  const { text } = props;
  const ranges = [...props.ranges]
    .map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at) continue; // overlapping range: the earlier one already covers it
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
