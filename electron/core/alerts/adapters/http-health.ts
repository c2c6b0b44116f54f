/**
 * An HTTP health check: one GET per poll, judged on status, body and latency. A target that is
 * down is what the check exists to report, so a refused connection or a timeout is a firing
 * alert, not a failed poll: the poll itself never fails, and the source never goes stale.
 */
import type { ObservedAlert, PolledConfig, PollContext, PollResult, PolledSource } from '../source';
import { request, sha256 } from './http';

type HealthConfig = Extract<PolledConfig, { kind: 'http-health' }>;

/** Health pages are small; a body match looks at the first megabyte. */
const MAX_HEALTH_BODY = 1024 * 1024;

export class HttpHealthSource implements PolledSource {
  private readonly fingerprint: string;
  private readonly matchBody: ((body: string) => boolean) | null;
  /** When the current run of failures began, so a long outage keeps its start time. */
  private failingSince: Date | null = null;

  constructor(private readonly config: HealthConfig) {
    this.fingerprint = sha256('http-health', config.url);
    this.matchBody = bodyMatcher(config.bodyMatch);
  }

  async poll({ signal, now }: PollContext): Promise<PollResult> {
    const problem = await this.check(signal);
    if (!problem) {
      this.failingSince = null;
      return { alerts: [], complete: true };
    }
    this.failingSince ??= now();
    const host = hostOf(this.config.url);
    const alert: ObservedAlert = {
      fingerprint: this.fingerprint,
      name: `${host} health check failing`,
      summary: problem,
      labels: { alertname: 'HealthCheckFailing', instance: host, url: this.config.url },
      severity: this.config.severity,
      status: 'firing',
      silencedBy: null,
      startsAt: this.failingSince.toISOString(),
      endsAt: null,
      url: this.config.url,
    };
    return { alerts: [alert], complete: true };
  }

  /** What is wrong with the target, or null when it is healthy. */
  private async check(signal: AbortSignal): Promise<string | null> {
    const { url, expectedStatus, latencyThresholdMs } = this.config;
    // Past the latency threshold the check has failed whatever comes next: say so then, rather than
    // wait for the source's timeout, which the feed would report as the source failing.
    const tooSlow = latencyThresholdMs === null ? null : AbortSignal.timeout(latencyThresholdMs);
    let answer;
    try {
      // Expecting a redirect means checking the redirect itself, not where it leads.
      answer = await request(url, {
        what: url,
        signal: tooSlow ? AbortSignal.any([signal, tooSlow]) : signal,
        redirect: expectedStatus >= 300 && expectedStatus < 400 ? 'manual' : 'follow',
        maxBytes: MAX_HEALTH_BODY,
      });
    } catch (error) {
      if (tooSlow?.aborted && !signal.aborted) return `GET ${url} did not answer within ${latencyThresholdMs} ms (the latency threshold)`;
      // Already in words: "could not reach …: connection refused", "… did not answer: timed out after 10 s".
      return error instanceof Error ? error.message : String(error);
    }
    const problems: string[] = [];
    if (answer.status !== expectedStatus) problems.push(`answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''} (expected ${expectedStatus})`);
    if (this.matchBody && !this.matchBody(answer.body)) problems.push(`its body does not contain ${this.config.bodyMatch}`);
    if (latencyThresholdMs !== null && answer.latencyMs > latencyThresholdMs) problems.push(`took ${answer.latencyMs} ms (over ${latencyThresholdMs} ms)`);
    return problems.length ? `GET ${url} ${problems.join('; ')}` : null;
  }
}

/** `/regex/flags` is a regular expression; anything else (or a regex that does not compile) a substring. */
function bodyMatcher(match: string | null): ((body: string) => boolean) | null {
  if (!match) return null;
  const regex = /^\/(.+)\/([dgimsuy]*)$/.exec(match);
  if (regex) {
    try {
      const re = new RegExp(regex[1]!, regex[2]!.replace('g', ''));
      return (body) => re.test(body);
    } catch {
      // not a valid regex: taken literally below
    }
  }
  return (body) => body.includes(match);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
