import { Prose } from '../runbooks/Prose';
import { withoutFences } from './format';

/**
 * A walkthrough step's Markdown, shown safely: fenced code is left out (the step's commands are
 * shown beside it, each with its Run button), the rest goes through the runbook page's Prose,
 * which renders text as React text and never parses HTML (bold markers are dropped, `code` stays as written).
 */
export function StepText({ text, title }: { text: string; title?: string }) {
  let prose = withoutFences(text).trim();
  // A step's text often starts with its own title, which the card already shows.
  const norm = (s: string) => s.replace(/[\s:.]+$/, '').trim().toLowerCase();
  if (title && norm(prose.split('\n')[0] ?? '') === norm(title)) prose = prose.split('\n').slice(1).join('\n');
  if (!prose.trim()) return null;
  return <Prose text={prose} className="walk-text" />;
}
