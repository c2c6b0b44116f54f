/**
 * Writing one command back into its runbook's source (runme's model: positions kept at import,
 * so an edit touches only the bytes of that command). Pure: text in, text out.
 */
import type { Command, ImportedRunbook } from '../../../shared/runbook';
import { hashText } from './importer';

/** An edit that cannot be applied. The message is one line an operator can act on. */
export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

/**
 * The source with the code of the command that starts on `line` replaced by `code`:
 * - a fenced block: the lines between its fences (the fence lines are kept; content is indented
 *   like the opening fence, e.g. inside a list item or a quote);
 * - a `# 1.` part of a fenced block (origin comment-step): that part's lines;
 * - an indented block: its lines, re-indented;
 * - inline code: only the text between the backticks (the first command on that line).
 * Line endings follow the file (CRLF stays CRLF). Every byte outside the command is unchanged.
 * A transcript block (`$ ` prompts and output) is rewritten as the plain commands given.
 */
export function replaceCommandCode(sourceText: string, runbook: ImportedRunbook, line: number, code: string): string {
  if (hashText(sourceText) !== runbook.source.sha256) {
    throw new EditError('the runbook file changed since it was imported; nothing was written; re-import it and make the edit again');
  }
  const command = commandAt(runbook, line);
  if (!command) throw new EditError(`no command starts on line ${line}; nothing was written; re-import the runbook and pick the command again`);
  const lines = new SourceLines(sourceText);
  if (line > lines.count || command.endLine > lines.count) {
    throw new EditError(`the runbook has ${lines.count} lines, not ${command.endLine}; nothing was written; re-import it and make the edit again`);
  }
  const newLines = code.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  switch (command.origin) {
    case 'fence':
      return replaceFenced(lines, command, newLines);
    case 'comment-step':
      return replaceCommentStep(lines, runbook, command, newLines);
    case 'indented':
      return replaceIndented(lines, command, newLines);
    case 'inline':
      return replaceInline(lines, command, newLines);
  }
}

function commandAt(runbook: ImportedRunbook, line: number): Command | null {
  for (const c of runbook.looseCommands) if (c.line === line) return c;
  for (const p of runbook.procedures) {
    for (const c of p.commands ?? []) if (c.line === line) return c;
    for (const s of p.steps) for (const c of s.commands) if (c.line === line) return c;
  }
  return null;
}

/** Line offsets of a text (1-based lines); `end` excludes the line's `\n` / `\r\n`. */
class SourceLines {
  readonly starts: number[] = [0];
  readonly eol: string;
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
  }
  get count(): number {
    return this.starts.length;
  }
  start(line: number): number {
    return this.starts[line - 1]!;
  }
  end(line: number): number {
    let e = line < this.starts.length ? this.starts[line]! - 1 : this.text.length;
    if (e > this.start(line) && this.text[e - 1] === '\r') e--;
    return e;
  }
  at(line: number): string {
    return this.text.slice(this.start(line), this.end(line));
  }
  /** `text` with lines [from, to] replaced by `replacement` (already joined with the file's line ending). */
  splice(from: number, to: number, replacement: string | null): string {
    if (replacement === null) {
      // drop the lines entirely, with their line endings
      const cut = to < this.count ? this.start(to + 1) : this.text.length;
      return this.text.slice(0, this.start(from)) + this.text.slice(cut);
    }
    return this.text.slice(0, this.start(from)) + replacement + this.text.slice(this.end(to));
  }
}

