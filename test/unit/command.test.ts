import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRunbook } from '../../electron/core/runbooks';
import {
  suggestedKind,
  PASTE_END,
  PASTE_START,
  findCommand,
  prepareCommand,
  sanitizeForBracketedPaste,
  wrapBracketedPaste,
  type TargetEnvironment,
} from '../../electron/core/terminals';
import type { Command } from '../../shared/runbook';
import { useTestCore } from '../support/core';
import { tempDir } from '../support/temp';

const production: TargetEnvironment = { name: 'Production EU', tier: 'production' };
const staging: TargetEnvironment = { name: 'Staging', tier: 'staging' };

/** The command a one-block runbook imports to, so placeholders are found as the importer finds them. */
function commandOf(code: string, fence = 'bash'): Command {
  const runbook = importRunbook(`# Test\n\n## 1. Do it\n\n\`\`\`${fence}\n${code}\n\`\`\`\n`, 'test.md');
  const command = findCommand(runbook, 5);
  if (!command) throw new Error('no command on line 5');
  return command;
}

// Each would create the marker file `pwned` in the shell's working directory if it ran.
const HOSTILE = [
  '$(touch pwned)',
  '`touch pwned`',
  '; touch pwned',
  '&& touch pwned',
  '| touch pwned',
  "' ; touch pwned ; '",
  '" ; touch pwned ; "',
  '\'"$(touch pwned)"\'',
  'a\ntouch pwned',
  'a\rtouch pwned',
  `' " \\`,
  "it's!",
  '!!',
  '*',
  '-rf',
  '~',
  '$HOME ${HOME}',
  '$((1+1))',
  ')',
  '}',
  '\\',
  'EOF',
  ' spaces around ',
  'tab\there',
];

const shells = ['/bin/sh', ...(existsSync('/bin/bash') ? ['/bin/bash'] : [])];

let work: { path: string; cleanup: () => void };
beforeAll(() => {
  work = tempDir('watchfloor-command-');
});
afterAll(() => work.cleanup());

