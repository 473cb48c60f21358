-- 003 consent: what each camera's owner agreed to share, and when.
-- A camera with no consent rows at all is the station's own camera: full
-- rights.  Once a camera has rows, only the row in force at a moment grants
-- anything (none in force = nothing: no recording, no live view, no export).
CREATE TABLE consents (
  id            INTEGER PRIMARY KEY,
  camera_id     INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  allow_live    INTEGER NOT NULL DEFAULT 0,
  allow_record  INTEGER NOT NULL DEFAULT 0,
  allow_export  INTEGER NOT NULL DEFAULT 0,
  valid_from_us INTEGER NOT NULL,
  valid_to_us   INTEGER,                    -- NULL = until withdrawn
  recorded_by   TEXT NOT NULL,              -- who recorded the agreement
  recorded_us   INTEGER NOT NULL,
  note          TEXT,
  CHECK (valid_to_us IS NULL OR valid_to_us > valid_from_us)
);
CREATE INDEX consents_camera ON consents(camera_id, valid_from_us);
