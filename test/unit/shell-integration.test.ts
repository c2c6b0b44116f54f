import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ShellOutputParser, shellIntegrationFor, type ShellOutputPart } from '../../electron/core/terminals/shell-integration';
import { tempDir } from '../support/temp';

/** Feed `chunks` one by one; return the parts, with adjacent text joined. */
function parse(chunks: (string | Uint8Array)[], parser = new ShellOutputParser()): ShellOutputPart[] {
  const out: ShellOutputPart[] = [];
  for (const c of chunks) {
    for (const part of parser.push(typeof c === 'string' ? Buffer.from(c) : c)) {
      const last = out[out.length - 1];
      if (part.kind === 'text' && last?.kind === 'text') last.text += part.text;
      else out.push({ ...part });
    }
  }
  return out;
}

describe('reading terminal output', () => {
  it('strips colours, titles and controls, and picks out the OSC 133 marks', () => {
    expect(parse(['\u001b]133;A\u0007$ ls\r\n\u001b]133;C\u0007\u001b[1;31mred\u001b[0m\r\n\u001b]0;title\u001b\\tab\there\u0008\u0007\r\n\u001b]133;D;2\u0007'])).toEqual([
      { kind: 'prompt' },
      { kind: 'text', text: '$ ls\n' },
      { kind: 'executed' },
      { kind: 'text', text: 'red\ntab\there\n' },
      { kind: 'finished', exitCode: 2 },
    ]);
  });

  it('keeps its place when a sequence or a character is split between chunks', () => {
    const euro = Buffer.from('€');
    expect(parse(['a\u001b', '[3', '1mb\u001b]13', '3;D;1', '7\u0007c', euro.subarray(0, 1), euro.subarray(1)])).toEqual([
      { kind: 'text', text: 'ab' },
      { kind: 'finished', exitCode: 17 },
      { kind: 'text', text: 'c€' },
    ]);
  });

  it('tracks bracketed paste mode as the application turns it on and off', () => {
    const parser = new ShellOutputParser();
    expect(parser.bracketedPaste).toBe(false);
    parse(['\u001b[?20', '04h$ '], parser);
    expect(parser.bracketedPaste).toBe(true);
    parse(['\u001b[?1;2004l'], parser);
    expect(parser.bracketedPaste).toBe(false);
  });
});

describe('skipping plain output nobody records', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('skips chunks that cannot hold a sequence, and never one that can', () => {
    const parser = new ShellOutputParser();
    expect(parser.skipIfPlain(bytes('plain log line é ✓\n'))).toBe(true);
    expect(parser.skipIfPlain(bytes('\u001b[?2004h'))).toBe(false);
    expect(parser.skipIfPlain(bytes('a C1 CSI \u009b?2004l'))).toBe(false);
    parser.push(bytes('\u001b]133;D;'));
    // Half an OSC read: the rest must be parsed even though it holds no ESC.
    expect(parser.skipIfPlain(bytes('7\u0007'))).toBe(false);
    expect(parser.push(bytes('7\u0007'))).toEqual([{ kind: 'finished', exitCode: 7 }]);
  });

  it('still sees bracketed paste and marks after skipped chunks', () => {
    const parser = new ShellOutputParser();
    expect(parser.skipIfPlain(bytes('x'.repeat(10_000)))).toBe(true);
    parser.push(bytes('\u001b[?2004h'));
    expect(parser.bracketedPaste).toBe(true);
    expect(parser.skipIfPlain(bytes('more\n'))).toBe(true);
    expect(parser.push(bytes('\u001b]133;A\u0007$ '))).toEqual([{ kind: 'prompt' }, { kind: 'text', text: '$ ' }]);
  });
});

describe('shell integration scripts', () => {
  let dir: { path: string; cleanup: () => void };
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.cleanup());

  it('writes the scripts into the data dir, readable by all, and says how to start each shell', () => {
    const bash = shellIntegrationFor(dir.path, '/bin/bash', { HOME: '/home/op' });
    const script = join(dir.path, 'shell-integration', 'bash-integration.sh');
    expect(bash).toEqual({ args: ['--rcfile', script], env: {} });
    expect(statSync(script).mode & 0o777).toBe(0o644);
    expect(statSync(join(dir.path, 'shell-integration')).mode & 0o777).toBe(0o755);
    expect(shellIntegrationFor(dir.path, '/usr/bin/zsh', { HOME: '/home/op' })).toEqual({
      args: [],
      env: { ZDOTDIR: join(dir.path, 'shell-integration', 'zsh'), WATCHFLOOR_USER_ZDOTDIR: '/home/op' },
    });
    expect(readFileSync(join(dir.path, 'shell-integration', 'zsh', '.zshrc'), 'utf8')).toContain('add-zsh-hook preexec');
    expect(shellIntegrationFor(dir.path, '/usr/bin/fish', {})).toBeNull();
  });

  it("keeps the operator's PROMPT_COMMAND and its view of $?, as a string or an array", () => {
    shellIntegrationFor(dir.path, '/bin/bash', {});
    const script = join(dir.path, 'shell-integration', 'bash-integration.sh');
    for (const [rc, expected] of [
      ['PROMPT_COMMAND=\'echo "mine $?"\'', 'mine 3'],
      ['PROMPT_COMMAND=(\'echo "first $?"\' \'echo second\')', 'first 3\nsecond'],
    ] as const) {
      execFileSync('sh', ['-c', `printf '%s\\n' "$1" > "$2/.bashrc"`, 'sh', rc, dir.path]);
      // Prompts and PS0 go to stderr when bash is not on a tty: one stream, in order.
      const out = execFileSync('sh', ['-c', 'exec bash --rcfile "$1" -i 2>&1', 'sh', script], { input: "sh -c 'exit 3'\nexit 0\n", env: { HOME: dir.path, PATH: process.env.PATH ?? '', PS1: '$ ' }, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
      expect(out).toContain(`\u001b]133;C\u0007\u001b]133;D;3\u0007\u001b]133;A\u0007${expected}`);
    }
  });
});
