/**
 * Incidents: opened from alerts (or by hand), with their runbook, environment and severity, and a
 * journal of everything that happens to them. The `incidents` row is what the incident is now;
 * the journal is how it got there, and every change to the row is written with its event, in one
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import {
  ApiError,
  type Alert,
  type CallParsedInput,
  type Environment,
  type IncidentClocks,
  type IncidentDetail,
  type IncidentStatus,
  type IncidentSummary,
  type JournalEvent,
  type RunbookDetail,
  type Severity,
} from '../../../shared/contract';
import type { ImportedRunbook } from '../../../shared/runbook';
import { findProcedure } from '../alerts/links';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Statement } from 'better-sqlite3';
import { incidentClocks } from './clocks';
import type { Journal } from './journal';

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
}

export type StartIncident = CallParsedInput<'incidents.start'>;

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

  /** The incident and its whole journal, in seq order. */
  get(id: string): IncidentDetail {
    const incident = this.toSummary(this.row(id, 'nothing was changed'));
    const journal = this.journal.events(id);
    return { incident, journal, clocks: this.clocks(incident, journal) };
  }

  /** The clocks as of the service clock's now, from the journal and the incident's runbook. */
  private clocks(incident: IncidentSummary, journal: JournalEvent[]): IncidentClocks {
    let runbook: ImportedRunbook | null = null;
    if (incident.runbookId !== null) {
      try {
        runbook = this.options.runbook(incident.runbookId).runbook;
      } catch {
        // The runbook was removed since: the clocks fall back to the default targets.
        runbook = null;
      }
    }
    const { openedAt, severity, status, procedureId } = incident;
    return incidentClocks({ openedAt, journal, severity, status, runbook, procedureId }, this.options.clock.now());
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
    const procedureRef = input.procedureId ?? (link && link.runbookId === runbookId ? link.procedureId : null);
    if (runbookId === null && procedureRef !== null) {
      throw new ApiError({ code: 'invalid_arguments', message: `Procedure ${procedureRef} needs its runbook. No incident was opened; choose the runbook and start again.` });
    }
    const runbook = runbookId === null ? null : this.lookup(() => this.options.runbook(runbookId));
    const procedure = runbook && procedureRef !== null ? findProcedure(runbook.runbook, procedureRef) : null;
    if (runbook && procedureRef !== null && !procedure) {
      throw new ApiError({
        code: 'not_found',
        message: `Runbook "${runbook.summary.title}" has no procedure ${procedureRef}; it may have been edited. No incident was opened; choose a procedure and start again.`,
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
        .run(id, redactedTitle, severity, environment?.id ?? null, runbook?.summary.id ?? null, procedure?.id ?? null, commander, at);
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
          procedureId: procedure?.id ?? null,
          procedureTitle: procedure?.title ?? null,
        });
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
