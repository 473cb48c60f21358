-- ww:foreign-keys-off
-- 041 ids are never reused (issue 18): every table whose ids appear in audit
-- rows, exports, files or URLs gets AUTOINCREMENT, so a deleted camera's (user's,
-- export's, incident's …) id is never handed to a new row and nothing of the old
-- one can be read as the new one's.  SQLite cannot ALTER a key to AUTOINCREMENT:
-- each table is rebuilt (create new, copy every row with its id, drop, rename)
-- with its indexes and triggers, the 12-step way.  The runner applies this file
-- with foreign keys off (a DROP would otherwise cascade) and legacy_alter_table
-- on (the rename must not rewrite other tables' references), and runs
-- foreign_key_check before it commits.  Copying rows with their ids sets each
-- table's sqlite_sequence to its largest id.

-- wards
CREATE TABLE ww_new_wards (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  name     TEXT NOT NULL UNIQUE,
  district TEXT,
  province TEXT
);
INSERT INTO ww_new_wards SELECT * FROM wards;
DROP TABLE wards;
ALTER TABLE ww_new_wards RENAME TO wards;

-- cameras
CREATE TABLE ww_new_cameras (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
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
, owner_id INTEGER REFERENCES owners(id) ON DELETE SET NULL);
INSERT INTO ww_new_cameras SELECT * FROM cameras;
DROP TABLE cameras;
ALTER TABLE ww_new_cameras RENAME TO cameras;
CREATE INDEX cameras_ward ON cameras(ward_id);
CREATE INDEX cameras_owner ON cameras(owner_id);
CREATE TRIGGER camera_registration_on_insert AFTER INSERT ON cameras
WHEN NEW.enabled = 0
BEGIN
  INSERT OR IGNORE INTO camera_registrations(camera_id, source, probe_required, registered_us)
  VALUES (NEW.id, 'console', 1, NEW.created_us);
END;
CREATE TRIGGER camera_activation_needs_probe BEFORE UPDATE OF enabled ON cameras
WHEN NEW.enabled = 1 AND OLD.enabled = 0
 AND EXISTS (SELECT 1 FROM camera_registrations r WHERE r.camera_id = NEW.id AND r.probe_required = 1)
 AND COALESCE((SELECT p.ok FROM camera_probes p WHERE p.camera_id = NEW.id ORDER BY p.id DESC LIMIT 1), 0) = 0
BEGIN
  SELECT RAISE(ABORT, 'camera not probed: a successful connection probe is needed before it is switched on');
END;

-- streams
CREATE TABLE ww_new_streams (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('main','sub')),
  UNIQUE (camera_id, kind)
);
INSERT INTO ww_new_streams SELECT * FROM streams;
DROP TABLE streams;
ALTER TABLE ww_new_streams RENAME TO streams;

-- segments
CREATE TABLE ww_new_segments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_segments SELECT * FROM segments;
DROP TABLE segments;
ALTER TABLE ww_new_segments RENAME TO segments;
CREATE INDEX segments_stream_start ON segments(stream_id, start_us);
CREATE INDEX segments_camera_start ON segments(camera_id, start_us);
CREATE INDEX segments_start ON segments(start_us);

-- gaps
CREATE TABLE ww_new_gaps (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id INTEGER NOT NULL REFERENCES streams(id) ON DELETE CASCADE,
  start_us  INTEGER NOT NULL,
  end_us    INTEGER NOT NULL,
  reason    TEXT NOT NULL
);
INSERT INTO ww_new_gaps SELECT * FROM gaps;
DROP TABLE gaps;
ALTER TABLE ww_new_gaps RENAME TO gaps;
CREATE INDEX gaps_stream_start ON gaps(stream_id, start_us);

