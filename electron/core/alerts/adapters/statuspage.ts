/**
 * An upstream provider's status page in the Atlassian Statuspage format (Cloudflare, GitHub…):
 * `/api/v2/summary.json` lists every component and the unresolved incidents. Each component that is
 * not `operational` and each unresolved incident is one alert; when it recovers it resolves.
 */
import type { ObservedAlert, PolledConfig, PollContext, PollResult, PolledSource } from '../source';
import { severityOf } from '../source';
import { isRecord, join, requestJson, sha256 } from './http';

type StatuspageConfig = Extract<PolledConfig, { kind: 'statuspage' }>;

/** Incident statuses that mean it is over (summary.json lists only unresolved ones, but not every clone does). */
const OVER = new Set(['resolved', 'postmortem', 'completed']);

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export class StatuspageSource implements PolledSource {
  private readonly what: string;

  constructor(private readonly config: StatuspageConfig) {
    this.what = `The status page at ${config.url}`;
  }

  async poll({ signal, now }: PollContext): Promise<PollResult> {
    const { value } = await requestJson(join(this.config.url, '/api/v2/summary.json'), { what: this.what, signal });
    if (!isRecord(value) || !Array.isArray(value.components)) {
      throw new Error(`${this.what} answered summary.json without a list of components; check that it is an Atlassian Statuspage (…/api/v2/summary.json)`);
    }
    const page = isRecord(value.page) ? value.page : {};
    const pageName = text(page.name) || hostOf(this.config.url);
    const pageUrl = text(page.url) || this.config.url;
    const fallbackTime = now().toISOString();
    const alerts: ObservedAlert[] = [];

    for (const c of value.components.filter(isRecord)) {
      const status = text(c.status);
      // A group's status only repeats its worst member's: alerting on both would show one outage twice.
      if (!status || status === 'operational' || c.group === true) continue;
      const name = text(c.name) || text(c.id);
      alerts.push({
        fingerprint: sha256('statuspage', this.config.url, 'component', text(c.id) || name),
        name: `${pageName}: ${name}`,
        summary: `${name} is ${status.replace(/_/g, ' ')}${text(c.description) ? ` (${text(c.description)})` : ''}`,
        labels: { alertname: 'StatuspageComponent', page: pageName, component: name, status },
        severity: severityOf(status, this.config.severity),
        status: 'firing',
        silencedBy: null,
        startsAt: text(c.updated_at) || fallbackTime,
        endsAt: null,
        url: pageUrl,
      });
    }

    for (const i of (Array.isArray(value.incidents) ? value.incidents : []).filter(isRecord)) {
      const status = text(i.status);
      if (OVER.has(status)) continue;
      const impact = text(i.impact) || 'none';
      const updates = Array.isArray(i.incident_updates) ? i.incident_updates.filter(isRecord) : [];
      const latest = text(updates[0]?.body);
      const name = text(i.name) || 'Incident';
      alerts.push({
        fingerprint: sha256('statuspage', this.config.url, 'incident', text(i.id) || name),
        name: `${pageName}: ${name}`,
        summary: latest || `${status || 'open'}, ${impact} impact`,
        labels: { alertname: 'StatuspageIncident', page: pageName, incident: name, status, impact },
        // An incident of no stated impact is still news from upstream: the source's own severity.
        severity: impact === 'none' ? this.config.severity : severityOf(impact, this.config.severity),
        status: 'firing',
        silencedBy: null,
        startsAt: text(i.started_at) || text(i.created_at) || fallbackTime,
        endsAt: null,
        url: text(i.shortlink) || pageUrl,
      });
    }
    return { alerts, complete: true };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
