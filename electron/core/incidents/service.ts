/**
 * Incidents: opened from alerts (or by hand), with their runbook, environment and severity, and a
 * journal of everything that happens to them. The `incidents` row is what the incident is now;
 * the journal is how it got there, and every change to the row is written with its event, in one
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  RECENT_EVENTS,
  type Alert,
  type CallParsedInput,
  type Environment,
  type IncidentClocks,
  type IncidentDetail,
  type IncidentStatus,
  type IncidentSummary,
  type JournalEvent,
  type JournalIntegrity,
  type JournalKind,
  type RunbookDetail,
  type Severity,
  type Walkthrough,
} from '../../../shared/contract';
import { findProcedure, procedureRef } from '../alerts/links';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Statement } from 'better-sqlite3';
import { incidentClocks, resolvedAtOf } from './clocks';
import { OPERATOR_ACTION_KINDS, type Journal } from './journal';
import { buildWalkthrough, WALK_KINDS } from './walkthrough';

export interface IncidentServiceOptions {
  db: Db;
  clock: Clock;
  journal: Journal;
  /** An alert of the feed by id (AlertFeed.get); throws not_found. */
  alert(id: string): Alert;
  /** Throws not_found. */
  environment(id: string): Environment;
  /** Throws not_found. */
  runbook(id: string): RunbookDetail;
  /** Known secret values out of what the operator writes (the vault's redactor). */
  redact(text: string): string;
  /** How many events of an incident's journal recovery kept aside (recovery.ts damagedCount). */
  damagedCount?: (id: string) => number;
}

export type StartIncident = CallParsedInput<'incidents.start'>;
export type StepAction = CallParsedInput<'incidents.step'>['action'];
export type IncidentPatch = CallParsedInput<'incidents.update'>['patch'];
export type JournalQuery = Omit<CallParsedInput<'incidents.journal'>, 'id'>;

/** What the clocks and the walkthrough of an incident are, now: what get answers and the watcher checks. */
export interface IncidentState {
  incident: IncidentSummary;
  clocks: IncidentClocks;
  walkthrough: Walkthrough | null;
}

interface IncidentRow {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  environment_id: string | null;
  runbook_id: string | null;
  procedure_id: string | null;
  commander: string | null;
  scribe: string | null;
  tags: string;
  opened_at: string;
  resolved_at: string | null;
  events: number | null;
}

const SEVERITY_RANK: Record<Severity, number> = { P1: 0, P2: 1, P3: 2, P4: 3 };
const DEFAULT_SEVERITY: Severity = 'P3';
const SELECT = 'SELECT i.*, (SELECT max(seq) FROM journal j WHERE j.incident_id = i.id) AS events FROM incidents i';

export class IncidentService {
  private readonly listeners = new Set<(ids: string[]) => void>();
  private readonly journal: Journal;

  constructor(private readonly options: IncidentServiceOptions) {
    this.journal = options.journal;
  }

