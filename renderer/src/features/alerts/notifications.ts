import { readPreference, writePreference } from '../../app/storage';
import { createAlertNotifier, type NotificationSettings } from './notifyPolicy';

const STORAGE_KEY = 'watchfloor.alerts.notifications';
const defaults: NotificationSettings = { enabled: true, minSeverity: 'P2', quietFrom: '', quietTo: '' };

export function loadNotificationSettings(): NotificationSettings {
  try {
    const raw = readPreference(STORAGE_KEY);
    return raw ? { ...defaults, ...(JSON.parse(raw) as Partial<NotificationSettings>) } : defaults;
  } catch {
    return defaults;
  }
}

export function saveNotificationSettings(settings: NotificationSettings): void {
  writePreference(STORAGE_KEY, JSON.stringify(settings));
}

/** What the browser lets us do: unsupported (no Notification API), or its permission. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Desktop notifications for newly firing alerts; clicking one focuses the window and opens the alert. */
export function createDesktopNotifier(open: (alertId: string) => void) {
  return createAlertNotifier({
    settings: loadNotificationSettings,
    allowed: () => notificationPermission() === 'granted',
    show({ title, body, alertId }) {
      try {
        const n = new Notification(title, { body, tag: 'watchfloor-alerts' });
        n.onclick = () => {
          window.focus();
          open(alertId);
          n.close();
        };
      } catch {
        // Some hosts only allow notifications from a service worker; the badge still counts them.
      }
    },
  });
}
