-- 047 what the duty officer did about a camera-dark alert (issue 17 item 13):
-- acknowledged it, called the owner ("đã gọi chủ camera lúc…"), noted the
-- promised repair date ("hẹn sửa…").  Kept with the alert, shown to staff
-- and to the camera's owner; never changed or deleted (a later note
-- corrects an earlier one).  user_name is kept as written, so the row stays
-- readable after the user is removed.
CREATE TABLE alert_actions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id       INTEGER NOT NULL REFERENCES camera_alerts(id) ON DELETE CASCADE,
  at_us          INTEGER NOT NULL,
  user_id        INTEGER,
  user_name      TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('acknowledge', 'call', 'note')),
  text           TEXT NOT NULL DEFAULT '' CHECK (length(text) <= 1000),
  called_us      INTEGER,            -- 'call': when the owner was called
  repair_by_us   INTEGER             -- the repair date the owner promised, if any
);
CREATE INDEX alert_actions_alert ON alert_actions(alert_id, at_us);
-- one acknowledgement per alert
CREATE UNIQUE INDEX alert_actions_one_ack ON alert_actions(alert_id) WHERE kind = 'acknowledge';
