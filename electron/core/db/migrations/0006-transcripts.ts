// Commands sent from runbook steps and what came back, for the incident journal. Only redacted
// text is stored: the command with known secret values replaced, the output ANSI-stripped,
// redacted and capped. Ids of runbooks, environments and terminals are kept with their names as
// they were, so a transcript still reads right after any of them is deleted or renamed.
export default /* sql */ `
CREATE TABLE transcripts (
  id               TEXT PRIMARY KEY,
  runbook_id       TEXT NOT NULL,
  runbook_title    TEXT NOT NULL,
  line             INTEGER NOT NULL,
  environment_id   TEXT NOT NULL,
  environment_name TEXT NOT NULL,
  terminal_id      TEXT NOT NULL,
  terminal_title   TEXT NOT NULL,
  command          TEXT NOT NULL,
  sent_at          TEXT NOT NULL,
  finished_at      TEXT,
  exit_code        INTEGER,
  output           TEXT NOT NULL DEFAULT '',
  truncated        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX transcripts_by_environment ON transcripts (environment_id, sent_at DESC);
CREATE INDEX transcripts_by_terminal ON transcripts (terminal_id, sent_at DESC);
`;
