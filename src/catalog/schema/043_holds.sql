-- 043 holds: footage kept whatever retention says (issue 13 item 1).
-- A hold keeps every segment of its camera that overlaps [from_us, to_us)
-- while it is in force: not released and until_us still ahead.  Rows are
-- never deleted: a release says who, when and why (and is audited).
-- camera_id has no ON DELETE: a camera with footage under a hold in force
-- is not deleted (the API answers 409); the constraint is the last guard.
CREATE TABLE holds (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  camera_id      INTEGER NOT NULL REFERENCES cameras(id),
  from_us        INTEGER NOT NULL,
  to_us          INTEGER NOT NULL CHECK (to_us > from_us),
  reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  incident_id    INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  until_us       INTEGER NOT NULL,
  created_us     INTEGER NOT NULL,
  created_by     TEXT NOT NULL,
  created_by_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
  released_us    INTEGER,
  released_by    TEXT,
  release_reason TEXT
);
CREATE INDEX holds_camera ON holds(camera_id, from_us);
