/**
 * The alert feed: every source's alerts in one list, deduplicated by fingerprint, with history,
 * runbook links and each source's health.
 *
 * Polled sources are asked on their own interval; webhook sources push through `ingest`. Either way
 * `apply` compares what the source reports with what is stored, in memory, and writes only the rows
 * that changed, in one transaction. A poll that fails changes no alert: the source's alerts are
 * kept, marked stale with their age, and the source is asked again later (backoff), so an operator
 * on a train still sees what was firing when the network went.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import {
  AlertSourceInput,
  ApiError,
  type Alert,
  type AlertSource,
  type AlertSourceHealth,
  type AlertState,
  type RunbookLink,
} from '../../../shared/contract';
import type { Clock } from '../clock';
import type { Db } from '../db';
import type { Log } from '../log';
import type { RunbookLibrary } from '../runbooks/library';
import { systemTimers, type Timers } from '../sources';
import { nameKey, RunbookLinker, findProcedure, type LinkableRunbook } from './links';
import { rulesFromRunbook } from './rules';
import type { ObservedAlert, PolledConfig, PolledSource, PollResult, SilencingSource, WebhookConfig } from './source';
import { AlertStore, type AlertRecord, type HistoryKind, type SourceRecord } from './store';

/** A source's settings as the contract parsed them (defaults filled in). */
export type AlertSourceSettings = z.infer<typeof AlertSourceInput>;

/** Makes the adapter for a polled source's config (electron/core/alerts/adapters). */
export type PolledSourceFactory = (config: PolledConfig) => PolledSource & Partial<SilencingSource>;

/** A running webhook receiver (electron/core/alerts/webhook). */
export interface WebhookHandle {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts a webhook source's receiver. Only the token's SHA-256 is kept, so that is what it gets. */
export type WebhookStarter = (options: {
  config: WebhookConfig;
  tokenSha256: string;
  onAlerts(alerts: ObservedAlert[]): void;
  onError(message: string): void;
  log: Log;
}) => Promise<WebhookHandle>;

export interface AlertFeedOptions {
  db: Db;
  clock: Clock;
  log: Log;
  runbooks: Pick<RunbookLibrary, 'list' | 'get'>;
  timers?: Timers;
  polledSource?: PolledSourceFactory;
  webhook?: WebhookStarter | null;
  /** Resolved alerts and their history are forgotten after this many days (default 30). */
  retentionDays?: number;
}

/** What changed, for the core to tell the renderers. */
export interface FeedChange {
  alertIds: string[];
  sourceIds: string[];
}

/** The longest wait between polls of a failing source. */
export const MAX_BACKOFF_MS = 10 * 60_000;
const PRUNE_EVERY_MS = 6 * 60 * 60_000;
const SILENCE_TIMEOUT_MS = 15_000;
const SEVERITY_ORDER = { P1: 0, P2: 1, P3: 2, P4: 3 } as const;

const isWebhook = (kind: string): kind is WebhookConfig['kind'] => kind === 'alertmanager-webhook' || kind === 'json-webhook';

/** Per enabled source: its adapter and next poll, or its receiver. */
interface Live {
  adapter: (PolledSource & Partial<SilencingSource>) | null;
  timer: unknown;
  controller: AbortController | null;
  receiver: WebhookHandle | null;
  /** False once the source is stopped, changed or deleted: a poll in flight then changes nothing. */
  current: boolean;
}

class PollTimeout extends Error {}

export class AlertFeed {
  private readonly store: AlertStore;
  private readonly timers: Timers;
  private readonly sources = new Map<string, SourceRecord>();
  /** Every alert not resolved, as stored: each poll is compared against these. */
  private readonly active = new Map<string, AlertRecord>();
  private readonly live = new Map<string, Live>();
  private readonly polling = new Map<string, Promise<AlertSource>>();
  private readonly listeners = new Set<(change: FeedChange) => void>();
  private readonly applyTransaction: (records: AlertRecord[], history: [string, HistoryKind, string | null, string | null][], at: string) => void;
  private linker: RunbookLinker | null = null;
  private readonly links = new Map<string, RunbookLink | null>();
  private readonly parsedLabels = new WeakMap<AlertRecord, Record<string, string>>();
  private pins: Map<string, { runbookId: string; procedureId: string | null }>;
  private pruneTimer: unknown = null;
  private started = false;
  private stopped = false;

