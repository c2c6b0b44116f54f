import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportRunbook, importRunbook } from '../../electron/core/runbooks';
import type { Command, ImportedRunbook } from '../../shared/runbook';

// The five seed runbooks live beside the repository (../shared/seeds), never copied into it.
const seedsDir = path.resolve(__dirname, '../../../shared/seeds');
const bundledDir = path.resolve(__dirname, '../../runbooks');
const files = [
  ...readdirSync(seedsDir).filter((f) => /^\d{3}_.*\.txt$/.test(f)).sort().map((f) => path.join(seedsDir, f)),
  ...readdirSync(bundledDir).filter((f) => f.endsWith('.md')).sort().map((f) => path.join(bundledDir, f)),
];

const words = (s: string) => s.replace(/\s+/g, ' ').trim();
const command = (c: Command) => ({
  code: c.code,
  language: c.language,
  kind: c.kind,
  runnable: c.runnable,
  placeholders: c.placeholders,
  settings: [c.name, c.timeoutSeconds, c.confirm, c.environment],
  expectedOutput: c.expectedOutput,
  destructive: c.destructive,
});

/**
 * The structure a round-trip keeps. Compared: the title and front matter; every procedure's id,
 * title, kind, heading level and number, parent, recovery target, triggers and prose; every step's
 * title, prose and timer; every command's code, language, kind, runnability, placeholders (name
 * and syntax), fence settings, expected output and destructive mark, in steps, in whole blocks
 * split by `# 1.` comments and loose; every alert rule, severity level (with description) and
 * escalation rung. Not compared: line numbers (the export lays the file out anew), a command's
 * origin (inline code and indented blocks are written as fenced blocks), and whitespace inside
 * prose (collapsed to single spaces).
 */
function structure(r: ImportedRunbook) {
  return {
    title: r.title,
    meta: r.meta === undefined ? { title: r.title } : { ...r.meta, title: r.meta.title ?? r.title },
    text: words(r.text ?? ''),
    procedures: r.procedures.map((p) => ({
      id: p.id,
      title: p.title,
      kind: p.kind,
      level: p.level,
      number: p.number,
      parent: p.parent,
      recoveryTargetMinutes: p.recoveryTargetMinutes,
      triggers: p.triggers.map(words),
      text: words(p.text),
      steps: p.steps.map((s) => ({ title: s.title, text: words(s.text), timerSeconds: s.timerSeconds, commands: s.commands.map(command) })),
      blocks: (p.commands ?? []).map(command),
    })),
    alertRules: r.alertRules.map(({ line: _line, ...rule }) => rule),
    severityLevels: r.severityLevels.map(({ line: _line, ...level }) => level),
    escalation: r.escalation.map(({ line: _line, ...rung }) => rung),
    escalationMatrix: r.escalationMatrix.map(({ line: _line, ...path }) => path),
    contacts: r.contacts.map(({ line: _line, ...contact }) => contact),
    looseCommands: r.looseCommands.map(command),
  };
}

