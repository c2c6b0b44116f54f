import type { Alert, Severity } from '@shared/contract';
import { severityRank } from './format';

/** Desktop notification settings, kept on this machine (like the theme), not in the core. */
export interface NotificationSettings {
  enabled: boolean;
  /** Notify for this severity and anything more urgent. */
  minSeverity: Severity;
  /** Quiet hours, "HH:MM" local time; none when either is empty. May cross midnight (22:00–07:00). */
  quietFrom: string;
  quietTo: string;
}

/** Alerts that start firing within this window make one notification, not one each. */
export const BURST_MS = 1_500;

const minutesOf = (hhmm: string): number | null => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

export function inQuietHours(settings: NotificationSettings, now: Date): boolean {
  const from = minutesOf(settings.quietFrom);
  const to = minutesOf(settings.quietTo);
  if (from === null || to === null || from === to) return false;
  const t = now.getHours() * 60 + now.getMinutes();
  return from < to ? t >= from && t < to : t >= from || t < to;
}

/** One notification: its text, and the alert a click opens (the most urgent of the burst). */
export interface AlertNotice {
  title: string;
  body: string;
  alertId: string;
}

/**
 * Watches each new list of active alerts for ones that newly fire and hands one notice per burst
 * to `show`. The first list only sets the baseline: opening the app does not replay every alert
 * already firing. Browser-free (the caller brings settings and the Notification API), so it is tested as is.
 */
export function createAlertNotifier(deps: { settings: () => NotificationSettings; allowed: () => boolean; show: (notice: AlertNotice) => void }) {
  let seen: Set<string> | null = null;
  let pending: Alert[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  function flush() {
    timer = null;
    const batch = pending;
    pending = [];
    const settings = deps.settings();
    if (!settings.enabled || !deps.allowed() || inQuietHours(settings, new Date())) return;
    const wanted = batch
      .filter((a) => severityRank(a.severity) <= severityRank(settings.minSeverity))
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    const first = wanted[0];
    if (!first) return;
    const more = wanted.length > 4 ? `\n…and ${wanted.length - 4} more` : '';
    deps.show({
      title: wanted.length === 1 ? `${first.severity} firing: ${first.name}` : `${wanted.length} alerts firing`,
      body:
        wanted.length === 1
          ? first.summary || first.sourceName
          : wanted
              .slice(0, 4)
              .map((a) => `${a.severity} ${a.name}`)
              .join('\n') + more,
      alertId: first.id,
    });
  }

  return {
    observe(active: readonly Alert[]) {
      const firing = active.filter((a) => a.state === 'firing' && !a.stale);
      const previous = seen;
      seen = new Set(firing.map((a) => a.id));
      if (previous === null) return;
      const fresh = firing.filter((a) => !previous.has(a.id));
      if (fresh.length === 0) return;
      pending.push(...fresh);
      timer ??= setTimeout(flush, BURST_MS);
    },
  };
}
