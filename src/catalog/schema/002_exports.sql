-- 002 exports: every evidence export, who made it, and the file's hash.
CREATE TABLE exports (
  id          INTEGER PRIMARY KEY,
  camera_id   INTEGER NOT NULL,
  stream      TEXT NOT NULL,
  from_us     INTEGER NOT NULL,
  to_us       INTEGER NOT NULL,
  first_us    INTEGER,            -- wall time of the first frame in the file
  last_us     INTEGER,
  path        TEXT NOT NULL,      -- relative to the data folder, or absolute (CLI -o)
  bytes       INTEGER NOT NULL,
  frames      INTEGER NOT NULL,
  sha256      TEXT NOT NULL,
  manifest    TEXT NOT NULL,      -- the manifest JSON as written
  user_id     INTEGER,
  username    TEXT NOT NULL,
  created_us  INTEGER NOT NULL
);
CREATE INDEX exports_camera ON exports(camera_id, created_us);