-- exports
CREATE TABLE ww_new_exports (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_exports SELECT * FROM exports;
DROP TABLE exports;
ALTER TABLE ww_new_exports RENAME TO exports;
CREATE INDEX exports_camera ON exports(camera_id, created_us);

-- consents
CREATE TABLE ww_new_consents (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  camera_id     INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  allow_live    INTEGER NOT NULL DEFAULT 0,
  allow_record  INTEGER NOT NULL DEFAULT 0,
  allow_export  INTEGER NOT NULL DEFAULT 0,
  valid_from_us INTEGER NOT NULL,
  valid_to_us   INTEGER,                    -- NULL = until withdrawn
  recorded_by   TEXT NOT NULL,              -- who recorded the agreement
  recorded_us   INTEGER NOT NULL,
  note          TEXT, withdrawn_us INTEGER, withdrawn_by TEXT, withdraw_note TEXT, recorded_by_id INTEGER,
  CHECK (valid_to_us IS NULL OR valid_to_us > valid_from_us)
);
INSERT INTO ww_new_consents SELECT * FROM consents;
DROP TABLE consents;
ALTER TABLE ww_new_consents RENAME TO consents;
CREATE INDEX consents_camera ON consents(camera_id, valid_from_us);

-- owners
CREATE TABLE ww_new_owners (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind IN ('household','shop','school','agency')),
  name       TEXT NOT NULL,
  phone      TEXT,
  address    TEXT,
  ward_id    INTEGER REFERENCES wards(id),
  created_us INTEGER NOT NULL
);
INSERT INTO ww_new_owners SELECT * FROM owners;
DROP TABLE owners;
ALTER TABLE ww_new_owners RENAME TO owners;
CREATE INDEX owners_ward ON owners(ward_id);

-- users
CREATE TABLE ww_new_users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT,
  role          TEXT NOT NULL CHECK (role IN ('admin','province','officer','viewer','owner')),
  ward_id       INTEGER REFERENCES wards(id),
  owner_id      INTEGER REFERENCES owners(id),
  pw_hash       TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_us    INTEGER NOT NULL,
  updated_us    INTEGER NOT NULL,
  last_login_us INTEGER,
  CHECK ((role IN ('officer','viewer')) = (ward_id IS NOT NULL)),
  CHECK ((role = 'owner') = (owner_id IS NOT NULL))
);
INSERT INTO ww_new_users SELECT * FROM users;
DROP TABLE users;
ALTER TABLE ww_new_users RENAME TO users;

-- audit
CREATE TABLE ww_new_audit (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_audit SELECT * FROM audit;
DROP TABLE audit;
ALTER TABLE ww_new_audit RENAME TO audit;
CREATE INDEX audit_camera ON audit(camera_id, id);
CREATE INDEX audit_user ON audit(user_id, id);
CREATE INDEX audit_at ON audit(at_us);

-- motion_events
CREATE TABLE ww_new_motion_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_motion_events SELECT * FROM motion_events;
DROP TABLE motion_events;
ALTER TABLE ww_new_motion_events RENAME TO motion_events;
CREATE INDEX motion_events_camera_start ON motion_events(camera_id, start_us);
CREATE INDEX motion_events_start ON motion_events(start_us);

-- incident_categories
CREATE TABLE ww_new_incident_categories (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  code       TEXT NOT NULL UNIQUE CHECK (code <> ''),
  name_vi    TEXT NOT NULL CHECK (name_vi <> ''),
  name_en    TEXT NOT NULL CHECK (name_en <> ''),
  figures    TEXT NOT NULL DEFAULT '',
  solvable   INTEGER NOT NULL DEFAULT 1,
  sort_order INTEGER NOT NULL DEFAULT 0,
  active     INTEGER NOT NULL DEFAULT 1
);
INSERT INTO ww_new_incident_categories SELECT * FROM incident_categories;
DROP TABLE incident_categories;
ALTER TABLE ww_new_incident_categories RENAME TO incident_categories;

-- incidents
CREATE TABLE ww_new_incidents (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  ward_id     INTEGER NOT NULL REFERENCES wards(id),
  category_id INTEGER NOT NULL REFERENCES incident_categories(id),
  occurred_at INTEGER NOT NULL,
  address     TEXT,
  latitude    REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
  longitude   REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
  summary     TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'received'
              CHECK (status IN ('received','verifying','solved','closed')),
  suspects    INTEGER CHECK (suspects IS NULL OR suspects >= 0),
  drug_grams  REAL    CHECK (drug_grams IS NULL OR drug_grams >= 0),
  deaths      INTEGER CHECK (deaths IS NULL OR deaths >= 0),
  injuries    INTEGER CHECK (injuries IS NULL OR injuries >= 0),
  damage_vnd  INTEGER CHECK (damage_vnd IS NULL OR damage_vnd >= 0),
  demo        INTEGER NOT NULL DEFAULT 0,   -- generated by `demo-data`
  created_by  TEXT NOT NULL,
  created_us  INTEGER NOT NULL,
  updated_by  TEXT,
  updated_us  INTEGER
);
INSERT INTO ww_new_incidents SELECT * FROM incidents;
DROP TABLE incidents;
ALTER TABLE ww_new_incidents RENAME TO incidents;
CREATE INDEX incidents_ward_time ON incidents(ward_id, occurred_at, category_id, status,
  suspects, drug_grams, deaths, injuries, damage_vnd);
CREATE INDEX incidents_time ON incidents(occurred_at, category_id, status, ward_id,
  suspects, drug_grams, deaths, injuries, damage_vnd);

-- incident_history
CREATE TABLE ww_new_incident_history (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL,
  at_us       INTEGER NOT NULL,
  user_name   TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('created','updated','deleted')),
  diff        TEXT NOT NULL
);
INSERT INTO ww_new_incident_history SELECT * FROM incident_history;
DROP TABLE incident_history;
ALTER TABLE ww_new_incident_history RENAME TO incident_history;
CREATE INDEX incident_history_incident ON incident_history(incident_id, id);