  constructor(private readonly options: AlertFeedOptions) {
    this.store = new AlertStore(options.db);
    this.timers = options.timers ?? systemTimers;
    for (const s of this.store.sources()) this.sources.set(s.id, s);
    for (const a of this.store.activeAlerts()) this.active.set(a.id, a);
    this.pins = this.store.pins();
    this.applyTransaction = options.db.transaction((records: AlertRecord[], history: [string, HistoryKind, string | null, string | null][], at: string) => {
      for (const r of records) this.store.writeAlert(r);
      for (const [alertId, kind, sourceId, detail] of history) this.store.addHistory(alertId, kind, at, sourceId, detail);
    });
  }

  /** Be told when alerts or sources change (polls, webhooks, operator actions). */
  onChange(listener: (change: FeedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Poll every enabled polled source on its interval and open every webhook receiver. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.prune();
    this.pruneTimer = this.timers.setInterval(() => this.prune(), PRUNE_EVERY_MS);
    for (const s of this.sources.values()) if (s.enabled) this.activate(s, 0);
  }

  /** Stop polling and close receivers; a poll in flight finishes without touching the database. */
  stop(): void {
    this.stopped = true;
    if (this.pruneTimer !== null) this.timers.clearInterval(this.pruneTimer);
    for (const id of [...this.live.keys()]) void this.deactivate(id);
  }

  // ---- what sources report -----------------------------------------------------------------

  /**
   * Compare what `sourceId` reports now with what is stored and write what changed, in one
   * transaction. Returns the ids of alerts that changed.
   *
   * One alert per fingerprint, whichever sources report it: the Alertmanager webhook and the polled
   * Alertmanager see the same alerts, and the polled one owns them because it can silence them.
   * With `complete`, an alert this source owns that it no longer reports has resolved.
   */
  apply(sourceId: string, result: PollResult): string[] {
    const source = this.sources.get(sourceId);
    if (!source) return [];
    const now = this.options.clock.now().toISOString();
    const changed: AlertRecord[] = [];
    const history: [string, HistoryKind, string | null, string | null][] = [];
    const seen = new Set<string>();

    for (const o of result.alerts) {
      if (seen.has(o.fingerprint)) continue;
      seen.add(o.fingerprint);
      const current = this.active.get(o.fingerprint) ?? null;
      if (!current) {
        if (o.status === 'resolved') continue; // never seen firing: nothing to resolve
        const previous = this.store.alert(o.fingerprint); // resolved before: a new episode
        const state: AlertState = o.silencedBy ? 'silenced' : 'firing';
        const record: AlertRecord = {
          ...this.fromObserved(source, o),
          state,
          endsAt: null,
          lastSeenAt: now,
          silenceId: o.silencedBy,
          acknowledgedAt: null,
        };
        changed.push(record);
        history.push([record.id, 'fired', sourceId, previous ? 'fired again' : null]);
        if (state === 'silenced') history.push([record.id, 'silenced', sourceId, o.silencedBy]);
        continue;
      }
      const owner = this.ownerOf(current, source);
      if (owner !== sourceId) {
        // Another source owns it; this one's word counts only when the owner can no longer speak.
        if (o.status === 'resolved' && !this.ownerCanSpeak(current.sourceId)) {
          changed.push({ ...current, state: 'resolved', endsAt: o.endsAt ?? now, lastSeenAt: now });
          history.push([current.id, 'resolved', sourceId, null]);
        }
        continue;
      }
      const resolved = o.status === 'resolved';
      const silenceId = resolved ? current.silenceId : o.silencedBy;
      const state: AlertState = resolved ? 'resolved' : silenceId ? 'silenced' : current.acknowledgedAt ? 'acknowledged' : 'firing';
      const endsAt = resolved ? (o.endsAt ?? now) : null;
      // The common case, a poll that saw the alert as it was: compared field by field, nothing built.
      if (
        current.state === state &&
        current.sourceId === sourceId &&
        current.name === o.name &&
        current.summary === o.summary &&
        current.severity === o.severity &&
        current.url === o.url &&
        current.silenceId === silenceId &&
        current.endsAt === endsAt &&
        current.sourceName === source.name &&
        current.environmentId === source.environmentId &&
        this.sameLabels(current, o.labels)
      ) {
        continue;
      }
      const next: AlertRecord = { ...current, ...this.fromObserved(source, o), startsAt: current.startsAt, state, endsAt, silenceId, lastSeenAt: now };
      changed.push(next);
      if (next.state === 'resolved') history.push([next.id, 'resolved', sourceId, null]);
      else if (next.state === 'silenced' && current.state !== 'silenced') history.push([next.id, 'silenced', sourceId, next.silenceId]);
      else if (current.state === 'silenced' && next.state !== 'silenced') history.push([next.id, 'unsilenced', sourceId, current.silenceId]);
    }

    if (result.complete) {
      for (const a of this.active.values()) {
        if (a.sourceId !== sourceId || seen.has(a.id)) continue;
        changed.push({ ...a, state: 'resolved', endsAt: now, lastSeenAt: now });
        history.push([a.id, 'resolved', sourceId, 'no longer reported']);
      }
    }
    if (changed.length === 0) return [];
    this.commit(changed, history, now);
    const ids = changed.map((r) => r.id);
    this.emit(ids, []);
    return ids;
  }

  /** Alerts a webhook receiver accepted: a partial view (an absent alert has not resolved). */
  ingest(sourceId: string, alerts: ObservedAlert[]): string[] {
    const source = this.sources.get(sourceId);
    if (!source) return [];
    const ids = this.apply(sourceId, { alerts, complete: false });
    this.setHealth(source, { ...source.health, lastSuccessAt: this.options.clock.now().toISOString() });
    return ids;
  }

  /** The runbook library changed: links are worked out again. Returns the alerts told about. */
  runbooksChanged(): string[] {
    this.linker = null;
    this.links.clear();
    const ids = [...this.active.keys()];
    if (ids.length) this.emit(ids, []);
    return ids;
  }

  // ---- alerts --------------------------------------------------------------------------------

  list(filter: { includeResolved: boolean; environmentId: string | null; limit: number }): Alert[] {
    const out: Alert[] = [];
    const active = [...this.active.values()]
      .filter((a) => filter.environmentId === null || this.environmentOf(a) === filter.environmentId)
      .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.startsAt < b.startsAt ? 1 : a.startsAt > b.startsAt ? -1 : 0));
    for (const a of active) {
      if (out.length >= filter.limit) return out;
      out.push(this.toAlert(a));
    }
    if (filter.includeResolved) {
      for (const a of this.store.recentAlerts(filter.limit + this.active.size)) {
        if (out.length >= filter.limit) break;
        if (a.state !== 'resolved') continue;
        if (filter.environmentId !== null && this.environmentOf(a) !== filter.environmentId) continue;
        out.push(this.toAlert(a));
      }
    }
    return out;
  }

