/**
 * The runbook library: imported runbooks in SQLite, and their full-text index (FTS5 table
 * `runbook_search`, one row per runbook over its title, headings and source text; migration 0001).
 * Each file is parsed outside the database and written in its own transaction, so a file that
 * fails changes nothing. The structure is not stored: `get` runs the (pure) importer again on the
 * stored text; an `outline` (where each procedure and step is) places search hits.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import {
  ApiError,
  type ImportResult,
  type LintFinding,
  type RunbookDetail,
  type RunbookOrigin,
  type RunbookSummary,
  type SearchHit,
} from '../../../shared/contract';
import type { ImportedRunbook } from '../../../shared/runbook';
import type { Clock } from '../clock';
import type { Db } from '../db';
import { EditError, replaceCommandCode } from './edit';
import { exportRunbook } from './export';
import { ImportError, hashText, importRunbook } from './importer';
import { lintRunbook } from './lint';

export interface RunbookFile {
  /** Where it came from: a file path, or `bundled:<filename>` for the runbooks we ship. */
  path: string;
  text: string;
  bundled?: boolean;
  /** Default: 'bundled' when `bundled`, else 'upload'. */
  origin?: RunbookOrigin;
  /** The folder or git source it belongs to (origin 'folder' or 'git'). */
  sourceId?: string | null;
  /** When its source last changed (file mtime, commit time); null when unknown. */
  changedAt?: string | null;
}

/** A runbook as its source sees it: enough to tell what changed since the last sync. */
export interface SourceEntry {
  id: string;
  path: string;
  sha256: string;
  archived: boolean;
  changedAt: string | null;
}

/** Files per durable commit when importing many at once. */
const IMPORT_BATCH = 50;

interface SummaryRow {
  id: string;
  title: string;
  source_path: string;
  source_name: string;
  sha256: string;
  bundled: number;
  origin: RunbookOrigin;
  source_id: string | null;
  archived: number;
  changed_at: string | null;
  procedure_count: number;
  step_count: number;
  command_count: number;
  imported_at: string;
}

/** Where procedures, steps and loose commands are in the source, to place a search hit. */
interface Outline {
  /** Per procedure: [line, endLine, path], path being e.g. "Worker Not Responding › Diagnosis Steps". */
  p: [number, number, string][];
  /** Every step, in source order: [procedureIndex, stepIndex, line, endLine, title]. */
  s: [number, number, number, number, string][];
  /** Commands outside every procedure: [line, endLine]. */
  c: [number, number][];
}

const SUMMARY_COLUMNS =
  'id, title, source_path, source_name, sha256, bundled, origin, source_id, archived, changed_at, procedure_count, step_count, command_count, imported_at';
/** Hits from one runbook before the next runbook's are shown (more when few runbooks match). */
const HITS_PER_RUNBOOK = 3;
/** Runbooks read for one search, best ranked first: at most this many, and no more than
 * RUNBOOKS_ENOUGH once they hold a page of hits. */
const RUNBOOKS_EXAMINED = 20;
const RUNBOOKS_ENOUGH = 8;
const SNIPPET_CHARS = 160;
const CACHED_RUNBOOKS = 16;

