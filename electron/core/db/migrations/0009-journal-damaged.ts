// Damaged journal tails, kept aside. On start, recovery (electron/core/incidents/recovery.ts) finds
// an incident whose journal ends in events that break the hash chain (a torn write, a truncated
// data blob, a bad hash): it copies each of those rows, every column as it was found, into
// `journal_damaged`, removes them from `journal`, and appends a `journal-damaged` event naming the
// last good one, so the chain verifies again and nothing is silently dropped.
//
// The journal stays append-only: its delete trigger is recreated to allow a DELETE only of a row
// already copied here (the same incident, seq and event id), and nothing else. The kept rows are
// themselves never changed or removed.
export default /* sql */ `
CREATE TABLE journal_damaged (
  incident_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,                -- as found (the seq a journal-damaged event takes later may repeat it)
  event_id    TEXT NOT NULL,                   -- journal.id of the row kept aside
  kept_at     TEXT NOT NULL,
  reason      TEXT NOT NULL,                   -- why the chain broke there, for the operator
  raw         TEXT NOT NULL                    -- JSON object: every column of the journal row, as found
);
CREATE INDEX journal_damaged_by_incident ON journal_damaged (incident_id, seq);

CREATE TRIGGER journal_damaged_refuses_update BEFORE UPDATE ON journal_damaged
BEGIN
  SELECT RAISE(ABORT, 'damaged journal events are kept as found');
END;
CREATE TRIGGER journal_damaged_refuses_delete BEFORE DELETE ON journal_damaged
BEGIN
  SELECT RAISE(ABORT, 'damaged journal events are kept as found');
END;

DROP TRIGGER journal_refuses_delete;
CREATE TRIGGER journal_refuses_delete BEFORE DELETE ON journal
WHEN NOT EXISTS (
  SELECT 1 FROM journal_damaged d WHERE d.incident_id = OLD.incident_id AND d.seq = OLD.seq AND d.event_id = OLD.id
)
BEGIN
  SELECT RAISE(ABORT, 'the journal is append-only: events are never deleted');
END;
`;
