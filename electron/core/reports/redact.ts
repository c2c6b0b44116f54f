/**
 * Export redaction: every string a report is made of goes through the vault's redactor (the known
 * secret values, as `[secret:NAME]`) and through patterns for token shapes that may have reached
 * the journal before the vault knew them (a secret set after the note was written, a token pasted
 * by hand). Both the journal and the live UI keep what was written; only what leaves the laptop is
 * redacted here.
 *
 * The redaction is done once, on the report's data, before any format is rendered: Markdown, HTML,
 * PDF and the JSON bundle are views of the same redacted data, so they carry the same counts.
 */
import type { RedactionSummary } from '../../../shared/contract';

/** What a redacted value is replaced with (the vault's own replacement names the secret). */
export const REDACTED = '[redacted]';

/** One token shape: what it is called in the summary, and how to find and replace it. */
interface Shape {
  kind: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

// Order matters: a PEM block first (its body could look like anything), then whole-line shapes.
const SHAPES: readonly Shape[] = [
  {
    kind: 'private key',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: () => `-----BEGIN PRIVATE KEY----- ${REDACTED} -----END PRIVATE KEY-----`,
  },
  {
    kind: 'bearer token',
    pattern: /\b(Bearer)([ \t]+)([A-Za-z0-9\-._~+/]+=*)/gi,
    replace: (_m, word: string, space: string) => `${word}${space}${REDACTED}`,
  },
  {
    kind: 'basic credentials',
    // Only as a header value: "Basic" alone is an ordinary word.
    pattern: /\b(Authorization:[ \t]*Basic)([ \t]+)([A-Za-z0-9+/]{4,}=*)/gi,
    replace: (_m, head: string, space: string) => `${head}${space}${REDACTED}`,
  },
  {
    kind: 'AWS secret key',
    pattern: /\b(aws_secret_access_key|aws_session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN)([ \t]*[=:][ \t]*["']?)([A-Za-z0-9/+=]{16,})/g,
    replace: (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`,
  },
  { kind: 'AWS key', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: () => REDACTED },
  {
    kind: 'password in URL',
    pattern: /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/g,
    replace: (_m, head: string, _pass: string, at: string) => `${head}${REDACTED}${at}`,
  },
  { kind: 'GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, replace: () => REDACTED },
  { kind: 'Slack token', pattern: /\bxox[abpros]-[A-Za-z0-9-]{10,}\b/g, replace: () => REDACTED },
];

const VAULT_MARK = /\[secret:[^\]\n]*\]/g;

/** Redacts strings and counts what it took out, by kind. One per report. */
export class ExportRedactor {
  private readonly counts = new Map<string, number>();

  /** @param vault the vault's redactor (`secrets.redactor.redact`): known secret values. */
  constructor(private readonly vault: (text: string) => string) {}

  /** `text` with known secrets and token shapes replaced; counted unless `count` is false. */
  text(text: string, count = true): string {
    const before = count ? (text.match(VAULT_MARK)?.length ?? 0) : 0;
    let out = this.vault(text);
    if (count) this.add('vault secret', (out.match(VAULT_MARK)?.length ?? 0) - before);
    for (const shape of SHAPES) {
      out = out.replace(shape.pattern, (...args: unknown[]) => {
        const groups = args.slice(0, -2).filter((a): a is string => typeof a === 'string');
        const replaced = shape.replace(groups[0]!, ...groups.slice(1));
        if (count && replaced !== groups[0]) this.add(shape.kind, 1);
        return replaced;
      });
    }
    return out;
  }

  /** Every string in `value`, at any depth, redacted (object keys are kept). */
  deep<T>(value: T, count = true): T {
    if (typeof value === 'string') return this.text(value, count) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.deep(v, count)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v, count);
      return out as T;
    }
    return value;
  }

  summary(): RedactionSummary {
    const byKind = Object.fromEntries([...this.counts].filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
    return { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
  }

  private add(kind: string, n: number): void {
    if (n > 0) this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }
}
