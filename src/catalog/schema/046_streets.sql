-- 046 streets (issue 17 item 8): the station's list of streets and places
-- with a position, imported from a CSV (`wardwatch map streets FILE.csv`),
-- for the console's address search.  name_fold is the name folded for
-- search (base ww_fold_vi: no marks, lowercase), so "le loi" finds "Lê Lợi".
CREATE TABLE streets (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  name_fold  TEXT NOT NULL,
  ward_id    INTEGER REFERENCES wards(id) ON DELETE SET NULL,
  latitude   REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude  REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  UNIQUE (name, latitude, longitude)
);
CREATE INDEX streets_fold ON streets(name_fold);
