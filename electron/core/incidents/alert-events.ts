/**
 * Alerts in the journal: when an alert attached to an open incident resolves, the incident's journal
 * says so (`alert-resolved`); when it fires again after that, it says so too (`alert-fired`).
 *
 * What was last journaled for the alert is the memory: an alert resolves in the journal only when
 * the last event about it did not already say resolved, and fires only after a journaled resolve.
 * So a restart, a repeated poll or a second look at the same change never writes one twice.
 */
import type { Alert } from '../../../shared/contract';
import type { Db } from '../db';
import type { Log } from '../log';
import type { Journal } from './journal';

export interface AlertEventsOptions {
  db: Db;
  journal: Journal;
  /** The alert as the feed has it now (AlertFeed.get); throws not_found once it is forgotten. */
  alert(id: string): Alert;
  redact(text: string): string;
  log: Log;
  /** Tell the UI these incidents' journals grew (incidents.changed). */
  changed(ids: string[]): void;
}

export class AlertEvents {
  private readonly attachedTo;
  private readonly lastAbout;
  private readonly allAttached;

  constructor(private readonly options: AlertEventsOptions) {
    this.attachedTo = options.db.prepare<[string], { incident_id: string }>(
      "SELECT ia.incident_id FROM incident_alerts ia JOIN incidents i ON i.id = ia.incident_id WHERE ia.alert_id = ? AND i.status <> 'resolved'",
    );
    // Damaged rows (data that is not JSON) are skipped, not an error.
    this.lastAbout = options.db.prepare<[string, string], { kind: string }>(
      `SELECT kind FROM journal WHERE incident_id = ? AND kind IN ('alert-attached', 'alert-fired', 'alert-resolved')
         AND CASE WHEN json_valid(data) THEN json_extract(data, '$.alertId') END = ? ORDER BY seq DESC LIMIT 1`,
    );
    this.allAttached = options.db.prepare<[], { alert_id: string }>(
      "SELECT DISTINCT ia.alert_id FROM incident_alerts ia JOIN incidents i ON i.id = ia.incident_id WHERE i.status <> 'resolved'",
    );
  }

  /** The feed changed these alerts: journal what it means for the open incidents they are attached to. */
  alertsChanged(alertIds: readonly string[]): string[] {
    const touched = new Set<string>();
    for (const alertId of new Set(alertIds)) {
      const incidents = this.attachedTo.all(alertId);
      if (incidents.length === 0) continue;
      let alert: Alert;
      try {
        alert = this.options.alert(alertId);
      } catch {
        continue; // forgotten by the feed (pruned): nothing new to say about it
      }
      const resolved = alert.state === 'resolved';
      for (const { incident_id: incidentId } of incidents) {
        // An alert is attached while it fires: until the journal says resolved, it is not.
        const last = this.lastAbout.get(incidentId, alertId)?.kind ?? 'alert-attached';
        const journaledResolved = last === 'alert-resolved';
        if (resolved === journaledResolved) continue;
        try {
          this.options.journal.append(incidentId, resolved ? 'alert-resolved' : 'alert-fired', { alertId, name: this.options.redact(alert.name), state: alert.state });
          touched.add(incidentId);
        } catch (error) {
          // The next change (or start) tries again: the journal is the memory.
          this.options.log.warn('an alert change could not be written to an incident journal', { incidentId, alertId, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    const ids = [...touched];
    if (ids.length) this.options.changed(ids);
    return ids;
  }

  /** At start: catch up on every alert attached to an open incident (it may have changed while down). */
  catchUp(): string[] {
    return this.alertsChanged(this.allAttached.all().map((r) => r.alert_id));
  }
}
