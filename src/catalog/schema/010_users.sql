-- 010 users: camera owners, console users and their sessions.
-- Times are INTEGER µs since the Unix epoch, UTC.

-- Who a community camera belongs to: the person or body to call when it
-- goes dark, and whose consent the recording rests on.
CREATE TABLE owners (
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('household','shop','school','agency')),
  name       TEXT NOT NULL,
  phone      TEXT,
  address    TEXT,
  ward_id    INTEGER REFERENCES wards(id),
  created_us INTEGER NOT NULL
);
CREATE INDEX owners_ward ON owners(ward_id);

-- A camera has at most one owner; the permission model reads it (an owner
-- account sees its own cameras only).
ALTER TABLE cameras ADD COLUMN owner_id INTEGER REFERENCES owners(id) ON DELETE SET NULL;
CREATE INDEX cameras_owner ON cameras(owner_id);

-- Console users.  pw_hash is libsodium's argon2id string (salt and cost
-- inside).  officer/viewer belong to a ward, owner to an owners row; admin
-- and province to neither.  Rows are disabled, never deleted, so audit rows
-- keep a user to point at.
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
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

-- Signed-in sessions.  Only the SHA-256 of the cookie's token is stored, so
-- a copy of the catalog does not let anyone sign in.
CREATE TABLE sessions (
  token_hash   BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
  user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_us   INTEGER NOT NULL,
  expires_us   INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  client_addr  TEXT
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_us);
