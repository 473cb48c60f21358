-- 011 audit: the tamper-evident record of who looked at what.
-- Each row's hash = SHA-256(prev_hash ‖ canonical fields) (see
-- catalog/cat_audit.c for the exact byte layout), prev_hash being the hash
-- of the row with the next-lower id (64 zeros for the first).  Changing,
-- removing or reordering a row breaks the chain at that row; the settings
-- key 'audit.head' ("id:hash" of the last row) catches a cut-off tail.
-- No foreign keys: the trail must outlive the users and cameras it names.
CREATE TABLE audit (
  id            INTEGER PRIMARY KEY,
  at_us         INTEGER NOT NULL,
  user_id       INTEGER,
  username      TEXT,
  action        TEXT NOT NULL,
  camera_id     INTEGER,
  range_from_us INTEGER,
  range_to_us   INTEGER,
  client_addr   TEXT,
  detail        TEXT,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
);
CREATE INDEX audit_camera ON audit(camera_id, id);
CREATE INDEX audit_user ON audit(user_id, id);
CREATE INDEX audit_at ON audit(at_us);
