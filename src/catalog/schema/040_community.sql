-- 040 community cameras: the consent register's history columns, the
-- registration workflow (probes, activation gate), camera-dark alerts and
-- their webhooks, availability intervals, and evidence bundles from the
-- place-and-time search.  Times are INTEGER µs since the Unix epoch, UTC.

-- Consent (003) keeps its meaning: a camera with no rows is the station's
-- own; with rows, only the row in force at a moment grants anything.  Rows
-- are never deleted: a withdrawal ends the row (valid_to_us = the moment)
-- and says who and why; a new agreement ends the one in force at its start.
ALTER TABLE consents ADD COLUMN withdrawn_us INTEGER;
ALTER TABLE consents ADD COLUMN withdrawn_by TEXT;
ALTER TABLE consents ADD COLUMN withdraw_note TEXT;
ALTER TABLE consents ADD COLUMN recorded_by_id INTEGER;   -- users.id (no FK: history)

-- How a camera entered the register.  probe_required: it may be switched
-- on (enabled 0 → 1) only after a successful connection probe.  Cameras
-- created switched off get a row by trigger (the console's "add, probe,
-- activate" flow); `camera import` writes its own.  Station cameras created
-- switched on (CLI `camera add`) have no row and no gate.
CREATE TABLE camera_registrations (
  camera_id      INTEGER PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
  source         TEXT NOT NULL CHECK (source IN ('import','console')),
  probe_required INTEGER NOT NULL DEFAULT 1,
  registered_us  INTEGER NOT NULL,
  registered_by  TEXT
);

CREATE TRIGGER camera_registration_on_insert AFTER INSERT ON cameras
WHEN NEW.enabled = 0
BEGIN
  INSERT OR IGNORE INTO camera_registrations(camera_id, source, probe_required, registered_us)
  VALUES (NEW.id, 'console', 1, NEW.created_us);
END;

-- Connection probes: the result of each, newest last.  The still is small
-- (≤ 640 px wide JPEG) and only the latest per camera is kept (see
-- cat_community.c).
CREATE TABLE camera_probes (
  id         INTEGER PRIMARY KEY,
  camera_id  INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  at_us      INTEGER NOT NULL,
  ok         INTEGER NOT NULL,
  error_code TEXT,                 -- camera_unauthorized | camera_refused | camera_timeout | …
  message    TEXT,
  codec      TEXT,
  width      INTEGER,
  height     INTEGER,
  elapsed_ms INTEGER,
  probed_by  TEXT,
  jpeg       BLOB
);
CREATE INDEX camera_probes_camera ON camera_probes(camera_id, id);

-- The gate: switching on a camera that needs a probe, whose latest probe
-- did not succeed, is refused by the catalog itself, whoever asks.
CREATE TRIGGER camera_activation_needs_probe BEFORE UPDATE OF enabled ON cameras
WHEN NEW.enabled = 1 AND OLD.enabled = 0
 AND EXISTS (SELECT 1 FROM camera_registrations r WHERE r.camera_id = NEW.id AND r.probe_required = 1)
 AND COALESCE((SELECT p.ok FROM camera_probes p WHERE p.camera_id = NEW.id ORDER BY p.id DESC LIMIT 1), 0) = 0
BEGIN
  SELECT RAISE(ABORT, 'camera not probed: a successful connection probe is needed before it is switched on');
END;

-- Dark alerts.  One row per outage: raised when a camera has been offline
-- longer than its ward's threshold, cleared when it returns (or is switched
-- off / removed).  The owner's contact is a snapshot: the person to call at
-- the time, even if the owner record changes later.  No FK: the history
-- outlives the camera.
CREATE TABLE camera_alerts (
  id            INTEGER PRIMARY KEY,
  camera_id     INTEGER NOT NULL,
  ward_id       INTEGER,
  camera_name   TEXT NOT NULL,
  since_us      INTEGER NOT NULL,        -- last picture (or first seen dark)
  raised_us     INTEGER NOT NULL,
  cleared_us    INTEGER,
  cleared_why   TEXT,                    -- 'online' | 'disabled' | 'removed'
  reason        TEXT,                    -- the stream's last reason
  owner_id      INTEGER,
  owner_name    TEXT,
  owner_phone   TEXT,
  owner_kind    TEXT
);
CREATE INDEX camera_alerts_open ON camera_alerts(camera_id, cleared_us);
CREATE INDEX camera_alerts_raised ON camera_alerts(raised_us);

