import type { RedactionSummary } from '@shared/contract';

/** "bearer token" → "bearer tokens", "password in URL" → "passwords in URL". */
export function pluralKind(kind: string, count: number): string {
  if (count === 1) return kind;
  const m = /^(\S+)( (?:in|from|of) .*)$/.exec(kind);
  if (m) return `${plural(m[1]!)}${m[2]!}`;
  const words = kind.split(' ');
  words[words.length - 1] = plural(words[words.length - 1]!);
  return words.join(' ');
}

function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|sh|ch)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** "12 values redacted: 3 vault secrets, 2 bearer tokens…", largest first; "Nothing to redact" at 0. */
export function describeRedactions(summary: RedactionSummary): string {
  if (summary.total === 0) return 'Nothing to redact';
  const kinds = Object.entries(summary.byKind)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${n} ${pluralKind(kind, n)}`);
  const head = `${summary.total} value${summary.total === 1 ? '' : 's'} redacted`;
  return kinds.length ? `${head}: ${kinds.join(', ')}` : head;
}
