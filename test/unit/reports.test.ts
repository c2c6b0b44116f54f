/**
 * Incident reports from a real core: a scripted incident (seed 000 RB-01 imported for real, steps
 * settled with notes, a command run in a real pty, token-shaped notes, a vault secret learned after
 * the note that carries it, a hostile note) exported as Markdown, HTML and JSON. Every format has
 * the timeline, the durations and the commands; none has a secret; the counts agree everywhere.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRedactor, escapeMarkdown, followUpsOf, renderReportHtml } from '../../electron/core/reports';
import type { RedactionSummary, ReportFile } from '../../shared/contract';
import { SECRETS, scriptIncident } from '../support/incident-report';
import { useTestCore } from '../support/core';

const t = useTestCore();
let canary: Server;
let canaryUrl = '';
let canaryHits = 0;

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end();
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/canary.png`;
});
afterAll(() => new Promise<void>((r) => canary.close(() => r())));

const exportAs = async (id: string, format: 'md' | 'html' | 'json') => (await t.call('reports.export', { target: { kind: 'incident', id }, format })) as unknown as ReportFile;
const text = (file: ReportFile) => Buffer.from(file.base64, 'base64').toString('utf8');

describe('an incident report', () => {
  it('has the timeline, durations, steps and commands in md, html and json, no secret in any, and the same redaction counts', async () => {
    const { incidentId } = await scriptIncident(t.call, canaryUrl);
    const preview = (await t.call('reports.preview', { target: { kind: 'incident', id: incidentId } })) as { markdown: string; redactions: RedactionSummary };
    const files = { md: await exportAs(incidentId, 'md'), html: await exportAs(incidentId, 'html'), json: await exportAs(incidentId, 'json') };

    // The same counts everywhere, and what they count.
    for (const f of Object.values(files)) expect(f.redactions).toEqual(preview.redactions);
    expect(preview.redactions.byKind).toMatchObject({ 'vault secret': 1, 'bearer token': 1, 'AWS key': 3 /* a note, the command, its output */, 'AWS secret key': 1, 'private key': 1, 'password in URL': 1 });
    expect(preview.redactions.total).toBe(Object.values(preview.redactions.byKind).reduce((a, b) => a + b, 0));

    const md = text(files.md);
    expect(md).toBe(preview.markdown);
    expect(files.md.fileName).toMatch(/^incident-\d{4}-\d{2}-\d{2}-queue-backlog-on-the-eu-cluster\.md$/);
    expect(files.md.mediaType).toBe('text/markdown; charset=utf-8');
    expect(files.md.bytes).toBe(Buffer.byteLength(md));

    for (const [format, file] of Object.entries(files)) {
      const bytes = text(file);
      for (const secret of Object.values(SECRETS)) expect(bytes, `${format} leaks ${secret}`).not.toContain(secret);
      // The commands and their output, in every format (JSON escapes the backslash once more).
      expect(bytes.replaceAll('\\\\', '\\'), format).toContain("printf 'depth=%s key=%s\\n' 2048");
      expect(bytes, format).toContain('depth=2048 key=[redacted]');
      expect(bytes, format).toContain('D1 query timed out');
    }
    // Markdown and HTML: the summary, the durations against their targets, the steps, the follow-ups.
    for (const bytes of [md, text(files.html)]) {
      expect(bytes).toContain('Incident opened at P2');
      expect(bytes).toMatch(/Failed .*Check D1 for jobs stuck in wrong state.*: D1 query timed out/);
      expect(bytes).toMatch(/Status Investigating → Resolved/);
      expect(bytes).toContain('Time to acknowledge');
      expect(bytes).toMatch(/Time to recover.*target 15 min \(met\)/);
      expect(bytes).toContain('Escalations reached');
      expect(bytes).toMatch(/done.*Check all compute agents are online.*all 6 agents online/);
      expect(bytes).toMatch(/skipped.*wrangler not installed on this laptop/);
      expect(bytes).toContain('rotate the agent token');
      expect(bytes).toContain('add a DLQ depth alert');
      expect(bytes).toContain('Dana');
      expect(bytes).toContain('Staging EU');
    }
    expect(text(files.html)).toContain('<h2>Root Cause</h2>\n<p>the consumer lost its DB password ([secret:DB_PASSWORD]) after the rotation</p>');
    expect(md).toContain('- [ ] rotate the agent token');
    expect(md).not.toContain('- [ ] scaled the agents'); // a ticked box is not a follow-up
    expect(md).toContain('- [ ] Failed step “Check D1 for jobs stuck in wrong state”: D1 query timed out');

    // The JSON is the bundle: the whole journal with its chain, the runbook used, the counts.
    const bundle = JSON.parse(text(files.json)) as { format: string; journal: { seq: number; kind: string; redacted?: boolean }[]; runbooks: { sha256: string }[]; redactions: RedactionSummary };
    expect(bundle.format).toBe('watchfloor.incident-bundle');
    expect(bundle.journal.map((e) => e.seq)).toEqual(bundle.journal.map((_, i) => i + 1));
    expect(bundle.journal.some((e) => e.kind === 'command-sent') && bundle.journal.some((e) => e.kind === 'output-captured')).toBe(true);
    expect(bundle.journal.filter((e) => e.redacted).length).toBeGreaterThanOrEqual(6);
    expect(bundle.runbooks).toHaveLength(1);
    expect(bundle.runbooks[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(bundle.redactions).toEqual(preview.redactions);
    // For a reader of the file: the report's durations and timeline lines (not verified, dropped on import).
    const json = JSON.parse(text(files.json)) as { report: { durations: { id: string; targetMinutes: number | null; met: boolean | null }[]; timeline: { line: string }[] } };
    expect(json.report.durations).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'acknowledge', targetMinutes: 30, met: true }), expect.objectContaining({ id: 'recover', targetMinutes: 15, met: true })]));
    expect(json.report.timeline.map((l) => l.line)).toContain('Incident opened at P2: Queue backlog on the EU cluster');
  }, 30_000);

  it('renders a hostile note inert in the HTML: no script, no iframe, no javascript: link, no remote image', async () => {
    const { incidentId } = await scriptIncident(t.call, canaryUrl);
    const html = text(await exportAs(incidentId, 'html'));
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<iframe/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/href="\s*javascript:/i);
    expect(html).not.toMatch(/<link|<base|<object|<embed|<form/i);
    expect(html).not.toMatch(/<h1[^>]*>Not a heading/);
    // Shown as text, not dropped: the operator sees what was written.
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(canaryUrl);
    expect(canaryHits).toBe(0);
  }, 30_000);

  it('templates: a custom one with a placeholder renders; an unknown placeholder is refused with the known ones; null goes back to the default', async () => {
    const { incidentId } = await scriptIncident(t.call, canaryUrl);
    const def = (await t.call('reports.template', {})) as { template: string; isDefault: boolean; placeholders: { name: string }[] };
    expect(def.isDefault).toBe(true);
    expect(def.template).toContain('## Lessons Learned');
    expect(def.placeholders.map((p) => p.name)).toEqual(expect.arrayContaining(['title', 'timeline', 'durations', 'commands', 'follow_ups', 'root_cause']));

    const saved = (await t.call('reports.setTemplate', { template: '# {{ title }} ({{severity}})\n\n{{follow_ups}}\n' })) as { isDefault: boolean };
    expect(saved.isDefault).toBe(false);
    const preview = (await t.call('reports.preview', { target: { kind: 'incident', id: incidentId } })) as { markdown: string };
    expect(preview.markdown).toBe('# Queue backlog on the EU cluster (P2)\n\n- [ ] rotate the agent token\n- [ ] add a DLQ depth alert\n- [ ] Failed step “Check D1 for jobs stuck in wrong state”: D1 query timed out\n');

    const refused = await t.call('reports.setTemplate', { template: '# {{title}} {{blast_radius}}' }).catch((e: { code: string; message: string }) => e);
    expect(refused).toMatchObject({ code: 'invalid_arguments', message: expect.stringContaining('{{blast_radius}}') });
    expect((refused as { message: string }).message).toContain('Known placeholders: title, date');
    expect(((await t.call('reports.template', {})) as { isDefault: boolean }).isDefault).toBe(false);

    expect(((await t.call('reports.setTemplate', { template: null })) as { isDefault: boolean }).isDefault).toBe(true);
  }, 30_000);

  it('the hand-off lists every open incident with its current step, clocks and last notes, redacted', async () => {
    const environmentId = (await t.call('environments.create', { name: 'Prod', tier: 'production', color: '#dc2626' })).id as string;
    await t.call('secrets.setup', { passphrase: 'correct horse battery' });
    const open = (await t.call('incidents.start', { title: 'Checkout errors', severity: 'P1', environmentId })) as { incident: { id: string } };
    for (const n of ['first', 'second', `third with Bearer ${SECRETS.bearer}`, 'fourth']) await t.call('incidents.note', { id: open.incident.id, text: n });
    const closed = (await t.call('incidents.start', { title: 'Old one', severity: 'P4' })) as { incident: { id: string } };
    await t.call('incidents.setStatus', { id: closed.incident.id, status: 'resolved' });

    const preview = (await t.call('reports.preview', { target: { kind: 'handoff' } })) as { markdown: string; redactions: RedactionSummary };
    expect(preview.markdown).toContain('## P1 · Checkout errors');
    expect(preview.markdown).not.toContain('Old one');
    expect(preview.markdown).toContain('**Response** (15 min): met at');
    expect(preview.markdown).not.toContain('first');
    expect(preview.markdown).toContain('third with Bearer \\[redacted\\]');
    expect(preview.redactions).toEqual({ total: 1, byKind: { 'bearer token': 1 } });

    const json = JSON.parse(text((await t.call('reports.export', { target: { kind: 'handoff' }, format: 'json' })) as unknown as ReportFile)) as { title: string; lastNotes: unknown[] }[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ title: 'Checkout errors', severity: 'P1', environment: 'Prod', lastNotes: [{ text: 'second' }, { text: 'third with Bearer [redacted]' }, { text: 'fourth' }] });
    const html = text((await t.call('reports.export', { target: { kind: 'handoff' }, format: 'html' })) as unknown as ReportFile);
    expect(html).toContain('Checkout errors');
    expect(html).not.toContain(SECRETS.bearer);
  }, 30_000);

  it('pdf without a printer, an unknown incident and a locked vault each say so, and export nothing', async () => {
    const open = (await t.call('incidents.start', { title: 'x' })) as { incident: { id: string } };
    await expect(t.call('reports.export', { target: { kind: 'incident', id: open.incident.id }, format: 'pdf' })).rejects.toMatchObject({ message: expect.stringContaining('PDF needs Chromium') });
    await expect(t.call('reports.export', { target: { kind: 'incident', id: 'nope' }, format: 'md' })).rejects.toMatchObject({ code: 'not_found' });
    // A locked vault knows no values to redact: nothing leaves until it is unlocked.
    await t.call('secrets.setup', { passphrase: 'correct horse battery' });
    await t.call('secrets.lock', {});
    await expect(t.call('reports.preview', { target: { kind: 'incident', id: open.incident.id } })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('vault is locked') });
    await t.call('secrets.unlock', { passphrase: 'correct horse battery' });
    expect(await t.call('reports.preview', { target: { kind: 'incident', id: open.incident.id } })).toMatchObject({ redactions: { total: 0 } });
  });
});