-- criteria_sets
CREATE TABLE ww_new_criteria_sets (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  family      TEXT NOT NULL CHECK (family <> ''),
  version     INTEGER NOT NULL CHECK (version >= 1),
  name        TEXT NOT NULL CHECK (name <> ''),
  year_from   INTEGER NOT NULL,
  year_to     INTEGER NOT NULL CHECK (year_to >= year_from),
  note        TEXT,                 -- e.g. "editable template, not official text"
  created_us  INTEGER NOT NULL,
  created_by  TEXT NOT NULL,
  replaces_id INTEGER REFERENCES criteria_sets(id),
  UNIQUE (family, version)
);
INSERT INTO ww_new_criteria_sets SELECT * FROM criteria_sets;
DROP TABLE criteria_sets;
ALTER TABLE ww_new_criteria_sets RENAME TO criteria_sets;

-- criteria_groups
CREATE TABLE ww_new_criteria_groups (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  set_id INTEGER NOT NULL REFERENCES criteria_sets(id) ON DELETE CASCADE,
  num    INTEGER NOT NULL,
  name   TEXT NOT NULL,
  UNIQUE (set_id, num)
);
INSERT INTO ww_new_criteria_groups SELECT * FROM criteria_groups;
DROP TABLE criteria_groups;
ALTER TABLE ww_new_criteria_groups RENAME TO criteria_groups;

-- criteria
CREATE TABLE ww_new_criteria (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  set_id      INTEGER NOT NULL REFERENCES criteria_sets(id) ON DELETE CASCADE,
  group_num   INTEGER NOT NULL,
  num         INTEGER NOT NULL,
  title       TEXT NOT NULL,
  description TEXT,
  evidence    TEXT,                 -- the evidence asked for
  UNIQUE (set_id, num)
);
INSERT INTO ww_new_criteria SELECT * FROM criteria;
DROP TABLE criteria;
ALTER TABLE ww_new_criteria RENAME TO criteria;

