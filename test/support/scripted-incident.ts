/**
 * A short incident played through the real core, for the report tests: a runbook walked (a step
 * done with a note), notes (one quoting credentials in common token shapes), a command sent in a
 * real pty for a step with a vault secret in it, and its output captured. Time comes from the
 * test clock, so the durations a report gives are known.
 */
import { expect } from 'vitest';
import { IncidentDetail, type JournalEvent } from '../../shared/contract';
import type { TestClock } from './clock';
import type { TestCore } from './core';

export const RUNBOOK = [
  '# Billing queue',
  '',
  '## RB-01: Queue backlog',
  '',
  '1. Check the queue depth:',
  '',
  '   ```bash',
  "   printf 'depth=%s\\n' 512",
  '   ```',
  '',
  '2. Check the token works:',
  '',
  '   ```bash',
  "   printf 'token=%s\\n' <API_TOKEN>",
  '   ```',
  '',
].join('\n');
/** The line of step 2's fence in RUNBOOK (steps.run takes the fence's line). */
const TOKEN_STEP_LINE = 13;

/** Every value that must not appear in any report's bytes. */
export const SECRETS = {
  vault: 'tok-5f3a9c1e7b2d4e60',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.Zm9vYmFy',
  awsKey: 'AKIAQ3EXAMPLE7ZZ42XY',
  urlPassword: 'hunter2-on-the-wire',
} as const;

export interface ScriptedIncident {
  incidentId: string;
  environmentId: string;
  /** Text that each report must contain: notes, the step's note, the command as sent (redacted). */
  notes: string[];
  stepNote: string;
  command: string;
}

export async function playScriptedIncident(t: TestCore, clock: TestClock, options: { notes?: string[] } = {}): Promise<ScriptedIncident> {
  const call = async <T>(method: string, params: unknown): Promise<T> => (await t.call(method, params)) as T;
  const runbookId = (await call<{ imported: { id: string }[] }>('runbooks.import', { files: [{ name: 'billing.md', text: RUNBOOK }] })).imported[0]!.id;
  const environmentId = (await call<{ id: string }>('environments.create', { name: 'Staging EU', tier: 'staging', color: '#d97706' })).id;
  await call('secrets.setup', { passphrase: 'correct horse battery' });
  await call('secrets.set', { environmentId, name: 'API_TOKEN', value: SECRETS.vault });

  clock.set(0);
  const started = IncidentDetail.parse(await call('incidents.start', { title: 'Billing queue backlog', severity: 'P2', environmentId, runbookId, procedureId: 'RB-01' }));
  const incidentId = started.incident.id;
  const notes = [
    'Queue depth at 512 and climbing; consumers stalled since 09:55',
    `Old credentials seen in the consumer log: Authorization: Bearer ${SECRETS.bearer} and ${SECRETS.awsKey}, DSN postgres://billing:${SECRETS.urlPassword}@db.internal/billing`,
    ...(options.notes ?? []),
  ];
  clock.set(4);
  await call('incidents.setStatus', { id: incidentId, status: 'identified' });
  for (const [n, text] of notes.entries()) {
    clock.set(5 + n);
    await call('incidents.note', { id: incidentId, text });
  }
  clock.set(12);
  const stepNote = 'Depth confirmed at 512 on the primary';
  await call('incidents.step', { id: incidentId, key: '0.0', action: 'done', note: stepNote });

  clock.set(14);
  const { transcriptId } = await call<{ transcriptId: string }>('steps.run', {
    runbookId,
    environmentId,
    line: TOKEN_STEP_LINE,
    values: {},
    terminalId: null,
    open: { kind: 'local', cols: 120, rows: 30 },
    confirmation: null,
    incidentId,
    stepKey: '0.1',
  });
  await expect
    .poll(() => journal(t, incidentId).some((e) => e.kind === 'output-captured' && e.data.transcriptId === transcriptId), { timeout: 15_000, interval: 25 })
    .toBe(true);
  clock.set(20);
  await call('incidents.setStatus', { id: incidentId, status: 'resolved' });
  const command = "printf 'token=%s\\n' [secret:API_TOKEN]";
  return { incidentId, environmentId, notes, stepNote, command };
}

function journal(t: TestCore, incidentId: string): JournalEvent[] {
  return (t.core.db.prepare('SELECT seq, kind, data FROM journal WHERE incident_id = ? ORDER BY seq').all(incidentId) as { seq: number; kind: string; data: string }[]).map(
    (r) => ({ seq: r.seq, kind: r.kind, data: JSON.parse(r.data) as Record<string, unknown> }) as JournalEvent,
  );
}
