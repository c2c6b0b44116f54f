import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EditError, importRunbook, replaceCommandCode } from '../../electron/core/runbooks';
import type { Command, ImportedRunbook } from '../../shared/runbook';

// The five seed runbooks live beside the repository (../shared/seeds), never copied into it.
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const seedFiles = readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort();

function allCommands(r: ImportedRunbook): Command[] {
  return [...r.looseCommands, ...r.procedures.flatMap((p) => [...(p.commands ?? []), ...p.steps.flatMap((s) => s.commands)])];
}
const commandAt = (r: ImportedRunbook, line: number) => allCommands(r).find((c) => c.line === line);

/** The bytes before and after the edited region are the original's, byte for byte. */
function expectOnlyRegionChanged(before: string, after: string, regionStart: number, regionEndFromEnd: number) {
  expect(after.slice(0, regionStart)).toBe(before.slice(0, regionStart));
  expect(after.slice(after.length - regionEndFromEnd)).toBe(before.slice(before.length - regionEndFromEnd));
}
/** Offset where 1-based `line` starts. */
const lineStart = (text: string, line: number) => text.split('\n').slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);

describe('replacing one command in its source', () => {
  it.each(seedFiles)('%s: only the bytes of one block change, and re-importing shows the new code at the same line', (file) => {
    const text = readFileSync(path.join(seedsDir, file), 'utf8');
    const r = importRunbook(text, file);
    const commands = allCommands(r);
    // the middle fenced block; a seed without any (002) edits an inline command
    const fences = commands.filter((c) => c.origin === 'fence');
    const target = fences.length ? fences[Math.floor(fences.length / 2)]! : commands.find((c) => c.origin === 'inline')!;
    const code = target.origin === 'inline' ? 'kubectl get pods -n <namespace>' : 'kubectl get pods -n <namespace>\n\nkubectl describe pod <pod>';
    const edited = replaceCommandCode(text, r, target.line, code);

    if (target.origin === 'fence') {
      // everything up to and including the opening fence line, and from the closing fence line on
      const start = lineStart(text, target.line + 1);
      const suffix = text.length - lineStart(text, target.endLine);
      expectOnlyRegionChanged(text, edited, start, suffix);
    } else {
      const at = text.indexOf(target.code, lineStart(text, target.line));
      expectOnlyRegionChanged(text, edited, at, text.length - at - target.code.length);
    }
    const again = importRunbook(edited, file);
    expect(commandAt(again, target.line)?.code).toBe(code);
    expect(allCommands(again)).toHaveLength(commands.length);
  });

  it('keeps the indentation of a fence nested in a list item, and CRLF line endings', () => {
    const text = ['## Restart', '', '1. **Restart**', '   ```bash', '   kubectl rollout restart deploy/api', '   ```', '2. **Check**', ''].join('\r\n');
    const r = importRunbook(text, 'a.md');
    const edited = replaceCommandCode(text, r, 4, 'kubectl -n api rollout restart deploy/api\nkubectl -n api rollout status deploy/api');
    expect(edited).toBe(
      ['## Restart', '', '1. **Restart**', '   ```bash', '   kubectl -n api rollout restart deploy/api', '   kubectl -n api rollout status deploy/api', '   ```', '2. **Check**', ''].join('\r\n'),
    );
    expect(importRunbook(edited, 'a.md').procedures[0]!.steps[0]!.commands[0]!.code).toBe('kubectl -n api rollout restart deploy/api\nkubectl -n api rollout status deploy/api');
  });

  it('rewrites only the backticked span of an inline command, and re-indents an indented block', () => {
    const inline = '## Checks\n\n- Health: `curl -s http://localhost:8080/healthz` then wait.\n';
    const r1 = importRunbook(inline, 'b.md');
    expect(replaceCommandCode(inline, r1, 3, 'curl -sf http://localhost:9090/readyz')).toBe('## Checks\n\n- Health: `curl -sf http://localhost:9090/readyz` then wait.\n');

    const indented = '## Restart\n\nRun this:\n\n    systemctl restart api\n    systemctl status api\n\nDone.\n';
    const r2 = importRunbook(indented, 'c.md');
    expect(replaceCommandCode(indented, r2, 5, 'systemctl restart api-worker')).toBe('## Restart\n\nRun this:\n\n    systemctl restart api-worker\n\nDone.\n');
  });

  it('rewrites one numbered part of a block split at its `# 1.` comments, and a fence inside a quote', () => {
    const text = '## Emergency\n\n```bash\n# 1. Stop\nsystemctl stop api\n# 2. Start\nsystemctl start api\n```\n\n> ```bash\n> uptime\n> ```\n';
    const r = importRunbook(text, 'e.md');
    const part = r.procedures[0]!.steps[1]!.commands[0]!;
    expect([part.origin, part.line]).toEqual(['comment-step', 7]);
    const edited = replaceCommandCode(text, r, 7, 'systemctl start api\nsystemctl status api');
    expect(edited).toBe('## Emergency\n\n```bash\n# 1. Stop\nsystemctl stop api\n# 2. Start\nsystemctl start api\nsystemctl status api\n```\n\n> ```bash\n> uptime\n> ```\n');
    const again = importRunbook(edited, 'e.md');
    expect(replaceCommandCode(edited, again, 11, 'uptime -p')).toBe(edited.replace('> uptime\n', '> uptime -p\n'));
  });

  it('refuses with one clear line when no command starts there, the file changed, or the code would close the block', () => {
    const text = '## Restart\n\n```bash\nsystemctl restart api\n```\n';
    const r = importRunbook(text, 'd.md');
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(EditError);
        expect((error as Error).message).not.toContain('\n');
        return (error as Error).message;
      }
      throw new Error('expected an EditError');
    };
    expect(refusal(() => replaceCommandCode(text, r, 2, 'ls'))).toMatch(/no command starts on line 2/);
    expect(refusal(() => replaceCommandCode(text + '\nmore\n', r, 3, 'ls'))).toMatch(/changed since it was imported/);
    expect(refusal(() => replaceCommandCode(text, r, 3, 'ls\n```\nrm -rf /'))).toMatch(/would close the code block/);
  });
});
