// Runbook sources (watched folders and git repositories), and where each runbook came from.
//
// A runbook's source_id is ON DELETE SET NULL: removing a source never deletes runbooks by
// accident. RunbookSources.remove() turns that source's runbooks into uploads itself (in the same
// transaction), so they stay in the library, still searchable and editable in Watchfloor; the
// foreign key only guarantees nothing can point at a source that is gone.
export default /* sql */ `
CREATE TABLE runbook_sources (
  id                    TEXT PRIMARY KEY,
  kind                  TEXT NOT NULL CHECK (kind IN ('folder', 'git')),
  location              TEXT NOT NULL,   -- an absolute folder path, or what git clones (URL or path)
  branch                TEXT,            -- git: the branch followed; NULL: the remote's default
  pull_interval_minutes INTEGER,         -- git: pull on this schedule; NULL: on demand only
  last_sync_at          TEXT,
  last_error            TEXT,            -- written for the operator; NULL when the last sync went well
  created_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX runbook_sources_location ON runbook_sources (kind, location, IFNULL(branch, ''));

ALTER TABLE runbooks ADD COLUMN origin TEXT NOT NULL DEFAULT 'upload'
  CHECK (origin IN ('upload', 'bundled', 'folder', 'git'));
ALTER TABLE runbooks ADD COLUMN source_id TEXT REFERENCES runbook_sources (id) ON DELETE SET NULL;
-- Its file disappeared from its source: kept, shown, read-only, never silently lost.
ALTER TABLE runbooks ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
-- When its source last changed: a file's modification time, or the last commit touching it.
ALTER TABLE runbooks ADD COLUMN changed_at TEXT;
UPDATE runbooks SET origin = 'bundled' WHERE bundled = 1;
CREATE INDEX runbooks_source_id ON runbooks (source_id);
`;
