-- 044 ids past what the audit trail remembers (issue 18).  Migration 041
-- gave the id tables AUTOINCREMENT, but its counters started at the largest
-- id still present: a camera, user, export or agreement deleted before 041
-- ran (the largest ones) could have its id handed out once more, and its
-- audit rows would then read as the new one's.  The audit trail remembers
-- every id that was ever looked at or changed; each counter is raised past
-- the largest the trail names.  Idempotent: a counter is only ever raised.
INSERT INTO sqlite_sequence(name, seq)
  SELECT t.name, 0 FROM (SELECT 'cameras' AS name UNION ALL SELECT 'users' UNION ALL SELECT 'exports'
                         UNION ALL SELECT 'consents') t
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = t.name);
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(camera_id) FROM audit), 0))
  WHERE name = 'cameras';
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(user_id) FROM audit), 0))
  WHERE name = 'users';
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(CAST(json_extract(detail, '$.export_id') AS INTEGER))
                                                      FROM audit WHERE json_valid(detail)), 0))
  WHERE name = 'exports';
UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((SELECT MAX(CAST(json_extract(detail, '$.consent_id') AS INTEGER))
                                                      FROM audit WHERE json_valid(detail)), 0))
  WHERE name = 'consents';
