/**
 * The HTML report: one self-contained file that loads nothing and runs nothing, safe to open from
 * a mail attachment. markdown-it renders with raw HTML off (a `<script>` in a note shows as text),
 * links only to http(s) and mailto, and images never: an image becomes its alt text and its URL as
 * text, so opening the report never fetches anything. A Content-Security-Policy meta says the same
 * to the browser, and the inline stylesheet prints well.
 */
import MarkdownIt from 'markdown-it';

/** The report's CSP: no scripts, no remote anything; inline styles and data: images only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

function renderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  // markdown-it's own check refuses javascript:, vbscript:, file: and most data:; ours allows only these.
  const validate = md.validateLink.bind(md);
  md.validateLink = (url: string) => validate(url) && SAFE_LINK.test(url.trim());
  md.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const alt = md.utils.escapeHtml(token.content || 'image');
    const src = md.utils.escapeHtml(token.attrGet('src') ?? '');
    return `<span class="image-ref">[image: ${alt}]${src ? ` (<code>${src}</code>)` : ''}</span>`;
  };
  const link = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('rel', 'noopener noreferrer');
    return link(tokens, idx, options, env, self);
  };
  return md;
}

const md = renderer();

const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h2 { font-size: 1.25rem; margin-top: 1.8rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; }
code, pre { font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; padding: .6rem .8rem; white-space: pre-wrap; word-break: break-word; }
ul { padding-left: 1.4rem; }
li { margin: .15rem 0; }
a { color: #0969da; }
.image-ref { color: #57606a; }
footer { margin-top: 2rem; color: #57606a; font-size: 12px; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  pre, li { break-inside: avoid; }
  a { color: inherit; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; }
}
`;

/** Markdown (a rendered report) as one self-contained HTML page. */
export function renderReportHtml(markdown: string, title: string): string {
  const body = md.render(markdown);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${md.utils.escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '<footer>Exported from Watchfloor. Secrets and token-shaped values are redacted.</footer>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
