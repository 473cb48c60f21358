-- 051 camera snapshot URI (issue 12 item 7): the still-image address a camera
-- names over ONVIF (GetSnapshotUri), stored as the camera add/dialog read
-- it.  Like the stream URLs it never holds credentials and is shown only to
-- those who may manage the camera.  NULL: the camera named none.
ALTER TABLE cameras ADD COLUMN snapshot_url TEXT;
