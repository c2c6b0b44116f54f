/**
 * Incidents: the incident service (open, note, status, severity) and its journal, the
 * append-only, hash-chained record that recovery and bundles verify.
 */
export { IncidentService, type IncidentServiceOptions, type StartIncident } from './service';
export { GENESIS_HASH, Journal, canonicalJson, deviceId, eventHash, verifyJournal, type JournalCheck } from './journal';
export { DEFAULT_RESPONSE_MINUTES, incidentClocks, resolvedAtOf, severityOfLevel, type IncidentClockInput } from './clocks';
