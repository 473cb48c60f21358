-- 053 camera audio (issue 12 item 6): record the camera's sound track too.
-- Off by default and for every camera already registered: sound of
-- passers-by is more sensitive than pictures, and recording it needs the
-- owner's and the ward's agreement, so someone has to turn it on on purpose.
ALTER TABLE cameras ADD COLUMN audio INTEGER NOT NULL DEFAULT 0 CHECK (audio IN (0, 1));
