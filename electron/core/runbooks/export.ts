/**
 * ImportedRunbook out as Watchfloor-format Markdown (docs/runbook-format.md). Pure. The output is
 * written so that importing it gives the same structure back: each procedure kind is written in
 * the shape the importer reads as that kind (ordered steps for procedures and sections, a task
 * list for checklists, `If ...` bullets for alternatives, `**1. Title**` paragraphs for notes),
 * free text is escaped so it stays text, and the tables the importer read (alert thresholds,
 * severity levels, escalation) are written back as tables where they were; contact bullets are
 * written as `- **Label:** value` bullets again.
 */
import { stringify as stringifyYaml } from 'yaml';
import type { Command, Contact, ImportedRunbook, Procedure, Step } from '../../../shared/runbook';
import { ALTERNATIVES_NAMES, COMMENT_STEP } from './importer';

export function exportRunbook(runbook: ImportedRunbook): string {
  const out: string[] = [];
  out.push('---', frontMatter(runbook).trimEnd(), '---', '');
  const procedures = runbook.procedures;
  const tables = placeTables(runbook);
  if (!procedures.some((p) => p.level === 1)) out.push(`# ${escapeInline(runbook.title)}`, '');
  const pre = proseText(runbook.text ?? '');
  if (pre) out.push(pre, '');
  out.push(...(tables.get(-1) ?? []));
  for (const c of runbook.looseCommands) out.push(...fence(c, ''), '');
  const contacts = placeContacts(runbook);
  procedures.forEach((p, i) => out.push(...procedureMarkdown(p, tables.get(i) ?? [], contacts.get(i))));
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function frontMatter(r: ImportedRunbook): string {
  const m = r.meta ?? {};
  const fm: Record<string, unknown> = {};
  if (m.id) fm.id = m.id;
  fm.title = m.title ?? r.title;
  if (m.services?.length) fm.services = m.services;
  if (m.severity) fm.severity = m.severity;
  if (m.recoveryTargetMinutes !== undefined) fm.recovery_target = `${m.recoveryTargetMinutes} min`;
  if (m.alerts?.length) fm.alerts = m.alerts;
  if (m.defaultEnvironment) fm.default_environment = m.defaultEnvironment;
  if (m.variables?.length) fm.variables = m.variables;
  return stringifyYaml(fm, { lineWidth: 0 });
}

/**
 * The alert, severity and escalation tables, each placed in the procedure whose lines held its
 * first row (-1: before the first heading). Escalation rungs read from a section's steps are not
 * tables: those steps are written again and give them back.
 */
function placeTables(r: ImportedRunbook): Map<number, string[]> {
  const owner = (line: number) => {
    let at = -1;
    r.procedures.forEach((p, i) => {
      if (p.line <= line) at = i;
    });
    return at;
  };
  const placed = new Map<number, string[]>();
  // Where the prose still holds the table's rows, those rows are written back as the table instead.
  const hasTableText = (at: number) => TABLE_ROW.test(at === -1 ? (r.text ?? '') : r.procedures[at]!.text);
  const add = (line: number, lines: string[]) => {
    const at = owner(line);
    if (hasTableText(at)) return;
    placed.set(at, [...(placed.get(at) ?? []), ...lines, '']);
  };
  const groups = <T extends { line: number }>(rows: T[]): T[][] => {
    const out: T[][] = [];
    for (const row of rows) {
      const last = out[out.length - 1];
      if (last && owner(last[0]!.line) === owner(row.line)) last.push(row);
      else out.push([row]);
    }
    return out;
  };
  for (const g of groups(r.alertRules)) {
    add(g[0]!.line, table(['Alert', 'Condition', 'Window', 'Severity', 'Runbook'], g.map((a) => [a.name, a.condition, a.window ?? '', a.severity ?? '', a.runbookRef ?? ''])));
  }
  for (const g of groups(r.severityLevels)) {
    add(g[0]!.line, table(['Level', 'Response time'], g.map((s) => [[s.level, s.description].filter(Boolean).join(' '), minutesText(s.responseTargetMinutes)])));
  }
  const stepLines = new Set(r.procedures.flatMap((p) => p.steps.map((s) => s.line)));
  for (const g of groups(r.escalation.filter((e) => !stepLines.has(e.line)))) {
    add(g[0]!.line, table(['Time', 'Action'], g.map((e) => [e.toMinutes === null ? `${e.fromMinutes}+ min` : `${e.fromMinutes}-${e.toMinutes} min`, e.action])));
  }
  return placed;
}

function minutesText(minutes: number | null): string {
  if (minutes === null) return '';
  return minutes === 0 ? 'immediately' : `< ${minutes} min`;
}

function table(header: string[], rows: string[][]): string[] {
  const cell = (s: string) => escapeInline(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/**
 * Contact bullets by the procedure that holds them. The importer keeps a contact bullet in the
 * section's text as `- Label: value`; that line is written as a bullet with a bold label again.
 * (A contact table's rows are in the text as table rows, and come back as a table.)
 */
function placeContacts(r: ImportedRunbook): Map<number, Map<string, Contact>> {
  const placed = new Map<number, Map<string, Contact>>();
  for (const c of r.contacts) {
    let at = -1;
    r.procedures.forEach((p, i) => {
      if (p.line <= c.line) at = i;
    });
    if (at === -1) continue;
    const lines = placed.get(at) ?? new Map<string, Contact>();
    lines.set(`- ${c.label}: ${c.value}`, c);
    placed.set(at, lines);
  }
  return placed;
}

function procedureMarkdown(p: Procedure, tables: string[], contacts?: Map<string, Contact>): string[] {
  const out: string[] = [];
  const heading = [p.id, p.number !== null && p.number !== undefined ? `${p.number}.` : null, p.title === p.id ? null : escapeInline(p.title)].filter(Boolean);
  out.push(`${'#'.repeat(p.level)} ${heading.join(' ').replace(/^(\S+-\d+) /, '$1: ')}`, '');
  for (const t of p.triggers) out.push(`**Alert:** ${escapeInline(t.replace(/\s*\n\s*/g, ' '))}`, '');
  if (p.recoveryTargetMinutes !== null) out.push(`**Recovery time target:** < ${p.recoveryTargetMinutes} min`, '');
  const blocks = p.commands ?? [];
  const text = proseText(withoutBlockPreambles(p.text, blocks), contacts);
  if (text) out.push(text, '');
  out.push(...tables);

  const blockOf = (s: Step) => (s.commands[0]?.origin === 'comment-step' ? blocks.find((b) => b.line <= s.line && b.endLine >= s.endLine) : undefined);
  const written = new Set<Command>();
  let run: Step[] = [];
  const flush = () => {
    if (run.length) out.push(...stepsMarkdown(p, run), '');
    run = [];
  };
  for (const s of p.steps) {
    const block = blockOf(s);
    if (block) {
      flush();
      if (!written.has(block)) out.push(...fence(block, ''), '');
      written.add(block);
    } else {
      run.push(s);
    }
  }
  flush();
  for (const b of blocks) if (!written.has(b)) out.push(...fence(b, ''), '');
  return out;
}

/** The comments above a block's first `# 1.` line are in the procedure's text; the block brings them back. */
function withoutBlockPreambles(text: string, blocks: Command[]): string {
  if (!blocks.length) return text;
  const lines = text.split('\n');
  for (const b of blocks) {
    for (const l of b.code.split('\n')) {
      if (COMMENT_STEP.test(l)) break;
      const t = l.trim().replace(/^(#+|--|\/\/)\s?/, '');
      const at = t ? lines.indexOf(t) : -1;
      if (at !== -1) lines.splice(at, 1);
    }
  }
  return lines.join('\n');
}

/** Steps in the shape the importer reads as steps of this procedure's kind. */
function stepsMarkdown(p: Procedure, steps: Step[]): string[] {
  const out: string[] = [];
  steps.forEach((s, i) => {
    const timer = s.timerSeconds ? ` <!-- timer: ${s.timerSeconds}s -->` : '';
    const title = escapeInline(s.title);
    const text = proseText(s.text);
    if (p.kind === 'notes') {
      // `**1. Title**` paragraphs open steps without making the section a procedure. The text
      // follows on the same line, unless it starts like a separator the importer would drop.
      const sameLine = text && !/^(?:\\?[-–—:：]|\|)/.test(text);
      out.push(`**${i + 1}. ${title}**${timer}${sameLine ? ' ' + text : ''}`, '');
      if (text && !sameLine) out.push(text, '');
      for (const c of s.commands) out.push(...fence(c, '  ', '- '), '');
      return;
    }
    let marker: string;
    let head: string;
    if (p.kind === 'checklist') {
      // the readable form: a checklist item's title is cut at its first `: `
      marker = '- ';
      head = `[ ] ${title}${s.timerSeconds ? ` ⏱ ${s.timerSeconds} s` : ''}`;
    } else if (p.kind === 'alternatives' && !ALTERNATIVES_NAMES.test(p.title)) {
      marker = '- ';
      head = `**${title}**${timer}`;
    } else {
      marker = `${i + 1}. `;
      head = `**${title}**${timer}`;
    }
    const indent = ' '.repeat(marker.length);
    // the text as its own paragraph: on the title's line, a leading `- ` would be taken for a separator
    out.push(`${marker}${head}`);
    if (text) out.push('', indent + text.replace(/\n/g, `\n${indent}`).replace(/\n[ \t]+\n/g, '\n\n'));
    for (const c of s.commands) out.push('', ...fence(c, indent));
    out.push('');
  });
  return out;
}

/** A command as a fenced block with its settings on the fence line; a transcript keeps its output. */
function fence(c: Command, indent: string, firstPrefix = ''): string[] {
  let body = c.code;
  if (c.expectedOutput) {
    body = c.code.split('\n').map((l) => (l.trim().startsWith('#') ? l : `$ ${l}`)).join('\n') + '\n' + c.expectedOutput;
  }
  const longest = Math.max(2, ...Array.from(body.matchAll(/^[ \t]*(`{3,})/gm), (m) => m[1]!.length));
  const marker = '`'.repeat(longest + 1);
  const settings: string[] = [];
  if (c.name) settings.push(`name=${JSON.stringify(c.name)}`);
  if (c.timeoutSeconds) settings.push(`timeout=${c.timeoutSeconds}`);
  if (c.confirm) settings.push('confirm');
  if (c.environment) settings.push(`environment=${/^[\w.-]+$/.test(c.environment) ? c.environment : JSON.stringify(c.environment)}`);
  const info = `${c.language}${settings.length ? ` {${settings.join(' ')}}` : ''}`;
  const lines = [`${marker}${info}`, ...body.split('\n'), marker];
  return lines.map((l, i) => (i === 0 ? (firstPrefix ? firstPrefix : indent) + l : l ? indent + l : ''));
}

const TABLE_ROW = /^[^\n]* \| [^\n]*$/m;

/**
 * Free text as Markdown that imports back as the same text: Markdown punctuation escaped, and
 * nothing at the start of a line that would make a list, heading, quote, rule or code block.
 * Runs of lines that were table rows (`a | b`, the importer's text for a table, header first) are
 * written as a table again.
 */
function proseText(text: string, contacts?: Map<string, Contact>): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    const contact = contacts?.get(lines[i]!);
    if (contact) {
      // a run of contact bullets, apart from the prose around it (a following line would join the last item)
      if (out.length && !out[out.length - 1]!.startsWith('- ')) out.push('');
      out.push(`- **${escapeInline(contact.label)}:** ${escapeInline(contact.value)}`);
      i++;
      if (i < lines.length && !contacts?.has(lines[i]!)) out.push('');
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.includes(' | ') && lines[j]!.split(' | ').length === lines[i]!.split(' | ').length) j++;
    if (j - i >= 2) {
      // a header and at least one row with as many cells: the text of a table
      const rows = lines.slice(i, j).map((l) => l.split(' | '));
      if (out.length) out.push('');
      out.push(...table(rows[0]!.map(escapeInline), rows.slice(1)), '');
      i = j;
      continue;
    }
    out.push(escapeInline(lines[i]!).replace(/^([-+=>]|\d+(?=[.)]))/, (m) => (/\d/.test(m) ? `${m}\\` : `\\${m}`)));
    i++;
  }
  return out.join('\n').trim();
}

/** Markdown punctuation that could make emphasis, code, links, HTML, entities or a heading; `>` only matters at a line's start. */
function escapeInline(s: string): string {
  return s.replace(/[\\`*_[\]<|~&#]/g, '\\$&');
}
