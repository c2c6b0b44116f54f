/**
 * The pure core of "run a step": fill a runbook command's placeholders for an environment, say
 * whether running it is destructive and what the operator must type first, and make text safe to
 * paste into a terminal. No I/O; the terminals send what this returns.
 *
 * Quoting: every value goes through shell-quote's `quote()`, never spliced raw. A placeholder can
 * sit inside quotes the runbook author wrote (`"Bearer $TOKEN"`, `'{"id": "{id}"}'`), where a
 * quoted value would not be one literal word, so the code is scanned with a small model of POSIX
 * shell quoting and, at each placeholder, the surrounding quote is closed, the quoted value put
 * in, and the quote reopened: `"Bearer "'v a l'""` is one word whose middle is the value, as is.
 */
import { quote } from 'shell-quote';
import { ApiError, type CallOutput, type RunbookDetail, type TerminalKind, type Tier } from '../../../shared/contract';
import type { Command, ImportedRunbook, Placeholder } from '../../../shared/runbook';
import { DESTRUCTIVE_COMMANDS, destructiveLine } from '../runbooks/importer';

export type PreparedCommand = CallOutput<'steps.prepare'>;

export interface TargetEnvironment {
  name: string;
  tier: Tier;
}

/**
 * Operations the importer's DESTRUCTIVE_COMMANDS leave out because they lose nothing, but that
 * interrupt a production service, so the run guard asks for the environment's name before them
 * too (issue 5: restart and rollback are guarded).
 */
