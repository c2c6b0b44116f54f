import type { IncidentDetail, IncidentStatus, IncidentSummary, JournalEvent, Severity } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage } from '../../app/toasts/errorMessage';

export interface IncidentsSlice {
  /** Every incident, newest first, as the core last listed them. */
  incidents: IncidentSummary[];
  incidentsLoaded: boolean;
  /** The incident shown on the Incidents page. */
  selectedIncidentId: string | null;
  /** Incidents read in full (summary and journal), by id. */
  incidentDetails: Record<string, IncidentDetail>;
  /** The alert an incident is being started from, while the call is on its way. */
  startingIncidentFor: string | null;
  /** Incidents with a status or severity change on its way. */
  busyIncidentIds: string[];
  /** Once: load the list and follow `incidents.changed`. */
  startIncidents(): void;
  loadIncidents(): Promise<void>;
  loadIncident(id: string): Promise<void>;
  selectIncident(id: string | null): void;
  /** Opens an incident from an alert (its runbook and environment come with it) and shows it. */
  startIncidentFromAlert(alertId: string): Promise<void>;
  /** Appends a note; resolves once it is on disk (null), or to what went wrong. */
  addIncidentNote(id: string, text: string): Promise<string | null>;
  setIncidentStatus(id: string, status: IncidentStatus): Promise<void>;
  setIncidentSeverity(id: string, severity: Severity): Promise<void>;
}

/** Bursts of `incidents.changed` (a note typed quickly, several laptops) become one reload. */
const RELOAD_DEBOUNCE_MS = 150;

const newestFirst = (a: IncidentSummary, b: IncidentSummary) => b.openedAt.localeCompare(a.openedAt);

/** Adds `event` to a journal unless it is there already (the reload may have brought it first). */
function withEvent(journal: JournalEvent[], event: JournalEvent): JournalEvent[] {
  if (journal.some((e) => e.id === event.id)) return journal;
  return [...journal, event].sort((a, b) => a.seq - b.seq);
}

/**
 * Incidents: the list, and the selected one in full. Events only say which ids changed; the slice
 * reloads the list and any incident it holds in full, debounced.
 */
export function createIncidentsSlice({ set, get, api }: SliceContext): IncidentsSlice {
  let started = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const changed = new Set<string>();
  const titleOf = (id: string) => get().incidents.find((i) => i.id === id)?.title ?? 'the incident';

  const putSummary = (incident: IncidentSummary) =>
    set((s) => {
      const others = s.incidents.filter((i) => i.id !== incident.id);
      const detail = s.incidentDetails[incident.id];
      return {
        incidents: [incident, ...others].sort(newestFirst),
        ...(detail ? { incidentDetails: { ...s.incidentDetails, [incident.id]: { ...detail, incident } } } : {}),
      };
    });

  async function onIncident(id: string, activity: string, call: () => Promise<IncidentSummary>): Promise<void> {
    set((s) => ({ busyIncidentIds: [...s.busyIncidentIds, id] }));
    try {
      putSummary(await call());
      get().clearErrors(activity);
      // The journal grew (a status or severity event): the core says so in incidents.changed too.
      void get().loadIncident(id);
    } catch (error) {
      get().reportError(activity, error);
    } finally {
      set((s) => ({ busyIncidentIds: s.busyIncidentIds.filter((x) => x !== id) }));
    }
  }

  return {
    incidents: [],
    incidentsLoaded: false,
    selectedIncidentId: null,
    incidentDetails: {},
    startingIncidentFor: null,
    busyIncidentIds: [],

    startIncidents() {
      if (started) return;
      started = true;
      api.on('incidents.changed', ({ ids }) => {
        for (const id of ids) changed.add(id);
        if (timer) return;
        timer = setTimeout(() => {
          timer = null;
          const ids = [...changed];
          changed.clear();
          void get().loadIncidents();
          const held = get().incidentDetails;
          for (const id of ids) if (held[id] || id === get().selectedIncidentId) void get().loadIncident(id);
        }, RELOAD_DEBOUNCE_MS);
      });
      void get().loadIncidents();
    },

    async loadIncidents() {
      try {
        const incidents = await api.call('incidents.list', { includeResolved: true });
        set({ incidents: [...incidents].sort(newestFirst), incidentsLoaded: true });
        if (get().selectedIncidentId === null && incidents.length > 0) get().selectIncident([...incidents].sort(newestFirst)[0]!.id);
        get().clearErrors('Loading the incidents');
      } catch (error) {
        set({ incidentsLoaded: true });
        get().reportError('Loading the incidents', error);
      }
    },

    async loadIncident(id) {
      try {
        const detail = await api.call('incidents.get', { id });
        set((s) => ({ incidentDetails: { ...s.incidentDetails, [id]: detail } }));
        putSummary(detail.incident);
        get().clearErrors('Opening the incident');
      } catch (error) {
        get().reportError('Opening the incident', error);
      }
    },

    selectIncident(id) {
      set({ selectedIncidentId: id });
      if (id !== null && !get().incidentDetails[id]) void get().loadIncident(id);
    },

    async startIncidentFromAlert(alertId) {
      if (get().startingIncidentFor !== null) return;
      const alert = [...get().alerts, ...get().alertHistory].find((a) => a.id === alertId);
      const activity = `Starting an incident from ${alert?.name ?? 'the alert'}`;
      set({ startingIncidentFor: alertId });
      try {
        const detail = await api.call('incidents.start', { alertIds: [alertId] });
        set((s) => ({ incidentDetails: { ...s.incidentDetails, [detail.incident.id]: detail } }));
        putSummary(detail.incident);
        get().clearErrors(activity);
        set({ selectedIncidentId: detail.incident.id, alertDetailsOpen: false });
        get().navigate('incidents');
      } catch (error) {
        get().reportError(activity, error);
      } finally {
        set({ startingIncidentFor: null });
      }
    },

    async addIncidentNote(id, text) {
      try {
        const event = await api.call('incidents.note', { id, text });
        set((s) => {
          const detail = s.incidentDetails[id];
          if (!detail) return {};
          return { incidentDetails: { ...s.incidentDetails, [id]: { ...detail, journal: withEvent(detail.journal, event) } } };
        });
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    setIncidentStatus(id, status) {
      return onIncident(id, `Setting the status of ${titleOf(id)}`, () => api.call('incidents.setStatus', { id, status }));
    },
    setIncidentSeverity(id, severity) {
      return onIncident(id, `Setting the severity of ${titleOf(id)}`, () => api.call('incidents.setSeverity', { id, severity }));
    },
  };
}
