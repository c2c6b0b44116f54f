/**
 * Redaction: every known secret value becomes `[secret:NAME]` in whatever Watchfloor records
 * (the log now; transcripts and exports as they arrive). One combined regular expression, longest
 * value first so a secret that contains another is replaced whole, rebuilt only when the set of
 * secrets changes. Bytes are matched as bytes (each value's UTF-8 form read as latin1, one char per
 * byte), so binary output and split UTF-8 sequences are handled exactly.
 */

/** Values shorter than this are not redacted: they would blank out ordinary words and digits. */
export const MIN_REDACTED_LENGTH = 4;

export interface KnownSecret {
  name: string;
  value: string;
}

interface Matcher {
  pattern: RegExp;
  names: Map<string, string>;
}

export class Redactor {
  private text: Matcher | null = null;
  private bytes: Matcher | null = null;
  private longestBytes = 0;

  /** Replace the known values (all environments). An empty list turns redaction off. */
  update(secrets: readonly KnownSecret[]): void {
    const byValue = new Map<string, string>();
    for (const s of secrets) {
      if (s.value.length >= MIN_REDACTED_LENGTH && !byValue.has(s.value)) byValue.set(s.value, s.name);
    }
    const entries = [...byValue];
    this.text = matcher(entries);
    const asBytes = entries.map(([value, name]): [string, string] => [Buffer.from(value, 'utf8').toString('latin1'), name]);
    this.bytes = matcher(asBytes);
    this.longestBytes = asBytes.reduce((max, [value]) => Math.max(max, value.length), 0);
  }

  /** The longest known value in bytes: how much a stream must hold back between chunks, plus one. */
  get maxSecretLength(): number {
    return this.longestBytes;
  }

  redact(text: string): string {
    const m = this.text;
    if (!m) return text;
    return text.replace(m.pattern, (found) => `[secret:${m.names.get(found)}]`);
  }

  redactBytes(bytes: Uint8Array): Uint8Array {
    if (!this.bytes) return bytes;
    const { text } = this.scanLatin1(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), Infinity);
    return Buffer.from(text, 'latin1');
  }

  /**
   * Redact matches that start before `acceptBefore`; return the redacted text up to `consumed`
   * (the end of the last accepted match, or `acceptBefore`, whichever is later).
   */
  scanLatin1(text: string, acceptBefore: number): { text: string; consumed: number } {
    const m = this.bytes;
    if (!m) {
      const consumed = Math.min(text.length, acceptBefore);
      return { text: text.slice(0, consumed), consumed };
    }
    const pattern = new RegExp(m.pattern.source, 'g');
    let out = '';
    let at = 0;
    for (let match = pattern.exec(text); match && match.index < acceptBefore; match = pattern.exec(text)) {
      out += text.slice(at, match.index) + `[secret:${m.names.get(match[0])}]`;
      at = match.index + match[0].length;
    }
    const consumed = Math.max(at, Math.min(text.length, acceptBefore));
    return { text: out + text.slice(at, consumed), consumed };
  }
}

/**
 * Redacts a byte stream chunk by chunk. A secret split across two chunks is still found: up to
 * maxSecretLength - 1 bytes are held back until the next chunk (or `end`) shows whether they
 * begin a secret.
 */
export class StreamRedactor {
  private held = '';

  constructor(private readonly redactor: Redactor) {}

  push(chunk: Uint8Array): Uint8Array {
    const text = this.held + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    // A match starting before this point lies wholly inside `text`, so it is final.
    const acceptBefore = Math.max(0, text.length - Math.max(0, this.redactor.maxSecretLength - 1));
    const { text: out, consumed } = this.redactor.scanLatin1(text, acceptBefore);
    this.held = text.slice(consumed);
    return Buffer.from(out, 'latin1');
  }

  /** What was held back, redacted; the stream is done. */
  end(): Uint8Array {
    const { text } = this.redactor.scanLatin1(this.held, Infinity);
    this.held = '';
    return Buffer.from(text, 'latin1');
  }
}

function matcher(entries: [string, string][]): Matcher | null {
  if (entries.length === 0) return null;
  const values = entries.map(([value]) => value).sort((a, b) => b.length - a.length);
  return { pattern: new RegExp(values.map(escapeRegExp).join('|'), 'g'), names: new Map(entries) };
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