  /** Be told when an incident is opened or changed, or its journal grows. */
  onChange(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Newest first. */
  list(filter: { includeResolved: boolean }): IncidentSummary[] {
    const where = filter.includeResolved ? '' : " WHERE i.status <> 'resolved'";
    const rows = this.options.db.prepare<[], IncidentRow>(`${SELECT}${where} ORDER BY i.opened_at DESC, i.rowid DESC`).all();
    return rows.map((r) => this.toSummary(r));
  }

  /**
   * The incident, its newest RECENT_EVENTS events, clocks, walkthrough and chain check. Reads only
   * what those need (the walkthrough's and the clocks' kinds, the first operator action, the tail),
   * never the whole journal: a 50,000-event incident opens as fast as a new one, and the rest is
   * paged with `journal`. The chain is verified once and then only from where it was last good.
   */
  get(id: string): IncidentDetail {
    const state = this.state(id);
    return {
      ...state,
      recent: this.journal.tail(id, RECENT_EVENTS),
      integrity: this.integrity(id),
      damaged: this.options.damagedCount?.(id) ?? 0,
    };
  }

  /** The clocks and the walkthrough as of the service clock's now, from the journal and the runbook. */
  state(id: string): IncidentState {
    const incident = this.toSummary(this.row(id, 'nothing was changed'));
    const now = this.options.clock.now();
    const runbook = this.runbookOf(incident);
    const opened = this.journal.ofKinds(id, ['opened', 'status']);
    const openedSeq = opened.find((e) => e.kind === 'opened')?.seq ?? 0;
    const action = this.journal.firstOfKinds(id, OPERATOR_ACTION_KINDS, openedSeq);
    const journal = action ? [...opened, action].sort((a, b) => a.seq - b.seq) : opened;
    const resolvedAt = resolvedAtOf(journal, incident.status);
    // A step's timer stops with the incident.
    const walkNow = resolvedAt === null ? now : new Date(Math.min(now.getTime(), Date.parse(resolvedAt)));
    const walkthrough = this.walkthroughOf(id, incident, runbook, walkNow);
    const { openedAt, severity, status, procedureId } = incident;
    const clocks = incidentClocks({ openedAt, journal, severity, status, runbook: runbook?.runbook ?? null, procedureId, walkthrough }, now);
    return { incident, clocks, walkthrough };
  }

  /** The whole journal, in seq order (reports, benchmarks, verification). */
  events(id: string): JournalEvent[] {
    this.row(id, 'nothing was read');
    return this.journal.events(id);
  }

  /** An incident's events of these kinds, in seq order (the watcher's own, to never repeat one). */
  eventsOfKinds(id: string, kinds: readonly JournalKind[]): JournalEvent[] {
    return this.journal.ofKinds(id, kinds);
  }

  /** The ids of incidents not resolved. */
  openIds(): string[] {
    return this.options.db.prepare<[], { id: string }>("SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY opened_at").all().map((r) => r.id);
  }

  /**
   * Append events the app writes by itself (escalation reached, a clock overdue), in one IMMEDIATE
   * transaction with `pick`, which reads the journal and answers what is still missing: two
   * writers on one data dir can never both add the same one.
   */
  appendMissing(id: string, pick: () => { kind: JournalKind; data: Record<string, unknown> }[]): JournalEvent[] {
    const run = this.options.db.transaction(() => pick().map((e) => this.journal.append(id, e.kind, e.data)));
    const events = this.write(() => run.immediate(), 'The watcher could not write to the journal', 'it will try again');
    if (events.length) this.emit([id]);
    return events;
  }

  /** A page of the journal, newest first. */
  journalPage(id: string, query: JournalQuery): { events: JournalEvent[]; total: number; hasMore: boolean } {
    this.mustExist(id, 'nothing was read');
    return this.journal.page(id, query);
  }

  private integrity(id: string): JournalIntegrity {
    const check = this.journal.verify(id);
    if (check.ok) return { ok: true, lastSeq: check.lastSeq };
    const lastGood = this.options.db.prepare<[string, number], { seq: number; at: string; kind: string }>('SELECT seq, at, kind FROM journal WHERE incident_id = ? AND seq = ?').get(id, check.lastGoodSeq) ?? null;
    return { ok: false, brokenSeq: check.brokenSeq, reason: check.reason, lastGood };
  }

  /** The incident's runbook, or null without one or when it was removed since (clocks fall back to the defaults). */
  private runbookOf(incident: IncidentSummary): RunbookDetail | null {
    if (incident.runbookId === null) return null;
    try {
      return this.options.runbook(incident.runbookId);
    } catch {
      return null;
    }
  }

  private walkthroughOf(id: string, incident: IncidentSummary, runbook: RunbookDetail | null, now: Date): Walkthrough | null {
    if (!runbook || incident.procedureId === null) return null;
    const walk = buildWalkthrough(runbook.summary.id, runbook.runbook, incident.procedureId, this.journal.ofKinds(id, WALK_KINDS), now);
    return walk && { ...walk, runbookTitle: runbook.summary.title };
  }

  /**
   * Start the walkthrough's current step when nothing has started it yet: after the incident is
   * opened, a runbook attached or a step acted on, in the same transaction as that.
   */
  private startCurrent(id: string): void {
    const { walkthrough } = this.state(id);
    if (!walkthrough || walkthrough.current.kind !== 'step') return;
    const key = walkthrough.current.key;
    const item = walkthrough.items.find((i) => i.key === key)!;
    if (item.startedAt === null) this.journal.append(id, 'step-started', { key, title: item.title });
  }

  /**
   * Open an incident. Alerts given are attached; what is not given comes from them: the first
   * alert's title, environment and runbook link (the first that has one), the highest severity.
   */
  start(input: StartIncident): IncidentDetail {
    const alerts = [...new Set(input.alertIds)].map((id) => this.lookup(() => this.options.alert(id)));
    const first = alerts[0] ?? null;
    const title = input.title?.trim() || (first ? (first.summary ? `${first.name}: ${first.summary}` : first.name) : '');
    if (!title) {
      throw new ApiError({ code: 'invalid_arguments', message: 'An incident needs a title or an alert to start from. No incident was opened; give it a title and start again.' });
    }
    const severity = input.severity ?? alerts.map((a) => a.severity).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0] ?? DEFAULT_SEVERITY;
    const environmentId = input.environmentId ?? alerts.find((a) => a.environmentId)?.environmentId ?? null;
    const environment = environmentId === null ? null : this.lookup(() => this.options.environment(environmentId));

    const link = alerts.find((a) => a.runbook)?.runbook ?? null;
    const runbookId = input.runbookId ?? link?.runbookId ?? null;
    const ref = input.procedureId ?? (link && link.runbookId === runbookId ? link.procedureId : null);
    if (runbookId === null && ref !== null) {
      throw new ApiError({ code: 'invalid_arguments', message: `Procedure ${ref} needs its runbook. No incident was opened; choose the runbook and start again.` });
    }
    const runbook = runbookId === null ? null : this.lookup(() => this.options.runbook(runbookId));
    const procedure = runbook && ref !== null ? findProcedure(runbook.runbook, ref) : null;
    if (runbook && ref !== null && !procedure) {
      throw new ApiError({
        code: 'not_found',
        message: `Runbook "${runbook.summary.title}" has no procedure ${ref}; it may have been edited. No incident was opened; choose a procedure and start again.`,
      });
    }

    const commander = input.commander || null;
    const id = randomUUID();
    const at = this.options.clock.now().toISOString();
    const redactedTitle = this.options.redact(title);
    const open = this.options.db.transaction(() => {
      this.options.db
        .prepare(
          `INSERT INTO incidents (id, title, severity, status, environment_id, runbook_id, procedure_id, commander, scribe, tags, opened_at, resolved_at)
           VALUES (?, ?, ?, 'investigating', ?, ?, ?, ?, NULL, '[]', ?, NULL)`,
        )
        .run(id, redactedTitle, severity, environment?.id ?? null, runbook?.summary.id ?? null, procedure ? procedureRef(procedure) : null, commander, at);
      this.journal.append(id, 'opened', { title: redactedTitle, severity, environmentId: environment?.id ?? null, environmentName: environment?.name ?? null, commander });
      const attach = this.options.db.prepare('INSERT INTO incident_alerts (incident_id, alert_id, position, attached_at) VALUES (?, ?, ?, ?)');
      for (const [position, a] of alerts.entries()) {
        attach.run(id, a.id, position, at);
        this.journal.append(id, 'alert-attached', { alertId: a.id, name: a.name, summary: this.options.redact(a.summary), severity: a.severity, sourceName: a.sourceName });
      }
      if (runbook) {
        this.journal.append(id, 'runbook-attached', {
          runbookId: runbook.summary.id,
          runbookTitle: runbook.summary.title,
          procedureId: procedure ? procedureRef(procedure) : null,
          procedureTitle: procedure?.title ?? null,
        });
        this.startCurrent(id);
      }
    });
    this.write(() => open(), 'The incident could not be opened', 'nothing was saved; start it again');
    this.emit([id]);
    return this.get(id);
  }

