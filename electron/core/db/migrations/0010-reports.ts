// Reports: the operator's report template (one, or none for the default), and incident bundles
// imported from other laptops. A bundle is kept as imported, read-only: its text is what was
// verified, so it is never updated; deleting it is the operator's choice. One incident's bundle at
// one journal state (its last event's hash) is imported once: the same file twice is one bundle.
export default /* sql */ `
CREATE TABLE report_template (
  singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
  template   TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE bundles (
  id           TEXT PRIMARY KEY,
  file_name    TEXT NOT NULL,
  imported_at  TEXT NOT NULL,
  incident_id  TEXT NOT NULL,
  last_hash    TEXT NOT NULL,                  -- the last journal event's hash ('' for an empty journal)
  exported_at  TEXT NOT NULL,
  exported_by  TEXT NOT NULL,
  title        TEXT NOT NULL,
  severity     TEXT NOT NULL,
  status       TEXT NOT NULL,
  verification TEXT NOT NULL,                  -- JSON: BundleVerification, as checked on import
  bundle       TEXT NOT NULL,                  -- JSON: the IncidentBundle as parsed
  UNIQUE (incident_id, last_hash)
);
CREATE INDEX bundles_by_import ON bundles (imported_at);

CREATE TRIGGER bundles_refuse_update BEFORE UPDATE ON bundles
BEGIN
  SELECT RAISE(ABORT, 'imported bundles are read-only');
END;
`;
