// Incidents: what each incident is now (title, severity, status, links), the alerts attached to it,
// and its journal, the append-only record of everything that happened.
//
// The journal is the record an operator trusts after a crash: rows are only ever added. Triggers
// refuse UPDATE and DELETE, so a correction is a new event and the hash chain (electron/core/
// incidents/journal.ts) shows any edit made around them. It has no foreign key to incidents for
// the same reason: nothing that happens to an incident row may take journal rows with it, and
// events from another laptop's journal can be merged before their incident row arrives.
//
// `device` holds this install's id, made once and written into every event it appends.
export default /* sql */ `
CREATE TABLE device (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  id         TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE incidents (
  id             TEXT PRIMARY KEY,
  title          TEXT NOT NULL,
  severity       TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
  status         TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'mitigating', 'monitoring', 'resolved')),
  environment_id TEXT,
  runbook_id     TEXT,
  procedure_id   TEXT,
  commander      TEXT,
  scribe         TEXT,
  tags           TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  opened_at      TEXT NOT NULL,
  resolved_at    TEXT
);
CREATE INDEX incidents_by_opened ON incidents (opened_at DESC);

CREATE TABLE incident_alerts (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  alert_id    TEXT NOT NULL,                   -- no foreign key: resolved alerts are forgotten, incidents keep their ids
  position    INTEGER NOT NULL,
  attached_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, alert_id)
);

CREATE TABLE journal (
  incident_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,                -- 1, 2, 3... per incident
  id          TEXT NOT NULL UNIQUE,            -- globally unique, for merging journals from several laptops
  kind        TEXT NOT NULL,
  at          TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  data        TEXT NOT NULL,                   -- JSON object, keys sorted
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  UNIQUE (incident_id, seq)
);

CREATE TRIGGER journal_refuses_update BEFORE UPDATE ON journal
BEGIN
  SELECT RAISE(ABORT, 'the journal is append-only: a correction is a new event');
END;
CREATE TRIGGER journal_refuses_delete BEFORE DELETE ON journal
BEGIN
  SELECT RAISE(ABORT, 'the journal is append-only: events are never deleted');
END;
`;
