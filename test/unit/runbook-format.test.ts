import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRunbook } from '../../electron/core/runbooks';
import { DESTRUCTIVE_COMMANDS } from '../../electron/core/runbooks/importer';
import { ImportedRunbook } from '../../shared/runbook';

// The Watchfloor format of docs/runbook-format.md: front matter, fence settings, step timers.
const one = (text: string) => {
  const r = importRunbook(text, 'r.md');
  expect(() => ImportedRunbook.parse(r)).not.toThrow();
  return r;
};

describe('the Watchfloor runbook format', () => {
  it('reads the front matter into meta: its title wins, its recovery target is every procedure\'s default', () => {
    const r = one(
      [
        '---',
        'id: web-down',
        'title: Web API down',
        'services: [web, postgres]',
        'severity: P1',
        'recovery_target: 20 min',
        'alerts:',
        '  - alertname=WebDown',
        '  - {alertname: WebSlow, severity: critical}',
        'default_environment: production',
        'variables: [namespace]',
        'owner: team-web',
        '---',
        '# Web',
        '',
        '## WEB-01: Restart',
        '',
        '1. Restart:',
        '   ```bash',
        '   kubectl -n <namespace> rollout restart deploy/web',
        '   ```',
        '',
        '## WEB-02: Fail over',
        '',
        '**Recovery time target:** < 5 min',
        '',
        '1. Fail over:',
        '   ```bash',
        '   ./failover.sh',
        '   ```',
      ].join('\n'),
    );
    expect(r.meta).toEqual({
      id: 'web-down',
      title: 'Web API down',
      services: ['web', 'postgres'],
      severity: 'P1',
      recoveryTargetMinutes: 20,
      alerts: ['alertname=WebDown', 'alertname=WebSlow,severity=critical'],
      defaultEnvironment: 'production',
      variables: ['namespace'],
    });
    expect(r.title).toBe('Web API down');
    expect(r.procedures.map((p) => [p.id, p.recoveryTargetMinutes])).toEqual([['WEB-01', 20], ['WEB-02', 5]]);
    expect(r.procedures[0]!.steps[0]!.commands[0]!.line).toBe(19);
    expect(r.warnings).toEqual([]);
  });

  it('warns about front matter that is not YAML, and imports the rest', () => {
    const r = one('---\ntitle: [unclosed\n---\n# Web\n\n## Restart\n\n```bash\nsystemctl restart web\n```\n');
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^the front matter is not valid YAML \(.*\); it was ignored$/)]);
    expect(r.title).toBe('Web');
    expect(r.meta).toEqual({});
  });

  it('ignores hostile front matter quickly, with a warning: deep nesting, alias bombs', () => {
    const body = '\n---\n# Web\n\n## Restart\n\n```bash\nsystemctl restart web\n```\n';
    const aliases = 'a: &a [1, 2, 3]\n' + Array.from({ length: 300 }, (_, i) => `b${i}: [*a, *a, *a, *a]`).join('\n');
    for (const fm of ['a: ' + '['.repeat(60_000), 'a: ' + '{'.repeat(60_000), '- '.repeat(20_000) + 'x', aliases]) {
      const started = Date.now();
      const r = one('---\n' + fm + body);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]!.message).toMatch(/^the front matter (nests more than 32 levels deep|is not valid YAML \(.*\)); it was ignored$/);
      expect(r.procedures[0]!.steps[0]!.commands[0]!.line).toBe(fm.split('\n').length + 7);
    }
  });

  it('puts settings on the fence line onto the command', () => {
    const r = one('## Restart\n\n```bash {name="Restart the API" timeout=120 confirm environment=production}\nkubectl -n api delete pod -l app=api\n```\n\n```sh {timeout=5m confirm=false env=staging}\nuptime\n```\n');
    const [a, b] = r.procedures[0]!.steps.flatMap((s) => s.commands);
    expect(a).toMatchObject({ language: 'bash', kind: 'kubectl', name: 'Restart the API', timeoutSeconds: 120, confirm: true, environment: 'production', destructive: true });
    expect(b).toMatchObject({ language: 'sh', timeoutSeconds: 300, confirm: false, environment: 'staging' });
    expect(b).not.toHaveProperty('destructive');
  });

  it('reads a step timer annotation, hidden or visible, and keeps it out of the step text', () => {
    const r = one('## Recover\n\n1. **Wait for the pods** <!-- timer: 5m -->\n   They restart one by one.\n2. **Check the error rate** ⏱ 90 s\n3. **Watch the queue**\n\n   Watch for 10 minutes.\n');
    expect(r.procedures[0]!.steps.map((s) => [s.title, s.text, s.timerSeconds])).toEqual([
      ['Wait for the pods', 'They restart one by one.', 300],
      ['Check the error rate', '', 90],
      ['Watch the queue', 'Watch for 10 minutes.', 600],
    ]);
  });

  it('keeps the output of a shell transcript as expected output, never as code', () => {
    const r = one('## Check\n\n```console\n$ kubectl get pods\nNAME   READY   STATUS\nweb-1  1/1     Running\n$ df -h /\n/dev/sda1  50G  12G  38G  24% /\n```\n');
    const c = r.procedures[0]!.steps[0]!.commands[0]!;
    expect(c.code).toBe('kubectl get pods\ndf -h /');
    expect(c.expectedOutput).toBe('NAME   READY   STATUS\nweb-1  1/1     Running\n/dev/sda1  50G  12G  38G  24% /');
  });

  it('marks destructive commands, not the ones that only read or restart, nor comments', () => {
    const destructive = (code: string, lang = 'bash') => one(`## X\n\n\`\`\`${lang}\n${code}\n\`\`\`\n`).procedures[0]!.steps[0]!.commands[0]!.destructive ?? false;
    expect(destructive('rm -rf /var/cache/app')).toBe(true);
    expect(destructive('kubectl delete pod web-1')).toBe(true);
    expect(destructive('kubectl scale deploy/web --replicas=0')).toBe(true);
    expect(destructive('DROP TABLE sessions;', 'sql')).toBe(true);
    expect(destructive('git push --force origin main')).toBe(true);
    expect(destructive('terraform destroy')).toBe(true);
    expect(destructive('find /var/log -name "*.gz" -mtime +7 -delete')).toBe(true);
    expect(destructive('kubectl rollout restart deploy/web')).toBe(false);
    expect(destructive('ls -la /var/cache')).toBe(false);
    expect(destructive('# never rm -rf here\nls')).toBe(false);
    expect(destructive('SELECT count(*) FROM sessions;', 'sql')).toBe(false);
  });
});

describe('the documented list of destructive commands', () => {
  it('is the one in the code, entry for entry', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/runbook-format.md'), 'utf8');
    for (const d of DESTRUCTIVE_COMMANDS) expect(doc, d.what).toContain(`- ${d.what}`);
  });
});