const FENCE_OPEN = /^((?:[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+))*[ \t]*)(`{3,}|~{3,})/;

/** The indentation of a fence's content: the opening line's prefix, list markers blanked, quote markers kept. */
function contentIndent(prefix: string): string {
  return prefix.replace(/[^\s>]/g, ' ');
}

function indentLines(newLines: string[], indent: string, eol: string): string {
  return newLines.map((l) => (l ? indent + l : indent.replace(/[ \t]+$/, ''))).join(eol);
}

function assertNoFence(newLines: string[], marker: string): void {
  const closing = new RegExp(`^[ \\t]*\\${marker[0]}{${marker.length},}[ \\t]*$`);
  const bad = newLines.findIndex((l) => closing.test(l));
  if (bad !== -1) {
    throw new EditError(`line ${bad + 1} of the new code (${newLines[bad]!.trim()}) would close the code block early; nothing was written; change that line`);
  }
}

function replaceFenced(lines: SourceLines, c: Command, newLines: string[]): string {
  const open = FENCE_OPEN.exec(lines.at(c.line));
  if (!open) throw new EditError(`line ${c.line} no longer opens a code block; nothing was written; re-import the runbook and make the edit again`);
  const marker = open[2]!;
  const indent = contentIndent(open[1]!);
  assertNoFence(newLines, marker);
  const closing = new RegExp(`^[ \\t>]*\\${marker[0]}{${marker.length},}[ \\t]*$`);
  const closed = c.endLine > c.line && closing.test(lines.at(c.endLine));
  const last = closed ? c.endLine - 1 : c.endLine;
  const body = newLines.length === 1 && newLines[0] === '' ? null : indentLines(newLines, indent, lines.eol);
  if (last < c.line + 1) {
    // an empty block: insert the new lines right after the opening fence
    if (body === null) return lines.text;
    const at = lines.end(c.line);
    return lines.text.slice(0, at) + lines.eol + body + lines.text.slice(at);
  }
  return lines.splice(c.line + 1, last, body);
}

function replaceCommentStep(lines: SourceLines, runbook: ImportedRunbook, c: Command, newLines: string[]): string {
  const whole = runbook.procedures.flatMap((p) => p.commands ?? []).find((b) => b.line < c.line && b.endLine >= c.endLine);
  const open = whole ? FENCE_OPEN.exec(lines.at(whole.line)) : null;
  if (!open) throw new EditError(`the code block around line ${c.line} is not where it was imported; nothing was written; re-import the runbook and make the edit again`);
  assertNoFence(newLines, open[2]!);
  const body = newLines.length === 1 && newLines[0] === '' ? null : indentLines(newLines, contentIndent(open[1]!), lines.eol);
  return lines.splice(c.line, c.endLine, body);
}

function replaceIndented(lines: SourceLines, c: Command, newLines: string[]): string {
  const first = lines.at(c.line);
  const codeFirst = c.code.split('\n', 1)[0]!;
  const sourceIndent = /^[ \t]*/.exec(first)![0];
  const codeIndent = /^[ \t]*/.exec(codeFirst)![0];
  if (!first.endsWith(codeFirst.trimStart()) || sourceIndent.length < codeIndent.length + 4) {
    throw new EditError(`line ${c.line} is no longer the indented code block that was imported; nothing was written; re-import the runbook and make the edit again`);
  }
  const indent = sourceIndent.slice(0, sourceIndent.length - codeIndent.length);
  const body = indentLines(newLines, indent, lines.eol);
  if (newLines.length === 1 && newLines[0] === '') {
    throw new EditError('an indented code block cannot be empty (it would stop being code); nothing was written; delete the step instead');
  }
  return lines.splice(c.line, c.endLine, body);
}

function replaceInline(lines: SourceLines, c: Command, newLines: string[]): string {
  if (newLines.length !== 1 || !newLines[0]!.trim()) {
    throw new EditError(`the command on line ${c.line} is inline code, which holds one non-empty line; nothing was written; put several lines in a code block instead`);
  }
  const text = lines.at(c.line);
  const base = lines.start(c.line);
  for (const m of text.matchAll(/`+/g)) {
    const run = m[0];
    const from = m.index + run.length;
    const close = new RegExp(`(?<!\`)${'`'.repeat(run.length)}(?!\`)`, 'g');
    close.lastIndex = from;
    const end = close.exec(text);
    if (!end) continue;
    const content = text.slice(from, end.index);
    const prompt = /^\s*\$\s+/.exec(content)?.[0] ?? '';
    if (content.trim().replace(/^\$\s+/, '') !== c.code) continue;
    const code = newLines[0]!.trim();
    const longest = Math.max(0, ...Array.from(code.matchAll(/`+/g), (x) => x[0].length));
    const fence = longest >= run.length ? '`'.repeat(longest + 1) : run;
    const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
    const start = base + m.index;
    const stop = base + end.index + run.length;
    return lines.text.slice(0, start) + fence + pad + prompt.trimStart() + code + pad + fence + lines.text.slice(stop);
  }
  throw new EditError(`line ${c.line} no longer holds the inline command that was imported; nothing was written; re-import the runbook and make the edit again`);
}
