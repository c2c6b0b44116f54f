/**
 * Shell integration, as VS Code and iTerm2 do it: the shell marks its prompt and each command's
 * start and end with OSC 133 sequences, so a transcript knows where a command's output stops and
 * what it exited with. bash gets an `--rcfile`, zsh a ZDOTDIR; both load the operator's own
 * start-up files first, so their prompt, aliases and PROMPT_COMMAND keep working. Other shells run
 * unchanged and report no exit codes.
 *
 * Also the reader of a terminal's output for transcripts: escape sequences stripped (across chunk
 * boundaries), the OSC 133 marks picked out, and bracketed-paste mode tracked.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Folder of the data dir the scripts are written to. */
export const SHELL_INTEGRATION_DIR = 'shell-integration';

/**
 * bash reads this instead of ~/.bashrc. bash itself still reads its compiled-in system file
 * (/etc/bash.bashrc on Debian and Ubuntu) before an `--rcfile`, so only ~/.bashrc is sourced here;
 * sourcing the system file again would run it twice. The hook runs first in PROMPT_COMMAND, keeps
 * `$?` for whatever the operator's PROMPT_COMMAND (string or array) does with it, and reports an
 * end only once a prompt has been shown, so a fresh shell's first prompt is not taken for the end
 * of a command sent before it.
 */
export const BASH_SCRIPT = `# Watchfloor shell integration for bash (OSC 133). Written by Watchfloor; edits are overwritten.
if [ -r "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi
if [ -z "\${__watchfloor_integrated-}" ]; then
  __watchfloor_integrated=1
  __watchfloor_prompted=
  __watchfloor_precmd() {
    local status=$?
    if [ -n "$__watchfloor_prompted" ]; then printf '\\033]133;D;%s\\007' "$status"; fi
    __watchfloor_prompted=1
    printf '\\033]133;A\\007'
    return $status
  }
  if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
    PROMPT_COMMAND=(__watchfloor_precmd "\${PROMPT_COMMAND[@]}")
  else
    PROMPT_COMMAND="__watchfloor_precmd\${PROMPT_COMMAND:+; \$PROMPT_COMMAND}"
  fi
  PS0="\${PS0-}"$'\\033]133;C\\007'
fi
`;

/** zsh's first file under our ZDOTDIR: the operator's .zshenv, from where zsh would have read it. */
export const ZSHENV_SCRIPT = `# Watchfloor shell integration for zsh. Written by Watchfloor; edits are overwritten.
__watchfloor_zdotdir="\${ZDOTDIR}"
ZDOTDIR="\${WATCHFLOOR_USER_ZDOTDIR:-$HOME}"
if [ -r "$ZDOTDIR/.zshenv" ]; then . "$ZDOTDIR/.zshenv"; fi
ZDOTDIR="$__watchfloor_zdotdir"
`;

/** Then the operator's .zshrc, ZDOTDIR given back to them, and precmd/preexec hooks. */
export const ZSHRC_SCRIPT = `# Watchfloor shell integration for zsh (OSC 133). Written by Watchfloor; edits are overwritten.
ZDOTDIR="\${WATCHFLOOR_USER_ZDOTDIR:-$HOME}"
unset WATCHFLOOR_USER_ZDOTDIR
if [ -r "$ZDOTDIR/.zshrc" ]; then . "$ZDOTDIR/.zshrc"; fi
if [ "$ZDOTDIR" = "$HOME" ]; then unset ZDOTDIR; fi
__watchfloor_prompted=
__watchfloor_precmd() {
  local status=$?
  if [ -n "$__watchfloor_prompted" ]; then printf '\\033]133;D;%s\\007' "$status"; fi
  __watchfloor_prompted=1
  printf '\\033]133;A\\007'
}
__watchfloor_preexec() { printf '\\033]133;C\\007'; }
autoload -Uz add-zsh-hook
add-zsh-hook -Uz precmd __watchfloor_precmd 2>/dev/null || add-zsh-hook precmd __watchfloor_precmd
add-zsh-hook preexec __watchfloor_preexec
`;

/** How to start `shell` with integration: extra arguments and variables, or null for none. */
export interface ShellIntegrationLaunch {
  args: string[];
  env: Record<string, string>;
}

/**
 * Write the scripts under `<dataDir>/shell-integration/` (once per process and data dir; a file
 * is rewritten only if its text changed) and say how to start `shell` with them. Null for a shell
 * we have no script for.
 */
export function shellIntegrationFor(dataDir: string, shell: string, inherited: Record<string, string>): ShellIntegrationLaunch | null {
  const name = basename(shell);
  if (name !== 'bash' && name !== 'zsh') return null;
  const dir = installScripts(dataDir);
  if (name === 'bash') return { args: ['--rcfile', join(dir, 'bash-integration.sh')], env: {} };
  const zdotdir = join(dir, 'zsh');
  return { args: [], env: { ZDOTDIR: zdotdir, WATCHFLOOR_USER_ZDOTDIR: inherited.ZDOTDIR || inherited.HOME || '' } };
}

const installed = new Set<string>();

function installScripts(dataDir: string): string {
  const dir = join(dataDir, SHELL_INTEGRATION_DIR);
  if (installed.has(dir)) return dir;
  const files: [string, string][] = [
    [join(dir, 'bash-integration.sh'), BASH_SCRIPT],
    [join(dir, 'zsh', '.zshenv'), ZSHENV_SCRIPT],
    [join(dir, 'zsh', '.zshrc'), ZSHRC_SCRIPT],
  ];
  for (const d of [dir, join(dir, 'zsh')]) {
    mkdirSync(d, { recursive: true, mode: 0o755 });
    chmodSync(d, 0o755); // mkdir's mode is filtered by the umask
  }
  for (const [path, text] of files) {
    let current: string | null = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = null;
    }
    if (current !== text) writeFileSync(path, text, { mode: 0o644 });
    chmodSync(path, 0o644);
  }
  installed.add(dir);
  return dir;
}