export class RunbookLibrary {
  private readonly q: {
    list: Statement<[], SummaryRow>;
    source: Statement<[string], SummaryRow & { source_text: string }>;
    byPath: Statement<[string], { seq: number; id: string; sha256: string }>;
    indexed: Statement<[number], { title: string; headings: string; source_text: string }>;
    seqOf: Statement<[string], { seq: number }>;
    insert: Statement<[Record<string, unknown>]>;
    update: Statement<[Record<string, unknown>]>;
    delete: Statement<[number]>;
    index: Statement<[number, string, string, string]>;
    unindex: Statement<[number, string, string, string]>;
    search: Statement<[string], { seq: number; marked: string }>;
    hitContext: Statement<[number], { id: string; title: string; outline: string }>;
    ofSource: Statement<[string], { id: string; source_path: string; sha256: string; archived: number; changed_at: string | null }>;
    setArchived: Statement<[number, string]>;
    release: Statement<[string]>;
    sourceLocation: Statement<[string], { location: string }>;
  };
  private readonly storeTransaction: (file: RunbookFile, runbook: ImportedRunbook) => RunbookSummary;
  private readonly deleteTransaction: (id: string) => boolean;
  /** Recently opened runbooks' structure, by id; an entry is valid while its sha256 matches. */
  private readonly opened = new Map<string, { sha256: string; runbook: ImportedRunbook }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.q = {
      list: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runbooks ORDER BY title COLLATE NOCASE, source_name COLLATE NOCASE, id`),
      source: db.prepare(`SELECT ${SUMMARY_COLUMNS}, source_text FROM runbooks WHERE id = ?`),
      byPath: db.prepare('SELECT seq, id, sha256 FROM runbooks WHERE source_path = ?'),
      indexed: db.prepare('SELECT title, headings, source_text FROM runbooks WHERE seq = ?'),
      seqOf: db.prepare('SELECT seq FROM runbooks WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO runbooks (id, title, source_path, source_name, sha256, bundled, origin, source_id, archived, changed_at,
           source_text, headings, outline, procedure_count, step_count, command_count, imported_at)
         VALUES (@id, @title, @sourcePath, @sourceName, @sha256, @bundled, @origin, @sourceId, 0, @changedAt,
           @sourceText, @headings, @outline, @procedureCount, @stepCount, @commandCount, @importedAt)`,
      ),
      update: db.prepare(
        `UPDATE runbooks SET title = @title, source_name = @sourceName, sha256 = @sha256, bundled = @bundled,
           origin = @origin, source_id = @sourceId, archived = 0, changed_at = @changedAt, source_text = @sourceText, headings = @headings, outline = @outline, procedure_count = @procedureCount,
           step_count = @stepCount, command_count = @commandCount, imported_at = @importedAt
         WHERE seq = @seq`,
      ),
      delete: db.prepare('DELETE FROM runbooks WHERE seq = ?'),
      // External content: the index is told what it indexed, and given the same values to forget.
      index: db.prepare('INSERT INTO runbook_search (rowid, title, headings, source_text) VALUES (?, ?, ?, ?)'),
      unindex: db.prepare(
        `INSERT INTO runbook_search (runbook_search, rowid, title, headings, source_text) VALUES ('delete', ?, ?, ?, ?)`,
      ),
      // Best first: bm25 with the title ten times and the headings five times the text.
      search: db.prepare(
        `SELECT rowid AS seq, highlight(runbook_search, 2, char(1), char(2)) AS marked
         FROM runbook_search
         WHERE runbook_search MATCH ? AND rank MATCH 'bm25(10.0, 5.0, 1.0)'
         ORDER BY rank`,
      ),
      hitContext: db.prepare('SELECT id, title, outline FROM runbooks WHERE seq = ?'),
      ofSource: db.prepare('SELECT id, source_path, sha256, archived, changed_at FROM runbooks WHERE source_id = ?'),
      setArchived: db.prepare('UPDATE runbooks SET archived = ? WHERE id = ?'),
      release: db.prepare(`UPDATE runbooks SET origin = 'upload', source_id = NULL WHERE source_id = ?`),
      sourceLocation: db.prepare('SELECT location FROM runbook_sources WHERE id = ?'),
    };
    this.storeTransaction = db.transaction((file: RunbookFile, runbook: ImportedRunbook) => this.write(file, runbook));
    this.deleteTransaction = db.transaction((id: string) => {
      const row = this.q.seqOf.get(id);
      if (!row) return false;
      this.forget(row.seq);
      this.q.delete.run(row.seq);
      return true;
    });
  }

  list(): RunbookSummary[] {
    return this.q.list.all().map(toSummary);
  }

  get(id: string): RunbookDetail {
    const row = this.q.source.get(id);
    if (!row) throw new ApiError({ code: 'not_found', message: `No runbook with id ${id}; it may have been deleted. Reload the library.` });
    let cached = this.opened.get(id);
    if (!cached || cached.sha256 !== row.sha256) {
      cached = { sha256: row.sha256, runbook: importRunbook(row.source_text, row.source_path) };
      this.remember(id, cached);
    }
    return { summary: toSummary(row), runbook: cached.runbook, sourceText: row.source_text };
  }

  delete(id: string): void {
    if (!this.deleteTransaction(id)) {
      throw new ApiError({ code: 'not_found', message: `No runbook with id ${id}; it may already be deleted.` });
    }
    this.opened.delete(id);
  }

  /**
   * Import each file on its own: parsed, then written in one transaction. Re-importing a path
   * replaces that runbook (same id). A file that fails is reported and changes nothing.
   */
  importFiles(files: RunbookFile[]): ImportResult {
    const result: ImportResult = { imported: [], errors: [] };
    const refuse = (file: RunbookFile, error: unknown) =>
      result.errors.push({
        name: file.path,
        message:
          error instanceof ImportError
            ? error.message
            : `could not be imported (${firstLine(error)}); the library was not changed, so try again or report this file`,
      });
    // Files are written in batches: one durable commit (one fsync) per batch, each file inside
    // its own savepoint (better-sqlite3 nests transactions as savepoints), so a file that fails
    // leaves no trace while the others in its batch still land.
    for (let start = 0; start < files.length; start += IMPORT_BATCH) {
      const batch = files.slice(start, start + IMPORT_BATCH);
      const stored: { summary: RunbookSummary; sha256: string; runbook: ImportedRunbook }[] = [];
      try {
        this.db.transaction(() => {
          for (const file of batch) {
            try {
              const runbook = importRunbook(file.text, file.path);
              stored.push({ summary: this.storeTransaction(file, runbook), sha256: runbook.source.sha256, runbook });
            } catch (error) {
              refuse(file, error);
            }
          }
        })();
      } catch (error) {
        // The commit itself failed (a full disk, say): nothing of this batch was saved.
        for (const { summary } of stored) refuse({ path: summary.sourcePath, text: '' }, error);
        continue;
      }
      for (const { summary, sha256, runbook } of stored) {
        this.remember(summary.id, { sha256, runbook });
        result.imported.push(summary);
      }
    }
    return result;
  }

  /**
   * Import the runbooks shipped in `dir` (`*.md`), as `bundled:<filename>`, when they are missing
   * from the library or their text changed. Returns what was imported; a missing folder is none.
   */
  importBundled(dir: string): RunbookSummary[] {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.md')).sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw error;
    }
    const changed: RunbookFile[] = [];
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8');
      const path = `bundled:${name}`;
      if (this.q.byPath.get(path)?.sha256 !== hashText(text)) changed.push({ path, text, bundled: true });
    }
    // A bundled runbook that does not import is a bug the tests catch; it must not stop the app.
    return changed.length ? this.importFiles(changed).imported : [];
  }

  /** The runbooks a folder or git source holds (archived ones too), as it last imported them. */
  sourceEntries(sourceId: string): SourceEntry[] {
    return this.q.ofSource.all(sourceId).map((r) => ({
      id: r.id,
      path: r.source_path,
      sha256: r.sha256,
      archived: r.archived === 1,
      changedAt: r.changed_at,
    }));
  }

  /** Flag runbooks whose file left their source (or came back without changing). */
  setArchived(ids: readonly string[], archived: boolean): void {
    if (!ids.length) return;
    this.db.transaction(() => {
      for (const id of ids) this.q.setArchived.run(archived ? 1 : 0, id);
    })();
  }

  /** A source is going away: its runbooks stay, as uploads the operator owns from now on. */
  releaseSource(sourceId: string): string[] {
    const ids = this.q.ofSource.all(sourceId).map((r) => r.id);
    this.q.release.run(sourceId);
    return ids;
  }

  /** The runbook as Watchfloor-format Markdown, named after its source file. */
  exportMarkdown(id: string): { fileName: string; markdown: string } {
    const { summary, runbook } = this.get(id);
    const stem = summary.sourceName.replace(/\.(md|markdown|txt)$/i, '') || 'runbook';
    return { fileName: `${stem}.md`, markdown: exportRunbook(runbook) };
  }

  lint(id: string, knownVariables: string[]): LintFinding[] {
    return lintRunbook(this.get(id).runbook, { knownVariables });
  }

  /**
   * Replace the code of the command starting on `line`, rewriting only that block of the source.
   * A folder runbook's file is rewritten first (temp file + rename, so a crash leaves the old file
   * or the new one, never half of each) and the library follows only once that succeeded.
   */
  updateCommand(id: string, line: number, code: string): RunbookDetail {
    const row = this.q.source.get(id);
    if (!row) throw new ApiError({ code: 'not_found', message: `No runbook with id ${id}; it may have been deleted. Reload the library.` });
    const summary = toSummary(row);
    if (!summary.editable) throw new ApiError({ code: 'conflict', message: this.whyReadOnly(summary) });
    const { runbook } = this.get(id);
    let text: string;
    try {
      text = replaceCommandCode(row.source_text, runbook, line, code);
    } catch (error) {
      if (error instanceof EditError) {
        throw new ApiError({ code: 'invalid_arguments', message: `Could not change the command in "${summary.title}": ${error.message}.` });
      }
      throw error;
    }
    let edited: ImportedRunbook;
    try {
      edited = importRunbook(text, row.source_path);
    } catch (error) {
      throw new ApiError({
        code: 'import_failed',
        message: `With this change "${summary.title}" could not be read back (${firstLine(error)}); nothing was changed. Adjust the command and save again.`,
      });
    }
    let changedAt = this.clock.now().toISOString();
    if (summary.origin === 'folder') changedAt = writeFileAtomically(row.source_path, row.sha256, text);
    this.storeTransaction(
      { path: row.source_path, text, origin: summary.origin, sourceId: summary.sourceId, changedAt },
      edited,
    );
    this.remember(id, { sha256: edited.source.sha256, runbook: edited });
    return this.get(id);
  }

  private whyReadOnly(summary: RunbookSummary): string {
    const name = `"${summary.title}" (${summary.sourceName})`;
    if (summary.archived) {
      return `${name} is archived: its file ${summary.sourcePath} is no longer in its source, so Watchfloor keeps it read-only. Put the file back (it is picked up again), or export it and import the copy to edit it.`;
    }
    if (summary.origin === 'git') {
      const repo = (summary.sourceId && this.q.sourceLocation.get(summary.sourceId)?.location) ?? 'its source';
      return `${name} comes from the git repository ${repo}, which Watchfloor only reads; nothing was changed. Edit it there, push, and sync the source to see the change.`;
    }
    return `${name} ships with Watchfloor and is read-only; nothing was changed. Export it and import the copy to make your own version.`;
  }

  /**
   * Full-text search as you type: every word must match, the last one as a prefix. Whatever is
   * typed is quoted, so no input is an FTS syntax error. Runbooks best first (bm25; title and
   * headings weigh more), and in each the steps (or procedures) that matched best: those with
   * every word first, then most matches, a match in a step's or procedure's title counting ten.
   */
  search(query: string, limit: number): SearchHit[] {
    const parsed = parseQuery(query);
    if (!parsed) return [];
    const max = Math.max(1, Math.min(Math.floor(limit), 500));
    const runbooks: PlacedRunbook[] = [];
    let shown = 0;
    let found = 0;
    try {
      for (const row of this.q.search.iterate(parsed.match)) {
        const context = this.q.hitContext.get(row.seq);
        if (!context) continue;
        const placed = placeMatches(row.marked, context, parsed);
        runbooks.push(placed);
        shown += Math.min(placed.complete.length, HITS_PER_RUNBOOK);
        found += placed.complete.length;
        if (shown >= max || runbooks.length >= RUNBOOKS_EXAMINED || (found >= max && runbooks.length >= RUNBOOKS_ENOUGH)) break;
      }
    } catch (error) {
      // parseQuery quotes every word, so this is not expected; if FTS5 still finds fault with a
      // query, what was typed simply finds nothing.
      if (/fts5/i.test((error as Error).message)) return [];
      throw error;
    }
    // The best places of each runbook in rank order; then, when few runbooks matched, more of
    // each; then places that hold only some of the words.
    const picked: [PlacedRunbook, Place][] = [];
    for (const r of runbooks) for (const p of r.complete.slice(0, HITS_PER_RUNBOOK)) picked.push([r, p]);
    for (const r of runbooks) for (const p of r.complete.slice(HITS_PER_RUNBOOK)) picked.push([r, p]);
    for (const r of runbooks) for (const p of r.incomplete) picked.push([r, p]);
    return picked.slice(0, max).map(([r, p]) => toHit(r, p));
  }

  /** Inside the transaction: replace the runbook stored for this path, and its index entry. */
  private write(file: RunbookFile, runbook: ImportedRunbook): RunbookSummary {
    const existing = this.q.byPath.get(file.path);
    let stepCount = 0;
    let commandCount = runbook.looseCommands.length;
    const headings: string[] = [];
    const outline: Outline = { p: [], s: [], c: runbook.looseCommands.map((c) => [c.line, c.endLine]) };
    runbook.procedures.forEach((p, pi) => {
      const parent = p.parent ?? null;
      // A section is shown under its procedure: "Worker Not Responding › Diagnosis Steps".
      const path = parent !== null && parent < pi && runbook.procedures[parent]!.kind !== 'notes' ? `${outline.p[parent]![2]} › ${p.title}` : p.title;
      outline.p.push([p.line, p.endLine, path]);
      headings.push(p.id ? `${p.id} ${p.title}` : p.title);
      stepCount += p.steps.length;
      p.steps.forEach((s, si) => {
        commandCount += s.commands.length;
        headings.push(s.title);
        outline.s.push([pi, si, s.line, s.endLine, s.title]);
      });
    });
    outline.s.sort((a, b) => a[2] - b[2] || b[3] - a[3]);
    const row = {
      id: existing?.id ?? randomUUID(),
      seq: existing?.seq ?? null,
      title: runbook.title,
      sourcePath: file.path,
      sourceName: sourceName(file.path),
      sha256: runbook.source.sha256,
      bundled: file.bundled ? 1 : 0,
      origin: file.origin ?? (file.bundled ? 'bundled' : 'upload'),
      sourceId: file.sourceId ?? null,
      changedAt: file.changedAt ?? null,
      sourceText: file.text,
      headings: headings.join('\n'),
      outline: JSON.stringify(outline),
      procedureCount: runbook.procedures.filter((p) => p.kind === 'procedure').length,
      stepCount,
      commandCount,
      importedAt: this.clock.now().toISOString(),
    };
    let seq: number;
    if (existing) {
      this.forget(existing.seq);
      this.q.update.run(row);
      seq = existing.seq;
    } else {
      seq = Number(this.q.insert.run(row).lastInsertRowid);
    }
    this.q.index.run(seq, row.title, row.headings, row.sourceText);
    return toSummary({
      id: row.id,
      title: row.title,
      source_path: row.sourcePath,
      source_name: row.sourceName,
      sha256: row.sha256,
      bundled: row.bundled,
      origin: row.origin,
      source_id: row.sourceId,
      archived: 0,
      changed_at: row.changedAt,
      procedure_count: row.procedureCount,
      step_count: row.stepCount,
      command_count: row.commandCount,
      imported_at: row.importedAt,
    });
  }

  /** Remove a runbook's entry from the index (which needs the values it indexed). */
  private forget(seq: number): void {
    const old = this.q.indexed.get(seq);
    if (old) this.q.unindex.run(seq, old.title, old.headings, old.source_text);
  }

  private remember(id: string, entry: { sha256: string; runbook: ImportedRunbook }): void {
    this.opened.delete(id);
    this.opened.set(id, entry);
    if (this.opened.size > CACHED_RUNBOOKS) this.opened.delete(this.opened.keys().next().value!);
  }
}

