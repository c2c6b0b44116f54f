import type { DamagedEvent, IncidentDetail, IncidentStatus, IncidentSummary, JournalEvent, JournalKind, Severity, CallInput } from '@shared/contract';
import { ATTACHMENT_MAX_BYTES } from '@shared/contract';
import type { SliceContext } from '../../store';
import { errorMessage } from '../../app/toasts/errorMessage';
import { readPreference, writePreference } from '../../app/storage';
import { describeEvent, fileSize } from './format';
import { liveClockEvents } from './clockNotices';

/** The journal as the Timeline shows it: pages of it, newest first, for one set of kinds. */
export interface TimelineState {
  /** Empty: every kind. */
  kinds: JournalKind[];
  events: JournalEvent[];
  total: number;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
}

export type AttachmentRead = { ok: true; name: string; mediaType: string; size: number; base64: string } | { ok: false; message: string };

export type StepAction = CallInput<'incidents.step'>['action'];
export type IncidentPatch = CallInput<'incidents.update'>['patch'];

export interface IncidentsSlice {
  /** Every incident, newest first, as the core last listed them. */
  incidents: IncidentSummary[];
  incidentsLoaded: boolean;
  /** The incident shown on the Incidents page. */
  selectedIncidentId: string | null;
  /** Incidents read in full (summary, recent journal, clocks, walkthrough), by id. */
  incidentDetails: Record<string, IncidentDetail>;
  /** The Timeline of each incident it was opened for, by id. */
  timelines: Record<string, TimelineState>;
  /** The alert an incident is being started from, while the call is on its way. */
  startingIncidentFor: string | null;
  /** Incidents with a status or severity change on its way. */
  busyIncidentIds: string[];
  /** The quick-note box (Ctrl/Cmd+Shift+J) is open. */
  quickNoteOpen: boolean;
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
  /** Commander, scribe, tags, title; null once saved, else what went wrong. */
  updateIncident(id: string, patch: IncidentPatch): Promise<string | null>;
  /** A correction of an earlier event (a new event; the old one stays). */
  correctIncidentEvent(id: string, ofSeq: number, text: string): Promise<string | null>;
  attachIncidentRunbook(id: string, runbookId: string, procedureId: string): Promise<string | null>;
  /** done / skip / fail / start / reopen / choose on a walkthrough step; null once on disk. */
  stepIncident(id: string, key: string, action: StepAction, note?: string | null): Promise<string | null>;
  /** Reads a file, stores it by content hash and journals it; null once saved. */
  attachIncidentFile(id: string, file: File, caption?: string | null): Promise<string | null>;
  /** The events set aside from the incident's damaged journal tail. */
  listDamagedEvents(id: string): Promise<{ ok: true; events: DamagedEvent[] } | { ok: false; message: string }>;
  /** An attachment's bytes (checked against its hash by the core), kept for thumbnails once read. */
  readAttachment(id: string, sha256: string): Promise<AttachmentRead>;
  /** The first page of the Timeline, for these kinds (empty: all). */
  loadTimeline(id: string, kinds: JournalKind[]): Promise<void>;
  /** The next (older) page, while scrolling. */
  loadMoreTimeline(id: string): Promise<void>;
  /** The incident a quick note goes to: the selected one if open, else the most recent open one. */
  activeIncidentId(): string | null;
  openQuickNote(): void;
  closeQuickNote(): void;
}

/** Bursts of `incidents.changed` (a note typed quickly, several laptops) become one reload. */
const RELOAD_DEBOUNCE_MS = 150;
/** Timeline pages: big enough to fill a tall window many times, small enough to come back at once. */
export const TIMELINE_PAGE = 500;
/** The clock events already notified, by event id: a reload or a re-render never repeats one. */
const NOTIFIED_KEY = 'watchfloor.incidents.notified';
const NOTIFIED_MAX = 500;

const newestFirst = (a: IncidentSummary, b: IncidentSummary) => b.openedAt.localeCompare(a.openedAt);

/** Adds `event` to a journal unless it is there already (the reload may have brought it first). */
function withEvent(journal: JournalEvent[], event: JournalEvent): JournalEvent[] {
  if (journal.some((e) => e.id === event.id)) return journal;
  return [...journal, event].sort((a, b) => a.seq - b.seq);
}

function readNotified(): string[] {
  try {
    const raw = readPreference(NOTIFIED_KEY);
    const ids: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Base64 of a file's bytes, without the `data:` prefix, for incidents.attach. */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(new Error(`Could not read ${file.name}: ${reader.error?.message ?? 'unknown error'}.`));
    reader.readAsDataURL(file);
  });
}

/**
 * Incidents: the list, the selected one in full, and its Timeline. Events only say which ids
 * changed; the slice reloads the list and any incident it holds in full, debounced, and notifies
 * once for each clock event that arrived while the app was watching.
 */