describe('export redaction', () => {
  it('redacts token shapes and counts them by kind', () => {
    const r = new ExportRedactor((s) => s.replaceAll('sekrit-value', '[secret:X]'));
    const out = r.text(
      [
        'Authorization: Bearer eyJhbGciOi.payload.sig',
        'Authorization: Basic dXNlcjpwYXNz',
        'key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLF',
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'postgres://app:pa55w0rd@db:5432/x and https://host/no-credentials',
        'ghp_abcdefghijklmnopqrstuvwxyz0123456789 xoxb-1234567890-abcdefghij',
        'sekrit-value, already [secret:Y]',
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
        'curl -H "Authorization: Bearer $TOKEN" stays as written; Basic troubleshooting too',
      ].join('\n'),
    );
    for (const leaked of ['eyJhbGciOi', 'dXNlcjpwYXNz', 'AKIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLF', 'wJalrXUtnFEMI', 'pa55w0rd', 'ghp_abc', 'xoxb-123', 'sekrit-value', 'b3BlbnNzaC1rZXktdjEAAAAA']) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain('postgres://app:[redacted]@db:5432/x and https://host/no-credentials');
    expect(out).toContain('curl -H "Authorization: Bearer $TOKEN" stays as written; Basic troubleshooting too');
    expect(r.summary()).toEqual({
      total: 10,
      byKind: { 'AWS key': 2, 'AWS secret key': 1, 'GitHub token': 1, 'Slack token': 1, 'basic credentials': 1, 'bearer token': 1, 'password in URL': 1, 'private key': 1, 'vault secret': 1 },
    });
    // Redacting what is already redacted changes and counts nothing.
    const again = new ExportRedactor((s) => s);
    expect(again.text(out)).toBe(out);
    expect(again.summary().total).toBe(0);
  });

  it('escapes free text so it renders as itself', () => {
    expect(escapeMarkdown('# title')).toBe('\\# title');
    expect(escapeMarkdown('- item\n1. two\n<b>x</b>')).toBe('\\- item\\\n1\\. two\\\n\\<b\\>x\\</b\\>');
    expect(escapeMarkdown('[x](javascript:alert(1))')).toBe('\\[x\\]\\(javascript:alert\\(1\\)\\)');
  });

  it('finds follow-ups in notes and failed steps', () => {
    const note = (text: string, seq = 1) => ({ seq, at: '', text, corrects: null });
    expect(
      followUpsOf(
        [note('TODO: one'), note('follow-up: two'), note('Action:three'), note('text\n- [ ] four\n- [x] done'), note('not a todo: five')],
        [{ key: '0.1', title: 'Scale', state: 'failed', note: 'quota', at: '' }, { key: '0.2', title: 'Fine', state: 'done', note: null, at: '' }],
      ),
    ).toEqual(['one', 'two', 'three', 'four', 'Failed step “Scale”: quota']);
  });
});

describe('the HTML page', () => {
  it('links only to http(s) and mailto, shows images as text, and keeps raw HTML as text, even from a template', () => {
    const html = renderReportHtml('[ok](https://example.com/a) [mail](mailto:ops@example.com) [bad](javascript:alert(1)) [data](data:text/html,x) [rel](/etc/passwd) ![shot](http://127.0.0.1:9/x.png) <b>raw</b>', 'T <x>');
    expect(html).toContain('<a href="https://example.com/a" rel="noopener noreferrer">ok</a>');
    expect(html).toContain('<a href="mailto:ops@example.com" rel="noopener noreferrer">mail</a>');
    expect(html.match(/<a /g)).toHaveLength(2);
    expect(html).toContain('[bad](javascript:alert(1))');
    expect(html).toContain('<span class="image-ref">[image: shot] (<code>http://127.0.0.1:9/x.png</code>)</span>');
    expect(html).toContain('&lt;b&gt;raw&lt;/b&gt;');
    expect(html).toContain('<title>T &lt;x&gt;</title>');
    expect(html).not.toMatch(/<img|<script|src=/i);
  });
});
