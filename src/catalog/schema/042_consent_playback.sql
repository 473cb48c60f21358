-- 042 consent for playback: watching recordings is its own right.
-- Until now an agreement said live, record and export; playback rode on
-- nothing (issue 11 item 4).  An agreement made before this migration that
-- allowed both live viewing and recording is read as allowing playback: the
-- owner let the station watch and keep the pictures, and nothing more is
-- inferred (export stays its own right).  A voided row grants nothing.
ALTER TABLE consents ADD COLUMN allow_playback INTEGER NOT NULL DEFAULT 0
  CHECK (allow_playback IN (0, 1));
UPDATE consents SET allow_playback = 1 WHERE allow_live = 1 AND allow_record = 1;
