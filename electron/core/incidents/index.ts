/**
 * Incidents: the incident service (open, note, status, severity, walkthrough steps), its journal,
 * the append-only, hash-chained record that recovery and bundles verify, the walkthrough derived
 * from the runbook and the journal, and the watcher that journals escalations and overdue clocks.
 */
export { IncidentService, type IncidentServiceOptions, type IncidentState, type StartIncident } from './service';
export { buildWalkthrough, currentItem, planOf, stepKey, WALK_KINDS } from './walkthrough';
export { IncidentWatcher, MAX_SLEEP_MS, dueEvents, type IncidentWatcherOptions } from './watcher';
export { GENESIS_HASH, Journal, canonicalJson, deviceId, eventHash, verifyJournal, type JournalCheck } from './journal';
export { DEFAULT_RESPONSE_MINUTES, incidentClocks, resolvedAtOf, severityOfLevel, type IncidentClockInput } from './clocks';
export { AttachmentStore, IncidentAttachments, decodeBase64 } from './attachments';
export { damagedCount, damagedEvents, isDamagedTail, recoverJournals, verifyResolvedInBackground, type RecoveryOutcome } from './recovery';
export { AlertEvents } from './alert-events';
export { IncidentCommands, OUTPUT_HEAD_BYTES, OUTPUT_TAIL_BYTES, trimOutput } from './commands';
