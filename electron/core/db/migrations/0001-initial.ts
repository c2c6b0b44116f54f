// Environments and the runbook library with its full-text index.
export default /* sql */ `
CREATE TABLE environments (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  tier        TEXT NOT NULL CHECK (tier IN ('production', 'staging', 'development', 'other')),
  color       TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  variables   TEXT NOT NULL DEFAULT '[]',  -- JSON [{key, value}]; secrets live in the vault, never here
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX environments_name ON environments (name COLLATE NOCASE);

CREATE TABLE runbooks (
  id              TEXT PRIMARY KEY,
  title           TEXT NOT NULL,
  source_path     TEXT NOT NULL,
  source_name     TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  bundled         INTEGER NOT NULL DEFAULT 0,
  source_text     TEXT NOT NULL,
  structure       TEXT NOT NULL,             -- ImportedRunbook as JSON (shared/runbook.ts)
  procedure_count INTEGER NOT NULL,
  step_count      INTEGER NOT NULL,
  command_count   INTEGER NOT NULL,
  imported_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX runbooks_source ON runbooks (source_path);

-- One row per searchable unit (runbook title, procedure, step, command). Positions are
-- unindexed columns so a hit can open the runbook at the right place.
CREATE VIRTUAL TABLE runbook_search USING fts5 (
  title,
  body,
  runbook_id UNINDEXED,
  kind UNINDEXED,
  procedure_index UNINDEXED,
  step_index UNINDEXED,
  line UNINDEXED,
  tokenize = "unicode61 remove_diacritics 2 tokenchars '-_.'",
  prefix = '2 3 4'
);
`;
