/**
 * The runbook importer: Markdown text in, ImportedRunbook out (shared/runbook.ts). A pure function
 * of the text: no I/O, no clock, no randomness, so the same file always imports the same way and
 * every position points back into the source (1-based lines).
 *
 * markdown-it does the Markdown; this file only reads its token stream, in one forward pass per
 * level, so the cost stays linear in the input (markdown-it's own `maxNesting` bounds depth).
 * The output is documented in docs/import-json.md; the Watchfloor format (front matter, step
 * timers, fence settings) in docs/runbook-format.md.
 */
import { createHash } from 'node:crypto';
import MarkdownIt, { type Token } from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import type {
  AlertRule,
  Command,
  EscalationRung,
  EscalationPath,
  Contact,
  ImportWarning,
  ImportedRunbook,
  Placeholder,
  Procedure,
  ProcedureKind,
  RunbookMeta,
  SeverityLevel,
  Step,
} from '../../../shared/runbook';

/** A file the importer refuses. The message is one line an operator can act on. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export const MAX_RUNBOOK_BYTES = 16 * 1024 * 1024;

/** The sha256 of a runbook's text as the library stores it (hex, of the UTF-8 bytes). */
export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

// html off: `<pod-name>` in prose is a placeholder, not a tag. maxNesting stays at the default:
// deeper lists/quotes stop being parsed, and we warn about what was skipped.
const MAX_NESTING = 100;
const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });

