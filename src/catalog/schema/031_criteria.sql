-- 031 criteria programme: versioned criteria sets, wards registered per
-- programme year, assessments (self and province review kept apart) and
-- recognition decisions.
--
-- History is never rewritten: a set that any registration or assessment
-- uses is frozen; editing it makes a new version (same family, version+1).
-- Assessments are an append-only log; the current state of a
-- (ward, year, criterion, side) is its row with the highest id.
CREATE TABLE criteria_sets (
  id          INTEGER PRIMARY KEY,
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

CREATE TABLE criteria_groups (
  id     INTEGER PRIMARY KEY,
  set_id INTEGER NOT NULL REFERENCES criteria_sets(id) ON DELETE CASCADE,
  num    INTEGER NOT NULL,
  name   TEXT NOT NULL,
  UNIQUE (set_id, num)
);

CREATE TABLE criteria (
  id          INTEGER PRIMARY KEY,
  set_id      INTEGER NOT NULL REFERENCES criteria_sets(id) ON DELETE CASCADE,
  group_num   INTEGER NOT NULL,
  num         INTEGER NOT NULL,
  title       TEXT NOT NULL,
  description TEXT,
  evidence    TEXT,                 -- the evidence asked for
  UNIQUE (set_id, num)
);

CREATE TABLE programme_wards (
  ward_id       INTEGER NOT NULL REFERENCES wards(id),
  year          INTEGER NOT NULL,
  set_id        INTEGER NOT NULL REFERENCES criteria_sets(id),
  registered_us INTEGER NOT NULL,
  registered_by TEXT NOT NULL,
  PRIMARY KEY (ward_id, year)
);
CREATE INDEX programme_wards_year ON programme_wards(year, ward_id);

-- side: 'self' (the ward's own assessment) or 'review' (the province's).
CREATE TABLE assessments (
  id           INTEGER PRIMARY KEY,
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
CREATE INDEX assessments_key ON assessments(year, ward_id, criterion_id, side, id);

CREATE TABLE assessment_files (
  id            INTEGER PRIMARY KEY,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id),
  file_name     TEXT NOT NULL,
  stored_path   TEXT NOT NULL,      -- relative to the data folder
  bytes         INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  added_by      TEXT NOT NULL,
  added_us      INTEGER NOT NULL
);
CREATE INDEX assessment_files_assessment ON assessment_files(assessment_id);

CREATE TABLE recognitions (
  ward_id       INTEGER NOT NULL REFERENCES wards(id),
  year          INTEGER NOT NULL,
  decision_no   TEXT NOT NULL CHECK (decision_no <> ''),
  decision_date TEXT NOT NULL,      -- local date YYYY-MM-DD
  note          TEXT,
  recorded_by   TEXT NOT NULL,
  recorded_us   INTEGER NOT NULL,
  PRIMARY KEY (ward_id, year)
);
