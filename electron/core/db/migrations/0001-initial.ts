// Environments, the operator's preferences, and the runbook library with its full-text index.
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

-- What the operator chose last (current environment, theme): kept by the core, not the browser,
-- so it survives a restart of the headless host on another port (another origin).
CREATE TABLE preferences (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL            -- JSON
);

-- A runbook as imported. Its structure is not stored: the importer is a pure function of
-- source_text, so the library derives it again when a runbook is opened (and keeps the last few
-- in memory). \`outline\` keeps only what a search hit needs to open the runbook at a step: JSON
-- {"p": [[line, endLine, path]], "s": [[procedureIndex, stepIndex, line, endLine, title]],
--  "c": [[line, endLine]]} for procedures, steps and the commands outside every procedure.
CREATE TABLE runbooks (
  seq             INTEGER PRIMARY KEY,  -- its row in runbook_search
  id              TEXT NOT NULL UNIQUE,
  title           TEXT NOT NULL,
  source_path     TEXT NOT NULL,
  source_name     TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  bundled         INTEGER NOT NULL DEFAULT 0,
  source_text     TEXT NOT NULL,
  headings        TEXT NOT NULL,        -- procedure and step titles, one a line
  outline         TEXT NOT NULL,
  procedure_count INTEGER NOT NULL,
  step_count      INTEGER NOT NULL,
  command_count   INTEGER NOT NULL,
  imported_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX runbooks_source ON runbooks (source_path);

-- Full-text index over each runbook's title, headings and whole source text (so every word of the
-- file is found, whether or not the importer understood it), read from the runbooks table itself
-- (external content: nothing is stored twice). Words split on punctuation: \`rdm-api\`,
-- \`pg_stat_activity\`, \`queue.depth\` are found by their parts.
CREATE VIRTUAL TABLE runbook_search USING fts5 (
  title,
  headings,
  source_text,
  content = 'runbooks',
  content_rowid = 'seq',
  tokenize = "unicode61 remove_diacritics 2"
);
`;
