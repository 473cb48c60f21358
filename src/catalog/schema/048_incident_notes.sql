-- 048 notes in an incident's case file (issue 13 item 3): what an officer
-- writes down about the evidence ("đã sao chép cho cơ quan điều tra",
-- "chủ camera xác nhận giờ trên camera chậm 2 phút").  Part of the record:
-- never changed or deleted (a later note corrects an earlier one); each is
-- audited (incident_note, with its note_id) so the chain of custody lists
-- it.  user_name is kept as written, so the row stays readable after the
-- user is removed.  The notes go with their incident.
CREATE TABLE incident_notes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  at_us       INTEGER NOT NULL,
  user_id     INTEGER,
  user_name   TEXT NOT NULL,
  text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000)
);
CREATE INDEX incident_notes_incident ON incident_notes(incident_id, at_us);