export function createIncidentsSlice({ set, get, api }: SliceContext): IncidentsSlice {
  let started = false;
  let resumed = false;
  // Attachments are content-addressed: a hash read once never changes. Small images only are kept.
  const attachmentCache = new Map<string, Promise<AttachmentRead>>();
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

  /** Puts a fresh detail in the store: new events go to the top of its Timeline, clock events notify. */
  function putDetail(detail: IncidentDetail) {
    const id = detail.incident.id;
    const before = get().incidentDetails[id];
    set((s) => ({ incidentDetails: { ...s.incidentDetails, [id]: detail } }));
    putSummary(detail.incident);
    const timeline = get().timelines[id];
    if (timeline) {
      const top = timeline.events[0]?.seq ?? 0;
      const fresh = detail.recent.filter((e) => e.seq > top && (timeline.kinds.length === 0 || timeline.kinds.includes(e.kind)));
      if (fresh.length > 0) {
        const events = [...fresh.sort((a, b) => b.seq - a.seq), ...timeline.events];
        set((s) => ({ timelines: { ...s.timelines, [id]: { ...timeline, events, total: timeline.total + fresh.length } } }));
      }
    }
    // Only events that arrived live: the first load of an incident shows old ones without a sound.
    notify(detail, before?.recent ?? null);
  }

  function notify(detail: IncidentDetail, before: JournalEvent[] | null) {
    if (before === null) return;
    const notified = readNotified();
    const fresh = liveClockEvents(before, detail.recent, new Set(notified));
    if (fresh.length === 0) return;
    writePreference(NOTIFIED_KEY, JSON.stringify([...notified, ...fresh.map((e) => e.id)].slice(-NOTIFIED_MAX)));
    for (const event of fresh) {
      const escalation = event.kind === 'escalation-reached';
      const title = escalation ? `Escalate now: ${detail.incident.title}` : `Overdue: ${detail.incident.title}`;
      // The escalation prompt says who to call: the rung's action, as the runbook wrote it.
      const body = describeEvent(event);
      get().pushToast({ kind: 'error', title, message: body });
      try {
        if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          const n = new Notification(title, { body, tag: `watchfloor-incident-${event.id}` });
          n.onclick = () => {
            window.focus();
            get().selectIncident(detail.incident.id);
            get().navigate('incidents');
            n.close();
          };
        }
      } catch {
        // Some hosts only allow notifications from a service worker; the toast still says it.
      }
    }
  }

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

  /**
   * On start, an incident left open is resumed: the Incidents page, on the open incident with the
   * newest journal event, unless the operator already went somewhere in this session.
   */
  async function resume(incidents: IncidentSummary[]) {
    if (resumed) return;
    resumed = true;
    const open = incidents.filter((i) => i.status !== 'resolved');
    if (open.length === 0 || get().operatorNavigated) return;
    let best = open[0]!;
    let bestAt = best.openedAt;
    await Promise.all(
      open.slice(0, 20).map(async (incident) => {
        const at = await api
          .call('incidents.journal', { id: incident.id, kinds: [], beforeSeq: null, limit: 1 })
          .then((page) => page.events[0]?.at ?? incident.openedAt)
          .catch(() => incident.openedAt);
        if (at > bestAt) {
          best = incident;
          bestAt = at;
        }
      }),
    );
    if (get().operatorNavigated) return;
    get().selectIncident(best.id);
    set({ section: 'incidents' });
  }

  return {
    incidents: [],
    incidentsLoaded: false,
    selectedIncidentId: null,
    incidentDetails: {},
    timelines: {},
    startingIncidentFor: null,
    busyIncidentIds: [],
    quickNoteOpen: false,

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
        const sorted = [...incidents].sort(newestFirst);
        set({ incidents: sorted, incidentsLoaded: true });
        if (!resumed) void resume(sorted);
        if (get().selectedIncidentId === null && sorted.length > 0) get().selectIncident((sorted.find((i) => i.status !== 'resolved') ?? sorted[0])!.id);
        // Every open incident is held in full, so its clocks notify live wherever the operator is.
        const held = get().incidentDetails;
        for (const incident of sorted) if (incident.status !== 'resolved' && !held[incident.id]) void get().loadIncident(incident.id);
        get().clearErrors('Loading the incidents');
      } catch (error) {
        set({ incidentsLoaded: true });
        get().reportError('Loading the incidents', error);
      }
    },

    async loadIncident(id) {
      try {
        putDetail(await api.call('incidents.get', { id }));
        get().clearErrors('Opening the incident');
      } catch (error) {
        get().reportError('Opening the incident', error);
      }
    },

    selectIncident(id) {
      // Showing an incident leaves any imported bundle that was shown in its place.
      set({ selectedIncidentId: id, selectedBundleId: null });
      if (id !== null && !get().incidentDetails[id]) void get().loadIncident(id);
    },

    async startIncidentFromAlert(alertId) {
      if (get().startingIncidentFor !== null) return;
      const alert = [...get().alerts, ...get().alertHistory].find((a) => a.id === alertId);
      const activity = `Starting an incident from ${alert?.name ?? 'the alert'}`;
      set({ startingIncidentFor: alertId });
      try {
        const detail = await api.call('incidents.start', { alertIds: [alertId] });
        putDetail(detail);
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
          return { incidentDetails: { ...s.incidentDetails, [id]: { ...detail, recent: withEvent(detail.recent, event) } } };
        });
        const detail = get().incidentDetails[id];
        if (detail) putDetail(detail);
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

    async updateIncident(id, patch) {
      try {
        putSummary(await api.call('incidents.update', { id, patch }));
        void get().loadIncident(id);
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    async correctIncidentEvent(id, ofSeq, text) {
      try {
        await api.call('incidents.correct', { id, ofSeq, text });
        await get().loadIncident(id);
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    async attachIncidentRunbook(id, runbookId, procedureId) {
      try {
        putDetail(await api.call('incidents.attachRunbook', { id, runbookId, procedureId }));
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    async stepIncident(id, key, action, note = null) {
      try {
        putDetail(await api.call('incidents.step', { id, key, action, note }));
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    async attachIncidentFile(id, file, caption = null) {
      if (file.size > ATTACHMENT_MAX_BYTES) {
        return `${file.name} is ${fileSize(file.size)}; attachments are at most ${fileSize(ATTACHMENT_MAX_BYTES)}. Nothing was attached: attach a smaller file or a link to it in a note.`;
      }
      try {
        const base64 = await base64Of(file);
        await api.call('incidents.attach', { id, name: file.name || 'pasted image', mediaType: file.type || 'application/octet-stream', base64, caption });
        await get().loadIncident(id);
        return null;
      } catch (error) {
        return errorMessage(error);
      }
    },

    async listDamagedEvents(id) {
      try {
        return { ok: true, events: await api.call('incidents.damaged', { id }) };
      } catch (error) {
        return { ok: false, message: errorMessage(error) };
      }
    },

    readAttachment(id, sha256) {
      const cached = attachmentCache.get(sha256);
      if (cached) return cached;
      const read: Promise<AttachmentRead> = api.call('incidents.attachment', { id, sha256 }).then(
        (a) => ({ ok: true as const, ...a }),
        (error: unknown) => {
          attachmentCache.delete(sha256);
          return { ok: false as const, message: errorMessage(error) };
        },
      );
      if (attachmentCache.size > 50) attachmentCache.delete(attachmentCache.keys().next().value!);
      attachmentCache.set(sha256, read);
      return read;
    },

    async loadTimeline(id, kinds) {
      const previous = get().timelines[id];
      set((s) => ({ timelines: { ...s.timelines, [id]: { kinds, events: previous?.kinds.join() === kinds.join() ? previous.events : [], total: previous?.total ?? 0, hasMore: false, loading: true, error: null } } }));
      try {
        const page = await api.call('incidents.journal', { id, kinds, beforeSeq: null, limit: TIMELINE_PAGE });
        if (get().timelines[id]?.kinds.join() !== kinds.join()) return; // the filter changed meanwhile
        set((s) => ({ timelines: { ...s.timelines, [id]: { kinds, events: page.events, total: page.total, hasMore: page.hasMore, loading: false, error: null } } }));
      } catch (error) {
        set((s) => ({ timelines: { ...s.timelines, [id]: { kinds, events: [], total: 0, hasMore: false, loading: false, error: errorMessage(error) } } }));
      }
    },

    async loadMoreTimeline(id) {
      const timeline = get().timelines[id];
      if (!timeline || timeline.loading || !timeline.hasMore) return;
      const oldest = timeline.events[timeline.events.length - 1]?.seq ?? null;
      set((s) => ({ timelines: { ...s.timelines, [id]: { ...timeline, loading: true } } }));
      try {
        const page = await api.call('incidents.journal', { id, kinds: timeline.kinds, beforeSeq: oldest, limit: TIMELINE_PAGE });
        const now = get().timelines[id];
        if (!now || now.kinds.join() !== timeline.kinds.join()) return;
        const seen = new Set(now.events.map((e) => e.id));
        set((s) => ({
          timelines: { ...s.timelines, [id]: { ...now, events: [...now.events, ...page.events.filter((e) => !seen.has(e.id))], hasMore: page.hasMore, loading: false, error: null } },
        }));
      } catch (error) {
        set((s) => ({ timelines: { ...s.timelines, [id]: { ...timeline, loading: false, error: errorMessage(error) } } }));
      }
    },

    activeIncidentId() {
      const { incidents, selectedIncidentId } = get();
      const selected = incidents.find((i) => i.id === selectedIncidentId);
      if (selected && selected.status !== 'resolved') return selected.id;
      return incidents.find((i) => i.status !== 'resolved')?.id ?? null;
    },
    openQuickNote() {
      set({ quickNoteOpen: true, paletteOpen: false });
    },
    closeQuickNote() {
      set({ quickNoteOpen: false });
    },
  };
}
