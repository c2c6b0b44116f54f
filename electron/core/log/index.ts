/**
 * The core's log: one line per event in `<dataDir>/logs/watchfloor.log`, and a short in-memory
 * tail that the `log.tail` stream serves. Never pass a secret's value to it; known ones are redacted anyway.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const TAIL_LINES = 500;

export class Log {
  private readonly file: string | null;
  private readonly tail: string[] = [];
  private readonly followers = new Set<(line: string) => void>();

  constructor(
    dataDir: string | null,
    private readonly clock: Clock,
    private readonly echo: ((line: string) => void) | null = null,
  ) {
    if (dataDir) {
      mkdirSync(join(dataDir, 'logs'), { recursive: true });
      this.file = join(dataDir, 'logs', 'watchfloor.log');
    } else {
      this.file = null;
    }
  }

  /** Known secret values become `[secret:NAME]` before a line is kept anywhere (the vault sets it). */
  redactWith(redact: (text: string) => string): void {
    this.redact = redact;
  }
  private redact: (text: string) => string = (text) => text;

  write(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    // Field strings are redacted before JSON escapes them (a value with a quote would not match after).
    const extra = Object.keys(fields).length ? ` ${JSON.stringify(fields, (_key, v: unknown) => (typeof v === 'string' ? this.redact(v) : v))}` : '';
    const line = this.redact(`${this.clock.now().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${extra}\n`);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    if (this.file) {
      try {
        appendFileSync(this.file, line);
      } catch {
        // A full or read-only disk must not take the app down with it; the tail still works.
      }
    }
    this.echo?.(line);
    for (const f of this.followers) f(line);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  /** The recent lines, then every new one, until the returned function is called. */
  follow(listener: (line: string) => void): () => void {
    for (const line of this.tail) listener(line);
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }
}