export function importRunbook(text: string, sourcePath: string): ImportedRunbook {
  const warnings: ImportWarning[] = [];
  assertRunbookText(text, warnings);
  const sha256 = hashText(text);

  const { src, frontMatter } = splitFrontMatter(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const meta = frontMatter === null ? undefined : readMeta(frontMatter, warnings);
  const env = {};
  const tokens = parseInChunks(src, env);
  warnAboutSkippedContent(src, tokens, warnings);

  const runbook = new RunbookReader(tokens, warnings).read(sourcePath, sha256);
  if (meta) applyMeta(runbook, meta);
  return runbook;
}

/** Front matter wins for the title; its recovery target is the default of every procedure. */
function applyMeta(runbook: ImportedRunbook, meta: RunbookMeta): void {
  runbook.meta = meta;
  if (meta.title) runbook.title = meta.title;
  const target = meta.recoveryTargetMinutes;
  if (target === undefined) return;
  for (const p of runbook.procedures) {
    if (p.kind === 'procedure' && p.recoveryTargetMinutes === null) p.recoveryTargetMinutes = target;
  }
}

/**
 * markdown-it slows down on very large inputs (its per-line arrays and the garbage they make), so
 * a large file is parsed in pieces of about CHUNK characters, cut just before a heading that starts
 * a line outside any fenced block: such a heading ends every list, quote and paragraph before it,
 * so each piece parses as it would in the whole (a link whose reference is defined in a later
 * piece stays text). Token lines are shifted back to the whole file's.
 */
const CHUNK = 256 * 1024;

function parseInChunks(src: string, env: object): Token[] {
  if (src.length <= CHUNK * 1.5) return md.parse(src, env);
  const tokens: Token[] = [];
  let start = 0;
  let startLine = 0;
  while (start < src.length) {
    const { end, lines } = chunkEnd(src, start);
    const part = md.parse(src.slice(start, end), env);
    for (const t of part) {
      // Each token has its own map array (markdown-it never shares one between tokens).
      if (startLine && t.map) {
        t.map[0] += startLine;
        t.map[1] += startLine;
      }
      tokens.push(t);
    }
    start = end;
    startLine += lines;
  }
  return tokens;
}

/** Where the piece starting at `start` ends (a line start, or the end), and how many lines it has. */
function chunkEnd(src: string, start: number): { end: number; lines: number } {
  let fence: { char: string; length: number } | null = null;
  let lines = 0;
  for (let at = start; at < src.length; ) {
    const nl = src.indexOf('\n', at);
    const next = nl === -1 ? src.length : nl + 1;
    if (at - start >= CHUNK && !fence && src[at] === '#' && /^#{1,6}(?:[ \t]|$)/.test(src.slice(at, at + 8))) return { end: at, lines };
    const c = src[at] === ' ' ? src.slice(at, at + 4).trimStart()[0] : src[at];
    if (c === '`' || c === '~') {
      const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(src.slice(at, Math.min(next, at + 200)).replace(/\r?\n$/, ''));
      if (m) {
        const marker = m[1]!;
        if (!fence) {
          if (marker[0] === '~' || !m[2]!.includes('`')) fence = { char: marker[0]!, length: marker.length };
        } else if (marker[0] === fence.char && marker.length >= fence.length && !m[2]!.trim()) {
          fence = null;
        }
      }
    }
    lines++;
    at = next;
  }
  return { end: src.length, lines };
}

// ---- refusing what is not a runbook ---------------------------------------------------------

function assertRunbookText(text: string, warnings: ImportWarning[]): void {
  if (text.length > MAX_RUNBOOK_BYTES || (text.length > MAX_RUNBOOK_BYTES / 3 && Buffer.byteLength(text, 'utf8') > MAX_RUNBOOK_BYTES)) {
    const mb = (Buffer.byteLength(text, 'utf8') / (1024 * 1024)).toFixed(1);
    throw new ImportError(`is ${mb} MB; a runbook is at most 16 MB, so split it into several files and import those`);
  }
  if (!/\S/.test(text)) throw new ImportError('is empty; there is nothing to import');
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    throw new ImportError(`contains binary data (NUL byte on line ${lineAt(text, nul)}); is this really a Markdown runbook?`);
  }
  // U+FFFD is what a UTF-8 decoder leaves for bytes it could not read. A few are a typo; many
  // mean the file is in another encoding (or not text at all).
  let bad = 0;
  let first = -1;
  for (let i = text.indexOf('\uFFFD'); i !== -1 && bad <= 1000; i = text.indexOf('\uFFFD', i + 1)) {
    if (first === -1) first = i;
    bad++;
  }
  if (bad >= 1000 || (bad >= 8 && bad * 200 >= text.length)) {
    throw new ImportError(
      `is not valid UTF-8 text (${bad >= 1000 ? 'over 1,000' : bad} undecodable bytes, the first on line ${lineAt(text, first)}); save it as UTF-8 and import it again`,
    );
  }
  if (bad > 0) {
    warnings.push({ line: lineAt(text, first), message: `${bad} character(s) could not be decoded as UTF-8 and show as \uFFFD` });
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * YAML front matter (`---` ... `---` at the very top) is not part of the runbook's Markdown: its
 * lines are blanked (so every line number stays true) and its YAML is returned for readMeta.
 */
function splitFrontMatter(text: string): { src: string; frontMatter: string | null } {
  const open = /^---[ \t]*\r?\n/.exec(text);
  if (!open) return { src: text, frontMatter: null };
  const close = /^(?:---|\.\.\.)[ \t]*\r?$/m;
  const rest = text.slice(open[0].length, open[0].length + 64 * 1024);
  const m = close.exec(rest);
  if (!m) return { src: text, frontMatter: null };
  const end = open[0].length + m.index + m[0].length;
  const lines = text.slice(0, end).split('\n').length - 1;
  return { src: '\n'.repeat(lines) + text.slice(end), frontMatter: rest.slice(0, m.index) };
}

/**
 * The front matter keys of docs/runbook-format.md. Unknown keys are ignored (other tools put
 * theirs there too); a key of the wrong shape is a warning, never a refusal.
 */
function readMeta(yaml: string, warnings: ImportWarning[]): RunbookMeta {
  if (nestsTooDeep(yaml)) {
    warnings.push({ line: 1, message: `the front matter nests more than ${MAX_YAML_DEPTH} levels deep; it was ignored` });
    return {};
  }
  let data: unknown;
  try {
    data = parseYaml(yaml, { maxAliasCount: 100, logLevel: 'error' }); // warnings are not printed: the importer does no I/O
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    warnings.push({ line: 1, message: `the front matter is not valid YAML (${message}); it was ignored` });
    return {};
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    warnings.push({ line: 1, message: 'the front matter is not a set of `key: value` lines; it was ignored' });
    return {};
  }
  const fm = data as Record<string, unknown>;
  const meta: RunbookMeta = {};
  const bad = (key: string, shape: string) => warnings.push({ line: 1, message: `front matter \`${key}\` should be ${shape}; it was ignored` });
  const text = (key: string): string | undefined => {
    const v = fm[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || undefined;
    bad(key, 'a single value');
    return undefined;
  };
  const list = (key: string): string[] | undefined => {
    const v = fm[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
    if (Array.isArray(v)) return v.map(matcherText).filter((x): x is string => !!x);
    if (typeof v === 'object') return Object.keys(v);
    bad(key, 'a list');
    return undefined;
  };
  const id = text('id');
  if (id) meta.id = id;
  const title = text('title');
  if (title) meta.title = title;
  const services = list('services');
  if (services) meta.services = services;
  const severity = text('severity');
  if (severity) meta.severity = severity;
  const recovery = text('recovery_target');
  if (recovery) {
    const minutes = /^\d+(\.\d+)?$/.test(recovery) ? Number(recovery) : parseMinutes(recovery);
    if (minutes !== null && minutes > 0) meta.recoveryTargetMinutes = minutes;
    else bad('recovery_target', 'a duration such as `15 min`');
  }
  const alerts = list('alerts');
  if (alerts) meta.alerts = alerts;
  const environment = text('default_environment');
  if (environment) meta.defaultEnvironment = environment;
  const variables = list('variables');
  if (variables) meta.variables = variables;
  return meta;
}

/**
 * The YAML parser recurses per level (a deep enough `[[[[...` exhausts the stack or the memory), and
 * front matter is a few flat keys: deeper than this is not a runbook's front matter.
 */
const MAX_YAML_DEPTH = 32;

function nestsTooDeep(yaml: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < yaml.length; i++) {
    const c = yaml[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\n') quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_YAML_DEPTH) return true;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    } else if (c === '\n' || i === 0) {
      // block nesting: indentation and `- ` / `? ` / `: ` indicators at the start of a line
      let j = c === '\n' ? i + 1 : i;
      while (j < yaml.length && (yaml[j] === ' ' || yaml[j] === '-' || yaml[j] === '?' || yaml[j] === ':' || yaml[j] === '\t')) j++;
      if (j - i > MAX_YAML_DEPTH * 4) return true;
    }
  }
  return false;
}

/** An alert matcher as written: `Name`, or `{alertname: X, severity: critical}` as `alertname=X,severity=critical`. */
function matcherText(v: unknown): string | null {
  if (typeof v === 'string' || typeof v === 'number') return String(v).trim() || null;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v).map(([k, x]) => `${k}=${String(x)}`).join(',') || null;
  }
  return null;
}

function warnAboutSkippedContent(src: string, tokens: Token[], warnings: ImportWarning[]): void {
  let covered = 0;
  let deep: Token | null = null;
  let lastFence: Token | null = null;
  for (const t of tokens) {
    if (t.map && t.map[1] > covered) covered = t.map[1];
    if (!deep && t.level >= MAX_NESTING - 4 && t.map) deep = t;
    if (t.type === 'fence') lastFence = t;
  }
  let last = src.length - 1;
  while (last >= 0 && isSpace(src.charCodeAt(last))) last--;
  // markdown-it stops reading where lists or quotes nest deeper than its limit, and skips the rest.
  if (deep?.map) {
    warnings.push({
      line: deep.map[0] + 1,
      message: `lists or quotes nest more than ${MAX_NESTING} deep from line ${deep.map[0] + 1}; what lies deeper, and what follows it, was not imported`,
    });
  }
  // Only the last fence can run to the end of the file: it is unclosed when it reaches the last
  // line read and the file's last non-blank line is not a closing fence.
  if (lastFence?.map && lastFence.map[1] >= covered) {
    const closing = src.slice(src.lastIndexOf('\n', last) + 1, last + 1).trim();
    const marker = lastFence.markup;
    const closed = lastFence.map[1] - lastFence.map[0] >= 2 && closing.length >= marker.length && /^(`+|~+)$/.test(closing) && closing[0] === marker[0];
    if (!closed) {
      warnings.push({
        line: lastFence.map[0] + 1,
        message: `the code block opened on line ${lastFence.map[0] + 1} is never closed, so it runs to the end of the file`,
      });
    }
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 12 || code === 11;
}

// ---- recognising the shapes teams write ----------------------------------------------------

/** `RB-01`, `INC-7`, `SOP-12`: capitals, a dash, digits, at the start of a heading. */
const ID_PREFIX = /^([A-Z][A-Z0-9]{0,11}-\d{1,6})(?=$|[\s:.)\]|–—-])[\s:.)\]|–—-]*/;
/** `Runbook 3`, `Playbook #2`, `Procedure 4`. */
const WORD_ID_PREFIX = /^((?:runbook|playbook|procedure|sop)\s*#?\s*\d{1,5})(?=$|[\s:.)|–—-])[\s:.)|–—-]*/i;
/** `Restart the API (RB-07)` or `[RB-07]` at the end. */
const ID_SUFFIX = /[([]([A-Z][A-Z0-9]{0,11}-\d{1,6})[)\]]\s*$/;
/** `1) Title`, `2. Title`, `Step 3: Title`. */
const NUMBER_PREFIX = /^(?:step\s+)?(\d{1,3})\s*[.):]\s+(?=\S)/i;

/** `# 1. Stop everything` / `-- 2) Reset` / `// Step 3: ...` inside a code block. */
export const COMMENT_STEP = /^[ \t]*(?:#+|--|\/\/)[ \t]*(?:step[ \t]+)?(\d{1,3})[.):][ \t]+(\S.*)$/i;

const RECOVERY_LABEL = /^(?:recovery(?:\s+time)?(?:\s+target|\s+objective)?|rto|time\s+to\s+recover(?:y)?|target\s+recovery\s+time)$/i;
const TRIGGER_LABEL = /^(?:alerts?|triggers?|triggered\s+by|fires\s+when|alert\s+condition)$/i;
/** Headings under which inline code describes a symptom rather than something to run. */
const DESCRIPTIVE = /\b(symptoms?|signals?|impact|prevention|scope|overview|background|context|notes?|services|defaults|examples?|related|links|see also|owners?|contacts?|references?)\b/i;
const SECTION_NAMES =
  /^(symptoms?|immediate\s+actions?|actions?|investigation(\s+steps)?|diagnosis(\s+steps)?|diagnostics?|triage|checks?|resolution(\s+paths)?|remediation|mitigation|fix(es)?|recovery|rollback|verification|verify|prevention|steps?|procedure|escalation|root\s+cause|impact)$/i;
export const ALTERNATIVES_NAMES = /\b(paths?|alternatives?|options?|scenarios?)\b/i;
const ALTERNATIVE_LABEL = /^(?:path|option|alternative|scenario|plan|case)\s+[\w.-]{1,3}\b/i;
const NOTES_NAMES = /^(table\s+of\s+contents|contents|toc|related(\s+\w+)*|see\s+also|links|scope|overview|introduction|about(\s+\w+)*|background|glossary|changelog|history|debugging\b.*)$/i;
/** A section that lists whom to call: "Contacts", "Contact information", "Who to call", "Emergency contacts". */
const CONTACT_SECTION = /\bcontacts?\b|\bwho\s+to\s+(call|contact|page)\b/i;
const REFERENCE_NAMES = /\b(reference|escalation|severity|severities|priorit(y|ies)|contacts?|matrix|template|important\s+files|cheat\s*sheet|quick\s+reference|on-?call\s+rota|ports?|thresholds?)\b/i;
const CHECKLIST_NAMES = /\bcheck-?list\b/i;
const TASK_ITEM = /^\s*\[[ xX]\]\s/;
const IF_ITEM = /^\s*(?:\*\*|__)?\s*if\b/i;
/** Captions that only introduce the steps below them: not kept as prose. */
const STEPS_CAPTION = /^(?:steps?|procedure|instructions)$/i;

function isIfList(firstLines: string[]): boolean {
  const ifs = firstLines.filter((t) => IF_ITEM.test(t)).length;
  return ifs >= 2 && ifs >= firstLines.length - 1;
}

/** Executables whose name alone makes inline code read as a command (with arguments). */
const TOOL_KIND: Record<string, string> = {
  kubectl: 'kubectl', oc: 'kubectl', k9s: 'kubectl', helm: 'helm', kustomize: 'kubectl', stern: 'kubectl',
  wrangler: 'wrangler',
  curl: 'curl', wget: 'curl', http: 'curl', httpie: 'curl', grpcurl: 'curl',
  ssh: 'ssh', scp: 'ssh', sftp: 'ssh', rsync: 'ssh', mosh: 'ssh',
  psql: 'psql', pg_dump: 'psql', pg_restore: 'psql', pg_isready: 'psql', pgbench: 'psql',
  mysql: 'mysql', mysqldump: 'mysql', sqlite3: 'sqlite', mongosh: 'mongo', mongo: 'mongo',
  'redis-cli': 'redis',
  docker: 'docker', 'docker-compose': 'docker', podman: 'docker', crictl: 'docker', nerdctl: 'docker',
  git: 'git', gh: 'git',
  systemctl: 'systemd', journalctl: 'systemd', service: 'systemd',
  aws: 'aws', gcloud: 'gcloud', gsutil: 'gcloud', az: 'azure', terraform: 'terraform', tofu: 'terraform',
  ansible: 'ansible', 'ansible-playbook': 'ansible', pscale: 'pscale', flyctl: 'fly', fly: 'fly',
  heroku: 'heroku', vercel: 'vercel', netlify: 'netlify', supabase: 'supabase', doctl: 'doctl',
  vault: 'vault', consul: 'consul', nomad: 'nomad', etcdctl: 'etcd', openssl: 'openssl', certbot: 'certbot',
  go: 'go', cargo: 'cargo', npm: 'node', npx: 'node', node: 'node', pnpm: 'node', yarn: 'node', bun: 'node', deno: 'node',
  python: 'python', python3: 'python', pip: 'python', pip3: 'python', uv: 'python',
  promtool: 'prometheus', amtool: 'prometheus', nats: 'nats', 'kafka-topics': 'kafka', kcat: 'kafka',
};
const SHELL_TOOLS = new Set([
  'ls', 'cat', 'tail', 'head', 'less', 'grep', 'egrep', 'rg', 'jq', 'yq', 'awk', 'sed', 'find', 'xargs', 'sort', 'uniq', 'wc',
  'df', 'du', 'ncdu', 'free', 'top', 'htop', 'ps', 'pgrep', 'kill', 'pkill', 'killall', 'uptime', 'dmesg', 'lsof', 'iostat', 'vmstat',
  'ping', 'dig', 'nslookup', 'host', 'traceroute', 'mtr', 'nc', 'netstat', 'ss', 'ip', 'ifconfig', 'iptables', 'ufw', 'tcpdump', 'telnet',
  'tar', 'gzip', 'zcat', 'rm', 'mv', 'cp', 'mkdir', 'chmod', 'chown', 'ln', 'touch', 'echo', 'printf', 'export', 'env', 'watch',
  'make', 'crontab', 'sudo', 'tmux', 'screen', 'mount', 'umount', 'nginx', 'date', 'timedatectl', 'sysctl', 'ulimit', 'nano', 'vi', 'vim',
  'bash', 'sh', 'zsh', 'source', 'time', 'timeout', 'nohup', 'strace', 'perf', 'openssl', 'base64', 'sha256sum', 'md5sum', 'stat', 'file',
]);
const SHELL_LANGUAGES = new Set(['', 'bash', 'sh', 'shell', 'zsh', 'fish', 'console', 'shell-session', 'shellsession', 'terminal', 'cli', 'cmd', 'ksh', 'powershell', 'ps1', 'pwsh', 'bat', 'batch']);
const SQL_LANGUAGES = new Set(['sql', 'psql', 'pgsql', 'postgres', 'postgresql', 'plpgsql', 'mysql', 'sqlite', 'tsql', 'plsql', 'cql']);
const LANGUAGE_KIND: Record<string, string> = {
  ts: 'typescript', tsx: 'typescript', typescript: 'typescript', js: 'javascript', jsx: 'javascript', mjs: 'javascript', javascript: 'javascript',
  py: 'python', python: 'python', go: 'go', golang: 'go', rs: 'rust', rust: 'rust', java: 'java', kotlin: 'kotlin', rb: 'ruby', ruby: 'ruby',
  yml: 'yaml', yaml: 'yaml', json: 'json', jsonc: 'json', toml: 'toml', ini: 'ini', hcl: 'terraform', tf: 'terraform', terraform: 'terraform',
  md: 'markdown', markdown: 'markdown', text: 'text', txt: 'text', plain: 'text', plaintext: 'text', output: 'text', log: 'text',
  dockerfile: 'dockerfile', docker: 'dockerfile', promql: 'promql', logql: 'logql', http: 'http', nginx: 'nginx', xml: 'xml', html: 'html',
  diff: 'diff', csv: 'text', powershell: 'powershell', ps1: 'powershell', pwsh: 'powershell',
};
const SQL_START = /^\s*(select|insert|update|delete|create|alter|drop|with|explain|vacuum|analyze|grant|revoke|truncate|begin|commit|show|set)\b/i;
const ENV_NOT_PLACEHOLDERS = new Set(['HOME', 'PATH', 'USER', 'PWD', 'OLDPWD', 'SHELL', 'HOSTNAME', 'RANDOM', 'UID', 'EUID', 'PPID', 'IFS', 'LANG', 'TERM', 'TMPDIR', 'SECONDS', 'LINENO', 'BASH_SOURCE', 'PS1']);

/** Durations as teams write them: `< 15 min`, `1 hour`, `4 hours`, `30s`, `2 days`. */
function parseMinutes(text: string): number | null {
  text = text.slice(0, 200); // a duration is short; and a long run of digits must not cost more
  const m = /(\d+(?:\.\d+)?)\s*([A-Za-z]+)/.exec(text);
  const unit = m ? durationUnit(m[2]!) : null;
  if (!m || unit === null) return /\bimmediate(ly)?\b/i.test(text) ? 0 : null;
  return Number(m[1]) * unit;
}

/** Minutes per unit word, null for a word that is not a duration unit. */
function durationUnit(word: string): number | null {
  const w = word.toLowerCase();
  if (w === 's' || w === 'sec' || w === 'secs' || w === 'second' || w === 'seconds') return 1 / 60;
  if (w === 'm' || w === 'min' || w === 'mins' || w === 'minute' || w === 'minutes') return 1;
  if (w === 'h' || w === 'hr' || w === 'hrs' || w === 'hour' || w === 'hours') return 60;
  if (w === 'd' || w === 'day' || w === 'days') return 1440;
  return null; // "business day" depends on the calendar: no fixed number of minutes
}

// ---- placeholders ---------------------------------------------------------------------------

/**
 * One pass over the code for every placeholder syntax (the alternatives are tried left to right at
 * each position); what surrounds a match is checked by hand, which is cheaper than lookbehinds.
 * Groups: 1 <angle>, 2 ${dollar-brace}, 3 $dollar, 4 {curly}, 5 [square], 6 YOUR_CAPS / your-name.
 */
const PLACEHOLDER =
  /<([A-Za-z][\w.:-]*)>|\$\{([A-Za-z_]\w*)(?:[:?=+-][^}\n]*)?\}|\$([A-Za-z_]\w*)|\{([A-Za-z][\w-]*)\}|\[([A-Za-z][\w-]+)\]|\b(YOUR_[A-Z0-9_]+|your[-_][a-z0-9][\w-]*)\b/g;
const PLACEHOLDER_HINT = /[<${[]|your/i;
const ASSIGNMENT = /\b([A-Za-z_]\w*)=/g;

function findPlaceholders(code: string, shellLike: boolean): Placeholder[] {
  if (!PLACEHOLDER_HINT.test(code)) return [];
  let assigned: Set<string> | null = null;
  if (shellLike && code.includes('=')) {
    assigned = new Set();
    for (const m of code.matchAll(ASSIGNMENT)) {
      const before = m.index > 0 ? code[m.index - 1]! : ' ';
      if (!/[\w-]/.test(before)) assigned.add(m[1]!);
    }
  }
  const found: Placeholder[] = [];
  const seen = new Set<string>();
  const add = (name: string, syntax: Placeholder['syntax']) => {
    if (seen.has(name)) return;
    seen.add(name);
    found.push({ name, syntax });
  };
  for (const m of code.matchAll(PLACEHOLDER)) {
    const at = m.index;
    const before = at > 0 ? code[at - 1]! : '';
    const after = code[at + m[0].length] ?? '';
    if (m[1] !== undefined) {
      if (!/[\w<]/.test(before)) add(m[1], 'angle');
    } else if (m[2] !== undefined || m[3] !== undefined) {
      const name = (m[2] ?? m[3])!;
      if (shellLike && before !== '\\' && before !== '$' && !assigned?.has(name) && !ENV_NOT_PLACEHOLDERS.has(name)) {
        add(name, m[2] !== undefined ? 'dollar-brace' : 'dollar');
      }
    } else if (m[4] !== undefined) {
      // not `${x}`, `%{time_total}`, nor a step of a JSONPath/Go template (`{.name}{"\t"}{end}`)
      if (shellLike && !/[\w$%{}]/.test(before) && after !== '}' && after !== '{') add(m[4], 'curly');
    } else if (m[5] !== undefined) {
      // not `arr[i]`, a link `[text](url)`, a reference `[x]:` or a TOML/INI `[section]` line
      if ((before === '' || /[\s=/:'"(,@]/.test(before)) && !/[([:=\]]/.test(after) && !isWholeLine(code, at, m[0].length)) add(m[5], 'square');
    } else if (m[6] !== undefined) {
      add(m[6], 'your-caps');
    }
  }
  return found;
}

/** Whether a match fills its line (only indentation around it), looking no further than that line's indentation. */
function isWholeLine(code: string, index: number, length: number): boolean {
  let i = index - 1;
  while (i >= 0 && (code[i] === ' ' || code[i] === '\t')) i--;
  if (i >= 0 && code[i] !== '\n') return false;
  let j = index + length;
  while (j < code.length && (code[j] === ' ' || code[j] === '\t' || code[j] === '\r')) j++;
  return j === code.length || code[j] === '\n';
}

// ---- commands -------------------------------------------------------------------------------

const WRAPPER = /^(?:sudo(?:\s+-\S+)*|env|time|nohup|exec|[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*))\s+/;
const WRAPPER_WORDS = new Set(['sudo', 'env', 'time', 'nohup', 'exec', 'npx', 'bunx', 'pnpx']);

/** The executable a command line runs (`sudo`, `env`, `X=y` and `npx` looked through), and whether it has arguments. */
function firstWordOf(line: string): { word: string; hasArgs: boolean } {
  let s = line.trimStart();
  if (s.startsWith('$ ')) s = s.slice(2).trimStart();
  for (let i = 0; i < 6; i++) {
    const end = wordEnd(s);
    const word = s.slice(0, end);
    if (!WRAPPER_WORDS.has(word) && !word.includes('=')) {
      const slash = word.lastIndexOf('/');
      return { word: slash === -1 ? word : word.slice(slash + 1), hasArgs: /\S/.test(s.slice(end, end + 200)) };
    }
    if (word === 'npx' || word === 'bunx' || word === 'pnpx') {
      s = s.slice(end).trimStart();
      while (s.startsWith('-')) s = s.slice(wordEnd(s)).trimStart();
      continue;
    }
    const m = WRAPPER.exec(s);
    if (!m) return { word, hasArgs: false };
    s = s.slice(m[0].length);
  }
  return { word: '', hasArgs: false };
}

function wordEnd(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) break;
    i++;
  }
  return i;
}

function isCommentLine(line: string, sql: boolean): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#') || (sql && (t.startsWith('--') || t.startsWith('/*') || t.startsWith('*'))) || t.startsWith('//');
}

function firstCodeLine(code: string, sql: boolean): string {
  let start = 0;
  while (start <= code.length) {
    let end = code.indexOf('\n', start);
    if (end === -1) end = code.length;
    const line = code.slice(start, end);
    if (!isCommentLine(line, sql)) return line;
    start = end + 1;
  }
  return '';
}

/** Shell transcripts (`$ cmd` then output): keep the commands without prompts; output is expected output. */
function stripPrompts(code: string): { code: string; output: string } {
  if (!/^[ \t]*\$ /m.test(code)) return { code, output: '' };
  const out: string[] = [];
  const output: string[] = [];
  let continued = false;
  for (const line of code.split('\n')) {
    const m = /^[ \t]*\$ (.*)$/.exec(line);
    if (m) {
      out.push(m[1]!);
      continued = m[1]!.endsWith('\\');
    } else if (continued) {
      out.push(line);
      continued = line.endsWith('\\');
    } else if (/^\s*#/.test(line)) {
      out.push(line);
    } else if (line.trim()) {
      output.push(line);
    }
  }
  return { code: out.join('\n'), output: output.join('\n') };
}

/**
 * Commands an SRE would not run without a second look: they delete data or take capacity away in a
 * way that is not undone by running them again. The one list (docs/runbook-format.md copies it);
 * the linter asks for `confirm` on every command that matches. Restarts (`rollout restart`,
 * `systemctl restart`) are routine remediation and are not on it.
 */
export const DESTRUCTIVE_COMMANDS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\brm\s+(?:-\w*[rRf]|--recursive|--force)/, what: '`rm -r` / `rm -f`' },
  { pattern: /\b(?:kubectl|oc)\b[^\n|;&]*\s(?:delete|drain)\b/, what: '`kubectl delete`, `kubectl drain`' },
  { pattern: /\bscale\b[^\n|;&]*--replicas[= ]0\b/, what: 'scaling to `--replicas=0`' },
  { pattern: /\bhelm\s+(?:uninstall|delete|rollback)\b/, what: '`helm uninstall`, `helm rollback`' },
  { pattern: /\b(?:docker|podman|docker-compose)\b[^\n|;&]*\s(?:rm|rmi|prune|kill)\b|\bcompose\s+down\b[^\n]*\s-v\b/, what: '`docker rm`, `rmi`, `prune`, `kill`, `compose down -v`' },
  { pattern: /\bgit\s+(?:push\b[^\n]*(?:--force|\s-f\b)|reset\s+--hard|clean\s+-\w*f)/, what: '`git push --force`, `git reset --hard`, `git clean -f`' },
  { pattern: /\b(?:terraform|tofu)\s+destroy\b|\bterraform\s+state\s+rm\b/, what: '`terraform destroy`, `terraform state rm`' },
  { pattern: /\b(?:wrangler|pscale|flyctl|fly|heroku|doctl|vercel|supabase|gcloud|az|aws)\b[^\n|;&]*\s(?:delete|destroy|purge|rb|rm|delete-[\w-]+|terminate-[\w-]+)\b/, what: 'a cloud CLI\'s `delete` / `destroy` / `rm` / `terminate-*`' },
  { pattern: /\bdrop\s+(?:table|database|schema|index|view|user|role)\b|\btruncate\b|\bdelete\s+from\b/i, what: 'SQL `DROP`, `TRUNCATE`, `DELETE FROM`' },
  { pattern: /\bflush(?:all|db)\b/i, what: 'Redis `FLUSHALL` / `FLUSHDB`' },
  { pattern: /\bfind\b[^\n|;&]*\s-delete\b/, what: '`find ... -delete`' },
  { pattern: /\bmkfs\b|\bdd\b[^\n]*\bof=\/dev\/|\bshred\b|\bwipefs\b/, what: '`mkfs`, `dd of=/dev/...`, `shred`' },
];
const DESTRUCTIVE_ANY = new RegExp(DESTRUCTIVE_COMMANDS.map((d) => `(?:${d.pattern.source})`).join('|'), 'i');
/**
 * A word every pattern above needs, case-sensitive where the patterns are (one cheap scan, so
 * the importer's speed does not depend on the list's length). Extend it with the list.
 */
const DESTRUCTIVE_HINT =
  /\b(?:rmi?|delete|drain|replicas|uninstall|rollback|prune|kill|down|push|reset|clean|destroy|state|purge|rb|terminate|mkfs|dd|shred|wipefs|[Dd][Rr][Oo][Pp]|[Tt][Rr][Uu][Nn][Cc][Aa][Tt][Ee]|[Dd][Ee][Ll][Ee][Tt][Ee]|[Ff][Ll][Uu][Ss][Hh]\w*)\b/;

/** Whether any non-comment line of a command's code matches DESTRUCTIVE_COMMANDS. */
export function isDestructive(code: string, sql: boolean): boolean {
  return destructiveLine(code, sql) !== null;
}

/** The first non-comment line of a command's code that matches DESTRUCTIVE_COMMANDS, or null. */
export function destructiveLine(code: string, sql: boolean): string | null {
  if (!DESTRUCTIVE_HINT.test(code) || !DESTRUCTIVE_ANY.test(code)) return null;
  return code.split('\n').find((l) => !isCommentLine(l, sql) && DESTRUCTIVE_ANY.test(l)) ?? null;
}

/** Settings on a fence line: `bash {name="Restart the API" timeout=120 confirm environment=production}`. */
export interface FenceSettings {
  name?: string;
  timeoutSeconds?: number;
  confirm?: boolean;
  environment?: string;
}

const FENCE_SETTING = /([A-Za-z_][\w-]*)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s}]+)))?/g;