/** Runs `text` as a real shell would and returns its stdout; the marker must never appear. */
function run(shell: string, text: string): string {
  const out = execFileSync(shell, ['-c', text], { cwd: work.path, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/home/nobody' } });
  const ran = existsSync(join(work.path, 'pwned'));
  rmSync(join(work.path, 'pwned'), { force: true }); // one failure must not fail the next test
  expect(ran, `${shell} ran part of a value: ${text}`).toBe(false);
  return out;
}

/** Runs each command in one shell, in turn, and returns what each printed (one process per list). */
function runEach(shell: string, texts: string[]): string[] {
  return run(shell, texts.map((t) => `${t}\nprintf '\\036'`).join('\n')).split('\u001e').slice(0, -1);
}

describe('prepareCommand: every placeholder syntax gets its value, quoted', () => {
  const cases: { code: string; values: Record<string, string>; text: string }[] = [
    { code: 'kubectl logs <pod-name>', values: { 'pod-name': 'web 1' }, text: "kubectl logs 'web 1'" },
    { code: 'curl -H "X: y" $API_URL', values: { API_URL: 'https://x/?a=1&b=2' }, text: 'curl -H "X: y" https\\://x/\\?a\\=1\\&b\\=2' },
    { code: 'echo ${REGION}', values: { REGION: 'eu west' }, text: "echo 'eu west'" },
    { code: 'echo ${REGION:-eu-west-1}', values: { REGION: 'us' }, text: 'echo us' },
    { code: 'curl https://api/items/{id}', values: { id: '4 2' }, text: "curl https://api/items/'4 2'" },
    { code: 'ssh [host]', values: { host: 'db;1' }, text: 'ssh db\\;1' },
    { code: 'wrangler secret put YOUR_SECRET_NAME', values: { YOUR_SECRET_NAME: 'a b' }, text: "wrangler secret put 'a b'" },
  ];
  for (const c of cases) {
    it(`${commandOf(c.code).placeholders[0]!.syntax}: ${c.code}`, () => {
      const p = prepareCommand(commandOf(c.code), c.values, staging);
      expect(p).toMatchObject({ text: c.text, missing: [] });
    });
  }

  it('replaces every occurrence, and $X and ${X} as the same variable', () => {
    const p = prepareCommand(commandOf('echo $NS ${NS} "$NS"'), { NS: 'a b' }, staging);
    expect(p.text).toBe(`echo 'a b' 'a b' ""'a b'""`);
  });
});

describe('prepareCommand: hostile values arrive literally and run nothing', () => {
  // Templates an author might write; each prints the value on its own line (with `prefix`).
  const templates: { code: string; name: string; expect: (v: string) => string; bashOnly?: boolean }[] = [
    { code: "printf '%s\\n' <name>", name: 'name', expect: (v) => `${v}\n` },
    { code: "printf '%s\\n' $TOKEN", name: 'TOKEN', expect: (v) => `${v}\n` },
    { code: "printf '%s\\n' ${TOKEN}", name: 'TOKEN', expect: (v) => `${v}\n` },
    { code: "printf '%s\\n' \"Authorization: Bearer $TOKEN\"", name: 'TOKEN', expect: (v) => `Authorization: Bearer ${v}\n` },
    { code: "printf '%s\\n' '{\"id\": \"{id}\"}'", name: 'id', expect: (v) => `{"id": "${v}"}\n` },
    { code: "printf '%s\\n' --name=[name]", name: 'name', expect: (v) => `--name=${v}\n` },
    { code: "printf '%s\\n' x-YOUR_VALUE", name: 'YOUR_VALUE', expect: (v) => `x-${v}\n` },
    // `$'...'` is bash's (dash reads a `$` and a single-quoted string: still literal, but other text).
    { code: "printf '%s\\n' $'tab\\there <name>'", name: 'name', expect: (v) => `tab\there ${v}\n`, bashOnly: true },
    { code: "printf '%s\\n' \"$(printf '%s' <name>)\"", name: 'name', expect: (v) => `${v.replace(/\n+$/, '')}\n` },
    { code: "printf '%s\\n' \"`printf '%s' <name>`\"", name: 'name', expect: (v) => `${v.replace(/\n+$/, '')}\n` },
    { code: "printf '%s\\n' ok # for <name>", name: 'name', expect: () => 'ok\n' },
  ];
  for (const shell of shells) {
    for (const t of templates.filter((x) => !x.bashOnly || shell.endsWith('bash'))) {
      it(`${shell}: ${t.code}`, () => {
        const command = commandOf(t.code);
        expect(command.placeholders.map((p) => p.name)).toContain(t.name);
        const prepared = HOSTILE.map((value) => prepareCommand(command, { [t.name]: value }, staging));
        for (const p of prepared) expect(p.missing).toEqual([]);
        expect(runEach(shell, prepared.map((p) => p.text))).toEqual(HOSTILE.map(t.expect));
      });
    }

    it(`${shell}: the harness notices a value that runs (control)`, () => {
      expect(() => run(shell, `printf '%s\\n' ${HOSTILE[0]}`)).toThrow(/ran part of a value/);
    });

    it(`${shell}: a value is one argument, even a leading dash (the program still sees a dash)`, () => {
      const command = commandOf("printf '[%s]' <a> <b>");
      const p = prepareCommand(command, { a: '-rf /', b: '* ?' }, staging);
      expect(run(shell, p.text)).toBe('[-rf /][* ?]');
    });

    it(`${shell}: here-documents keep the value literal and refuse a line break`, () => {
      for (const fence of ['cat <<EOF\nvalue: <name>\nEOF', "cat <<'EOF'\nvalue: <name>\nEOF", 'cat <<-EOF\n\tvalue: <name>\n\tEOF']) {
        const command = commandOf(fence);
        const values = HOSTILE.filter((v) => !/[\r\n]/.test(v));
        const texts = values.map((value) => prepareCommand(command, { name: value }, staging).text);
        expect(runEach(shell, texts)).toEqual(values.map((v) => `value: ${v}\n`));
        expect(() => prepareCommand(command, { name: 'x\nEOF\ntouch pwned' }, staging)).toThrow(/line break/);
      }
    });
  }
});

describe('prepareCommand: missing values', () => {
  it('lists placeholders without a value and leaves them as written', () => {
    const p = prepareCommand(commandOf('kubectl logs <pod> -n <namespace> --since=$SINCE'), { pod: 'web-1', namespace: '' }, staging);
    expect(p.missing).toEqual(['namespace', 'SINCE']);
    expect(p.text).toBe('kubectl logs web-1 -n <namespace> --since=$SINCE');
  });

  it('ignores values for names the command does not have', () => {
    const p = prepareCommand(commandOf('kubectl get pods'), { pod: 'x', __proto__: 'y' }, staging);
    expect(p).toMatchObject({ text: 'kubectl get pods', missing: [] });
  });
});

describe('the production guard', () => {
  it('asks for the environment name before a destructive command in production only', () => {
    const command = commandOf('kubectl delete pod <pod>');
    const prod = prepareCommand(command, { pod: 'web-1' }, production);
    expect(prod).toMatchObject({ destructive: true, confirmation: { kind: 'type-environment-name', expected: 'Production EU' } });
    expect(prod.reasons).toEqual(['`kubectl delete`, `kubectl drain`']);
    const stage = prepareCommand(command, { pod: 'web-1' }, staging);
    expect(stage).toMatchObject({ destructive: true, confirmation: null });
  });

  it.each([
    ['rm -rf /var/lib/app/cache', '`rm -r` / `rm -f`'],
    ['psql -c "DROP TABLE users"', 'SQL `DROP`, `TRUNCATE`, `DELETE FROM`'],
    ['psql -c "TRUNCATE events"', 'SQL `DROP`, `TRUNCATE`, `DELETE FROM`'],
    ['kubectl rollout undo deploy/api', 'a rollback (`rollout undo`, `rollback`)'],
    ['helm rollback api 3', '`helm uninstall`, `helm rollback`'],
    ['kubectl rollout restart deploy/api', 'a restart'],
    ['systemctl restart nginx', 'a restart'],
    ['kubectl scale deploy/api --replicas=0', 'scaling to `--replicas=0`'],
    ['wrangler delete --name api', "a cloud CLI's `delete` / `destroy` / `rm` / `terminate-*`"],
    ['terraform destroy -auto-approve', '`terraform destroy`, `terraform state rm`'],
    ['git push --force origin main', '`git push --force`, `git reset --hard`, `git clean -f`'],
    ['docker rm -f api', '`docker rm`, `rmi`, `prune`, `kill`, `compose down -v`'],
    ['kubectl drain node-1', '`kubectl delete`, `kubectl drain`'],
    ['curl -X DELETE https://api/items/1', 'an HTTP `DELETE`'],
  ])('%s is destructive', (code, reason) => {
    const p = prepareCommand(commandOf(code), {}, production);
    expect(p.reasons).toContain(reason);
    expect(p.confirmation).toEqual({ kind: 'type-environment-name', expected: 'Production EU' });
  });

  it('leaves reads alone, even in production, and ignores comments', () => {
    const p = prepareCommand(commandOf('# do not kubectl delete here\nkubectl get pods -n <ns>'), { ns: 'web' }, production);
    expect(p).toMatchObject({ destructive: false, reasons: [], confirmation: null });
  });

  it('honours the runbook: `confirm` on the fence, `destructive` from the importer', () => {
    const confirmed = prepareCommand(commandOf('kubectl get pods', 'bash {confirm}'), {}, production);
    expect(confirmed.reasons).toEqual(['the runbook asks to confirm it (`confirm` on its fence line)']);
    expect(confirmed.confirmation?.expected).toBe('Production EU');
    const marked = prepareCommand({ ...commandOf('./cleanup.sh'), destructive: true }, {}, production);
    expect(marked.reasons).toEqual(['the runbook marks it destructive']);
  });

  it('suggests the terminal a command is for, by its program', () => {
    expect(suggestedKind('kubectl get pods')).toBe('kubectl');
    expect(suggestedKind('# look first\nsudo helm list -A')).toBe('kubectl');
    expect(suggestedKind('npx wrangler deployments list')).toBe('wrangler');
    expect(suggestedKind('curl -s https://example.net | grep kubectl')).toBe('local');
    expect(suggestedKind('')).toBe('local');
  });

  it('judges the filled command: a value can make it destructive', () => {
    const command = commandOf('kubectl scale deploy/api --replicas=<n>');
    expect(prepareCommand(command, { n: '3' }, production).destructive).toBe(false);
    expect(prepareCommand(command, { n: '0' }, production).confirmation).not.toBeNull();
  });
});

describe('bracketed paste', () => {
  it('cannot be ended early nor drive the terminal', () => {
    const hostile = `echo hi\u001b[201~; touch pwned\u001b[200~\u009b201~\u0003\u0004\u0015\u007f\u0007 done`;
    const clean = sanitizeForBracketedPaste(hostile);
    expect(clean).toBe('echo hi[201~; touch pwned[200~201~ done');
    const wrapped = wrapBracketedPaste(hostile);
    expect(wrapped.startsWith(PASTE_START) && wrapped.endsWith(PASTE_END)).toBe(true);
    expect(wrapped.indexOf(PASTE_END)).toBe(wrapped.length - PASTE_END.length);
    expect(wrapped.slice(PASTE_START.length, -PASTE_END.length)).not.toMatch(/[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f]/);
  });

  it('keeps tabs, line feeds, carriage returns and text', () => {
    expect(sanitizeForBracketedPaste("a\tb\r\nc 'é' ✓")).toBe("a\tb\r\nc 'é' ✓");
  });
});

describe('steps.prepare through the contract', () => {
  const t = useTestCore();
  const call = t.call;

  const runbook = [
    '# API outage', // 1
    '', // 2
    'Restore the API.', // 3
    '', // 4
    '## 1. Restart a pod', // 5
    '', // 6
    '```bash', // 7
    'kubectl delete pod <pod> -n "$NAMESPACE"', // 8
    '```', // 9
    '', // 10
    '## 2. Check', // 11
    '', // 12
    '```bash', // 13
    'kubectl get pods -n <ns>', // 14
    '```', // 15
    '',
  ].join('\n');

  it('fills the command on a line for an environment, and guards production', async () => {
    const imported = await call('runbooks.import', { files: [{ name: 'api.md', text: runbook }] });
    const runbookId = (imported.imported as { id: string }[])[0]!.id;
    const prod = await call('environments.create', { name: 'Production', tier: 'production', color: '#dc2626' });
    const dev = await call('environments.create', { name: 'dev', tier: 'development', color: '#16a34a' });
    const secretish = '$(touch pwned) s3cr3t-value';

    const p = await call('steps.prepare', { runbookId, line: 7, environmentId: prod.id, values: { pod: secretish, NAMESPACE: 'web' } });
    expect(p).toEqual({
      text: `kubectl delete pod '${secretish}' -n ""web""`,
      prefilled: [],
      missing: [],
      destructive: true,
      reasons: ['`kubectl delete`, `kubectl drain`'],
      confirmation: { kind: 'type-environment-name', expected: 'Production' },
      suggestedKind: 'kubectl',
    });
    const d = await call('steps.prepare', { runbookId, line: 7, environmentId: dev.id, values: { pod: 'web-1' } });
    expect(d).toMatchObject({ missing: ['NAMESPACE'], destructive: true, confirmation: null });

    const check = await call('steps.prepare', { runbookId, line: 13, environmentId: prod.id, values: { ns: 'web' } });
    expect(check).toMatchObject({ text: 'kubectl get pods -n web', destructive: false, confirmation: null });

    await expect(call('steps.prepare', { runbookId, line: 8, environmentId: prod.id, values: {} })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('steps.prepare', { runbookId, line: 7, environmentId: 'nope', values: {} })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('steps.prepare', { runbookId, line: 7, environmentId: prod.id, values: { pod: 1 } })).rejects.toMatchObject({ code: 'invalid_arguments' });

    const log = readFileSync(join(t.dataDir, 'logs', 'watchfloor.log'), 'utf8');
    expect(log).not.toContain('s3cr3t-value');
  });
});
