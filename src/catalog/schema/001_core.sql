-- 001 core: settings, wards, cameras, streams, segments, gaps.
-- Times are INTEGER µs since the Unix epoch, UTC.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE wards (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  district TEXT,
  province TEXT
);

CREATE TABLE cameras (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  address        TEXT,
  latitude       REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
  longitude      REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
  ward_id        INTEGER REFERENCES wards(id),
  main_url       TEXT NOT NULL,
  sub_url        TEXT,
  username       TEXT,
  password       TEXT,               -- secret; never shown back
  transport      TEXT NOT NULL DEFAULT 'tcp' CHECK (transport IN ('tcp','udp')),
  enabled        INTEGER NOT NULL DEFAULT 1,
  retention_days INTEGER NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 3650),
  direction_deg  REAL,
  created_us     INTEGER NOT NULL
);
CREATE INDEX cameras_ward ON cameras(ward_id);

CREATE TABLE streams (
  id        INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('main','sub')),
  UNIQUE (camera_id, kind)
);

CREATE TABLE segments (
  id         INTEGER PRIMARY KEY,
  stream_id  INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  camera_id  INTEGER NOT NULL,
  start_us   INTEGER NOT NULL,
  end_us     INTEGER NOT NULL CHECK (end_us >= start_us),
  path       TEXT NOT NULL UNIQUE,
  bytes      INTEGER NOT NULL,
  frames     INTEGER NOT NULL,
  codec      TEXT,
  frag_index BLOB,
  state      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX segments_stream_start ON segments(stream_id, start_us);
CREATE INDEX segments_camera_start ON segments(camera_id, start_us);
CREATE INDEX segments_start ON segments(start_us);

CREATE TABLE gaps (
  id        INTEGER PRIMARY KEY,
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  start_us  INTEGER NOT NULL,
  end_us    INTEGER NOT NULL,
  reason    TEXT NOT NULL
);
CREATE INDEX gaps_stream_start ON gaps(stream_id, start_us);
