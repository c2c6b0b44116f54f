/**
 * A scripted incident for report tests, through the same calls the UI makes: seed 000 imported for
 * real (RB-01, Queue Backlog), steps done, skipped and failed with notes, a command run in a real
 * local pty for the incident, notes carrying token shapes and a value that becomes a vault secret
 * only after the note was written (so only export redaction can catch it), and a hostile note.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IncidentDetail, type JournalEvent } from '../../shared/contract';

/** The seed runbooks, beside the repository (see ../shared/seeds/README.md). */
const seedsDir = resolve(__dirname, '../../../shared/seeds');
const seedFile = (prefix: string) => join(seedsDir, readdirSync(seedsDir).find((f) => f.startsWith(`${prefix}_`))!);

/** Values that must never appear in any format's bytes. */
export const SECRETS = {
  vault: 'vault-s3cr3t-9c1e7b2d4e60aa',
  bearer: 'abc.def.ghi',
  aws: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
  urlPassword: 'hunter2',
} as const;

const PEM = ['-----BEGIN RSA PRIVATE KEY-----', SECRETS.pemBody, 'q1w2e3r4t5y6u7i8o9p0', '-----END RSA PRIVATE KEY-----'].join('\n');

// A second runbook for the commands, printed by a real shell: the output carries an AWS key.
const CHECKS = [
  '# Queue checks',
  '',
  '## QC-01: Depth',
  '',
  '1. Check the queue depth:',
  '',
  '   ```bash',
  "   printf 'depth=%s key=%s\\n' 2048 AKIAIOSFODNN7EXAMPLE",
  '   ```',
  '',
].join('\n');
const CHECK_LINE = 7;

type Call = (method: string, params: unknown) => Promise<Record<string, unknown>>;

export interface ScriptedIncident {
  incidentId: string;
  environmentId: string;
  runbookId: string;
}

/** The journal as stored, through the call (paged newest first: fetch all). */
async function journal(call: Call, id: string): Promise<JournalEvent[]> {
  const page = (await call('incidents.journal', { id, beforeSeq: null, limit: 1000, kinds: [] })) as { events: JournalEvent[] };
  return page.events;
}

/** Runs the script; `canaryUrl` is the image a hostile note points at. */
export async function scriptIncident(call: Call, canaryUrl: string): Promise<ScriptedIncident> {
  const seed = seedFile('000');
  const imported = (await call('runbooks.import', { files: [{ name: 'torrentflow.md', text: readFileSync(seed, 'utf8') }, { name: 'checks.md', text: CHECKS }] })) as {
    imported: { id: string; title: string }[];
  };
  const runbookId = imported.imported.find((r) => r.title.includes('TorrentFlow'))!.id;
  const checksId = imported.imported.find((r) => r.title === 'Queue checks')!.id;
  const environmentId = (await call('environments.create', { name: 'Staging EU', tier: 'staging', color: '#d97706' })).id as string;
  await call('secrets.setup', { passphrase: 'correct horse battery' });
  const detail = IncidentDetail.parse(await call('incidents.start', { title: 'Queue backlog on the EU cluster', severity: 'P2', environmentId, runbookId, procedureId: 'RB-01', commander: 'Dana' }));
  const id = detail.incident.id;
  await call('incidents.update', { id, patch: { scribe: 'Lee', tags: ['queue', 'eu'] } });

  const note = (text: string) => call('incidents.note', { id, text });
  await note(`Impact: about 1,200 jobs stuck in queued for 20 min`);
  await note(`Tried the agent API with curl -H "Authorization: Bearer ${SECRETS.bearer}" and it answered 200`);
  await note(`Root cause: the consumer lost its DB password (${SECRETS.vault}) after the rotation`);
  await note(`Found ${SECRETS.aws} and aws_secret_access_key = ${SECRETS.awsSecret} in the worker env`);
  await note(`The agent key was pasted here by mistake:\n${PEM}`);
  await note(`DB is https://ops:${SECRETS.urlPassword}@db.internal/ for the replay`);
  await note('TODO: rotate the agent token');
  await note('Checklist for tomorrow:\n- [ ] add a DLQ depth alert\n- [x] scaled the agents');
  await note(`# Not a heading <script>alert(1)</script> <iframe src="https://evil.example/"></iframe> [x](javascript:alert(1)) ![p](${canaryUrl})`);

  await call('incidents.step', { id, key: '0.0', action: 'done', note: 'all 6 agents online' });
  await call('incidents.step', { id, key: '0.1', action: 'skip', note: 'wrangler not installed on this laptop' });
  await call('incidents.step', { id, key: '0.2', action: 'fail', note: 'D1 query timed out' });

  const run = (await call('steps.run', {
    runbookId: checksId,
    environmentId,
    line: CHECK_LINE,
    values: {},
    terminalId: null,
    open: { kind: 'local', cols: 120, rows: 30 },
    confirmation: null,
    stepKey: null,
    incidentId: id,
  })) as { transcriptId: string };
  // Its output is journaled once the shell reports the command finished (a plain loop: this also runs in beforeAll).
  const deadline = Date.now() + 15_000;
  while (!(await journal(call, id)).some((e) => e.kind === 'output-captured' && e.data.transcriptId === run.transcriptId)) {
    if (Date.now() > deadline) throw new Error('the command run for the scripted incident never had its output journaled');
    await new Promise((r) => setTimeout(r, 50));
  }

  // Only now does the vault learn the value the root-cause note carries.
  await call('secrets.set', { environmentId, name: 'DB_PASSWORD', value: SECRETS.vault });
  await call('incidents.setStatus', { id, status: 'resolved' });
  return { incidentId: id, environmentId, runbookId };
}
