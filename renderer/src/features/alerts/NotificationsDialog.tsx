import { BellRing } from 'lucide-react';
import { useId, useState } from 'react';
import { useAppStore } from '../../store';
import { useModalDialog } from '../../app/ui/useModalDialog';
import { severities, severityLabels } from './format';
import { loadNotificationSettings, notificationPermission, saveNotificationSettings } from './notifications';
import type { NotificationSettings } from './notifyPolicy';
import { DialogHead } from '../../app/ui/DialogHead';

/** Desktop notifications for newly firing alerts: which severities, quiet hours, and the permission. */
export function NotificationsDialog() {
  const ref = useModalDialog();
  const titleId = useId();
  const ids = { enabled: useId(), severity: useId(), from: useId(), to: useId() };
  const close = useAppStore((s) => s.setAlertNotificationsOpen);
  const [settings, setSettings] = useState<NotificationSettings>(loadNotificationSettings);
  const [permission, setPermission] = useState(notificationPermission);
  const change = (patch: Partial<NotificationSettings>) => {
    const next = { ...settings, ...patch };
    setSettings(next);
    saveNotificationSettings(next);
  };
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close(false);
      }}
    >
      <DialogHead titleId={titleId} title="Alert notifications" onClose={() => close(false)} />
      <p className="dialog-body">
        A desktop notification when alerts start firing; alerts arriving together make one notification. Clicking it opens the
        alert. Kept on this machine.
      </p>
      {permission === 'denied' ? (
        <p className="notice notice-warning" role="alert">
          Notifications are blocked for Watchfloor by this browser or system. Allow them in its site or system settings; the
          Alerts badge still counts firing alerts meanwhile.
        </p>
      ) : permission === 'unsupported' ? (
        <p className="notice notice-warning" role="alert">
          This browser cannot show notifications; the Alerts badge still counts firing alerts.
        </p>
      ) : permission === 'default' ? (
        <p className="notice">
          Watchfloor needs your permission first.{' '}
          <button type="button" className="button button-small" onClick={() => void Notification.requestPermission().then(setPermission)}>
            <BellRing size={13} aria-hidden="true" /> Allow notifications
          </button>
        </p>
      ) : null}
      <div className="notification-settings">
        <label className="checkbox-field" htmlFor={ids.enabled}>
          <input id={ids.enabled} type="checkbox" checked={settings.enabled} onChange={(e) => change({ enabled: e.target.checked })} /> Notify me
        </label>
        <label htmlFor={ids.severity} className="field-label">
          For alerts at or above
        </label>
        <select id={ids.severity} value={settings.minSeverity} onChange={(e) => change({ minSeverity: e.target.value as NotificationSettings['minSeverity'] })}>
          {severities.map((s) => (
            <option key={s} value={s}>
              {severityLabels[s]}
            </option>
          ))}
        </select>
        <fieldset className="quiet-hours">
          <legend className="field-label">Quiet hours (no notifications)</legend>
          <label htmlFor={ids.from}>From</label>
          <input id={ids.from} type="time" value={settings.quietFrom} onChange={(e) => change({ quietFrom: e.target.value })} />
          <label htmlFor={ids.to}>to</label>
          <input id={ids.to} type="time" value={settings.quietTo} onChange={(e) => change({ quietTo: e.target.value })} />
        </fieldset>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={() => close(false)}>
          Done
        </button>
      </div>
    </dialog>
  );
}