// ---- placing a hit: from matches in the source to the steps they are in ---------------------

interface ParsedQuery {
  /** The FTS5 MATCH expression. */
  match: string;
  /** The words, folded like the index folds them (lower case, no diacritics). */
  terms: string[];
  /** Whether the last term matches as a prefix. */
  prefix: boolean;
}

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * The FTS5 query for what was typed: each word a quoted phrase of its letters and digits (so
 * `rdm-api` finds the words `rdm` `api` together), all required, the last one a prefix unless the
 * query ends with a space. While typing, a last token of one character is left out (`pod-n`
 * searches `pod*`, `error r` searches `error`): a one-letter prefix matches nearly everything.
 * Null when nothing searchable was typed.
 */
export function parseQuery(query: string): ParsedQuery | null {
  const words: string[][] = [];
  for (const word of query.slice(0, 500).split(/\s+/)) {
    const parts = word.match(WORD);
    if (parts) words.push(parts);
    if (words.length === 16) break;
  }
  let prefix = !/\s$/.test(query);
  const lastWord = words[words.length - 1];
  if (prefix && lastWord && lastWord[lastWord.length - 1]!.length === 1) {
    if (words.length === 1 && lastWord.length === 1) {
      prefix = false; // a single character alone: that word, not every word starting with it
    } else {
      lastWord.pop();
      if (!lastWord.length) {
        words.pop();
        prefix = false;
      }
    }
  }
  if (!words.length) return null;
  const match = words.map((w, i) => `"${w.join(' ').replace(/"/g, '""')}"${prefix && i === words.length - 1 ? ' *' : ''}`).join(' ');
  return { match, terms: words.flat().map(fold), prefix };
}