// ---- reading a terminal's output ------------------------------------------------------------

/** What the shell reported, in order with the text around it. */
export type ShellMark =
  | { kind: 'prompt' } // OSC 133;A
  | { kind: 'executed' } // OSC 133;C: the command line was read and runs now
  | { kind: 'finished'; exitCode: number | null }; // OSC 133;D;<exit>

export type ShellOutputPart = { kind: 'text'; text: string } | ShellMark;

type State = 'ground' | 'escape' | 'csi' | 'osc' | 'osc-escape' | 'string' | 'string-escape';

/** Longest OSC or CSI body kept for parsing; longer ones are skipped, not stored. */
const MAX_SEQUENCE = 512;

/**
 * A terminal's output, chunk by chunk: the printable text (escape sequences, OSC strings and
 * control characters other than tab and line feed removed; `\r\n` becomes `\n`), OSC 133 marks,
 * and whether the application has bracketed paste on (`ESC[?2004h` / `ESC[?2004l`). A sequence
 * split across chunks is handled: the state carries over.
 */
export class ShellOutputParser {
  private decoder = new TextDecoder('utf-8');
  private state: State = 'ground';
  private sequence = '';
  private bracketed = false;

  /** Whether the application reading the terminal has bracketed paste on. */
  get bracketedPaste(): boolean {
    return this.bracketed;
  }

  push(bytes: Uint8Array): ShellOutputPart[] {
    return this.parse(this.decoder.decode(bytes, { stream: true }));
  }

  /**
   * For output whose text nobody needs (no command is being recorded): true, and nothing decoded,
   * when the chunk can hold no escape sequence (no ESC byte, no UTF-8 C1 control, which all start
   * 0xC2) and none is half read. A flood of plain output then costs two byte scans instead of a
   * decode and a walk of every character (measured: 0.59 → 0.69 of raw node-pty throughput).
   * A character split across the skipped chunk's edge could leave half of it in the decoder, so
   * the decoder starts afresh.
   */
  skipIfPlain(bytes: Uint8Array): boolean {
    if (this.state !== 'ground' || bytes.indexOf(0x1b) !== -1 || bytes.indexOf(0xc2) !== -1) return false;
    this.decoder = new TextDecoder('utf-8');
    return true;
  }

  parse(input: string): ShellOutputPart[] {
    const parts: ShellOutputPart[] = [];
    let text = '';
    const mark = (m: ShellMark) => {
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push(m);
    };
    for (const c of input) {
      const code = c.codePointAt(0)!;
      switch (this.state) {
        case 'ground':
          if (code === 0x1b) this.state = 'escape';
          else if (code === 0x9b) this.begin('csi');
          else if (code === 0x9d) this.begin('osc');
          else if (code === 0x90 || code === 0x98 || code === 0x9e || code === 0x9f) this.begin('string');
          else if (c === '\n' || c === '\t') text += c;
          else if (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code <= 0x9f)) text += c;
          // other controls (\r, backspace, BEL...) carry no text
          break;
        case 'escape':
          if (c === '[') this.begin('csi');
          else if (c === ']') this.begin('osc');
          else if (c === 'P' || c === 'X' || c === '^' || c === '_') this.begin('string');
          else if (code >= 0x20 && code <= 0x2f) break; // intermediate (ESC ( B): wait for the final byte
          else this.state = 'ground';
          break;
        case 'csi':
          if (code >= 0x40 && code <= 0x7e) {
            this.csi(this.sequence, c);
            this.state = 'ground';
          } else if (code === 0x1b) this.state = 'escape';
          else if (code < 0x20) {
            // a control inside a CSI is acted on; keep reading the sequence
          } else this.collect(c);
          break;
        case 'osc':
          if (code === 0x07 || code === 0x9c) {
            const m = this.osc(this.sequence);
            if (m) mark(m);
            this.state = 'ground';
          } else if (code === 0x1b) this.state = 'osc-escape';
          else this.collect(c);
          break;
        case 'osc-escape':
          if (c === '\\') {
            const m = this.osc(this.sequence);
            if (m) mark(m);
            this.state = 'ground';
          } else if (c === '[') this.begin('csi');
          else if (c === ']') this.begin('osc');
          else this.state = 'ground';
          break;
        case 'string':
          if (code === 0x1b) this.state = 'string-escape';
          else if (code === 0x9c || code === 0x07) this.state = 'ground';
          break;
        case 'string-escape':
          this.state = c === '\\' ? 'ground' : 'string';
          break;
      }
    }
    if (text) parts.push({ kind: 'text', text });
    return parts;
  }

  private begin(state: State): void {
    this.state = state;
    this.sequence = '';
  }

  private collect(c: string): void {
    if (this.sequence.length < MAX_SEQUENCE) this.sequence += c;
  }

  private csi(body: string, final: string): void {
    if ((final !== 'h' && final !== 'l') || !body.startsWith('?')) return;
    if (body.slice(1).split(';').includes('2004')) this.bracketed = final === 'h';
  }

  private osc(body: string): ShellMark | null {
    const m = /^133;([A-D])(?:;([^;]*))?/.exec(body);
    if (!m) return null;
    if (m[1] === 'A') return { kind: 'prompt' };
    if (m[1] === 'C') return { kind: 'executed' };
    if (m[1] === 'D') {
      const exit = m[2] !== undefined && /^-?\d+$/.test(m[2]) ? Number(m[2]) : null;
      return { kind: 'finished', exitCode: exit };
    }
    return null; // B: end of the prompt, nothing to record
  }
}