describe('exporting a runbook as Watchfloor-format Markdown', () => {
  it.each(files.map((f) => [path.basename(f), f]))('%s imports back to the same structure', (_name, file) => {
    const original = importRunbook(readFileSync(file, 'utf8'), file);
    const markdown = exportRunbook(original);
    const again = importRunbook(markdown, file);
    expect(structure(again)).toEqual(structure(original));
    expect(again.warnings).toEqual([]);
    // and the export of the export is the same text: nothing drifts on a second round
    expect(exportRunbook(again)).toBe(markdown);
  });

  // Shapes the seeds have few or none of: each written small, each must come back the same.
  const shapes: Record<string, string> = {
    'a document without headings': 'Restart things:\n\n```bash\nsystemctl restart api\n```\n\nThen wait 5 minutes.\n',
    'commands before the first heading, and inline commands in notes': '# T\n\nBefore:\n\n```bash\nuptime\n```\n\n## Notes\n\n- Run `docker ps -a` to list\n- And `kubectl get pods -A`\n',
    'an indented code block': '## Fix\n\nDo this:\n\n    systemctl restart api\n    journalctl -u api -n 50\n\nAnd done.\n',
    '"If X: do Y" alternatives': '## RB-1: Fix\n\n### Resolution\n\n- If the pool is full: restart the pods with `kubectl rollout restart deploy/api`\n- If the disk is full: `df -h` then clean up\n- Note: ask first\n',
    'a transcript with output': '## Check\n\n```console\n$ kubectl get pods\nNAME READY\nweb-1 1/1\n```\n',
    'a tilde fence with settings and backticks inside': '## X\n\n~~~bash {name="a b" confirm timeout=30 environment=staging}\necho "```"\n```\n~~~\n',
    'severity, escalation and alert tables': '# T\n\n## Severity\n\n| Level | Response | Examples |\n|---|---|---|\n| P1 Critical | < 15 min | Down |\n| High | 1 hour | Slow |\n\n## Escalation\n\n| Time | Who |\n|---|---|\n| 0-15 min | on-call |\n| 15+ min | lead |\n\n## Alerts\n\n| Alert | Threshold | Window | Severity | Runbook |\n|---|---|---|---|---|\n| Down | up == 0 | 1m | P1 | RB-9 |\n\n## RB-9: Down\n\n1. `curl -s http://x/healthz`\n',
    'timers on a checklist item and on a step in notes': '## Verify\n\n- [ ] Error rate back to baseline ⏱ 5 min\n- [ ] Pods ready\n\n## Notes\n\n**1. Restart it** <!-- timer: 2m --> then look at the logs\n\n- `systemctl restart api`\n',
    'an escalation matrix, contact bullets and a contact table':
      '# T\n\n## Matrix\n\n| Issue | Owner | Escalate to | Trigger |\n|---|---|---|---|\n| DB | SRE | DBA | >30 min |\n\n## Contacts\n\nCall in this order.\n\n- **On-Call:** Check PagerDuty\n- Email: ops@example.com\n- **Vendor:** [Add vendor phone]\n\nLast updated: never\n\n| Name | Phone |\n|---|---|\n| Ada | +1 555 0100 |\n',
    'a task list': '## Verify\n\n- [ ] Error rate back to baseline\n- [x] Pods ready: all of them\n- [ ] Queue drained `redis-cli llen q`\n',
    'bold-numbered paragraphs': "## Runbook 2: DB\n\n**1. Check connections**\n\n```sql\nSELECT count(*) FROM pg_stat_activity;\n```\n\n**2. Kill idle**\n\n```sql\nSELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle';\n```\n",
    'Markdown punctuation in prose and titles': '## Weird *chars* & <things>\n\nText with | pipes and 1. numbers\n- a dash line\n\n1. **Step: with colon** extra\n   ```bash\n   echo "$HOME" <id>\n   ```\n',
  };
  it.each(Object.entries(shapes))('round-trips %s', (_name, text) => {
    const original = importRunbook(text, 'shape.md');
    expect(structure(importRunbook(exportRunbook(original), 'shape.md'))).toEqual(structure(original));
  });

  it('writes front matter, ids in headings, numbered steps and fence settings', () => {
    const r = importRunbook(
      [
        '---',
        'title: Restart the API',
        'recovery_target: 10 min',
        'default_environment: production',
        '---',
        '## API-01: Restart',
        '',
        '1. **Restart it** <!-- timer: 2m -->',
        '   ```bash {name="Restart the API" timeout=120 confirm environment=production}',
        '   kubectl -n api delete pod -l app=api',
        '   ```',
        '',
      ].join('\n'),
      'api.md',
    );
    const md = exportRunbook(r);
    expect(md).toMatch(/^---\ntitle: Restart the API\nrecovery_target: 10 min\ndefault_environment: production\n---\n/);
    expect(md).toContain('## API-01: Restart');
    expect(md).toContain('1. **Restart it** <!-- timer: 120s -->');
    expect(md).toContain('   ```bash {name="Restart the API" timeout=120 confirm environment=production}\n   kubectl -n api delete pod -l app=api\n   ```');
  });
});
