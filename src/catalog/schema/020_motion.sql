-- 020 motion: detected motion events, their thumbnails, per-camera settings.
-- Times are INTEGER µs since the Unix epoch, UTC.
--
-- Queries this layout is for (see cat_events.c):
--   one camera (or a few), a time range, newest first  → motion_events_camera_start
--   all cameras, a time range, newest first, paged      → motion_events_start
-- Both indexes end in the rowid and are scanned backwards, which yields
-- exactly ORDER BY start_us DESC, id DESC: the keyset cursor
-- (start_us, id) < (?, ?) then walks them without a sort.  (A DESC index
-- would order ties by id ASC and force a sort for the cursor's order.)  An event is at most one hour long (CHECK), so
-- "overlaps [from, to)" becomes a bounded range on start_us.
--
-- Thumbnails live in their own table: a 20–40 KB JPEG inline would spread
-- the event rows over overflow pages and slow every listing that never shows
-- a picture.
CREATE TABLE motion_events (
  id         INTEGER PRIMARY KEY,
  camera_id  INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  stream_id  INTEGER REFERENCES streams(id) ON DELETE SET NULL,
  start_us   INTEGER NOT NULL,
  end_us     INTEGER NOT NULL,
  peak_us    INTEGER NOT NULL,
  peak_score REAL NOT NULL CHECK (peak_score BETWEEN 0 AND 1),
  zone       TEXT NOT NULL DEFAULT '',
  CHECK (end_us >= start_us AND end_us - start_us <= 3600000000),
  CHECK (peak_us BETWEEN start_us AND end_us)
);
CREATE INDEX motion_events_camera_start ON motion_events(camera_id, start_us);
CREATE INDEX motion_events_start ON motion_events(start_us);

CREATE TABLE motion_thumbnails (
  event_id INTEGER PRIMARY KEY REFERENCES motion_events(id) ON DELETE CASCADE,
  jpeg     BLOB NOT NULL
);

CREATE TABLE motion_settings (
  camera_id      INTEGER PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
  enabled        INTEGER NOT NULL DEFAULT 1,
  sensitivity    INTEGER NOT NULL DEFAULT 50 CHECK (sensitivity BETWEEN 1 AND 100),
  min_area       REAL NOT NULL DEFAULT 0.3 CHECK (min_area > 0 AND min_area <= 100),
  rate           REAL NOT NULL DEFAULT 5 CHECK (rate >= 0.2 AND rate <= 30),
  keyframes_only INTEGER NOT NULL DEFAULT 0,
  zones          TEXT,               -- {"zones":[…]} as motion_zones_parse reads it
  updated_us     INTEGER NOT NULL
);