  get(id: string): Alert {
    return this.toAlert(this.record(id));
  }

  /** What happened to an alert, oldest first. */
  history(id: string): ReturnType<AlertStore['history']> {
    return this.store.history(id);
  }

  acknowledge(id: string): Alert {
    const a = this.activeRecord(id, 'acknowledge');
    if (a.acknowledgedAt) return this.toAlert(a);
    const now = this.options.clock.now().toISOString();
    const next: AlertRecord = { ...a, acknowledgedAt: now, state: a.state === 'firing' ? 'acknowledged' : a.state };
    this.commit([next], [[id, 'acknowledged', null, null]], now);
    this.emit([id], []);
    return this.toAlert(next);
  }

  /** Mute the alert at its Alertmanager (matchers from its labels); only Alertmanager can. */
  async silence(id: string, request: { durationMinutes: number; comment: string }): Promise<Alert> {
    const a = this.activeRecord(id, 'silence');
    const { source, adapter } = this.silencerOf(a);
    let silenceId: string;
    try {
      ({ silenceId } = await withTimeout((signal) => adapter.silence(this.toObserved(a), { ...request, createdBy: 'Watchfloor' }, signal)));
    } catch (error) {
      throw new ApiError({
        code: 'internal',
        message: `${source.name} did not create the silence (${messageOf(error)}). Nothing changed; the alert is still ${a.state}. Check the source's health and try again.`,
      });
    }
    const now = this.options.clock.now().toISOString();
    const current = this.active.get(id) ?? a;
    const next: AlertRecord = { ...current, state: 'silenced', silenceId };
    this.commit([next], [[id, 'silenced', source.id, `${silenceId}: ${request.comment}`]], now);
    this.emit([id], []);
    return this.toAlert(next);
  }