/** Lower case without diacritics, as FTS5's unicode61 tokenizer (remove_diacritics 2) folds. */
function fold(word: string): string {
  return /^[\x00-\x7f]*$/.test(word) ? word.toLowerCase() : word.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

interface Place {
  kind: SearchHit['kind'];
  procedureIndex: number | null;
  stepIndex: number | null;
  /** Line of the step, procedure or command; 1 for the runbook itself. */
  line: number;
  /** Lines whose match counts as a title match (the step's or procedure's first line). */
  titleLine: number;
  title: string | null;
  path: string | null;
  score: number;
  terms: Set<number>;
  /** Last line of the step, procedure or command. */
  endLine: number;
  /** The first match in it: [start, end) in the source, and its line. */
  first: [number, number];
  firstLine: number;
}

interface PlacedRunbook {
  id: string;
  title: string;
  /** The source text and the matches in it. */
  text: string;
  ranges: [number, number][];
  /** Places holding every word of the query (FTS5 only guarantees it for the whole runbook), best first. */
  complete: Place[];
  incomplete: Place[];
}

/** Where in one runbook the matches are (as highlight() marked them in its source), by place. */
function placeMatches(marked: string, context: { id: string; title: string; outline: string }, query: ParsedQuery): PlacedRunbook {
  const { text, ranges } = readMarks(marked);
  const outline = JSON.parse(context.outline) as Outline;
  const places = new Map<string, Place>();
  const last = query.terms[query.terms.length - 1]!;
  let line = 1;
  let scanned = 0;
  const oneWord = query.terms.length === 1;
  let p: Place | null = null;
  let placeLine = -1;
  for (const range of ranges) {
    for (let nl = text.indexOf('\n', scanned); nl !== -1 && nl < range[0]; nl = text.indexOf('\n', nl + 1)) {
      line++;
      scanned = nl + 1;
    }
    // Consecutive matches mostly fall in the same line or step: look the place up only when not.
    if (!p || (line !== placeLine && !(p.kind === 'step' && line <= p.endLine))) {
      const place = placeOf(line, outline);
      const key = `${place.kind}${place.line}`;
      p = places.get(key) ?? null;
      if (!p) {
        p = { ...place, score: 0, terms: new Set(), first: range, firstLine: line };
        places.set(key, p);
      }
      placeLine = line;
    }
    p.score += line === p.titleLine ? 10 : 1;
    if (oneWord) {
      p.terms.add(0);
      continue;
    }
    // A phrase match (`rdm-api`) is one range holding several words.
    for (const m of text.slice(range[0], range[1]).match(WORD) ?? []) {
      const word = fold(m);
      const t = query.terms.indexOf(word);
      if (t !== -1) p.terms.add(t);
      else if (query.prefix && word.startsWith(last)) p.terms.add(query.terms.length - 1);
    }
  }
  const wanted = new Set(query.terms).size;
  const sorted = [...places.values()].sort((a, b) => b.terms.size - a.terms.size || b.score - a.score || a.line - b.line);
  const complete = sorted.filter((p) => p.terms.size >= wanted);
  const incomplete = sorted.filter((p) => p.terms.size < wanted);
  if (!places.size) {
    // Only the title or headings matched.
    complete.push({ kind: 'runbook', procedureIndex: null, stepIndex: null, line: 1, endLine: 1, titleLine: -1, title: null, path: null, score: 0, terms: new Set(), first: [-1, -1], firstLine: 1 });
  }
  return { id: context.id, title: context.title, text, ranges, complete, incomplete };
}

function toHit(r: PlacedRunbook, p: Place): SearchHit {
  const where = p.first[0] === -1 ? { snippet: r.title.slice(0, SNIPPET_CHARS), highlights: [] } : excerpt(r.text, r.ranges, p.first[0], p.endLine - p.firstLine);
  return {
    runbookId: r.id,
    runbookTitle: r.title,
    kind: p.kind,
    procedureIndex: p.procedureIndex,
    procedureTitle: p.path,
    stepIndex: p.stepIndex,
    stepTitle: p.title,
    line: p.line,
    ...where,
  };
}

/** The step, procedure, loose command or runbook a source line belongs to (the innermost). */
function placeOf(line: number, o: Outline): Omit<Place, 'score' | 'terms' | 'first' | 'firstLine'> {
  const s = lastAtOrBefore(o.s, line, (x) => x[2]);
  if (s !== -1 && o.s[s]![3] >= line) {
    const [pi, si, l, end, title] = o.s[s]!;
    return { kind: 'step', procedureIndex: pi, stepIndex: si, line: l, endLine: end, titleLine: l, title, path: o.p[pi]?.[2] ?? null };
  }
  for (let p = lastAtOrBefore(o.p, line, (x) => x[0]); p >= 0; p--) {
    const [l, end, path] = o.p[p]!;
    if (end >= line) return { kind: 'procedure', procedureIndex: p, stepIndex: null, line: l, endLine: end, titleLine: l, title: null, path };
  }
  const c = lastAtOrBefore(o.c, line, (x) => x[0]);
  if (c !== -1 && o.c[c]![1] >= line) return { kind: 'command', procedureIndex: null, stepIndex: null, line: o.c[c]![0], endLine: o.c[c]![1], titleLine: -1, title: null, path: null };
  return { kind: 'runbook', procedureIndex: null, stepIndex: null, line: 1, endLine: line, titleLine: -1, title: null, path: null };
}

/** Index of the last item whose key is <= value, in a list sorted by key; -1 when none. */
function lastAtOrBefore<T>(items: T[], value: number, key: (t: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]!) <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Text marked by highlight() (\u0001 ... \u0002), as plain text and [start, end) ranges. */
function readMarks(marked: string): { text: string; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  const parts: string[] = [];
  let length = 0;
  let from = 0;
  let open = -1;
  for (let i = marked.indexOf('\u0001'); i !== -1; i = marked.indexOf('\u0001', from)) {
    const close = marked.indexOf('\u0002', i + 1);
    if (close === -1) break;
    parts.push(marked.slice(from, i));
    length += i - from;
    open = length;
    parts.push(marked.slice(i + 1, close));
    length += close - i - 1;
    if (length > open) ranges.push([open, length]);
    from = close + 1;
  }
  parts.push(marked.slice(from));
  return { text: parts.join(''), ranges };
}

/**
 * About 160 characters of the source from a little before `at`, up to `moreLines` lines further,
 * as an operator reads it:
 * whitespace folded, Markdown emphasis and code marks and fence lines left out; `highlights` are
 * the matches' ranges in it.
 */
export function excerpt(text: string, ranges: [number, number][], at: number, moreLines: number): { snippet: string; highlights: [number, number][] } {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let start = Math.max(lineStart, at - 40);
  while (start > lineStart && !/\s/.test(text[start - 1]!)) start++;
  let r = 0;
  while (r < ranges.length && ranges[r]![1] <= start) r++;
  let out = start > lineStart ? '…' : '';
  const highlights: [number, number][] = [];
  let space = false;
  let openAt = -1;
  let atLineStart = start === lineStart;
  let i = start;
  for (; i < text.length && out.length < SNIPPET_CHARS; i++) {
    while (r < ranges.length && ranges[r]![1] <= i) r++;
    const hit = r < ranges.length && ranges[r]![0] <= i;
    if (!hit && openAt !== -1) {
      highlights.push([openAt, out.length]);
      openAt = -1;
    }
    const ch = text[i]!;
    if (ch === '\n') {
      if (--moreLines < 0) break;
      atLineStart = true;
      space = true;
      continue;
    }
    if (atLineStart) {
      // A fence line (```bash) says nothing; list and heading marks neither.
      const rest = text.slice(i, i + 4).trimStart();
      if (rest.startsWith('```') || rest.startsWith('~~~')) {
        const nl = text.indexOf('\n', i);
        i = (nl === -1 ? text.length : nl) - 1;
        continue;
      }
      if (ch === ' ' || ch === '\t' || ch === '#' || ch === '>' || ((ch === '-' || ch === '*') && text[i + 1] === ' ')) {
        space = true;
        continue;
      }
      atLineStart = false;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      space = true;
      continue;
    }
    if (!hit && (ch === '`' || (ch === '*' && (text[i + 1] === '*' || text[i - 1] === '*')))) continue;
    if (space && out.length && out !== '…') out += ' ';
    space = false;
    if (hit && openAt === -1) openAt = out.length;
    out += ch;
  }
  if (openAt !== -1) highlights.push([openAt, out.length]);
  if (out.length >= SNIPPET_CHARS && i < text.length) out += '…';
  return { snippet: out, highlights };
}

/**
 * Write `text` to `path` through a temp file in the same folder and a rename, after checking the
 * file still holds what the library has (`sha256`): an edit never overwrites a change made on disk
 * meanwhile. Returns the new modification time.
 */
function writeFileAtomically(path: string, sha256: string, text: string): string {
  let mode: number;
  try {
    const current = readFileSync(path, 'utf8');
    mode = statSync(path).mode & 0o7777;
    if (hashText(current) !== sha256) {
      throw new ApiError({
        code: 'conflict',
        message: `${path} changed on disk since Watchfloor last read it; nothing was written. The library picks the new version up in a moment: check the command there and edit again.`,
      });
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError({
      code: 'conflict',
      message: `${path} could not be read (${firstLine(error)}); nothing was written. Check the file is still there, or sync its folder.`,
    });
  }
  // Dot-named and not .md, so the folder's watcher never imports it.
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new ApiError({
      code: 'conflict',
      message: `${path} could not be written (${firstLine(error)}); the file and the library are unchanged. Check the folder is writable and has space, then save again.`,
    });
  }
  return statSync(path).mtime.toISOString();
}

function toSummary(row: SummaryRow): RunbookSummary {
  const archived = row.archived === 1;
  return {
    id: row.id,
    title: row.title,
    sourcePath: row.source_path,
    sourceName: row.source_name,
    sha256: row.sha256,
    bundled: row.bundled === 1,
    origin: row.origin,
    sourceId: row.source_id,
    archived,
    changedAt: row.changed_at,
    // Bundled runbooks ship with the app and git runbooks belong to their repository.
    editable: (row.origin === 'upload' || row.origin === 'folder') && !archived,
    procedureCount: row.procedure_count,
    stepCount: row.step_count,
    commandCount: row.command_count,
    importedAt: row.imported_at,
  };
}

/** `runbooks/x.md`, `C:\runbooks\x.md` and `bundled:x.md` are all `x.md`. */
function sourceName(path: string): string {
  const base = path.replace(/^bundled:/, '').split(/[\\/]/).pop();
  return base || path;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.slice(0, 300);
}
