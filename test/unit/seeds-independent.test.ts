import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRunbook } from '../../electron/core/runbooks';
import type { Command, ImportedRunbook } from '../../shared/runbook';

/*
 * Checks the importer against a second reading of each seed that does not use markdown-it.
 * No other Markdown parser is installed (no marked, micromark, mdast or commonmark in
 * node_modules, and this project adds none), so the second reading is the line scanner below,
 * written from the CommonMark rules for the two things it needs:
 * - fenced blocks: an opening run of 3+ backticks (info without backticks) or tildes at any
 *   indentation (list items indent them), closed by a run of the same character at least as long
 *   with nothing after it; the content is the lines between, less the opening fence's indentation;
 * - code spans in list items (a line starting `-`, `*`, `+` or `1.`/`1)` and the lines indented
 *   under it): a run of N backticks up to the next run of exactly N on the same line (none of the
 *   seeds' spans cross a line). A span is an inline command when it starts with one of the tools
 *   below and has arguments: this list is the test's own, not the importer's.
 * Spans under a Symptoms-like heading or label describe what an operator sees, not what to run,
 * and are left out, as docs/import-json.md documents.
 */
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seedFiles = readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort();

const TOOLS = /^(?:sudo\s+)?(?:curl|docker|docker-compose|psql|kubectl|wrangler|redis-cli|ssh|systemctl|journalctl|git|npx|npm|pscale|grep|tail|df|du|ps|go|make)\s+\S/;
const DESCRIPTIVE = /symptom|signal|impact/i;

interface Fence { open: number; close: number; content: string[] }
interface Span { line: number; code: string }

function scan(text: string): { fences: Fence[]; spans: Span[] } {
  const lines = text.split(/\r?\n/);
  const fences: Fence[] = [];
  const spans: Span[] = [];
  let fence: { open: number; char: string; length: number; indent: number; content: string[] } | null = null;
  let listIndent = -1; // indentation of the list item we are in, -1 when outside a list
  let descriptive = false;
  lines.forEach((line, i) => {
    if (fence) {
      const close = /^(\s*)(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[2]![0] === fence.char && close[2]!.length >= fence.length) {
        fences.push({ open: fence.open, close: i + 1, content: fence.content });
        fence = null;
      } else {
        fence.content.push(line.slice(Math.min(fence.indent, /^ */.exec(line)![0].length)));
      }
      return;
    }
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (open && !(open[2]![0] === '`' && open[3]!.includes('`'))) {
      fence = { open: i + 1, char: open[2]![0]!, length: open[2]!.length, indent: open[1]!.length, content: [] };
      return;
    }
    if (/^#{1,6}\s/.test(line)) {
      descriptive = DESCRIPTIVE.test(line);
      listIndent = -1;
      return;
    }
    const item = /^(\s*)(?:[-*+]|\d{1,9}[.)])\s+/.exec(line);
    const indent = /^\s*/.exec(line)![0].length;
    if (item) {
      listIndent = item[1]!.length;
    } else if (line.trim() === '') {
      return;
    } else if (indent <= listIndent) {
      listIndent = -1;
    } else if (listIndent === -1) {
      // a paragraph outside a list: a `**Symptoms:**` label starts a description, another label ends it
      const label = /^\*\*([^*]+)\*\*/.exec(line);
      if (label) descriptive = DESCRIPTIVE.test(label[1]!);
    }
    if (listIndent === -1) return;
    for (const m of line.matchAll(/`+/g)) {
      if (m.index > 0 && line[m.index - 1] === '`') continue;
      const n = m[0].length;
      const rest = line.slice(m.index + n);
      const end = new RegExp(`(?<!\`)\`{${n}}(?!\`)`).exec(rest);
      if (!end) continue;
      const code = rest.slice(0, end.index).trim().replace(/^\$\s+/, '');
      if (!descriptive && TOOLS.test(code)) spans.push({ line: i + 1, code });
    }
  });
  return { fences, spans };
}

function allCommands(r: ImportedRunbook): Command[] {
  return [...r.looseCommands, ...r.procedures.flatMap((p) => [...(p.commands ?? []), ...p.steps.flatMap((s) => s.commands)])];
}

describe('every seed, read by an independent line scanner', () => {
  it.each(seedFiles)('%s: every fenced block is exactly one imported command, at its lines, with its content', (file) => {
    const text = readFileSync(path.join(seedsDir, file), 'utf8');
    const commands = allCommands(importRunbook(text, file));
    const { fences } = scan(text);
    for (const f of fences) {
      const covering = commands.filter((c) => c.origin === 'fence' && c.line <= f.open && c.endLine >= f.close);
      expect(covering, `fenced block at lines ${f.open}-${f.close}`).toHaveLength(1);
      expect([covering[0]!.line, covering[0]!.endLine]).toEqual([f.open, f.close]);
      if (!covering[0]!.expectedOutput) expect(covering[0]!.code).toBe(f.content.join('\n'));
    }
    // and nothing else became a fenced command; a `# 1.` part lies inside exactly one block
    expect(commands.filter((c) => c.origin === 'fence')).toHaveLength(fences.length);
    for (const c of commands.filter((x) => x.origin === 'comment-step')) {
      expect(fences.filter((f) => f.open < c.line && c.endLine < f.close), `part at line ${c.line}`).toHaveLength(1);
    }
  });

  it.each(seedFiles)('%s: every inline command in a list is exactly one imported command, at its line', (file) => {
    const text = readFileSync(path.join(seedsDir, file), 'utf8');
    const commands = allCommands(importRunbook(text, file));
    const { spans, fences } = scan(text);
    for (const s of spans) {
      const at = commands.filter((c) => c.line <= s.line && c.endLine >= s.line && c.code.includes(s.code));
      expect(at, `inline command \`${s.code}\` on line ${s.line}`).toHaveLength(1);
      expect(at[0]).toMatchObject({ origin: 'inline', line: s.line, code: s.code, runnable: true });
    }
    if (file.startsWith('002')) expect(spans.length).toBeGreaterThanOrEqual(10); // the seed written without fences
    expect(fences.length + spans.length).toBeGreaterThan(0);
  });
});