  /** End the alert's silence at its Alertmanager; the alert is firing (or acknowledged) again. */
  async expireSilence(id: string): Promise<Alert> {
    const a = this.activeRecord(id, 'unsilence');
    if (!a.silenceId) {
      throw new ApiError({ code: 'conflict', message: `"${a.name}" is not silenced; nothing to expire.` });
    }
    const silenceId = a.silenceId;
    const { source, adapter } = this.silencerOf(a);
    try {
      await withTimeout((signal) => adapter.expire(silenceId, signal));
    } catch (error) {
      throw new ApiError({
        code: 'internal',
        message: `${source.name} did not expire silence ${silenceId} (${messageOf(error)}). Nothing changed; the alert is still silenced. Check the source's health and try again.`,
      });
    }
    const now = this.options.clock.now().toISOString();
    const current = this.active.get(id) ?? a;
    const next: AlertRecord = { ...current, silenceId: null, state: current.acknowledgedAt ? 'acknowledged' : 'firing' };
    this.commit([next], [[id, 'unsilenced', source.id, silenceId]], now);
    this.emit([id], []);
    return this.toAlert(next);
  }

  /** Pin the runbook (and procedure) that answers alerts of this alert's name; null unpins. */
  linkRunbook(id: string, runbookId: string | null, procedureId: string | null): Alert {
    const a = this.record(id);
    const key = nameKey(a.name);
    if (runbookId === null) {
      this.store.unpin(key);
    } else {
      const detail = this.options.runbooks.get(runbookId);
      if (procedureId !== null && !findProcedure(detail.runbook, procedureId)) {
        throw new ApiError({
          code: 'invalid_arguments',
          message: `"${detail.summary.title}" has no procedure ${procedureId}; the link was not changed. Choose one of its procedures, or the runbook as a whole.`,
          issues: [{ path: 'procedureId', message: 'no such procedure' }],
        });
      }
      this.store.pin(key, a.name, { runbookId, procedureId }, this.options.clock.now().toISOString());
    }
    this.pins = this.store.pins();
    const ids = [...this.active.values()].filter((x) => nameKey(x.name) === key).map((x) => x.id);
    if (!ids.includes(id)) ids.push(id);
    for (const x of ids) this.links.delete(x);
    this.emit(ids, []);
    return this.get(id);
  }

  // ---- sources -------------------------------------------------------------------------------