  /** Append a note (secret values redacted); on disk when this returns. */
  note(id: string, text: string): JournalEvent {
    // Notes are the hot path (an operator typing through an incident): a cheap existence check
    // rather than the whole summary row, which counts the journal.
    this.existsStatement ??= this.options.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM incidents WHERE id = ?');
    if (!this.existsStatement.get(id)) {
      throw new ApiError({ code: 'not_found', message: `No incident with id ${id}; the note was not saved; copy it, reload the incidents and add it again.` });
    }
    const event = this.write(() => this.journal.append(id, 'note', { text: this.options.redact(text) }), 'The note could not be written to the journal', 'the note was not saved; copy it and try again');
    this.emit([id]);
    return event;
  }

  /** Change the status; resolving records when, reopening clears it. The same status adds no event. */
  setStatus(id: string, status: IncidentStatus): IncidentSummary {
    const row = this.row(id, 'the status was not changed');
    if (row.status === status) return this.toSummary(row);
    const change = this.options.db.transaction(() => {
      const event = this.journal.append(id, 'status', { from: row.status, to: status });
      this.options.db.prepare('UPDATE incidents SET status = ?, resolved_at = ? WHERE id = ?').run(status, status === 'resolved' ? event.at : null, id);
    });
    this.write(() => change(), 'The status change could not be written to the journal', `the incident is still ${row.status}; try again`);
    this.emit([id]);
    return this.toSummary(this.row(id, 'nothing was changed'));
  }

