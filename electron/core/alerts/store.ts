/**
 * The alert feed's tables (migration 0007): sources with their health, alerts by fingerprint,
 * their history, and pinned runbook links. Prepared statements only; the feed decides what changed
 * (in memory) and writes just those rows, in one transaction per poll.
 */
import type { Statement } from 'better-sqlite3';
import type { AlertSourceConfig, AlertSourceHealth, AlertSourceKind, AlertState, Severity } from '../../../shared/contract';
import type { Db } from '../db';
import type { PinnedLink } from './links';

export interface SourceRecord {
  id: string;
  name: string;
  kind: AlertSourceKind;
  environmentId: string | null;
  config: AlertSourceConfig;
  pollSeconds: number;
  timeoutSeconds: number;
  enabled: boolean;
  tokenSha256: string | null;
  health: AlertSourceHealth;
  createdAt: string;
}

/** An alert row as stored; `labels` stays JSON so comparing two versions is one string compare. */
export interface AlertRecord {
  id: string;
  sourceId: string;
  sourceName: string;
  sourceKind: AlertSourceKind;
  environmentId: string | null;
  name: string;
  summary: string;
  labels: string;
  severity: Severity;
  state: AlertState;
  startsAt: string;
  endsAt: string | null;
  lastSeenAt: string;
  url: string | null;
  silenceId: string | null;
  acknowledgedAt: string | null;
}

export type HistoryKind = 'fired' | 'resolved' | 'silenced' | 'unsilenced' | 'acknowledged';

interface SourceRow {
  id: string;
  name: string;
  kind: AlertSourceKind;
  environment_id: string | null;
  config: string;
  poll_seconds: number;
  timeout_seconds: number;
  enabled: number;
  token_sha256: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
  latency_ms: number | null;
  stale_since: string | null;
  next_poll_at: string | null;
  consecutive_failures: number;
  created_at: string;
}

interface AlertRow {
  id: string;
  source_id: string;
  source_name: string;
  source_kind: AlertSourceKind;
  environment_id: string | null;
  name: string;
  summary: string;
  labels: string;
  severity: Severity;
  state: AlertState;
  starts_at: string;
  ends_at: string | null;
  last_seen_at: string;
  url: string | null;
  silence_id: string | null;
  acknowledged_at: string | null;
}

const ALERT_COLUMNS =
  'id, source_id, source_name, source_kind, environment_id, name, summary, labels, severity, state, starts_at, ends_at, last_seen_at, url, silence_id, acknowledged_at';

export class AlertStore {
  private readonly q: {
    sources: Statement<[], SourceRow>;
    source: Statement<[string], SourceRow>;
    insertSource: Statement<[Record<string, unknown>]>;
    updateSource: Statement<[Record<string, unknown>]>;
    health: Statement<[Record<string, unknown>]>;
    deleteSource: Statement<[string]>;
    active: Statement<[], AlertRow>;
    alert: Statement<[string], AlertRow>;
    recent: Statement<[number], AlertRow>;
    upsert: Statement<[Record<string, unknown>]>;
    history: Statement<[string, HistoryKind, string, string | null, string | null]>;
    pins: Statement<[], { name_key: string; runbook_id: string; procedure_id: string | null }>;
    pin: Statement<[string, string, string, string | null, string]>;
    unpin: Statement<[string]>;
    pruneAlerts: Statement<[string]>;
    pruneHistory: Statement<[string]>;
  };

