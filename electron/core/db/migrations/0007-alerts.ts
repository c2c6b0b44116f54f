// Alert feeds: the sources Watchfloor watches, the alerts they report (one row per fingerprint,
// its present state), what happened to each alert (history), and the runbooks operators pinned.
//
// A webhook source's bearer token is shown once, when the source is created; only its SHA-256 is
// kept. Alerts carry their source's name and kind as they were, so history still reads right after
// a source is deleted or renamed (source_id has no foreign key for the same reason).
export default /* sql */ `
CREATE TABLE alert_sources (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  kind                 TEXT NOT NULL,
  environment_id       TEXT,
  config               TEXT NOT NULL,             -- AlertSourceConfig as JSON
  poll_seconds         INTEGER NOT NULL,
  timeout_seconds      INTEGER NOT NULL,
  enabled              INTEGER NOT NULL DEFAULT 1,
  token_sha256         TEXT,                      -- webhooks: hex SHA-256 of the bearer token
  last_success_at      TEXT,
  last_error_at        TEXT,
  last_error           TEXT,                      -- the last failure, written for the operator (kept after recovery, with its time)
  latency_ms           REAL,
  stale_since          TEXT,                      -- first failed poll since the last good one
  next_poll_at         TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at           TEXT NOT NULL
);

CREATE TABLE alerts (
  id              TEXT PRIMARY KEY,               -- the fingerprint: one alert across sources
  source_id       TEXT NOT NULL,
  source_name     TEXT NOT NULL,
  source_kind     TEXT NOT NULL,
  environment_id  TEXT,
  name            TEXT NOT NULL,
  summary         TEXT NOT NULL,
  labels          TEXT NOT NULL,                  -- JSON object of strings
  severity        TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
  state           TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'silenced', 'resolved')),
  starts_at       TEXT NOT NULL,
  ends_at         TEXT,
  last_seen_at    TEXT NOT NULL,
  url             TEXT,
  silence_id      TEXT,
  acknowledged_at TEXT
);
CREATE INDEX alerts_by_state ON alerts (state, last_seen_at DESC);
CREATE INDEX alerts_by_source ON alerts (source_id);

CREATE TABLE alert_history (
  seq       INTEGER PRIMARY KEY,
  alert_id  TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('fired', 'resolved', 'silenced', 'unsilenced', 'acknowledged')),
  at        TEXT NOT NULL,
  source_id TEXT,
  detail    TEXT
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id, seq);
CREATE INDEX alert_history_by_time ON alert_history (at);

-- The operator's choice of runbook for an alert name (compared case- and space-insensitively).
CREATE TABLE alert_runbook_links (
  name_key     TEXT PRIMARY KEY,
  alert_name   TEXT NOT NULL,
  runbook_id   TEXT NOT NULL,
  procedure_id TEXT,
  created_at   TEXT NOT NULL
);
`;