  /** Change the severity. The same severity adds no event. */
  setSeverity(id: string, severity: Severity): IncidentSummary {
    const row = this.row(id, 'the severity was not changed');
    if (row.severity === severity) return this.toSummary(row);
    const change = this.options.db.transaction(() => {
      this.journal.append(id, 'severity', { from: row.severity, to: severity });
      this.options.db.prepare('UPDATE incidents SET severity = ? WHERE id = ?').run(severity, id);
    });
    this.write(() => change(), 'The severity change could not be written to the journal', `the incident is still ${row.severity}; try again`);
    this.emit([id]);
    return this.toSummary(this.row(id, 'nothing was changed'));
  }

  /** Title, commander, scribe and tags: one `details` event with what changed; nothing changed, no event. */
  update(id: string, patch: IncidentPatch): IncidentSummary {
    const row = this.row(id, 'nothing was changed');
    const now = { title: row.title, commander: row.commander, scribe: row.scribe, tags: JSON.parse(row.tags) as string[] };
    const next = {
      title: patch.title === undefined ? now.title : this.options.redact(patch.title),
      commander: patch.commander === undefined ? now.commander : patch.commander || null,
      scribe: patch.scribe === undefined ? now.scribe : patch.scribe || null,
      tags: patch.tags === undefined ? now.tags : [...new Set(patch.tags.map((t) => this.options.redact(t)))],
    };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of ['title', 'commander', 'scribe', 'tags'] as const) {
      if (JSON.stringify(now[field]) !== JSON.stringify(next[field])) changes[field] = { from: now[field], to: next[field] };
    }
    if (Object.keys(changes).length === 0) return this.toSummary(row);
    const change = this.options.db.transaction(() => {
      this.journal.append(id, 'details', { changes });
      this.options.db.prepare('UPDATE incidents SET title = ?, commander = ?, scribe = ?, tags = ? WHERE id = ?').run(next.title, next.commander, next.scribe, JSON.stringify(next.tags), id);
    });
    this.write(() => change(), 'The change could not be written to the journal', 'the incident is as it was; try again');
    this.emit([id]);
    return this.toSummary(this.row(id, 'nothing was changed'));
  }

  /** A correction of an earlier event: a new event naming it; the event corrected stays as written. */
  correct(id: string, ofSeq: number, text: string): JournalEvent {
    this.mustExist(id, 'the correction was not saved; copy it and reload the incidents');
    const target = this.options.db.prepare<[string, number], { kind: string }>('SELECT kind FROM journal WHERE incident_id = ? AND seq = ?').get(id, ofSeq);
    if (!target) {
      throw new ApiError({ code: 'not_found', message: `This incident's journal has no event ${ofSeq}; the correction was not saved. Copy it, reload the timeline and correct the event again.` });
    }
    const event = this.write(() => this.journal.append(id, 'correction', { ofSeq, text: this.options.redact(text) }), 'The correction could not be written to the journal', 'the correction was not saved; copy it and try again');
    this.emit([id]);
    return event;
  }

  /** Choose (or change) the runbook and procedure walked through; the walkthrough starts afresh. The same one again changes nothing. */
  attachRunbook(id: string, runbookId: string, ref: string): IncidentDetail {
    const row = this.row(id, 'nothing was changed');
    const runbook = this.unchanged(() => this.options.runbook(runbookId));
    const procedure = findProcedure(runbook.runbook, ref);
    if (!procedure) {
      throw new ApiError({ code: 'not_found', message: `Runbook "${runbook.summary.title}" has no procedure ${ref}; it may have been edited. Nothing was changed; choose a procedure again.` });
    }
    const name = procedureRef(procedure);
    if (row.runbook_id === runbook.summary.id && row.procedure_id === name) return this.get(id);
    const attach = this.options.db.transaction(() => {
      this.journal.append(id, 'runbook-attached', { runbookId: runbook.summary.id, runbookTitle: runbook.summary.title, procedureId: name, procedureTitle: procedure.title });
      this.options.db.prepare('UPDATE incidents SET runbook_id = ?, procedure_id = ? WHERE id = ?').run(runbook.summary.id, name, id);
      this.startCurrent(id);
    });
    this.write(() => attach.immediate(), 'The runbook could not be attached', 'the incident keeps its walkthrough; try again');
    this.emit([id]);
    return this.get(id);
  }

  /**
   * Act on a walkthrough step (see the contract's incidents.step). Done, skip or fail on an
   * alternative not chosen yet chooses it first: pressing done on a path is choosing it. The
   * step that becomes current is started in the same transaction, so the journal never shows a
   * step acted on without the next one's clock running.
   */
  step(id: string, key: string, action: StepAction, note: string | null): IncidentDetail {
    const { incident, walkthrough } = this.state(id);
    if (incident.status === 'resolved') {
      throw new ApiError({ code: 'conflict', message: 'This incident is resolved, so its steps are closed. Nothing was saved; set its status back to investigating to act on a step.' });
    }
    if (!walkthrough) {
      throw new ApiError({ code: 'conflict', message: 'This incident has no runbook procedure to walk through (none attached, or its runbook was removed). Nothing was saved; attach a runbook first.' });
    }
    const item = walkthrough.items.find((i) => i.key === key);
    if (!item) {
      throw new ApiError({ code: 'not_found', message: `Step ${key} is not in "${walkthrough.procedureTitle}"; the runbook may have been edited. Nothing was saved; reload the incident.` });
    }
    const why = note?.trim() ? this.options.redact(note.trim()) : null;
    const what = `Step "${item.title}"`;
    if ((action === 'skip' || action === 'fail') && !why) {
      throw new ApiError({ code: 'invalid_arguments', message: `${what} was not ${action === 'skip' ? 'skipped' : 'marked failed'}: say why in one line. Nothing was saved.` });
    }
    if (action === 'choose' && item.kind !== 'alternative') {
      throw new ApiError({ code: 'invalid_arguments', message: `${what} is not an alternative to choose; nothing was saved. Mark it done, skipped or failed instead.` });
    }
    const settled = item.state === 'done' || item.state === 'skipped' || item.state === 'failed';
    if (settled && action !== 'reopen' && action !== 'choose') {
      throw new ApiError({ code: 'conflict', message: `${what} is already ${item.state}; nothing was saved. Reopen it first to change it.` });
    }
    if (!settled && action === 'reopen') {
      throw new ApiError({ code: 'conflict', message: `${what} is not done, skipped or failed, so there is nothing to reopen; nothing was saved.` });
    }
    // Starting the step already current changes nothing (its timer keeps running).
    if (action === 'start' && item.state === 'current' && item.startedAt !== null) return this.get(id);
    const group = item.groupId === null ? null : walkthrough.groups.find((g) => g.id === item.groupId)!;
    const base = { key, title: item.title, ...(why ? { note: why } : {}) };
    const KIND: Record<StepAction, JournalKind> = { start: 'step-started', done: 'step-done', skip: 'step-skipped', fail: 'step-failed', reopen: 'step-reopened', choose: 'path-chosen' };
    const act = this.options.db.transaction(() => {
      if (group && group.chosenKey !== key && action !== 'reopen') {
        this.journal.append(id, 'path-chosen', { groupId: group.id, key, title: item.title, ...(why && action === 'choose' ? { note: why } : {}) });
      }
      if (action !== 'choose') this.journal.append(id, KIND[action], base);
      this.startCurrent(id);
    });
    this.write(() => act.immediate(), `${what} could not be written to the journal`, 'nothing of it was saved; try again');
    this.emit([id]);
    return this.get(id);
  }

  private mustExist(id: string, kept: string): void {
    this.existsStatement ??= this.options.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM incidents WHERE id = ?');
    if (!this.existsStatement.get(id)) throw new ApiError({ code: 'not_found', message: `No incident with id ${id}; ${kept}.` });
  }

  /** A not_found from a lookup, told as what it means here: nothing was changed. */
  private unchanged<T>(find: () => T): T {
    try {
      return find();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') throw new ApiError({ code: 'not_found', message: `${error.message} Nothing was changed.` });
      throw error;
    }
  }

  private existsStatement: Statement<[string], { one: number }> | null = null;

  private row(id: string, kept: string): IncidentRow {
    const row = this.options.db.prepare<[string], IncidentRow>(`${SELECT} WHERE i.id = ?`).get(id);
    if (!row) throw new ApiError({ code: 'not_found', message: `No incident with id ${id}; ${kept}. Reload the incidents.` });
    return row;
  }

  /** A not_found from a lookup, told as what it means here: no incident was opened. */
  private lookup<T>(find: () => T): T {
    try {
      return find();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') {
        throw new ApiError({ code: 'not_found', message: `${error.message} No incident was opened; nothing was saved.` });
      }
      throw error;
    }
  }

  /** A write the disk refused (full, read-only) told to the operator; the journal so far is intact. */
  private write<T>(work: () => T, what: string, kept: string): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError({ code: 'internal', message: `${what} (${reason}). Everything already in the journal is kept; ${kept}.` });
    }
  }

  private emit(ids: string[]): void {
    for (const listener of this.listeners) listener(ids);
  }

  private toSummary(r: IncidentRow): IncidentSummary {
    const alertIds = this.options.db
      .prepare<[string], { alert_id: string }>('SELECT alert_id FROM incident_alerts WHERE incident_id = ? ORDER BY position')
      .all(r.id)
      .map((a) => a.alert_id);
    return {
      id: r.id,
      title: r.title,
      severity: r.severity,
      status: r.status,
      environmentId: r.environment_id,
      runbookId: r.runbook_id,
      procedureId: r.procedure_id,
      alertIds,
      commander: r.commander,
      scribe: r.scribe,
      tags: JSON.parse(r.tags) as string[],
      openedAt: r.opened_at,
      resolvedAt: r.resolved_at,
      events: r.events ?? 0,
    };
  }
}
