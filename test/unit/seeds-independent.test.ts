import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Code, InlineCode, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { SKIP, visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { importRunbook } from '../../electron/core/runbooks';
import type { Command, ImportedRunbook } from '../../shared/runbook';

/*
 * Checks the importer (markdown-it) against a second, independent CommonMark reading of each seed:
 * mdast from micromark, whose positions are 1-based lines. Every `code` node (fenced or indented)
 * must be exactly one imported command spanning the same lines (a fence from its opening to its
 * closing fence line), and inline commands must pair one to one with `inlineCode` nodes in list
 * items on the same line. Which code spans read as commands is the importer's judgement (it leaves
 * out values such as ports and spans under Symptoms, as docs/import-json.md documents); this test
 * checks that each one it made is a real span where it says, and that none is made twice.
 */
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seedFiles = readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort();

/** Fenced blocks per seed, as `../shared/seeds/README.md` states them. */
const FENCED_BLOCKS: Record<string, number> = { '000': 20, '001': 38, '002': 0, '003': 36, '004': 22 };

interface Seed {
  lines: string[];
  commands: Command[];
  codeBlocks: Code[];
  /** Code spans inside a list item. */
  listSpans: InlineCode[];
}

function readSeed(file: string): Seed {
  const text = readFileSync(path.join(seedsDir, file), 'utf8');
  const tree: Root = fromMarkdown(text);
  const codeBlocks: Code[] = [];
  const listSpans: InlineCode[] = [];
  visit(tree, 'code', (block) => {
    codeBlocks.push(block);
  });
  // an outer list item collects the spans of the items nested in it, so those are not visited again
  visit(tree, 'listItem', (item) => {
    visit(item, 'inlineCode', (span) => {
      listSpans.push(span);
    });
    return SKIP;
  });
  return { lines: text.split(/\r?\n/), commands: allCommands(importRunbook(text, file)), codeBlocks, listSpans };
}

function allCommands(r: ImportedRunbook): Command[] {
  return [...r.looseCommands, ...r.procedures.flatMap((p) => [...(p.commands ?? []), ...p.steps.flatMap((s) => s.commands)])];
}

const startLine = (n: Code | InlineCode): number => n.position!.start.line;
const endLine = (n: Code | InlineCode): number => n.position!.end.line;
const isFenced = (seed: Seed, block: Code): boolean => /^\s*(?:```|~~~)/.test(seed.lines[startLine(block) - 1]!);
/** The importer keeps an inline command as written less surrounding spaces and a `$ ` prompt. */
const asCommand = (span: InlineCode): string => span.value.trim().replace(/^\$\s+/, '');

describe('every seed, read by an independent CommonMark parser (mdast-util-from-markdown)', () => {
  it.each(seedFiles)('%s: every code block is exactly one imported command, at its lines, with its content', (file) => {
    const seed = readSeed(file);
    const fenced = seed.codeBlocks.filter((b) => isFenced(seed, b));
    expect(fenced, 'fenced blocks the seeds README states').toHaveLength(FENCED_BLOCKS[file.slice(0, 3)]!);
    for (const block of seed.codeBlocks) {
      const origin = isFenced(seed, block) ? 'fence' : 'indented';
      const where = `${origin} block at lines ${startLine(block)}-${endLine(block)}`;
      const covering = seed.commands.filter((c) => c.line <= startLine(block) && c.endLine >= endLine(block));
      expect(covering, where).toHaveLength(1);
      expect(covering[0], where).toMatchObject({ origin, line: startLine(block), endLine: endLine(block) });
      if (!covering[0]!.expectedOutput) expect(covering[0]!.code, where).toBe(block.value);
    }
    // nothing else became a block command, and each `# 1.` part lies inside exactly one fenced block
    expect(seed.commands.filter((c) => c.origin === 'fence')).toHaveLength(fenced.length);
    expect(seed.commands.filter((c) => c.origin === 'indented')).toHaveLength(seed.codeBlocks.length - fenced.length);
    for (const part of seed.commands.filter((c) => c.origin === 'comment-step')) {
      const inside = fenced.filter((b) => startLine(b) < part.line && part.endLine < endLine(b));
      expect(inside, `part at line ${part.line}`).toHaveLength(1);
    }
  });

  it.each(seedFiles)('%s: inline commands and code spans in list items pair one to one, on the same line', (file) => {
    const seed = readSeed(file);
    const inline = seed.commands.filter((c) => c.origin === 'inline');
    const key = (line: number, code: string): string => `${line}\t${code}`;
    const spans = new Map<string, number>();
    for (const s of seed.listSpans) spans.set(key(startLine(s), asCommand(s)), (spans.get(key(startLine(s), asCommand(s))) ?? 0) + 1);
    const imported = new Map<string, number>();
    for (const c of inline) imported.set(key(c.line, c.code), (imported.get(key(c.line, c.code)) ?? 0) + 1);
    for (const [k, n] of imported) {
      const [line, code] = k.split('\t');
      expect(n, `inline command \`${code}\` on line ${line} made ${n} times from ${spans.get(k) ?? 0} code spans`).toBe(spans.get(k));
    }
    for (const c of inline) {
      expect(c, `inline command on line ${c.line}`).toMatchObject({ endLine: c.line, runnable: true });
    }
    if (file.startsWith('002')) {
      // the seed written without fences: its curl/docker/psql spans are what an operator runs
      const tools = seed.listSpans.filter((s) => /^(?:curl|docker|psql)\s+\S/.test(asCommand(s)));
      const runnable = tools.filter((s) => imported.has(key(startLine(s), asCommand(s))));
      expect(runnable.length).toBeGreaterThanOrEqual(10);
    }
  });
});
