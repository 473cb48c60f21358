-- 045 camera credentials (issue 11 item 1): whether a camera may be sent its
-- password in clear (RTSP Basic).  Default 0: Digest only, so a camera or a
-- server posing as one that asks for Basic gets no password.  An admin sets
-- it for the rare old camera that knows nothing else.
ALTER TABLE cameras ADD COLUMN auth_basic_allowed INTEGER NOT NULL DEFAULT 0
  CHECK (auth_basic_allowed IN (0, 1));