  listSources(): AlertSource[] {
    return [...this.sources.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)).map((s) => this.toSource(s));
  }

  getSource(id: string): AlertSource {
    return this.toSource(this.sourceRecord(id));
  }

  /** A new source; webhooks answer with their bearer token, shown this once and kept only hashed. */
  async createSource(input: AlertSourceSettings): Promise<{ source: AlertSource; token: string | null }> {
    const token = isWebhook(input.config.kind) ? randomBytes(32).toString('base64url') : null;
    const record: SourceRecord = {
      id: randomUUID(),
      name: input.name,
      kind: input.config.kind,
      environmentId: input.environmentId,
      config: input.config,
      pollSeconds: input.pollSeconds,
      timeoutSeconds: input.timeoutSeconds,
      enabled: input.enabled,
      tokenSha256: token ? sha256(token) : null,
      health: emptyHealth(),
      createdAt: this.options.clock.now().toISOString(),
    };
    this.store.insertSource(record);
    this.sources.set(record.id, record);
    this.options.log.info('alert source added', { id: record.id, kind: record.kind, name: record.name });
    if (record.enabled && this.started && !this.stopped) await this.activate(record, 0);
    this.emit([], [record.id]);
    return { source: this.toSource(record), token };
  }

  async updateSource(id: string, patch: Partial<AlertSourceSettings>): Promise<AlertSource> {
    const before = this.sourceRecord(id);
    if (patch.config && patch.config.kind !== before.kind) {
      throw new ApiError({
        code: 'invalid_arguments',
        message: `A source's kind cannot change (${before.kind} → ${patch.config.kind}); nothing was changed. Add a new source of that kind instead.`,
        issues: [{ path: 'patch.config.kind', message: 'cannot change' }],
      });
    }
    const next: SourceRecord = {
      ...before,
      name: patch.name ?? before.name,
      environmentId: patch.environmentId !== undefined ? patch.environmentId : before.environmentId,
      config: patch.config ?? before.config,
      pollSeconds: patch.pollSeconds ?? before.pollSeconds,
      timeoutSeconds: patch.timeoutSeconds ?? before.timeoutSeconds,
      enabled: patch.enabled ?? before.enabled,
    };
    this.store.updateSource(next);
    this.sources.set(id, next);
    // A receiver on a fixed port must let go of it before the new one listens there.
    await this.deactivate(id);
    if (next.enabled && this.started && !this.stopped) await this.activate(next, 0);
    else if (!next.enabled && next.health.nextPollAt) this.setHealth(next, { ...next.health, nextPollAt: null });
    this.emit([], [id]);
    return this.getSource(id);
  }

  /** Remove a source. Its alerts stay in history; those still open are resolved, as nothing will. */
  deleteSource(id: string): void {
    const source = this.sourceRecord(id);
    void this.deactivate(id);
    const now = this.options.clock.now().toISOString();
    const open = [...this.active.values()].filter((a) => a.sourceId === id);
    this.options.db.transaction(() => {
      this.commit(
        open.map((a) => ({ ...a, state: 'resolved' as const, endsAt: now, lastSeenAt: now })),
        open.map((a) => [a.id, 'resolved', id, `its source "${source.name}" was deleted`]),
        now,
      );
      this.store.deleteSource(id);
    })();
    this.sources.delete(id);
    this.options.log.info('alert source removed', { id, name: source.name });
    this.emit(open.map((a) => a.id), [id]);
  }

  /** Poll now, whatever the schedule (and whether or not the source is enabled). */
  poll(id: string): Promise<AlertSource> {
    const source = this.sourceRecord(id);
    if (isWebhook(source.kind)) {
      return Promise.reject(
        new ApiError({ code: 'conflict', message: `"${source.name}" is a webhook: its sender posts alerts to ${this.endpointOf(id) ?? 'its endpoint'}; there is nothing to poll.` }),
      );
    }
    const running = this.polling.get(id);
    if (running) return running;
    let live = this.live.get(id);
    if (!live) live = { adapter: null, timer: null, controller: null, receiver: null, current: true }; // disabled or not started: once
    const promise = this.runPoll(source, live).finally(() => this.polling.delete(id));
    this.polling.set(id, promise);
    return promise;
  }

  /** Prometheus rules from a runbook's alert table, for the operator to review; nothing is saved. */
  rulesFromRunbook(runbookId: string, prometheusUrl: string): AlertSourceSettings[] {
    const detail = this.options.runbooks.get(runbookId);
    return rulesFromRunbook(detail.runbook, prometheusUrl).map((r) => AlertSourceInput.parse(r));
  }

  // ---- internals -----------------------------------------------------------------------------

  private activate(source: SourceRecord, delayMs: number): Promise<void> {
    void this.deactivate(source.id);
    const live: Live = { adapter: null, timer: null, controller: null, receiver: null, current: true };
    this.live.set(source.id, live);
    if (isWebhook(source.kind)) return this.openReceiver(source, live);
    this.schedule(source.id, live, delayMs);
    return Promise.resolve();
  }

  /** Stop polling or receiving for a source; resolves once its receiver's port is free again. */
  private deactivate(id: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) return Promise.resolve();
    live.current = false;
    this.live.delete(id);
    if (live.timer !== null) this.timers.clearTimeout(live.timer);
    live.controller?.abort(new Error('the source was stopped'));
    if (!live.receiver) return Promise.resolve();
    return live.receiver.stop().catch((error: unknown) => this.options.log.warn(`a webhook receiver did not stop cleanly: ${messageOf(error)}`, { id }));
  }

  private schedule(id: string, live: Live, delayMs: number): void {
    if (live.timer !== null) this.timers.clearTimeout(live.timer);
    live.timer = this.timers.setTimeout(() => {
      live.timer = null;
      void this.poll(id).catch(() => {});
    }, delayMs);
  }

  private async runPoll(source: SourceRecord, live: Live): Promise<AlertSource> {
    const id = source.id;
    if (live.timer !== null) {
      this.timers.clearTimeout(live.timer);
      live.timer = null;
    }
    const controller = new AbortController();
    live.controller = controller;
    const timeout = this.timers.setTimeout(
      () => controller.abort(new PollTimeout(`no answer within ${source.timeoutSeconds} s`)),
      source.timeoutSeconds * 1000,
    );
    const started = performance.now();
    let result: PollResult | null = null;
    let failure: string | null = null;
    try {
      live.adapter ??= this.adapterFor(source);
      // A health check's answer to a hang is itself an alert ("timed out after N s"): give the
      // adapter a moment after the timeout to say so before the poll counts as failed.
      result = await untilAborted(live.adapter.poll({ signal: controller.signal, now: () => this.options.clock.now() }), controller.signal, ABORT_GRACE_MS);
    } catch (error) {
      failure = messageOf(error);
    } finally {
      this.timers.clearTimeout(timeout);
      live.controller = null;
    }
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const now = this.options.clock.now();
    const current = this.sources.get(id);
    // Stopped, changed or deleted meanwhile: what this poll saw no longer applies.
    if (this.stopped || !live.current || !current) return current ? this.toSource(current) : this.toSource(source);

    if (result) {
      try {
        this.apply(id, result);
      } catch (error) {
        failure = `its alerts could not be stored (${messageOf(error)})`;
        this.options.log.error('alert source poll not stored', { id, error: messageOf(error) });
      }
    }
    const h = current.health;
    let health: AlertSourceHealth;
    let delay: number;
    const pollMs = current.pollSeconds * 1000;
    if (failure === null) {
      delay = pollMs;
      health = { ...h, lastSuccessAt: now.toISOString(), latencyMs, stale: false, staleSince: null, consecutiveFailures: 0, nextPollAt: null };
    } else {
      const failures = h.consecutiveFailures + 1;
      delay = Math.max(pollMs, Math.min(pollMs * 2 ** failures, MAX_BACKOFF_MS));
      health = { ...h, lastErrorAt: now.toISOString(), lastError: failure, latencyMs, stale: true, staleSince: h.staleSince ?? now.toISOString(), consecutiveFailures: failures, nextPollAt: null };
      if (h.consecutiveFailures === 0) this.options.log.warn(`alert source "${current.name}" failed: ${failure}; its alerts are kept, marked stale`, { id });
    }
    const scheduled = this.live.get(id) === live;
    if (scheduled) {
      health.nextPollAt = new Date(now.getTime() + delay).toISOString();
      this.schedule(id, live, delay);
    }
    const staleChanged = h.stale !== health.stale;
    this.setHealth(current, health);
    // Their `stale` flag flipped: the renderer shows them differently.
    if (staleChanged) this.emit([...this.active.values()].filter((a) => a.sourceId === id).map((a) => a.id), []);
    return this.toSource(this.sources.get(id) ?? current);
  }

  private async openReceiver(source: SourceRecord, live: Live): Promise<void> {
    const start = this.options.webhook;
    if (!start || !source.tokenSha256) return;
    try {
      const receiver = await start({
        config: source.config as WebhookConfig,
        tokenSha256: source.tokenSha256,
        onAlerts: (alerts) => {
          if (live.current) this.ingest(source.id, alerts);
        },
        onError: (message) => {
          const s = this.sources.get(source.id);
          if (live.current && s) this.setHealth(s, { ...s.health, lastError: message, lastErrorAt: this.options.clock.now().toISOString() });
        },
        log: this.options.log,
      });
      if (!live.current) {
        await receiver.stop();
        return;
      }
      live.receiver = receiver;
      this.emit([], [source.id]);
    } catch (error) {
      const s = this.sources.get(source.id);
      const message = `its receiver did not start (${messageOf(error)}); choose another port, or free this one, and save the source again`;
      this.options.log.error(`webhook source "${source.name}": ${message}`, { id: source.id });
      if (s) this.setHealth(s, { ...s.health, lastError: message, lastErrorAt: this.options.clock.now().toISOString() });
    }
  }

  private adapterFor(source: SourceRecord): PolledSource & Partial<SilencingSource> {
    if (!this.options.polledSource) throw new Error(`no adapter for ${source.kind} sources in this build`);
    return this.options.polledSource(source.config as PolledConfig);
  }

  private silencerOf(a: AlertRecord): { source: SourceRecord; adapter: SilencingSource } {
    const source = this.sources.get(a.sourceId);
    const adapter = source && !isWebhook(source.kind) ? (this.live.get(source.id)?.adapter ?? this.adapterFor(source)) : null;
    if (!source || !adapter || typeof adapter.silence !== 'function' || typeof adapter.expire !== 'function') {
      throw new ApiError({
        code: 'conflict',
        message: `"${a.name}" comes from ${source ? `${source.name} (${source.kind})` : 'a source that was removed'}, which Watchfloor cannot silence; silence it where it lives. Nothing changed. Acknowledge it here to mark that it is being handled.`,
      });
    }
    return { source, adapter: adapter as SilencingSource };
  }

  /** Whose alert it is: the polled Alertmanager takes over from any other view, as it can silence. */
  private ownerOf(current: AlertRecord, reporter: SourceRecord): string {
    if (current.sourceId === reporter.id) return reporter.id;
    const owner = this.sources.get(current.sourceId);
    if (!owner) return reporter.id;
    if (reporter.kind === 'alertmanager' && owner.kind !== 'alertmanager') return reporter.id;
    return owner.id;
  }

  private ownerCanSpeak(sourceId: string): boolean {
    const owner = this.sources.get(sourceId);
    return !!owner && owner.enabled && !owner.health.stale;
  }

  private fromObserved(source: SourceRecord, o: ObservedAlert): Omit<AlertRecord, 'state' | 'endsAt' | 'lastSeenAt' | 'silenceId' | 'acknowledgedAt'> {
    return {
      id: o.fingerprint,
      sourceId: source.id,
      sourceName: source.name,
      sourceKind: source.kind,
      environmentId: source.environmentId,
      name: o.name,
      summary: o.summary,
      labels: stableJson(o.labels),
      severity: o.severity,
      startsAt: o.startsAt,
      url: o.url,
    };
  }

  /** Labels of an active alert, parsed once: compared key by key with each poll's. */
  private sameLabels(current: AlertRecord, labels: Record<string, string>): boolean {
    let parsed = this.parsedLabels.get(current);
    if (!parsed) {
      parsed = JSON.parse(current.labels) as Record<string, string>;
      this.parsedLabels.set(current, parsed);
    }
    let n = 0;
    for (const k in labels) {
      if (parsed[k] !== labels[k]) return false;
      n++;
    }
    return n === Object.keys(parsed).length;
  }

  private commit(records: AlertRecord[], history: [string, HistoryKind, string | null, string | null][], at: string): void {
    this.applyTransaction(records, history, at);
    for (const r of records) {
      if (r.state === 'resolved') this.active.delete(r.id);
      else this.active.set(r.id, r);
      this.links.delete(r.id);
    }
  }

  private setHealth(source: SourceRecord, health: AlertSourceHealth): void {
    const next = { ...source, health };
    this.store.writeHealth(source.id, health);
    if (this.sources.has(source.id)) this.sources.set(source.id, next);
    this.emit([], [source.id]);
  }

  private emit(alertIds: string[], sourceIds: string[]): void {
    if (alertIds.length === 0 && sourceIds.length === 0) return;
    for (const listener of this.listeners) listener({ alertIds, sourceIds });
  }

  private prune(): void {
    const days = this.options.retentionDays ?? 30;
    const before = new Date(this.options.clock.now().getTime() - days * 86_400_000).toISOString();
    const removed = this.store.prune(before);
    if (removed) this.links.clear();
    if (removed) this.options.log.info(`forgot ${removed} alert(s) resolved more than ${days} days ago`);
  }

  private record(id: string): AlertRecord {
    const a = this.active.get(id) ?? this.store.alert(id);
    if (!a) throw new ApiError({ code: 'not_found', message: `No alert with id ${id}; it may have resolved long ago and been forgotten. Reload the feed.` });
    return a;
  }

  private activeRecord(id: string, verb: string): AlertRecord {
    const a = this.record(id);
    if (a.state === 'resolved') {
      throw new ApiError({ code: 'conflict', message: `"${a.name}" resolved at ${a.endsAt ?? a.lastSeenAt}; there is nothing to ${verb}. Nothing changed.` });
    }
    return a;
  }

  private sourceRecord(id: string): SourceRecord {
    const s = this.sources.get(id);
    if (!s) throw new ApiError({ code: 'not_found', message: `No alert source with id ${id}; it may have been deleted. Reload the sources.` });
    return s;
  }

  private environmentOf(a: AlertRecord): string | null {
    return this.sources.get(a.sourceId)?.environmentId ?? a.environmentId;
  }

  private endpointOf(id: string): string | null {
    return this.live.get(id)?.receiver?.endpoint ?? null;
  }

  private toSource(s: SourceRecord): AlertSource {
    return {
      id: s.id,
      name: s.name,
      environmentId: s.environmentId,
      config: s.config,
      pollSeconds: s.pollSeconds,
      timeoutSeconds: s.timeoutSeconds,
      enabled: s.enabled,
      endpoint: isWebhook(s.kind) ? this.endpointOf(s.id) : null,
      health: s.health,
      createdAt: s.createdAt,
    };
  }

  private toAlert(a: AlertRecord): Alert {
    const source = this.sources.get(a.sourceId);
    const stale = a.state !== 'resolved' && !!source?.health.stale;
    // Rows are written only when something changes; a good poll that saw it again is seeing it now.
    const seen = a.state !== 'resolved' && source && !stale && source.health.lastSuccessAt && source.health.lastSuccessAt > a.lastSeenAt ? source.health.lastSuccessAt : a.lastSeenAt;
    const labels = JSON.parse(a.labels) as Record<string, string>;
    return {
      id: a.id,
      sourceId: a.sourceId,
      sourceName: source?.name ?? a.sourceName,
      sourceKind: source?.kind ?? a.sourceKind,
      environmentId: source?.environmentId ?? a.environmentId,
      fingerprint: a.id,
      name: a.name,
      summary: a.summary,
      labels,
      severity: a.severity,
      state: a.state,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      lastSeenAt: seen,
      url: a.url,
      silenceId: a.silenceId,
      acknowledgedAt: a.acknowledgedAt,
      stale,
      runbook: this.linkOf(a, labels, source),
    };
  }

  private linkOf(a: AlertRecord, labels: Record<string, string>, source: SourceRecord | undefined): RunbookLink | null {
    const cached = this.links.get(a.id);
    if (cached !== undefined) return cached;
    this.linker ??= new RunbookLinker(this.linkableRunbooks());
    const metric = labels['__name__'] ?? (source?.config.kind === 'prometheus-rule' ? metricOf(source.config.expr) : null);
    const link = this.linker.linkFor({ name: a.name, labels, metric }, this.pins.get(nameKey(a.name)) ?? null);
    this.links.set(a.id, link);
    return link;
  }

  private linkableRunbooks(): LinkableRunbook[] {
    const out: LinkableRunbook[] = [];
    for (const summary of this.options.runbooks.list()) {
      if (summary.archived) continue;
      try {
        out.push({ id: summary.id, title: summary.title, runbook: this.options.runbooks.get(summary.id).runbook });
      } catch (error) {
        this.options.log.warn(`runbook ${summary.title} was left out of alert links: ${messageOf(error)}`);
      }
    }
    return out;
  }

  private toObserved(a: AlertRecord): ObservedAlert {
    return {
      fingerprint: a.id,
      name: a.name,
      summary: a.summary,
      labels: JSON.parse(a.labels) as Record<string, string>,
      severity: a.severity,
      status: 'firing',
      silencedBy: a.silenceId,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      url: a.url,
    };
  }
}