-- Per-ward threshold; ward_id 0 = the default for every ward without a row
-- (and cameras with no ward).  Default 15 min.
CREATE TABLE alert_settings (
  ward_id      INTEGER PRIMARY KEY,
  dark_after_s INTEGER NOT NULL CHECK (dark_after_s BETWEEN 1 AND 604800),
  updated_us   INTEGER NOT NULL,
  updated_by   TEXT
);
INSERT INTO alert_settings(ward_id, dark_after_s, updated_us) VALUES (0, 900, 0);

-- Where alerts are POSTed.  ward_id NULL = every ward.
CREATE TABLE alert_webhooks (
  id         INTEGER PRIMARY KEY,
  url        TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
  ward_id    INTEGER REFERENCES wards(id) ON DELETE CASCADE,
  enabled    INTEGER NOT NULL DEFAULT 1,
  created_us INTEGER NOT NULL,
  created_by TEXT
);

-- Each webhook delivery (after its retries): what was sent where, and how it went.
CREATE TABLE alert_deliveries (
  id          INTEGER PRIMARY KEY,
  alert_id    INTEGER NOT NULL,
  webhook_id  INTEGER NOT NULL,
  event       TEXT NOT NULL CHECK (event IN ('raised','cleared','test')),
  at_us       INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  http_status INTEGER,
  attempts    INTEGER NOT NULL,
  error       TEXT
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);

-- Availability as state intervals rather than fixed buckets: a camera that
-- is up all week is one row, exact to the monitor's tick; a week's figure
-- is the sum of overlaps.  state: 'online' or 'dark'; time with no row is
-- time nobody watched (serve not running, camera switched off).
CREATE TABLE camera_uptime (
  id        INTEGER PRIMARY KEY,
  camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  state     TEXT NOT NULL CHECK (state IN ('online','dark')),
  start_us  INTEGER NOT NULL,
  end_us    INTEGER NOT NULL CHECK (end_us >= start_us)
);
CREATE INDEX camera_uptime_camera_end ON camera_uptime(camera_id, end_us);
CREATE INDEX camera_uptime_end ON camera_uptime(end_us);

-- Evidence bundles from "what was seen here at that time": one folder of
-- per-camera exports (each also in `exports`) plus a bundle manifest.
CREATE TABLE evidence_bundles (
  id              INTEGER PRIMARY KEY,
  created_us      INTEGER NOT NULL,
  user_id         INTEGER,
  username        TEXT NOT NULL,
  latitude        REAL NOT NULL,
  longitude       REAL NOT NULL,
  radius_m        REAL NOT NULL,
  from_us         INTEGER NOT NULL,
  to_us           INTEGER NOT NULL,
  dir             TEXT NOT NULL,          -- relative to the data folder
  manifest        TEXT NOT NULL,          -- the bundle manifest JSON as written
  manifest_sha256 TEXT NOT NULL
);
CREATE TABLE evidence_bundle_items (
  bundle_id  INTEGER NOT NULL REFERENCES evidence_bundles(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,            -- order in the bundle (nearest first)
  camera_id  INTEGER NOT NULL,
  export_id  INTEGER,                     -- NULL when skipped
  status     TEXT NOT NULL CHECK (status IN ('exported','skipped')),
  reason     TEXT,
  PRIMARY KEY (bundle_id, seq),
  UNIQUE (bundle_id, camera_id)
) WITHOUT ROWID;
