/**
 * Prometheus Alertmanager through its API v2: every alert it holds (silenced and inhibited ones
 * too, so a silence made here shows as such rather than as a resolution), and silences created and
 * expired where they take effect, so a teammate looking at Alertmanager sees the same mute.
 */
import type { ObservedAlert, PollContext, PollResult, PolledSource, SilencingSource } from '../source';
import { severityOf } from '../source';
import { isRecord, join, request, requestJson, stringMap } from './http';

type AlertmanagerConfig = { kind: 'alertmanager'; url: string };

export class AlertmanagerSource implements PolledSource, SilencingSource {
  private readonly what: string;

  constructor(private readonly config: AlertmanagerConfig) {
    this.what = `Alertmanager at ${config.url}`;
  }

  async poll({ signal }: PollContext): Promise<PollResult> {
    const { value } = await requestJson(join(this.config.url, '/api/v2/alerts?active=true&silenced=true&inhibited=true'), { what: this.what, signal });
    if (!Array.isArray(value)) throw new Error(`${this.what} answered /api/v2/alerts with something other than a list of alerts; check that the URL is Alertmanager's (API v2, Alertmanager 0.16 or later)`);
    // An entry without a fingerprint cannot be told apart from the next poll's: it is left out.
    return { alerts: value.filter(isRecord).map((a) => this.observed(a)).filter((a) => a.fingerprint), complete: true };
  }

  /** Matchers from every label of the alert: the silence mutes this alert and nothing broader. */
  async silence(alert: ObservedAlert, req: { durationMinutes: number; comment: string; createdBy: string }, signal: AbortSignal): Promise<{ silenceId: string }> {
    const startsAt = new Date();
    const endsAt = new Date(startsAt.getTime() + req.durationMinutes * 60_000);
    const matchers = Object.entries(alert.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
    if (!matchers.length) throw new Error(`${this.what}: the alert has no labels to silence it by`);
    const { value } = await requestJson(join(this.config.url, '/api/v2/silences'), {
      what: this.what,
      method: 'POST',
      json: { matchers, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), createdBy: req.createdBy, comment: req.comment },
      signal,
    });
    const silenceId = isRecord(value) ? value.silenceID : undefined;
    if (typeof silenceId !== 'string' || !silenceId) throw new Error(`${this.what} accepted the silence but did not say its id; look for it in Alertmanager's own UI`);
    return { silenceId };
  }

  async expire(silenceId: string, signal: AbortSignal): Promise<void> {
    const answer = await request(join(this.config.url, `/api/v2/silence/${encodeURIComponent(silenceId)}`), { what: this.what, method: 'DELETE', signal });
    if (answer.status >= 200 && answer.status <= 299) return;
    // Already expired (or garbage-collected) at the source: the alert is not muted, which is what was asked.
    if (answer.status === 404 || /already expired/i.test(answer.body)) return;
    throw new Error(`${this.what} answered ${answer.status} when expiring silence ${silenceId}: ${answer.body.trim().slice(0, 200)}`);
  }

  private observed(a: Record<string, unknown>): ObservedAlert {
    const labels = stringMap(a.labels);
    const annotations = stringMap(a.annotations);
    const status = isRecord(a.status) ? a.status : {};
    const silencedBy = Array.isArray(status.silencedBy) ? status.silencedBy.filter((s): s is string => typeof s === 'string') : [];
    const generatorURL = typeof a.generatorURL === 'string' && a.generatorURL ? a.generatorURL : null;
    return {
      fingerprint: typeof a.fingerprint === 'string' ? a.fingerprint : '',
      name: labels.alertname ?? 'Unnamed alert',
      summary: annotations.summary ?? annotations.description ?? '',
      labels,
      severity: severityOf(labels.severity ?? labels.priority),
      // /api/v2/alerts leaves out alerts whose endsAt has passed: what it lists is firing.
      status: 'firing',
      silencedBy: silencedBy[0] ?? null,
      startsAt: typeof a.startsAt === 'string' ? a.startsAt : new Date().toISOString(),
      endsAt: null,
      url: generatorURL ?? join(this.config.url, '/#/alerts'),
    };
  }
}