-- assessments
CREATE TABLE ww_new_assessments (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  ward_id      INTEGER NOT NULL REFERENCES wards(id),
  year         INTEGER NOT NULL,
  criterion_id INTEGER NOT NULL REFERENCES criteria(id),
  side         TEXT NOT NULL CHECK (side IN ('self','review')),
  result       TEXT NOT NULL CHECK (result IN ('met','not_met','in_progress')),
  notes        TEXT,
  assessor     TEXT NOT NULL,
  assessed_on  TEXT NOT NULL,       -- local date YYYY-MM-DD
  at_us        INTEGER NOT NULL
);
INSERT INTO ww_new_assessments SELECT * FROM assessments;
DROP TABLE assessments;
ALTER TABLE ww_new_assessments RENAME TO assessments;
CREATE INDEX assessments_key ON assessments(year, ward_id, criterion_id, side, id);

-- assessment_files
CREATE TABLE ww_new_assessment_files (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id),
  file_name     TEXT NOT NULL,
  stored_path   TEXT NOT NULL,      -- relative to the data folder
  bytes         INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  added_by      TEXT NOT NULL,
  added_us      INTEGER NOT NULL
);
INSERT INTO ww_new_assessment_files SELECT * FROM assessment_files;
DROP TABLE assessment_files;
ALTER TABLE ww_new_assessment_files RENAME TO assessment_files;
CREATE INDEX assessment_files_assessment ON assessment_files(assessment_id);

-- camera_probes
CREATE TABLE ww_new_camera_probes (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_camera_probes SELECT * FROM camera_probes;
DROP TABLE camera_probes;
ALTER TABLE ww_new_camera_probes RENAME TO camera_probes;
CREATE INDEX camera_probes_camera ON camera_probes(camera_id, id);

-- camera_alerts
CREATE TABLE ww_new_camera_alerts (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_camera_alerts SELECT * FROM camera_alerts;
DROP TABLE camera_alerts;
ALTER TABLE ww_new_camera_alerts RENAME TO camera_alerts;
CREATE INDEX camera_alerts_open ON camera_alerts(camera_id, cleared_us);
CREATE INDEX camera_alerts_raised ON camera_alerts(raised_us);

-- alert_webhooks
CREATE TABLE ww_new_alert_webhooks (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  url        TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
  ward_id    INTEGER REFERENCES wards(id) ON DELETE CASCADE,
  enabled    INTEGER NOT NULL DEFAULT 1,
  created_us INTEGER NOT NULL,
  created_by TEXT
);
INSERT INTO ww_new_alert_webhooks SELECT * FROM alert_webhooks;
DROP TABLE alert_webhooks;
ALTER TABLE ww_new_alert_webhooks RENAME TO alert_webhooks;

-- alert_deliveries
CREATE TABLE ww_new_alert_deliveries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id    INTEGER NOT NULL,
  webhook_id  INTEGER NOT NULL,
  event       TEXT NOT NULL CHECK (event IN ('raised','cleared','test')),
  at_us       INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  http_status INTEGER,
  attempts    INTEGER NOT NULL,
  error       TEXT
);
INSERT INTO ww_new_alert_deliveries SELECT * FROM alert_deliveries;
DROP TABLE alert_deliveries;
ALTER TABLE ww_new_alert_deliveries RENAME TO alert_deliveries;
CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);

-- camera_uptime
CREATE TABLE ww_new_camera_uptime (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
  state     TEXT NOT NULL CHECK (state IN ('online','dark')),
  start_us  INTEGER NOT NULL,
  end_us    INTEGER NOT NULL CHECK (end_us >= start_us)
);
INSERT INTO ww_new_camera_uptime SELECT * FROM camera_uptime;
DROP TABLE camera_uptime;
ALTER TABLE ww_new_camera_uptime RENAME TO camera_uptime;
CREATE INDEX camera_uptime_camera_end ON camera_uptime(camera_id, end_us);
CREATE INDEX camera_uptime_end ON camera_uptime(end_us);

-- evidence_bundles
CREATE TABLE ww_new_evidence_bundles (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO ww_new_evidence_bundles SELECT * FROM evidence_bundles;
DROP TABLE evidence_bundles;
ALTER TABLE ww_new_evidence_bundles RENAME TO evidence_bundles;
