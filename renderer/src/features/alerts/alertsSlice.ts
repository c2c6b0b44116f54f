import type { Alert, AlertSource, CallInput, CallOutput } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage, fieldIssues } from '../../app/toasts/errorMessage';
import type { AlertGrouping } from './feedRows';
import { createDesktopNotifier } from './notifications';

/** What saving a source came to: the source (and a webhook's token, shown once), or what to show beside the form. */
export type SaveSourceResult =
  | { ok: true; source: AlertSource; token: string | null }
  | { ok: false; message: string; fieldErrors: Record<string, string> };

export interface AlertsSlice {
  /** Firing, acknowledged and silenced alerts, as the core last listed them. */
  alerts: Alert[];
  /** Resolved alerts, newest first (the History section). */
  alertHistory: Alert[];
  alertsLoaded: boolean;
  alertSources: AlertSource[];
  alertSourcesLoaded: boolean;
  /** The alert the keyboard is on, and whether its details are open. */
  selectedAlertId: string | null;
  alertDetailsOpen: boolean;
  alertFilter: string;
  alertGrouping: AlertGrouping;
  /** The alert whose silence dialog is open. */
  silencingAlertId: string | null;
  alertSourcesOpen: boolean;
  alertNotificationsOpen: boolean;
  /** Alerts with a call on its way (acknowledge, silence, expire, link). */
  busyAlertIds: string[];
  pollingSourceIds: string[];
  /** Once: load the feed and follow `alerts.changed` / `alertSources.changed`. */
  startAlerts(): void;
  loadAlerts(): Promise<void>;
  loadAlertSources(): Promise<void>;
  selectAlert(id: string | null, openDetails?: boolean): void;
  setAlertDetailsOpen(open: boolean): void;
  setAlertFilter(filter: string): void;
  setAlertGrouping(grouping: AlertGrouping): void;
  openSilence(id: string | null): void;
  setAlertSourcesOpen(open: boolean): void;
  setAlertNotificationsOpen(open: boolean): void;
  acknowledgeAlert(id: string): Promise<void>;
  silenceAlert(input: CallInput<'alerts.silence'>): Promise<string | null>;
  expireSilence(id: string): Promise<void>;
  linkRunbook(id: string, runbookId: string | null): Promise<void>;
  createAlertSource(input: CallInput<'alertSources.create'>): Promise<SaveSourceResult>;
  updateAlertSource(id: string, patch: CallInput<'alertSources.update'>['patch']): Promise<SaveSourceResult>;
  deleteAlertSource(id: string): Promise<void>;
  pollAlertSource(id: string): Promise<void>;
  /** Prometheus rules read from a runbook's alert table, for the operator to review; nothing saved. */
  rulesFromRunbook(runbookId: string, prometheusUrl: string): Promise<{ ok: true; rules: CallOutput<'alertSources.rulesFromRunbook'> } | { ok: false; message: string }>;
}

/** Bursts of `alerts.changed` (a poll of 5,000 alerts, a webhook flood) become one reload. */
const RELOAD_DEBOUNCE_MS = 250;
/** How many resolved alerts the History section keeps at hand. */
const HISTORY_LIMIT = 500;

/**
 * The alert feed. Events only say which ids changed; the slice reloads the list, debounced, so a
 * flood of alerts reaches React as one new array per quarter second, never one update per alert.
 */