  constructor(readonly db: Db) {
    this.q = {
      sources: db.prepare('SELECT * FROM alert_sources ORDER BY created_at, id'),
      source: db.prepare('SELECT * FROM alert_sources WHERE id = ?'),
      insertSource: db.prepare(
        `INSERT INTO alert_sources (id, name, kind, environment_id, config, poll_seconds, timeout_seconds, enabled, token_sha256, created_at)
         VALUES (@id, @name, @kind, @environmentId, @config, @pollSeconds, @timeoutSeconds, @enabled, @tokenSha256, @createdAt)`,
      ),
      updateSource: db.prepare(
        `UPDATE alert_sources SET name = @name, environment_id = @environmentId, config = @config, poll_seconds = @pollSeconds,
           timeout_seconds = @timeoutSeconds, enabled = @enabled WHERE id = @id`,
      ),
      health: db.prepare(
        `UPDATE alert_sources SET last_success_at = @lastSuccessAt, last_error_at = @lastErrorAt, last_error = @lastError,
           latency_ms = @latencyMs, stale_since = @staleSince, next_poll_at = @nextPollAt, consecutive_failures = @consecutiveFailures
         WHERE id = @id`,
      ),
      deleteSource: db.prepare('DELETE FROM alert_sources WHERE id = ?'),
      active: db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE state != 'resolved'`),
      alert: db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE id = ?`),
      recent: db.prepare(`SELECT ${ALERT_COLUMNS} FROM alerts ORDER BY state = 'resolved', COALESCE(ends_at, last_seen_at) DESC LIMIT ?`),
      upsert: db.prepare(
        `INSERT INTO alerts (${ALERT_COLUMNS})
         VALUES (@id, @sourceId, @sourceName, @sourceKind, @environmentId, @name, @summary, @labels, @severity, @state, @startsAt,
           @endsAt, @lastSeenAt, @url, @silenceId, @acknowledgedAt)
         ON CONFLICT (id) DO UPDATE SET source_id = excluded.source_id, source_name = excluded.source_name,
           source_kind = excluded.source_kind, environment_id = excluded.environment_id, name = excluded.name,
           summary = excluded.summary, labels = excluded.labels, severity = excluded.severity, state = excluded.state,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at, last_seen_at = excluded.last_seen_at, url = excluded.url,
           silence_id = excluded.silence_id, acknowledged_at = excluded.acknowledged_at`,
      ),
      history: db.prepare('INSERT INTO alert_history (alert_id, kind, at, source_id, detail) VALUES (?, ?, ?, ?, ?)'),
      pins: db.prepare('SELECT name_key, runbook_id, procedure_id FROM alert_runbook_links'),
      pin: db.prepare(
        `INSERT INTO alert_runbook_links (name_key, alert_name, runbook_id, procedure_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name_key) DO UPDATE SET alert_name = excluded.alert_name, runbook_id = excluded.runbook_id,
           procedure_id = excluded.procedure_id, created_at = excluded.created_at`,
      ),
      unpin: db.prepare('DELETE FROM alert_runbook_links WHERE name_key = ?'),
      pruneAlerts: db.prepare(`DELETE FROM alerts WHERE state = 'resolved' AND COALESCE(ends_at, last_seen_at) < ?`),
      pruneHistory: db.prepare('DELETE FROM alert_history WHERE at < ? AND alert_id NOT IN (SELECT id FROM alerts)'),
    };
  }

  sources(): SourceRecord[] {
    return this.q.sources.all().map(toSource);
  }

  source(id: string): SourceRecord | null {
    const row = this.q.source.get(id);
    return row ? toSource(row) : null;
  }

  insertSource(s: SourceRecord): void {
    this.q.insertSource.run({
      id: s.id, name: s.name, kind: s.kind, environmentId: s.environmentId, config: JSON.stringify(s.config),
      pollSeconds: s.pollSeconds, timeoutSeconds: s.timeoutSeconds, enabled: s.enabled ? 1 : 0, tokenSha256: s.tokenSha256, createdAt: s.createdAt,
    });
  }

  updateSource(s: SourceRecord): void {
    this.q.updateSource.run({
      id: s.id, name: s.name, environmentId: s.environmentId, config: JSON.stringify(s.config),
      pollSeconds: s.pollSeconds, timeoutSeconds: s.timeoutSeconds, enabled: s.enabled ? 1 : 0,
    });
  }

  writeHealth(id: string, h: AlertSourceHealth): void {
    this.q.health.run({
      id, lastSuccessAt: h.lastSuccessAt, lastErrorAt: h.lastErrorAt, lastError: h.lastError, latencyMs: h.latencyMs,
      staleSince: h.staleSince, nextPollAt: h.nextPollAt, consecutiveFailures: h.consecutiveFailures,
    });
  }

  deleteSource(id: string): void {
    this.q.deleteSource.run(id);
  }

  /** Every alert not resolved: the feed keeps these in memory to compare polls against. */
  activeAlerts(): AlertRecord[] {
    return this.q.active.all().map(toAlert);
  }

  alert(id: string): AlertRecord | null {
    const row = this.q.alert.get(id);
    return row ? toAlert(row) : null;
  }

  /** Active alerts first, then the most recently resolved. */
  recentAlerts(limit: number): AlertRecord[] {
    return this.q.recent.all(limit).map(toAlert);
  }

  writeAlert(a: AlertRecord): void {
    this.q.upsert.run({ ...a });
  }

  addHistory(alertId: string, kind: HistoryKind, at: string, sourceId: string | null, detail: string | null = null): void {
    this.q.history.run(alertId, kind, at, sourceId, detail);
  }

  history(alertId: string): { kind: HistoryKind; at: string; sourceId: string | null; detail: string | null }[] {
    return this.db
      .prepare<[string], { kind: HistoryKind; at: string; source_id: string | null; detail: string | null }>(
        'SELECT kind, at, source_id, detail FROM alert_history WHERE alert_id = ? ORDER BY seq',
      )
      .all(alertId)
      .map((r) => ({ kind: r.kind, at: r.at, sourceId: r.source_id, detail: r.detail }));
  }

  pins(): Map<string, PinnedLink> {
    return new Map(this.q.pins.all().map((r) => [r.name_key, { runbookId: r.runbook_id, procedureId: r.procedure_id }]));
  }

  pin(key: string, alertName: string, link: PinnedLink, at: string): void {
    this.q.pin.run(key, alertName, link.runbookId, link.procedureId, at);
  }

  unpin(key: string): void {
    this.q.unpin.run(key);
  }

  /** Forget resolved alerts (and their history) that ended before `before`. */
  prune(before: string): number {
    const removed = this.q.pruneAlerts.run(before).changes;
    this.q.pruneHistory.run(before);
    return removed;
  }
}

function toSource(r: SourceRow): SourceRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    environmentId: r.environment_id,
    config: JSON.parse(r.config) as AlertSourceConfig,
    pollSeconds: r.poll_seconds,
    timeoutSeconds: r.timeout_seconds,
    enabled: r.enabled === 1,
    tokenSha256: r.token_sha256,
    health: {
      lastSuccessAt: r.last_success_at,
      lastErrorAt: r.last_error_at,
      lastError: r.last_error,
      latencyMs: r.latency_ms,
      stale: r.stale_since !== null,
      staleSince: r.stale_since,
      nextPollAt: r.next_poll_at,
      consecutiveFailures: r.consecutive_failures,
    },
    createdAt: r.created_at,
  };
}

function toAlert(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    sourceId: r.source_id,
    sourceName: r.source_name,
    sourceKind: r.source_kind,
    environmentId: r.environment_id,
    name: r.name,
    summary: r.summary,
    labels: r.labels,
    severity: r.severity,
    state: r.state,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    lastSeenAt: r.last_seen_at,
    url: r.url,
    silenceId: r.silence_id,
    acknowledgedAt: r.acknowledged_at,
  };
}