export const DISRUPTIVE_COMMANDS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\brestart\b/i, what: 'a restart' },
  { pattern: /\brollout\s+undo\b|\brollback\b/i, what: 'a rollback (`rollout undo`, `rollback`)' },
  { pattern: /\bcurl\b[^\n|;&]*(?:-X\s*|--request[= ]\s*)['"]?DELETE\b/i, what: 'an HTTP `DELETE`' },
  { pattern: /\bkubectl\b[^\n|;&]*\s(?:cordon|taint)\b/, what: '`kubectl cordon`, `kubectl taint`' },
];

/**
 * Fill `command`'s placeholders with `values` (a value that is absent or empty leaves the
 * placeholder as written and is reported in `missing`; a `$VAR` left so is read by the shell).
 */
export function prepareCommand(command: Command, values: Record<string, string>, env: TargetEnvironment): PreparedCommand {
  const { text, missing } = fillPlaceholders(command.code, command.placeholders, values);
  const reasons = destructiveReasons(command, text);
  const destructive = reasons.length > 0;
  return {
    text,
    prefilled: [],
    missing,
    destructive,
    reasons,
    confirmation: destructive && env.tier === 'production' ? { kind: 'type-environment-name', expected: env.name } : null,
    suggestedKind: suggestedKind(text),
  };
}

/** kubectl (and helm, which reads KUBECONFIG too) → kubectl; wrangler → wrangler; else local. */
export function suggestedKind(text: string): TerminalKind {
  const programs = text
    .split('\n')
    .filter((l) => l.trim() && !/^\s*#/.test(l))
    .map((l) => /^\s*(?:sudo\s+)?(?:npx\s+)?([A-Za-z0-9_.-]+)/.exec(l)?.[1] ?? '');
  if (programs.some((p) => p === 'kubectl' || p === 'helm' || p === 'k9s')) return 'kubectl';
  if (programs.some((p) => p === 'wrangler')) return 'wrangler';
  return 'local';
}

/** `prepareCommand` for the command of a stored runbook that starts on `line`. */
export function prepareStep(detail: RunbookDetail, line: number, env: TargetEnvironment, values: Record<string, string>): PreparedCommand {
  const command = findCommand(detail.runbook, line);
  if (!command) {
    throw new ApiError({
      code: 'not_found',
      message: `"${detail.summary.title}" has no command starting on line ${line}; it may have been edited since. Reload the runbook.`,
    });
  }
  return prepareCommand(command, values, env);
}

/** The command of `runbook` whose code starts on `line`, wherever it sits. */
export function findCommand(runbook: ImportedRunbook, line: number): Command | null {
  const all = [
    ...runbook.procedures.flatMap((p) => [...p.steps.flatMap((s) => s.commands), ...(p.commands ?? [])]),
    ...runbook.looseCommands,
  ];
  return all.find((c) => c.line === line) ?? null;
}

function destructiveReasons(command: Command, text: string): string[] {
  const reasons = new Set<string>();
  if (command.confirm) reasons.add('the runbook asks to confirm it (`confirm` on its fence line)');
  const sql = command.kind === 'sql';
  // The filled text, so that a value can make a command destructive (`scale --replicas=<n>`, n=0).
  for (const line of text.split('\n')) {
    if (destructiveLine(line, sql) !== null) {
      for (const d of DESTRUCTIVE_COMMANDS) if (new RegExp(d.pattern.source, 'i').test(line)) reasons.add(d.what);
    }
    if (!/^\s*(?:#|--|\/\/)/.test(line)) {
      for (const d of DISRUPTIVE_COMMANDS) if (d.pattern.test(line)) reasons.add(d.what);
    }
  }
  if (command.destructive && reasons.size === 0) reasons.add('the runbook marks it destructive');
  return [...reasons];
}

// ---- placeholders in shell code -------------------------------------------------------------

/**
 * Where the scanner is. `none` is unquoted code (top level or inside `$( )`, which closes on the
 * `)` that balances it); a backtick body is unquoted code whose text the shell unescapes once
 * more before running it, so what goes in is escaped for that too.
 */
type Frame =
  | { kind: 'none'; closer: ')' | null; depth: number }
  | { kind: 'backtick' }
  | { kind: 'single' }
  | { kind: 'ansi' }
  | { kind: 'double' }
  | { kind: 'comment' }
  | { kind: 'heredoc'; delimiter: string; quoted: boolean; stripTabs: boolean };

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

interface Matcher {
  name: string;
  /** Sticky: tried at one position. */
  pattern: RegExp;
  /** Whether the text around a match makes it a placeholder (the importer's rules). */
  accepts(before: string, after: string): boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matchersFor(placeholders: readonly Placeholder[]): Matcher[] {
  const out: Matcher[] = [];
  for (const { name, syntax } of placeholders) {
    const n = escapeRegExp(name);
    switch (syntax) {
      case 'angle':
        out.push({ name, pattern: new RegExp(`<${n}>`, 'y'), accepts: (b) => !/[\w<]/.test(b) });
        break;
      case 'dollar':
      case 'dollar-brace':
        // One shell variable, either spelling; `${X:-default}` is replaced whole.
        out.push({ name, pattern: new RegExp(`\\$\\{${n}(?:[:?=+-][^}\\n]*)?\\}|\\$${n}(?!\\w)`, 'y'), accepts: (b) => b !== '\\' && b !== '$' });
        break;
      case 'curly':
        out.push({ name, pattern: new RegExp(`\\{${n}\\}`, 'y'), accepts: (b, a) => !/[\w$%{}]/.test(b) && a !== '{' && a !== '}' });
        break;
      case 'square':
        out.push({ name, pattern: new RegExp(`\\[${n}\\]`, 'y'), accepts: (b, a) => (b === '' || /[\s=/:'"(,@]/.test(b)) && !/[([:=\]]/.test(a) });
        break;
      case 'your-caps':
        out.push({ name, pattern: new RegExp(`${n}(?![\\w-])`, 'y'), accepts: (b) => !/\w/.test(b) });
        break;
    }
  }
  return out;
}

const LINE_BREAK = /[\r\n\u2028\u2029]/;

/**
 * Replace each placeholder occurrence with its shell-quoted value, keeping the quote context the
 * author wrote. In a comment the value goes in on one line (a line break would end the comment);
 * in a here-document body, where quotes are literal, it is backslash-escaped (or kept as is under
 * a quoted delimiter) and must be a single line, since a line equal to the delimiter would end
 * the document early and run the rest.
 */
export function fillPlaceholders(code: string, placeholders: readonly Placeholder[], values: Record<string, string>): { text: string; missing: string[] } {
  const matchers = matchersFor(placeholders);
  const valueOf = (name: string) => (Object.hasOwn(values, name) && values[name] !== '' ? values[name]! : null);
  const missing = placeholders.filter((p) => valueOf(p.name) === null).map((p) => p.name);
  if (matchers.every((m) => valueOf(m.name) === null)) return { text: code, missing };

  const stack: Frame[] = [{ kind: 'none', closer: null, depth: 0 }];
  const pending: PendingHeredoc[] = [];
  let out = '';
  let i = 0;
  const top = () => stack[stack.length - 1]!;
  const atWordStart = () => i === 0 || /[\s;&|()<>]/.test(code[i - 1]!);

  /** What replaces a placeholder in the innermost frame, escaped once more per backtick around it. */
  const insertion = (name: string, value: string): string => {
    const frame = top();
    const q = quote([value]);
    let s: string;
    switch (frame.kind) {
      case 'single': s = `'${q}'`; break;
      case 'ansi': s = `'${q}$'`; break;
      case 'double': s = `"${q}"`; break;
      case 'comment': s = value.replace(/[\r\n\u2028\u2029]+/g, ' '); break;
      case 'heredoc':
        if (LINE_BREAK.test(value)) {
          throw new ApiError({
            code: 'invalid_arguments',
            message: `The value for ${name} has a line break, and it goes into a here-document (<<${frame.delimiter}) where a line break could end it early. Nothing was sent; give a single-line value.`,
          });
        }
        s = frame.quoted ? value : value.replace(/[\\$`]/g, '\\$&');
        break;
      default: s = q;
    }
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]!.kind === 'backtick') s = s.replace(/[\\`$]/g, '\\$&');
    }
    return s;
  };

  const tryPlaceholder = (): boolean => {
    for (const m of matchers) {
      m.pattern.lastIndex = i;
      const hit = m.pattern.exec(code);
      if (!hit || !m.accepts(i > 0 ? code[i - 1]! : '', code[i + hit[0].length] ?? '')) continue;
      const value = valueOf(m.name);
      out += value === null ? hit[0] : insertion(m.name, value);
      i += hit[0].length;
      return true;
    }
    return false;
  };

  const copy = (n: number) => {
    out += code.slice(i, i + n);
    i += n;
  };

  while (i < code.length) {
    const frame = top();
    const c = code[i]!;
    const next = code[i + 1] ?? '';

    if (frame.kind === 'heredoc') {
      // At the start of a body line: the delimiter line ends the document.
      const end = code.indexOf('\n', i);
      const lineText = code.slice(i, end === -1 ? code.length : end);
      if ((frame.stripTabs ? lineText.replace(/^\t+/, '') : lineText) === frame.delimiter) {
        stack.pop();
        copy(lineText.length);
        if (end !== -1) copy(1);
        startPendingHeredoc();
        continue;
      }
      const stop = end === -1 ? code.length : end + 1;
      while (i < stop) {
        if (!frame.quoted && code[i] === '\\') copy(2);
        else if (!tryPlaceholder()) copy(1);
      }
      continue;
    }

    if (frame.kind === 'comment') {
      if (c === '\n') {
        stack.pop();
        continue;
      }
      if (!tryPlaceholder()) copy(1);
      continue;
    }

    if (frame.kind === 'single') {
      if (c === "'") {
        stack.pop();
        copy(1);
      } else if (!tryPlaceholder()) copy(1);
      continue;
    }

    if (frame.kind === 'ansi') {
      if (c === '\\') copy(2);
      else if (c === "'") {
        stack.pop();
        copy(1);
      } else if (!tryPlaceholder()) copy(1);
      continue;
    }

    if (frame.kind === 'double') {
      if (c === '\\') copy(2);
      else if (c === '"') {
        stack.pop();
        copy(1);
      } else if (c === '$' && next === '(') {
        stack.push({ kind: 'none', closer: ')', depth: 0 });
        copy(2);
      } else if (c === '`') {
        stack.push({ kind: 'backtick' });
        copy(1);
      } else if (!tryPlaceholder()) copy(1);
      continue;
    }

    // Unquoted code: top level, `$( )` or a backtick body.
    if (c === '\\') copy(2);
    else if (c === "'") {
      stack.push({ kind: 'single' });
      copy(1);
    } else if (c === '$' && next === "'") {
      stack.push({ kind: 'ansi' });
      copy(2);
    } else if (c === '"') {
      stack.push({ kind: 'double' });
      copy(1);
    } else if (c === '`') {
      if (frame.kind === 'backtick') stack.pop();
      else stack.push({ kind: 'backtick' });
      copy(1);
    } else if (c === '$' && next === '(') {
      stack.push({ kind: 'none', closer: ')', depth: 0 });
      copy(2);
    } else if (c === '(' && frame.kind === 'none') {
      frame.depth++;
      copy(1);
    } else if (c === ')' && frame.kind === 'none' && frame.closer === ')') {
      if (frame.depth === 0) stack.pop();
      else frame.depth--;
      copy(1);
    } else if (c === '#' && atWordStart()) {
      stack.push({ kind: 'comment' });
      copy(1);
    } else if (c === '<' && next === '<' && code[i + 2] !== '<') {
      readHeredocOperator();
    } else if (c === '\n') {
      copy(1);
      startPendingHeredoc();
    } else if (!tryPlaceholder()) copy(1);
  }
  return { text: out, missing };

  /** `<<WORD`, `<<-'WORD'`, `<< "WORD"`: its body starts on the next line. */
  function readHeredocOperator() {
    const m = /<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([^\s;&|<>()'"]+))/y;
    m.lastIndex = i;
    const hit = m.exec(code);
    if (!hit) {
      copy(2);
      return;
    }
    pending.push({
      delimiter: hit[2] ?? hit[3] ?? hit[4]!,
      quoted: hit[2] !== undefined || hit[3] !== undefined || hit[0].includes('\\'),
      stripTabs: hit[1] === '-',
    });
    copy(hit[0].length);
  }

  function startPendingHeredoc() {
    const next = pending.shift();
    if (next) stack.push({ kind: 'heredoc', ...next });
  }
}

// ---- terminal paste -------------------------------------------------------------------------

/**
 * Text for a terminal in bracketed-paste mode, unable to end the paste early or drive the
 * terminal: ESC (and so `ESC[201~`, `ESC[200~` and every other escape sequence) and all other C0
 * and C1 controls and DEL go, except tab, line feed and carriage return.
 */
export function sanitizeForBracketedPaste(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '');
}

export const PASTE_START = '\u001b[200~';
export const PASTE_END = '\u001b[201~';

/** `text`, sanitised, between the bracketed-paste markers. */
export function wrapBracketedPaste(text: string): string {
  return PASTE_START + sanitizeForBracketedPaste(text) + PASTE_END;
}