export function fenceSettings(info: string): FenceSettings | null {
  const open = info.indexOf('{');
  if (open === -1) return null;
  const close = info.lastIndexOf('}');
  const body = info.slice(open + 1, close > open ? close : undefined);
  const settings: FenceSettings = {};
  for (const m of body.matchAll(FENCE_SETTING)) {
    const key = m[1]!.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? m[4]);
    if (key === 'name') {
      if (value) settings.name = value;
    } else if (key === 'timeout') {
      const seconds = value ? (/^\d+$/.test(value) ? Number(value) : Math.round((parseMinutes(value) ?? 0) * 60)) : 0;
      if (seconds > 0) settings.timeoutSeconds = seconds;
    } else if (key === 'confirm') {
      settings.confirm = value === undefined || !/^(false|no|0)$/i.test(value);
    } else if (key === 'environment' || key === 'env') {
      if (value) settings.environment = value;
    }
  }
  return settings;
}

function describeCode(
  rawCode: string,
  info: string,
  line: number,
  endLine: number,
  origin: Command['origin'],
  settings: FenceSettings | null = null,
): Command {
  let language = info.trim().split(/[\s{]+/)[0]!.toLowerCase().replace(/^\{\.?|\}$/g, '');
  if (!language) {
    const first = firstCodeLine(rawCode, true);
    language = SQL_START.test(first) ? 'sql' : isCommandLike(first.trim().replace(/^\$\s+/, '')) ? 'bash' : first ? 'text' : 'bash';
  }
  const shellLike = SHELL_LANGUAGES.has(language);
  const sql = SQL_LANGUAGES.has(language);
  const transcript = shellLike ? stripPrompts(rawCode) : null;
  const code = transcript ? transcript.code : rawCode;
  const first = firstCodeLine(code, sql);
  let kind: string;
  let runnable: boolean;
  if (shellLike) {
    const { word } = firstWordOf(first);
    kind = language === 'powershell' || language === 'ps1' || language === 'pwsh' ? 'powershell' : (TOOL_KIND[word] ?? 'shell');
    runnable = first !== '';
  } else if (sql) {
    kind = 'sql';
    runnable = first !== '';
  } else {
    // Source code, configuration, templates and output: shown and copied, not run in a terminal.
    kind = LANGUAGE_KIND[language] ?? language;
    runnable = false;
  }
  const command: Command = {
    code,
    language,
    kind,
    line,
    endLine: Math.max(line, endLine),
    origin,
    runnable,
    placeholders: findPlaceholders(code, shellLike || sql),
  };
  // Present only when true, so the JSON of ordinary commands stays as it was.
  if (runnable && isDestructive(code, sql)) command.destructive = true;
  if (transcript?.output) command.expectedOutput = transcript.output;
  if (settings) Object.assign(command, settings);
  return command;
}

/** Whether inline code reads as a command: a known executable (or a script path) with arguments. */
function isCommandLike(code: string): boolean {
  const s = code.trim().replace(/^\$\s+/, '');
  if (!/\s/.test(s) || s.length > 2000) return false;
  const { word, hasArgs } = firstWordOf(s);
  if (!hasArgs) return false;
  const raw = s.slice(0, wordEnd(s));
  if (/^\.{0,2}\/[\w./-]+$/.test(raw) && /\.(sh|py|rb|js|ts|pl)$|^\.\//.test(raw)) return true;
  return Object.hasOwn(TOOL_KIND, word) || SHELL_TOOLS.has(word);
}

/** Inline code in an inline token's children that reads as a command, at its line. */
function inlineCommands(inline: Token, children: Token[]): Command[] {
  if (!inline.map) return [];
  const out: Command[] = [];
  let line = inline.map[0] + 1;
  for (const c of children) {
    if (c.type === 'softbreak' || c.type === 'hardbreak') line++;
    else if (c.type === 'code_inline' && isCommandLike(c.content)) {
      const code = c.content.trim().replace(/^\$\s+/, '');
      const language = SQL_START.test(code) ? 'sql' : 'bash';
      out.push({ ...describeCode(code, language, line, line, 'inline'), runnable: true });
    }
  }
  return out;
}

// ---- plain text from markdown-it inline tokens ---------------------------------------------

function inlineText(children: Token[] | null, from = 0, to = children ? children.length : 0): string {
  if (!children) return '';
  let s = '';
  for (let i = from; i < to; i++) {
    const c = children[i]!;
    switch (c.type) {
      case 'text':
      case 'text_special':
      case 'code_inline':
      case 'html_inline':
        s += c.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        s += '\n';
        break;
      case 'image':
        s += inlineText(c.children);
        break;
      default:
        break;
    }
  }
  return s;
}

/** A leading `**label**` (with what follows it) in an inline token, if the text starts with one. */
function leadingStrong(children: Token[] | null): { label: string; restFrom: number } | null {
  if (!children || children.length === 0) return null;
  let i = 0;
  while (i < children.length && children[i]!.type === 'text' && children[i]!.content.trim() === '') i++;
  const open = children[i];
  if (!open || open.type !== 'strong_open') return null;
  let depth = 0;
  for (let j = i; j < children.length; j++) {
    const t = children[j]!.type;
    if (t === 'strong_open') depth++;
    else if (t === 'strong_close' && --depth === 0) {
      return { label: inlineText(children, i + 1, j).trim(), restFrom: j + 1 };
    }
  }
  return null;
}

function cleanLabel(label: string): string {
  let t = label.trim();
  while (t.endsWith(':') || t.endsWith('：')) t = t.slice(0, -1).trimEnd();
  return t;
}

/** What follows a label: `**Alert:** x`, `**Path A** - x`, `**Assess**: x` all give `x`. */
function cleanRest(rest: string): string {
  return rest.replace(/^\s*(?:[:：]|[-–—]\s)\s*/, '').trim();
}

/**
 * A step title from a line of prose: the line without its trailing colon; or what comes before
 * `: ` (`Reduce pressure: lower non-essential traffic`); else the first sentence.
 */
function titleFromProse(text: string): { title: string; rest: string } {
  const nl = text.indexOf('\n');
  const first = (nl === -1 ? text : text.slice(0, nl)).trim();
  const after = nl === -1 ? '' : text.slice(nl + 1).trim();
  const colon = first.indexOf(': ');
  if (colon >= 3 && colon <= 80 && !first.endsWith(':')) {
    return { title: first.slice(0, colon).trim(), rest: [first.slice(colon + 2).trim(), after].filter(Boolean).join('\n') };
  }
  if (first.length <= 120) return { title: cleanLabel(first), rest: after };
  const sentence = /^(.{20,120}?[.!?:])\s/.exec(first);
  if (sentence) return { title: cleanLabel(sentence[1]!), rest: text.trim() };
  const cut = first.slice(0, 120);
  return { title: cut.slice(0, Math.max(cut.lastIndexOf(' '), 60)) + '…', rest: text.trim() };
}

function timerFrom(text: string): number | null {
  if (!/\d/.test(text)) return null;
  const m = /\b(?:wait|within|monitor\s+for|watch\s+for|for\s+at\s+least|stable\s+for|give\s+it|allow)\s+(?:at\s+least\s+|about\s+|up\s+to\s+)?(\d{1,4})\+?\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)\b/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const u = m[2]!.toLowerCase();
  const seconds = u.startsWith('s') ? n : u.startsWith('h') ? n * 3600 : n * 60;
  return seconds > 0 ? seconds : null;
}

// ---- the reader -----------------------------------------------------------------------------

type BlockType = 'heading' | 'paragraph' | 'ordered' | 'bullet' | 'code' | 'table' | 'quote' | 'hr' | 'html' | 'other';

interface Block {
  type: BlockType;
  /** Token range [start, end). */
  start: number;
  end: number;
  line: number;
  endLine: number;
  /** A list's items, once looked at. */
  items?: ListItem[];
}

interface Section {
  heading: Block;
  level: number;
  rawTitle: string;
  title: string;
  id: string | null;
  number: number | null;
  parent: number | null;
  blocks: Block[];
  kind: ProcedureKind;
  endLine: number;
  childTitles: string[];
}

interface StepDraft {
  title: string;
  line: number;
  endLine: number;
  text: string[];
  commands: Command[];
}

interface Table {
  header: string[];
  rows: { cells: string[]; line: number }[];
  line: number;
}

interface ListItem {
  start: number;
  end: number;
  line: number;
  endLine: number;
}

interface Label {
  title: string;
  line: number;
  /** Introduces a description (Symptoms:), under which inline code is not a command. */
  descriptive: boolean;
}

interface LastParagraph {
  title: string;
  rest: string;
  /** Where it sits in the section's text, so a code block right after it can take it as title. */
  textIndex: number;
  line: number;
}

interface ReadState {
  open: StepDraft | null;
  label: Label | null;
  lastParagraph: LastParagraph | null;
}

/** Everything the reader extracts from one section's own blocks. */
interface SectionContent {
  text: string[];
  steps: StepDraft[];
  triggers: string[];
  recovery: number | null;
  /** Whole fenced blocks whose `# 1.` comments became steps (see docs/import-json.md). */
  blockCommands: Command[];
  /** Commands found outside any step; only possible before the first heading. */
  loose: Command[];
}

class RunbookReader {
  private readonly alertRules: AlertRule[] = [];
  private readonly severityLevels: SeverityLevel[] = [];
  private readonly escalation: EscalationRung[] = [];
  private readonly escalationMatrix: EscalationPath[] = [];
  private readonly contacts: Contact[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly warnings: ImportWarning[],
  ) {}

  /** The inline tokens (text, emphasis, code spans) of an `inline` token. */
  private inline(t: Token | undefined): Token[] {
    return t?.children ?? [];
  }

  read(sourcePath: string, sha256: string): ImportedRunbook {
    const blocks = this.topLevelBlocks();
    const headings = blocks.filter((b) => b.type === 'heading');
    const h1s = headings.filter((h) => this.tokens[h.start]!.tag === 'h1');
    const titleBlock = headings[0] && h1s.length === 1 && h1s[0] === headings[0] ? headings[0] : null;

    const sections: Section[] = [];
    const preamble: Block[] = [];
    const stack: number[] = [];
    for (const b of blocks) {
      if (b.type === 'heading' && b !== titleBlock) {
        const level = Number(this.tokens[b.start]!.tag.slice(1));
        while (stack.length && sections[stack[stack.length - 1]!]!.level >= level) stack.pop();
        const rawTitle = inlineText(this.inline(this.tokens[b.start + 1])).trim();
        const { id, number, title } = splitHeading(rawTitle);
        sections.push({ heading: b, level, rawTitle, title, id, number, parent: stack.length ? stack[stack.length - 1]! : null, blocks: [], kind: 'notes', endLine: b.endLine, childTitles: [] });
        if (stack.length) sections[stack[stack.length - 1]!]!.childTitles.push(title);
        stack.push(sections.length - 1);
      } else if (b.type !== 'heading') {
        if (sections.length) sections[sections.length - 1]!.blocks.push(b);
        else preamble.push(b);
      }
    }
    for (let i = sections.length - 1; i >= 0; i--) {
      const s = sections[i]!;
      const last = s.blocks[s.blocks.length - 1];
      if (last && last.endLine > s.endLine) s.endLine = last.endLine;
      if (s.parent !== null && s.endLine > sections[s.parent]!.endLine) sections[s.parent]!.endLine = s.endLine;
    }

    const title = titleBlock
      ? inlineText(this.inline(this.tokens[titleBlock.start + 1])).trim()
      : (sections[0]?.rawTitle ?? basename(sourcePath).replace(/\.(md|markdown|txt)$/i, ''));

    const procedures: Procedure[] = [];
    const contactSections = new Set<number>();
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i]!;
      s.kind = this.classify(s, sections);
      const contactSection = CONTACT_SECTION.test(s.title) || (s.parent !== null && contactSections.has(s.parent));
      if (contactSection) {
        contactSections.add(i);
        this.readContactItems(s.blocks);
      }
      const c = this.readContent(s.blocks, s.kind, s.title, DESCRIPTIVE.test(s.title), false, contactSection);
      // Inside a procedure every command is in a step (readContent makes one when needed).
      if (c.loose.length) c.steps.push({ title: s.title, line: c.loose[0]!.line, endLine: s.endLine, text: [], commands: c.loose });
      procedures.push({
        id: s.id,
        title: s.title,
        kind: s.kind,
        level: s.level,
        line: s.heading.line,
        endLine: s.endLine,
        recoveryTargetMinutes: c.recovery,
        triggers: c.triggers,
        text: c.text.join('\n').trim(),
        steps: c.steps.map(finishStep),
        number: s.number,
        parent: s.parent,
        commands: c.blockCommands,
      });
    }
    // A section's alert and recovery target belong to the procedure it is part of.
    for (let i = 0; i < procedures.length; i++) {
      const p = procedures[i]!;
      const owner = this.owningProcedure(procedures, i);
      if (owner === i) continue;
      const o = procedures[owner]!;
      if (p.recoveryTargetMinutes !== null && o.recoveryTargetMinutes === null) {
        o.recoveryTargetMinutes = p.recoveryTargetMinutes;
        p.recoveryTargetMinutes = null;
      }
      if (p.triggers.length) o.triggers.push(...p.triggers.splice(0));
    }

    const pre = this.readContent(preamble, sections.length ? 'notes' : 'procedure', title, false, sections.length > 0);
    let looseCommands = pre.loose;
    let text = pre.text.join('\n').trim();
    if (!sections.length && (pre.steps.length || pre.triggers.length || pre.recovery !== null)) {
      // No headings: the whole document is one procedure.
      const first = preamble[0];
      const last = preamble[preamble.length - 1];
      procedures.push({
        id: null,
        title,
        kind: 'procedure',
        level: 1,
        line: titleBlock?.line ?? first?.line ?? 1,
        endLine: last?.endLine ?? titleBlock?.endLine ?? 1,
        recoveryTargetMinutes: pre.recovery,
        triggers: pre.triggers,
        text,
        steps: pre.steps.map(finishStep),
        number: null,
        parent: null,
        commands: pre.blockCommands,
      });
      text = '';
      looseCommands = [];
    } else {
      looseCommands = [...looseCommands, ...pre.blockCommands, ...pre.steps.flatMap((s) => s.commands)];
      if (pre.triggers.length) text = [...pre.triggers.map((t) => `Alert: ${t}`), text].join('\n').trim();
    }

    this.linkAlertRules(procedures);
    const seenIds = new Set<string>();
    for (const p of procedures) {
      if (!p.id) continue;
      if (seenIds.has(p.id)) this.warnings.push({ line: p.line, message: `the id ${p.id} is used by more than one heading` });
      seenIds.add(p.id);
    }

    return {
      title,
      source: { path: sourcePath, sha256 },
      text,
      procedures,
      alertRules: this.alertRules,
      severityLevels: this.severityLevels,
      escalation: this.escalation,
      escalationMatrix: this.escalationMatrix,
      contacts: this.contacts,
      looseCommands,
      warnings: this.warnings.sort((a, b) => a.line - b.line),
    };
  }

  private owningProcedure(procedures: Procedure[], index: number): number {
    for (let i: number | null | undefined = index; i !== null && i !== undefined; i = procedures[i]!.parent) {
      if (procedures[i]!.kind === 'procedure') return i;
    }
    return index;
  }

  /** Split the token stream into its top-level blocks (one linear pass). */
  private topLevelBlocks(): Block[] {
    const { tokens } = this;
    const blocks: Block[] = [];
    for (let i = 0; i < tokens.length; ) {
      const t = tokens[i]!;
      let end = i + 1;
      if (t.nesting === 1) {
        for (let j = i + 1; j < tokens.length; j++) {
          const u = tokens[j]!;
          if (u.nesting === -1 && u.level === t.level) {
            end = j + 1;
            break;
          }
          end = j + 1;
        }
      }
      const type: BlockType =
        t.type === 'heading_open' ? 'heading'
        : t.type === 'paragraph_open' ? 'paragraph'
        : t.type === 'ordered_list_open' ? 'ordered'
        : t.type === 'bullet_list_open' ? 'bullet'
        : t.type === 'fence' || t.type === 'code_block' ? 'code'
        : t.type === 'table_open' ? 'table'
        : t.type === 'blockquote_open' ? 'quote'
        : t.type === 'hr' ? 'hr'
        : t.type === 'html_block' ? 'html'
        : 'other';
      const map = t.map ?? [0, 1];
      blocks.push({ type, start: i, end, line: map[0] + 1, endLine: Math.max(map[0] + 1, map[1]) });
      i = end;
    }
    return blocks;
  }

  private classify(s: Section, sections: Section[]): ProcedureKind {
    const name = s.title;
    let ancestorProcedure = false;
    let ancestorReference = false;
    for (let p = s.parent; p !== null; p = sections[p]!.parent) {
      if (sections[p]!.kind === 'procedure') ancestorProcedure = true;
      if (sections[p]!.kind === 'reference') ancestorReference = true;
    }
    const has = this.survey(s.blocks);
    if (ancestorProcedure) {
      if (CHECKLIST_NAMES.test(name) || has.taskList) return 'checklist';
      if (ALTERNATIVES_NAMES.test(name) || has.ifBullets) return 'alternatives';
      return 'section';
    }
    if (s.id || s.number !== null) return 'procedure';
    if (CHECKLIST_NAMES.test(name) || has.taskList) return 'checklist';
    if (NOTES_NAMES.test(name)) return 'notes';
    if (REFERENCE_NAMES.test(name) || ancestorReference) return 'reference';
    if (has.trigger || has.recovery || has.ordered || has.code) return 'procedure';
    if (s.childTitles.some((t) => SECTION_NAMES.test(t))) return 'procedure';
    if (has.table && !has.paragraph && !has.bullet) return 'reference';
    return 'notes';
  }

  /** A cheap look at a section's own blocks, for classification. */
  private survey(blocks: Block[]) {
    const has = { trigger: false, recovery: false, ordered: false, code: false, table: false, paragraph: false, bullet: false, taskList: false, ifBullets: false };
    for (const b of blocks) {
      if (b.type === 'ordered') has.ordered = true;
      else if (b.type === 'code') has.code = true;
      else if (b.type === 'table') has.table = true;
      else if (b.type === 'bullet') {
        has.bullet = true;
        const items = this.listItems(b);
        const firsts = items.map((it) => this.firstInline(it.start, it.end)?.content ?? '');
        if (firsts.length && firsts.every((t) => TASK_ITEM.test(t))) has.taskList = true;
        if (isIfList(firsts)) has.ifBullets = true;
      } else if (b.type === 'paragraph') {
        has.paragraph = true;
        // a cheap look at the raw text: `**Alert:**`, `__Recovery time target__:`
        const strong = /^\s*(?:\*\*|__)([^*_\n]{1,60})(?:\*\*|__)/.exec(this.tokens[b.start + 1]!.content);
        if (strong) {
          const label = cleanLabel(strong[1]!);
          if (TRIGGER_LABEL.test(label)) has.trigger = true;
          if (RECOVERY_LABEL.test(label)) has.recovery = true;
        }
      }
    }
    return has;
  }

  private listItems(list: Block): ListItem[] {
    if (list.items) return list.items;
    const items: ListItem[] = (list.items = []);
    const level = this.tokens[list.start]!.level + 1;
    let open = -1;
    for (let i = list.start + 1; i < list.end - 1; i++) {
      const t = this.tokens[i]!;
      if (t.level !== level) continue;
      if (t.type === 'list_item_open') open = i;
      else if (t.type === 'list_item_close' && open !== -1) {
        const map = this.tokens[open]!.map ?? [0, 1];
        items.push({ start: open, end: i + 1, line: map[0] + 1, endLine: Math.max(map[0] + 1, map[1]) });
        open = -1;
      }
    }
    return items;
  }

  /** The first inline token directly in a list item's first paragraph. */
  private firstInline(start: number, end: number): Token | null {
    const t = this.tokens[start + 1];
    if (t?.type === 'paragraph_open' && start + 2 < end) return this.tokens[start + 2]!;
    return null;
  }

  /**
   * Read one section's own blocks into prose, steps, triggers and a recovery target.
   * `preamble`: content before the first heading, whose commands stay loose.
   */
  private readContent(blocks: Block[], kind: ProcedureKind, sectionTitle: string, descriptive: boolean, preamble = false, contactSection = false): SectionContent {
    const out: SectionContent = { text: [], steps: [], triggers: [], recovery: null, blockCommands: [], loose: [] };
    const st: ReadState = { open: null, label: null, lastParagraph: null };
    const close = () => {
      if (st.open) out.steps.push(st.open);
      st.open = null;
    };
    const startStep = (title: string, line: number, endLine: number, text = ''): StepDraft => {
      close();
      const step: StepDraft = { title, line, endLine, text: text ? [text] : [], commands: [] };
      st.open = step;
      return step;
    };
    const addText = (s: string) => {
      if (!s) return;
      if (st.open) st.open.text.push(s);
      else out.text.push(s);
    };
    /** The step a code block (or a list with commands) belongs to, opening one if needed. */
    const stepForCode = (b: Block, paragraph: LastParagraph | null): StepDraft => {
      if (st.open) return st.open;
      const label = st.label;
      if (label) {
        st.label = null;
        return startStep(label.title, label.line, b.endLine);
      }
      if (paragraph && paragraph.textIndex === out.text.length - 1) {
        out.text.pop();
        return startStep(paragraph.title, paragraph.line, b.endLine, paragraph.rest);
      }
      return startStep(sectionTitle, b.line, b.endLine);
    };
    const flushLabel = () => {
      if (st.label) out.text.push(`${st.label.title}:`);
      st.label = null;
    };

    for (let bi = 0; bi < blocks.length; bi++) {
      const b = blocks[bi]!;
      const next = blocks[bi + 1];
      const previousParagraph = st.lastParagraph;
      st.lastParagraph = null;
      switch (b.type) {
        case 'paragraph': {
          const children = this.inline(this.tokens[b.start + 1]);
          const strong = leadingStrong(children);
          if (strong) {
            const lbl = cleanLabel(strong.label);
            const rest = cleanRest(inlineText(children, strong.restFrom));
            if (TRIGGER_LABEL.test(lbl) && rest) {
              close();
              st.label = null;
              out.triggers.push(rest);
              break;
            }
            if (RECOVERY_LABEL.test(lbl) && rest) {
              close();
              st.label = null;
              const minutes = parseMinutes(rest);
              if (minutes !== null && minutes > 0) out.recovery = minutes;
              else out.text.push(`${lbl}: ${rest}`);
              break;
            }
            const lines = children?.some((c) => c.type === 'softbreak') ? this.splitLabelledLines(children) : [];
            if (lines.length >= 2 && (kind === 'alternatives' || lines.every((l) => ALTERNATIVE_LABEL.test(l.label) || NUMBER_PREFIX.test(l.label)))) {
              close();
              st.label = null;
              for (const l of lines) {
                startStep(stripNumber(l.label), b.line + l.offset, b.line + l.offset, l.rest);
                close();
              }
              break;
            }
            if (NUMBER_PREFIX.test(lbl) || (!rest && (kind === 'alternatives' || ALTERNATIVE_LABEL.test(lbl)))) {
              startStep(stripNumber(lbl), b.line, b.endLine, rest);
              st.label = null;
              break;
            }
            if (!rest) {
              close();
              st.label = this.labelFor(lbl, b, next, kind, addText);
              break;
            }
            close();
            st.label = null;
            out.text.push(`${lbl}: ${rest}`);
            st.lastParagraph = { title: lbl, rest, textIndex: out.text.length - 1, line: b.line };
            break;
          }
          const plain = inlineText(children).trim();
          if (!plain.includes('\n') && plain.length <= 120 && /[:：]$/.test(plain)) {
            close();
            st.label = this.labelFor(cleanLabel(plain), b, next, kind, addText);
            break;
          }
          if (st.open) {
            st.open.text.push(plain);
            st.open.endLine = b.endLine;
          } else {
            out.text.push(plain);
            const t = titleFromProse(plain);
            st.lastParagraph = { title: t.title, rest: t.rest, textIndex: out.text.length - 1, line: b.line };
          }
          break;
        }
        case 'ordered': {
          close();
          const introducedDescriptive = descriptive || (st.label?.descriptive ?? false);
          st.label = null;
          const items = this.listItems(b);
          if (kind === 'notes' || items.every((it) => this.isLinkOnly(it.start, it.end))) {
            // Prose lists (a table of contents, notes): text, but anything runnable still becomes a step.
            this.proseList(b, items, out, introducedDescriptive, preamble);
            break;
          }
          for (const it of items) out.steps.push(this.stepFromItem(it, introducedDescriptive));
          break;
        }
        case 'bullet': {
          const items = this.listItems(b);
          const firsts = items.map((it) => this.firstInline(it.start, it.end)?.content ?? '');
          const tasks = firsts.length > 0 && firsts.every((t) => TASK_ITEM.test(t));
          const ifs = isIfList(firsts);
          const introducedDescriptive = descriptive || (st.label?.descriptive ?? false);
          if (!st.open && (tasks || kind === 'checklist' || (ifs && (kind === 'alternatives' || kind === 'section')))) {
            flushLabel();
            for (const it of items) {
              // In an "If X: do Y" list, an item that is not an alternative (a note) stays prose.
              if (ifs && !IF_ITEM.test(this.firstInline(it.start, it.end)?.content ?? '')) out.text.push(this.collect(it.start + 1, it.end - 1, false).text);
              else out.steps.push(this.stepFromItem(it, introducedDescriptive));
            }
            break;
          }
          if (!st.open && st.label && !st.label.descriptive && kind !== 'notes' && kind !== 'reference' && !preamble) {
            // `Checks:` then a list: the list is one step, whatever it holds.
            const collected = this.collect(b.start, b.end, !introducedDescriptive);
            const s = stepForCode(b, null);
            s.text.push(collected.text);
            s.commands.push(...collected.commands);
            s.endLine = b.endLine;
            break;
          }
          const collected = this.collect(b.start, b.end, !introducedDescriptive);
          if (st.open) {
            st.open.text.push(collected.text);
            st.open.commands.push(...collected.commands);
            st.open.endLine = b.endLine;
          } else if (collected.commands.length && !preamble) {
            const s = stepForCode(b, previousParagraph);
            s.text.push(collected.text);
            s.commands.push(...collected.commands);
            s.endLine = b.endLine;
          } else {
            flushLabel();
            out.text.push(collected.text);
            out.loose.push(...collected.commands);
          }
          break;
        }
        case 'code': {
          const t = this.tokens[b.start]!;
          const cmd = this.codeCommand(t);
          if (preamble) {
            out.loose.push(cmd);
            break;
          }
          const parts = t.type === 'fence' && !st.open ? this.commentSteps(t, cmd) : null;
          if (parts) {
            flushLabel();
            out.blockCommands.push(cmd);
            if (parts.preamble) out.text.push(parts.preamble);
            out.steps.push(...parts.steps);
            break;
          }
          const s = stepForCode(b, previousParagraph);
          s.commands.push(cmd);
          s.endLine = Math.max(s.endLine, b.endLine);
          break;
        }
        case 'table': {
          const table = this.readTable(b);
          this.recogniseTable(table, sectionTitle, contactSection);
          flushLabel();
          addText(tableText(table));
          if (st.open) st.open.endLine = b.endLine;
          break;
        }
        case 'quote':
        case 'html':
        case 'other': {
          const collected = this.collect(b.start, b.end, false);
          const text = b.type === 'quote' ? collected.text.replace(/^/gm, '> ') : collected.text;
          if (st.open) {
            st.open.text.push(text);
            st.open.commands.push(...collected.commands);
            st.open.endLine = b.endLine;
          } else if (collected.commands.length && !preamble) {
            const s = stepForCode(b, previousParagraph);
            s.text.push(text);
            s.commands.push(...collected.commands);
          } else {
            flushLabel();
            out.text.push(text);
            out.loose.push(...collected.commands);
          }
          break;
        }
        case 'hr':
          close();
          flushLabel();
          break;
        case 'heading':
          break;
      }
    }
    close();
    flushLabel();
    if (/\bescalat/i.test(sectionTitle)) this.readEscalationSteps(out.steps);
    return out;
  }

  /** A label paragraph: a caption for what follows it, which a code block or list turns into a step title. */
  private labelFor(title: string, b: Block, next: Block | undefined, kind: ProcedureKind, addText: (s: string) => void): Label | null {
    const descriptive = DESCRIPTIVE.test(title);
    if (next && (next.type === 'ordered' || next.type === 'code' || next.type === 'bullet' || next.type === 'quote')) {
      if (next.type === 'ordered' && kind !== 'notes' && !STEPS_CAPTION.test(title)) addText(`${title}:`);
      return { title, line: b.line, descriptive };
    }
    addText(`${title}:`);
    return null;
  }

  /** `**Path A: X** - do this` lines of one paragraph, each starting with a bold label. */
  private splitLabelledLines(children: Token[] | null): { label: string; rest: string; offset: number }[] {
    if (!children) return [];
    const lines: { label: string; rest: string; offset: number }[] = [];
    let from = 0;
    let offset = 0;
    for (let i = 0; i <= children.length; i++) {
      const c = children[i];
      if (c && c.type !== 'softbreak' && c.type !== 'hardbreak') continue;
      const seg = children.slice(from, i);
      const strong = leadingStrong(seg);
      if (!strong) return [];
      lines.push({ label: cleanLabel(strong.label), rest: cleanRest(inlineText(seg, strong.restFrom)), offset });
      from = i + 1;
      offset++;
    }
    return lines;
  }

  /** A list item that is only a link (a table of contents). */
  private isLinkOnly(start: number, end: number): boolean {
    const inline = this.firstInline(start, end);
    return !!inline && end - start <= 6 && /^\s*\[[^\]\n]*\]\([^)\n]*\)\s*$/.test(inline.content);
  }

  private proseList(b: Block, items: ListItem[], out: SectionContent, descriptive: boolean, preamble: boolean): void {
    const collected = this.collect(b.start, b.end, !descriptive);
    out.text.push(collected.text);
    if (!collected.commands.length) return;
    if (preamble) {
      out.loose.push(...collected.commands);
      return;
    }
    for (const it of items) {
      const step = this.stepFromItem(it, descriptive);
      if (step.commands.length) out.steps.push(step);
    }
  }

  private stepFromItem(it: ListItem, descriptive: boolean): StepDraft {
    const inline = this.firstInline(it.start, it.end);
    let title = '';
    let lead = '';
    let skip = -1;
    let children: Token[] = [];
    if (inline) {
      skip = it.start + 2;
      children = this.inline(inline);
      const strong = leadingStrong(children);
      if (strong && strong.label) {
        title = stripNumber(cleanLabel(strong.label));
        lead = cleanRest(inlineText(children, strong.restFrom));
      } else {
        const t = titleFromProse(inlineText(children).replace(/^\s*\[[ xX]\]\s+/, ''));
        title = t.title;
        lead = t.rest;
      }
    }
    const collected = this.collect(it.start + 1, it.end - 1, !descriptive, skip);
    if (inline && !descriptive) collected.commands.unshift(...inlineCommands(inline, children));
    if (!title) title = collected.commands[0]?.code.split('\n', 1)[0]?.slice(0, 80) ?? 'Step';
    const text = [lead, collected.text].filter(Boolean).join('\n');
    return { title, line: it.line, endLine: it.endLine, text: text ? [text] : [], commands: collected.commands };
  }

  /**
   * Plain text and commands of a token range: fenced and indented code anywhere in it, and
   * inline code in list items that reads as a command. `skipInline` is an inline token already
   * used for a step title (its commands are taken by the caller).
   */
  private collect(start: number, end: number, withInlineCommands: boolean, skipInline = -1): { text: string; commands: Command[] } {
    const lines: string[] = [];
    const commands: Command[] = [];
    let listDepth = 0;
    const prefixes: string[] = [];
    let pendingPrefix = '';
    let row: string[] | null = null;
    for (let i = start; i < end; i++) {
      const t = this.tokens[i]!;
      switch (t.type) {
        case 'bullet_list_open':
        case 'ordered_list_open':
          listDepth++;
          break;
        case 'bullet_list_close':
        case 'ordered_list_close':
          listDepth--;
          break;
        case 'list_item_open':
          pendingPrefix = '  '.repeat(Math.max(0, Math.min(listDepth, 20) - 1)) + (t.info ? `${t.info}${t.markup} ` : '- ');
          prefixes.push(pendingPrefix);
          break;
        case 'list_item_close':
          prefixes.pop();
          pendingPrefix = '';
          break;
        case 'tr_open':
          row = [];
          break;
        case 'tr_close':
          if (row) lines.push(row.join(' | '));
          row = null;
          break;
        case 'inline': {
          if (i === skipInline) break;
          const children = this.inline(t);
          const text = inlineText(children).trim();
          if (row) {
            row.push(text);
            break;
          }
          if (text) {
            const indent = prefixes.length ? ' '.repeat(prefixes[prefixes.length - 1]!.length) : '';
            const body = text.replace(/\n/g, '\n' + indent);
            lines.push(pendingPrefix ? pendingPrefix + body : indent + body);
            pendingPrefix = '';
          }
          if (withInlineCommands && listDepth > 0) commands.push(...inlineCommands(t, children));
          break;
        }
        case 'fence':
        case 'code_block':
          commands.push(this.codeCommand(t));
          break;
        case 'html_block':
          lines.push(t.content.trim());
          break;
        default:
          break;
      }
    }
    return { text: lines.join('\n'), commands };
  }



  private codeCommand(t: Token): Command {
    const map = t.map ?? [0, 1];
    const code = t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content;
    if (t.type === 'fence') return describeCode(code, t.info, map[0] + 1, map[1], 'fence', t.info.includes('{') ? fenceSettings(t.info) : null);
    return describeCode(code, '', map[0] + 1, map[1], 'indented');
  }

  /**
   * A fenced shell block written as a numbered sequence (`# 1. Stop everything`, `# 2. ...`):
   * each numbered comment becomes a step with the code under it (origin 'comment-step').
   */
  private commentSteps(t: Token, whole: Command): { steps: StepDraft[]; preamble: string } | null {
    if (!SHELL_LANGUAGES.has(whole.language) && !SQL_LANGUAGES.has(whole.language)) return null;
    const lines = whole.code.split('\n');
    const marks: { index: number; n: number; title: string }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const m = COMMENT_STEP.exec(lines[i]!);
      if (m) marks.push({ index: i, n: Number(m[1]), title: m[2]!.trimEnd() });
    }
    if (marks.length < 2 || !marks.every((m, k) => k === 0 || m.n > marks[k - 1]!.n)) return null;
    if (whole.code !== (t.content.endsWith('\n') ? t.content.slice(0, -1) : t.content)) return null; // prompts were stripped: lines no longer match
    const firstCodeLine = (t.map?.[0] ?? 0) + 2;
    const sql = SQL_LANGUAGES.has(whole.language);
    const steps: StepDraft[] = marks.map((m, k) => {
      const stop = k + 1 < marks.length ? marks[k + 1]!.index : lines.length;
      let a = m.index + 1;
      let z = stop;
      while (a < z && lines[a]!.trim() === '') a++;
      while (z > a && lines[z - 1]!.trim() === '') z--;
      const body = lines.slice(a, z);
      const notes = body.filter((l) => isCommentLine(l, sql) && l.trim()).map((l) => l.trim().replace(/^(#+|--|\/\/)\s?/, ''));
      const commands: Command[] = [];
      if (body.length) {
        const settings = { name: whole.name, timeoutSeconds: whole.timeoutSeconds, confirm: whole.confirm, environment: whole.environment };
        const c = describeCode(body.join('\n'), whole.language, firstCodeLine + a, firstCodeLine + z - 1, 'comment-step', whole.confirm !== undefined || whole.timeoutSeconds || whole.environment ? withoutUndefined({ ...settings, name: undefined }) : null);
        commands.push(c);
      }
      return {
        title: m.title,
        line: firstCodeLine + m.index,
        endLine: firstCodeLine + Math.max(m.index, z - 1),
        text: notes.length ? [notes.join('\n')] : [],
        commands,
      };
    });
    const pre = lines
      .slice(0, marks[0]!.index)
      .filter((l) => l.trim())
      .map((l) => l.trim().replace(/^(#+|--|\/\/)\s?/, ''))
      .join('\n');
    return { steps, preamble: pre };
  }

  // ---- tables: alert rules, severity levels, escalation, contacts ----

  private readTable(b: Block): Table {
    const header: string[] = [];
    const rows: Table['rows'] = [];
    let current: string[] | null = null;
    let inHead = false;
    let rowLine = b.line;
    for (let i = b.start; i < b.end; i++) {
      const t = this.tokens[i]!;
      if (t.type === 'thead_open') inHead = true;
      else if (t.type === 'thead_close') inHead = false;
      else if (t.type === 'tr_open') {
        current = [];
        rowLine = (t.map?.[0] ?? b.line - 1) + 1;
      } else if (t.type === 'tr_close' && current) {
        if (inHead) header.push(...current);
        else rows.push({ cells: current, line: rowLine });
        current = null;
      } else if (t.type === 'inline' && current) current.push(inlineText(this.inline(t)).trim());
    }
    return { header, rows, line: b.line };
  }

  private recogniseTable(table: Table, sectionTitle: string, contactSection: boolean): void {
    const h = table.header.map((c) => c.toLowerCase());
    const col = (re: RegExp) => h.findIndex((c) => re.test(c));
    const cell = (cells: string[], i: number) => (i >= 0 ? (cells[i] ?? '').trim() : '');

    const condition = col(/threshold|condition|trigger|expression|when|rule/);
    const name = col(/alert|signal|metric|name/);
    const window = col(/window|duration|\bfor\b|period|interval/);
    const severity = col(/severity|priority|\bsev\b|level/);
    const runbook = col(/runbook|playbook|procedure|\brb\b/);
    if (condition >= 0 && name >= 0 && name !== condition && (/alert/.test(h[name]!) || [window, severity, runbook].filter((c) => c >= 0).length >= 2)) {
      for (const r of table.rows) {
        this.alertRules.push({
          name: cell(r.cells, name),
          condition: cell(r.cells, condition),
          window: cell(r.cells, window) || null,
          severity: cell(r.cells, severity) || null,
          runbookRef: runbook >= 0 ? procedureIdIn(cell(r.cells, runbook)) : null,
          line: r.line,
        });
      }
      return;
    }

    const level = col(/level|severity|priority|\bsev\b/);
    const response = col(/response|respond|ack|sla|time to/);
    if (level >= 0 && response >= 0 && level !== response) {
      for (const r of table.rows) {
        const levelCell = cell(r.cells, level);
        const m = /\b(P\d|SEV[- ]?\d|S\d|Sev\s?\d)\b/i.exec(levelCell);
        const rest = m ? levelCell.replace(m[0], '').replace(/^[\s:–—-]+|[\s:–—-]+$/g, '') : '';
        const others = table.header
          .map((hd, i) => (i === level || i === response || !cell(r.cells, i) ? '' : `${hd}: ${cell(r.cells, i)}`))
          .filter(Boolean);
        this.severityLevels.push({
          level: m ? m[1]!.toUpperCase().replace(/\s+/, '') : levelCell,
          responseTargetMinutes: parseMinutes(cell(r.cells, response)),
          description: [rest, ...others].filter(Boolean).join('. '),
          line: r.line,
        });
      }
      return;
    }

    // An escalation matrix: per kind of issue, whom to escalate to (and who answers first, and when).
    const issue = col(/issue|problem|incident|type|area|category|scenario|symptom|component|service/);
    const escalateTo = col(/escalat\w*\s+(to|contact|path|target)|^escalate$|^then$|next\s+(contact|level)/);
    const firstResponse = col(/first|owner|primary|respon(se|der)|initial/);
    const trigger = col(/trigger|when|condition|criteria|if\b/);
    if (issue >= 0 && escalateTo >= 0 && new Set([issue, escalateTo, firstResponse, trigger].filter((c) => c >= 0)).size >= 3) {
      for (const r of table.rows) {
        if (!cell(r.cells, issue) && !cell(r.cells, escalateTo)) continue;
        this.escalationMatrix.push({
          issue: cell(r.cells, issue),
          firstResponse: firstResponse !== issue && firstResponse !== escalateTo ? cell(r.cells, firstResponse) || null : null,
          escalateTo: cell(r.cells, escalateTo),
          trigger: trigger !== issue && trigger !== escalateTo ? cell(r.cells, trigger) || null : null,
          line: r.line,
        });
      }
      return;
    }

    const time = col(/time|after|elapsed|minutes|when/);
    let rungs = 0;
    if (time >= 0 && (/\bescalat/i.test(sectionTitle) || h.some((c) => /escalat|contact|who|action/.test(c)))) {
      for (const r of table.rows) {
        const bounds = minuteBounds(cell(r.cells, time));
        if (!bounds) continue;
        const action = r.cells.filter((_, i) => i !== time).filter(Boolean).join(' — ');
        this.escalation.push({ ...bounds, action, line: r.line });
        rungs++;
      }
    }
    if (rungs) return;

    // A contact table: in a contacts section any table; elsewhere a name or role beside a way to reach them.
    const who = col(/name|role|team|person|who|contact/);
    const reach = h.findIndex((c, i) => i !== who && /phone|e-?mail|slack|pager|mobile|contact/.test(c));
    if (table.header.length >= 2 && (contactSection || (who >= 0 && reach >= 0))) {
      const labelCol = who >= 0 ? who : 0;
      for (const r of table.rows) {
        const label = cell(r.cells, labelCol);
        const value = r.cells.filter((c, i) => i !== labelCol && c.trim()).map((c) => c.trim()).join(' · ');
        if (label || value) this.contacts.push({ label, value, line: r.line });
      }
    }
  }

  /** Contact bullets: `**On-Call Schedule:** Check Discord #incidents`, `**Email**: x`, `Phone: x`. */
  private readContactItems(blocks: Block[]): void {
    for (const b of blocks) {
      if (b.type !== 'bullet' && b.type !== 'ordered') continue;
      for (const it of this.listItems(b)) {
        const children = this.inline(this.firstInline(it.start, it.end) ?? undefined);
        const strong = leadingStrong(children);
        let label: string;
        let value: string;
        if (strong) {
          label = cleanLabel(strong.label);
          value = cleanRest(inlineText(children, strong.restFrom));
        } else {
          const text = inlineText(children).trim();
          const colon = /^([^:：\n]{1,60})[:：]\s+(\S[^\n]*)/.exec(text);
          if (!colon) continue;
          label = colon[1]!.trim();
          value = colon[2]!.trim();
        }
        if (label && value) this.contacts.push({ label, value: value.split('\n')[0]!.trim(), line: it.line });
      }
    }
  }

  /** Escalation ladders written as list items: `**Level 1 (0-15 minutes):** Primary on-call`. */
  private readEscalationSteps(steps: StepDraft[]): void {
    for (const s of steps) {
      const whole = `${s.title}: ${s.text.join(' ')}`;
      const bounds = minuteBounds(whole);
      if (!bounds) continue;
      const action = `${s.title.replace(bounds.matched, '').replace(/\(\s*\)/g, '').replace(/\s+/g, ' ').trim()}: ${s.text.join(' ').trim()}`
        .replace(/^:\s*/, '')
        .replace(/:\s*$/, '');
      this.escalation.push({ fromMinutes: bounds.fromMinutes, toMinutes: bounds.toMinutes, action, line: s.line });
    }
  }

  private linkAlertRules(procedures: Procedure[]): void {
    const ids = new Set(procedures.map((p) => p.id).filter((id): id is string => id !== null));
    for (const r of this.alertRules) {
      if (r.runbookRef && ids.size && !ids.has(r.runbookRef)) {
        this.warnings.push({ line: r.line, message: `alert "${r.name}" points to ${r.runbookRef}, which no heading in this runbook defines` });
      }
    }
  }
}

/**
 * The step timer annotation of docs/runbook-format.md: `<!-- timer: 5m -->` (invisible on GitHub)
 * or `⏱ 5 min` (readable there), on the step's title line. It wins over a duration guessed from
 * the prose, and is removed from the title and text. Only the title and the text's first line are
 * looked at, so a long step costs nothing more.
 */
const TIMER_ANNOTATION = /[ \t]*(?:<!--\s*timer:\s*([^>\n]*?)\s*-->|⏱\uFE0F?[ \t]*(\d+(?:\.\d+)?[ \t]*[A-Za-z]+))/;

function finishStep(s: StepDraft): Step {
  let title = s.title;
  let text = s.text.filter(Boolean).join('\n').trim();
  let timerSeconds: number | null = null;
  const nl = text.indexOf('\n');
  let head = nl === -1 ? text : text.slice(0, nl);
  if (title.includes('timer') || title.includes('⏱') || head.includes('timer') || head.includes('⏱')) {
    const take = (line: string): string => {
      const m = TIMER_ANNOTATION.exec(line);
      if (!m) return line;
      const minutes = parseMinutes(m[1] ?? m[2]!);
      if (minutes !== null && minutes > 0 && timerSeconds === null) timerSeconds = Math.round(minutes * 60);
      return (line.slice(0, m.index) + line.slice(m.index + m[0].length)).trim();
    };
    title = take(title) || s.title;
    head = take(head);
    text = (nl === -1 ? head : head + text.slice(nl)).trim();
  }
  return {
    title,
    line: s.line,
    endLine: s.commands.reduce((end, c) => Math.max(end, c.endLine), Math.max(s.line, s.endLine)),
    text,
    timerSeconds: timerSeconds ?? timerFrom(`${title}\n${text}`),
    commands: s.commands,
  };
}

function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function stripNumber(label: string): string {
  return label.replace(NUMBER_PREFIX, '').trim();
}

function splitHeading(raw: string): { id: string | null; number: number | null; title: string } {
  let title = raw;
  let id: string | null = null;
  let number: number | null = null;
  const prefix = ID_PREFIX.exec(title) ?? WORD_ID_PREFIX.exec(title);
  if (prefix) {
    id = prefix[1]!.replace(/\s+/g, ' ');
    title = title.slice(prefix[0].length);
  } else {
    const suffix = ID_SUFFIX.exec(title);
    if (suffix) {
      id = suffix[1]!;
      title = title.slice(0, suffix.index).trimEnd();
    }
  }
  const n = NUMBER_PREFIX.exec(title);
  if (n) {
    number = Number(n[1]);
    title = title.slice(n[0].length);
  }
  title = title.trim();
  return { id, number, title: title || id || raw };
}

/** The procedure id an alert table's "Runbook" cell names, if it names one. */
function procedureIdIn(cell: string): string | null {
  const m = /\b([A-Z][A-Z0-9]{0,11}-\d{1,6})\b/.exec(cell) ?? /\b((?:runbook|playbook|procedure|sop)\s*#?\s*\d{1,5})\b/i.exec(cell);
  return m ? m[1]!.replace(/\s+/g, ' ') : null;
}

/** `0-15 min`, `15–30 minutes`, `30+ min`, `after 1 hour`: minute bounds of an escalation rung. */
function minuteBounds(text: string): { fromMinutes: number; toMinutes: number | null; matched: string } | null {
  text = text.slice(0, 300); // bounds come first; and a long run of digits must not cost more
  const unit = (u: string | undefined) => (u && /^h/i.test(u) ? 60 : 1);
  const range = /(\d+)\s*(?:(min(?:ute)?s?|m|h(?:ou)?rs?|hours?)\s*)?(?:-|–|—|to)\s*(\d+)\s*(min(?:ute)?s?|m|h(?:ou)?rs?|hours?)\b/i.exec(text);
  if (range) {
    const u2 = unit(range[4]);
    const u1 = range[2] ? unit(range[2]) : u2;
    return { fromMinutes: Number(range[1]) * u1, toMinutes: Number(range[3]) * u2, matched: range[0] };
  }
  const open = /(\d+)\s*\+\s*(min(?:ute)?s?|m|h(?:ou)?rs?|hours?)\b|(?:after|over|>\s*)\s*(\d+)\s*(min(?:ute)?s?|m|h(?:ou)?rs?|hours?)\b/i.exec(text);
  if (open) {
    const n = Number(open[1] ?? open[3]);
    return { fromMinutes: n * unit(open[2] ?? open[4]), toMinutes: null, matched: open[0] };
  }
  return null;
}

function tableText(table: Table): string {
  const lines = [table.header.join(' | '), ...table.rows.map((r) => r.cells.join(' | '))];
  return lines.filter(Boolean).join('\n');
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}
