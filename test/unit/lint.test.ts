import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRunbook, lintRunbook } from '../../electron/core/runbooks';
import { LintFinding } from '../../shared/contract';

const lint = (text: string, knownVariables?: string[]) => lintRunbook(importRunbook(text, 'r.md'), { knownVariables });
const rules = (text: string, knownVariables?: string[]) => lint(text, knownVariables).map((f) => `${f.line} ${f.severity} ${f.rule}`);

/** A clean runbook: every rule quiet. Each test breaks it in one way. */
const clean = (over: { fm?: string; target?: string; step2?: string; fence?: string; code?: string; table?: string } = {}) =>
  [
    '---',
    over.fm ?? 'variables: [namespace]',
    '---',
    '# Web API',
    '',
    '## API-01: Restart the web API',
    '',
    over.target ?? '**Recovery time target:** < 15 min',
    '',
    '1. **Restart it**',
    `   \`\`\`bash${over.fence ?? ' {confirm}'}`,
    `   ${over.code ?? 'kubectl -n <namespace> delete pod -l app=web'}`,
    '   ```',
    over.step2 ?? '2. **Watch it come back**\n   ```bash\n   kubectl -n <namespace> get pods -w\n   ```',
    '',
    '## Alerts',
    '',
    '| Alert | Condition | Window | Severity | Runbook |',
    '|---|---|---|---|---|',
    over.table ?? '| Web down | up == 0 | 2 min | P1 | API-01 |',
    '',
  ].join('\n');

describe('linting a runbook', () => {
  it('is quiet on a clean runbook, on the bundled runbooks, and its findings match the contract', () => {
    expect(lint(clean())).toEqual([]);
    const bundled = path.resolve(__dirname, '../../runbooks');
    for (const f of readdirSync(bundled).filter((x) => x.endsWith('.md'))) {
      const findings = lintRunbook(importRunbook(readFileSync(path.join(bundled, f), 'utf8'), f));
      expect(findings, f).toEqual([]);
    }
    const some = lint(clean({ fence: '', target: '' }));
    for (const f of some) expect(() => LintFinding.parse(f)).not.toThrow();
  });

  it('warns about a step without a command, but not in a prose section such as Symptoms', () => {
    expect(rules(clean({ step2: '2. **Tell the team in the incident channel**' }))).toEqual(['14 warning step-without-command']);
    const finding = lint(clean({ step2: '2. **Tell the team in the incident channel**' }))[0]!;
    expect([finding.procedureIndex, finding.stepIndex]).toEqual([0, 1]);
    expect(rules(clean({ step2: '\n### Symptoms\n\n1. **Pages load slowly**\n2. **Errors in the logs**' }))).toEqual([]);
  });

  it('warns once about an undefined placeholder, unless the front matter or the environment defines it', () => {
    expect(rules(clean({ fm: 'title: Web' }))).toEqual(['11 warning undefined-placeholder']);
    expect(lint(clean({ fm: 'title: Web' }))[0]!.message).toContain('namespace');
    expect(rules(clean({ fm: 'title: Web' }), ['namespace'])).toEqual([]);
    expect(rules(clean({ fm: 'variables:\n  - namespace' }))).toEqual([]);
  });

  it('warns about a procedure without a recovery target, unless the front matter sets one', () => {
    expect(rules(clean({ target: '' }))).toEqual(['6 warning missing-recovery-target']);
    expect(rules(clean({ target: '', fm: 'variables: [namespace]\nrecovery_target: 30 min' }))).toEqual([]);
  });

  it('fails a destructive command without confirm, and passes it with confirm', () => {
    expect(rules(clean({ fence: '' }))).toEqual(['11 error destructive-without-confirm']);
    expect(rules(clean({ fence: ' {name="Delete the pods"}' }))).toEqual(['11 error destructive-without-confirm']);
    expect(rules(clean({ fence: ' {confirm}' }))).toEqual([]);
    for (const code of ['rm -rf /var/lib/app/cache', 'terraform destroy -target=module.web', 'git push --force origin main', 'docker rm -f web', 'kubectl -n web scale deploy/web --replicas=0', 'wrangler d1 delete web-db', 'psql -c "DROP TABLE sessions"']) {
      expect(rules(clean({ fence: '', code })), code).toEqual(['11 error destructive-without-confirm']);
    }
    for (const code of ['kubectl -n web rollout restart deploy/web', 'docker ps -a', '# rm -rf is never needed here', 'kubectl get pods']) {
      expect(rules(clean({ fence: '', code })), code).toEqual([]);
    }
  });

  it('fails an alert rule that points to a runbook id no heading defines', () => {
    expect(rules(clean({ table: '| Web down | up == 0 | 2 min | P1 | API-02 |' }))).toEqual(['23 error broken-alert-link']);
    expect(lint(clean({ table: '| Web down | up == 0 | 2 min | P1 | API-02 |' }))[0]!.message).toContain('API-02');
  });

  it('fails an empty runbook', () => {
    expect(rules('# Notes\n\nNothing here yet.\n')).toEqual(['0 error empty-runbook']);
    expect(rules('# Notes\n\n```bash\nuptime\n```\n')).not.toContain('0 error empty-runbook');
  });
});
