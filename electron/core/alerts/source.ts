/**
 * What every alert source gives the feed: alerts as it sees them now. Polled sources (Alertmanager,
 * Prometheus rules, health checks, status pages) answer `poll`; webhook receivers push the same
 * shape through `AlertFeed.ingest`. The feed deduplicates by fingerprint, keeps history, links
 * runbooks and tracks each source's health; adapters only speak their source's protocol.
 */
import type { AlertSourceConfig, Severity } from '../../../shared/contract';

/** One alert as a source reports it. */
export interface ObservedAlert {
  /** Stable across polls and across the polled and webhook views of the same Alertmanager alert
   * (Alertmanager's own fingerprint where there is one). */
  fingerprint: string;
  name: string;
  summary: string;
  labels: Record<string, string>;
  severity: Severity;
  status: 'firing' | 'resolved';
  /** Muted at the source (an Alertmanager silence), with the silence's id. */
  silencedBy: string | null;
  startsAt: string;
  endsAt: string | null;
  url: string | null;
}

export interface PollResult {
  alerts: ObservedAlert[];
  /**
   * True when `alerts` is everything the source has firing now, so an alert that was firing and is
   * absent has resolved (Alertmanager's /alerts, a health check). False for partial views.
   */
  complete: boolean;
}

export interface PollContext {
  /** Aborted at the source's timeout, or when the feed stops. */
  signal: AbortSignal;
  /** The feed's clock, for sources that judge time themselves (a rule's `for`). */
  now: () => Date;
}

/** A source the feed polls on its interval. Throws an Error whose message the operator reads. */
export interface PolledSource {
  poll(context: PollContext): Promise<PollResult>;
}

/** A source that can mute an alert where it lives (Alertmanager). */
export interface SilencingSource {
  silence(alert: ObservedAlert, request: { durationMinutes: number; comment: string; createdBy: string }, signal: AbortSignal): Promise<{ silenceId: string }>;
  expire(silenceId: string, signal: AbortSignal): Promise<void>;
}

export type PolledConfig = Extract<AlertSourceConfig, { kind: 'alertmanager' | 'prometheus-rule' | 'http-health' | 'statuspage' }>;
export type WebhookConfig = Extract<AlertSourceConfig, { kind: 'alertmanager-webhook' | 'json-webhook' }>;

/** Maps a source's own severity word (critical, warning, page, sev1, P2...) onto P1-P4. */
export function severityOf(value: string | null | undefined, fallback: Severity = 'P3'): Severity {
  const v = (value ?? '').trim().toLowerCase();
  if (!v) return fallback;
  if (/^p[1-4]$/.test(v)) return v.toUpperCase() as Severity;
  if (/^sev(?:erity)?[-_ ]?[0-4]$/.test(v)) return (['P1', 'P1', 'P2', 'P3', 'P4'] as const)[Number(v.slice(-1))]!;
  if (['critical', 'crit', 'page', 'emergency', 'fatal', 'major_outage', 'disaster', 'high'].includes(v)) return 'P1';
  if (['error', 'major', 'partial_outage', 'warning-high'].includes(v)) return 'P2';
  if (['warning', 'warn', 'degraded_performance', 'minor', 'medium'].includes(v)) return 'P3';
  if (['info', 'informational', 'low', 'none', 'notice', 'under_maintenance'].includes(v)) return 'P4';
  return fallback;
}