/** Labels as JSON with sorted keys, so the same labels always compare equal as text. */
function stableJson(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = labels[k]!;
  return JSON.stringify(sorted);
}

/** The first metric name of a PromQL expression (`rate(http_errors_total[5m]) > 1` → http_errors_total). */
function metricOf(expr: string): string | null {
  const FUNCTIONS = new Set(['rate', 'irate', 'increase', 'sum', 'avg', 'max', 'min', 'count', 'by', 'without', 'histogram_quantile', 'delta', 'deriv', 'abs', 'on', 'ignoring', 'bool', 'and', 'or', 'unless']);
  for (const m of expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    if (!FUNCTIONS.has(m[0]) && !/_over_time$/.test(m[0])) return m[0];
  }
  return null;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function emptyHealth(): AlertSourceHealth {
  return { lastSuccessAt: null, lastErrorAt: null, lastError: null, latencyMs: null, stale: false, staleSince: null, nextPollAt: null, consecutiveFailures: 0 };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How long an aborted poll may still answer (adapters stop promptly on abort). */
const ABORT_GRACE_MS = 250;

/**
 * The adapter's answer, or the abort's reason (after `graceMs`, in which the adapter may still
 * answer): a source that hangs cannot hold the feed.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, graceMs = 0): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = () => reject(signal.reason instanceof Error ? signal.reason : new Error('the poll was stopped'));
    const onAbort = () => (graceMs > 0 ? setTimeout(fail, graceMs).unref() : fail());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Silence calls are the operator waiting on a button: they get a fixed, real-time limit. */
function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(SILENCE_TIMEOUT_MS);
  return untilAborted(work(signal), signal);
}