export function createAlertsSlice({ set, get, api }: SliceContext): AlertsSlice {
  let started = false;
  let alertsTimer: ReturnType<typeof setTimeout> | null = null;
  let sourcesTimer: ReturnType<typeof setTimeout> | null = null;
  const notifier = createDesktopNotifier((id) => {
    get().navigate('alerts');
    get().selectAlert(id, true);
  });
  const busy = (id: string, on: boolean) =>
    set((s) => ({ busyAlertIds: on ? [...s.busyAlertIds, id] : s.busyAlertIds.filter((x) => x !== id) }));
  const nameOf = (id: string) => [...get().alerts, ...get().alertHistory].find((a) => a.id === id)?.name ?? 'the alert';

  /** One call on one alert: busy while it runs, the changed alert folded into the list, errors toasted. */
  async function onAlert(id: string, activity: string, call: () => Promise<Alert>): Promise<string | null> {
    busy(id, true);
    try {
      const alert = await call();
      set((s) => ({ alerts: s.alerts.map((a) => (a.id === alert.id ? alert : a)) }));
      get().clearErrors(activity);
      return null;
    } catch (error) {
      get().reportError(activity, error);
      return errorMessage(error);
    } finally {
      busy(id, false);
    }
  }

  async function saved(call: Promise<{ source: AlertSource; token: string | null }>): Promise<SaveSourceResult> {
    try {
      const { source, token } = await call;
      await get().loadAlertSources();
      return { ok: true, source, token };
    } catch (error) {
      return { ok: false, message: errorMessage(error), fieldErrors: fieldIssues(error) };
    }
  }

  return {
    alerts: [],
    alertHistory: [],
    alertsLoaded: false,
    alertSources: [],
    alertSourcesLoaded: false,
    selectedAlertId: null,
    alertDetailsOpen: false,
    alertFilter: '',
    alertGrouping: { by: 'severity' },
    silencingAlertId: null,
    alertSourcesOpen: false,
    alertNotificationsOpen: false,
    busyAlertIds: [],
    pollingSourceIds: [],

    startAlerts() {
      if (started) return;
      started = true;
      api.on('alerts.changed', () => {
        if (alertsTimer) return;
        alertsTimer = setTimeout(() => {
          alertsTimer = null;
          void get().loadAlerts();
        }, RELOAD_DEBOUNCE_MS);
      });
      api.on('alertSources.changed', () => {
        if (sourcesTimer) return;
        sourcesTimer = setTimeout(() => {
          sourcesTimer = null;
          void get().loadAlertSources();
        }, RELOAD_DEBOUNCE_MS);
      });
      void get().loadAlerts();
      void get().loadAlertSources();
    },

    async loadAlerts() {
      try {
        const [active, withResolved] = await Promise.all([
          api.call('alerts.list', { includeResolved: false, environmentId: null, limit: 20_000 }),
          api.call('alerts.list', { includeResolved: true, environmentId: null, limit: HISTORY_LIMIT }),
        ]);
        const history = withResolved.filter((a) => a.state === 'resolved');
        set({ alerts: active, alertHistory: history, alertsLoaded: true });
        notifier.observe(active);
        get().clearErrors('Loading the alert feed');
      } catch (error) {
        set({ alertsLoaded: true });
        get().reportError('Loading the alert feed', error);
      }
    },

    async loadAlertSources() {
      try {
        set({ alertSources: await api.call('alertSources.list', {}), alertSourcesLoaded: true });
      } catch (error) {
        set({ alertSourcesLoaded: true });
        get().reportError('Loading the alert sources', error);
      }
    },

    selectAlert(id, openDetails) {
      set({ selectedAlertId: id, ...(openDetails === undefined ? {} : { alertDetailsOpen: openDetails && id !== null }) });
    },
    setAlertDetailsOpen(open) {
      set({ alertDetailsOpen: open && get().selectedAlertId !== null });
    },
    setAlertFilter(filter) {
      set({ alertFilter: filter });
    },
    setAlertGrouping(grouping) {
      set({ alertGrouping: grouping });
    },
    openSilence(id) {
      set({ silencingAlertId: id });
    },
    setAlertSourcesOpen(open) {
      set({ alertSourcesOpen: open });
      if (open) void get().loadAlertSources();
    },
    setAlertNotificationsOpen(open) {
      set({ alertNotificationsOpen: open });
    },

    async acknowledgeAlert(id) {
      await onAlert(id, `Acknowledging ${nameOf(id)}`, () => api.call('alerts.acknowledge', { id }));
    },
    async silenceAlert(input) {
      const message = await onAlert(input.id, `Silencing ${nameOf(input.id)}`, () => api.call('alerts.silence', input));
      if (message === null) get().pushToast({ kind: 'success', message: `Silenced ${nameOf(input.id)} at its Alertmanager` });
      return message;
    },
    async expireSilence(id) {
      const message = await onAlert(id, `Expiring the silence of ${nameOf(id)}`, () => api.call('alerts.expireSilence', { id }));
      if (message === null) get().pushToast({ kind: 'success', message: `Expired the silence of ${nameOf(id)}` });
    },
    async linkRunbook(id, runbookId) {
      await onAlert(id, `Linking ${nameOf(id)} to a runbook`, () => api.call('alerts.linkRunbook', { id, runbookId, procedureId: null }));
      // Alerts of the same name follow the pin: the core says which in `alerts.changed`.
    },

    createAlertSource(input) {
      return saved(api.call('alertSources.create', input));
    },
    updateAlertSource(id, patch) {
      return saved(api.call('alertSources.update', { id, patch }).then((source) => ({ source, token: null })));
    },
    async deleteAlertSource(id) {
      const name = get().alertSources.find((s) => s.id === id)?.name ?? 'the source';
      try {
        await api.call('alertSources.delete', { id });
        get().pushToast({ kind: 'success', message: `Removed the alert source ${name}` });
        await Promise.all([get().loadAlertSources(), get().loadAlerts()]);
      } catch (error) {
        get().reportError(`Removing ${name}`, error);
      }
    },
    async pollAlertSource(id) {
      const name = get().alertSources.find((s) => s.id === id)?.name ?? 'the source';
      set((s) => ({ pollingSourceIds: [...s.pollingSourceIds, id] }));
      try {
        const source = await api.call('alertSources.poll', { id });
        set((s) => ({ alertSources: s.alertSources.map((x) => (x.id === id ? source : x)) }));
      } catch (error) {
        get().reportError(`Polling ${name}`, error);
      } finally {
        set((s) => ({ pollingSourceIds: s.pollingSourceIds.filter((x) => x !== id) }));
      }
    },
    async rulesFromRunbook(runbookId, prometheusUrl) {
      try {
        return { ok: true, rules: await api.call('alertSources.rulesFromRunbook', { runbookId, prometheusUrl }) };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },
  };
}
