-- 052 the assessment's criterion NUMBER goes to the province (issue 15, the
-- criteria matrix).  049 replicated criterion_id, which is the station's own
-- row id: the hub cannot put it in a column, and a province review names a
-- criterion by its number in the ward's set (docs/province.md).  So the
-- assessment entity now also carries `criterion` (the number), its title,
-- the set it belongs to (family, version) and the notes.  Triggers and the
-- snapshot view are replaced (049 is frozen; scripts/gen-outbox-sql says so)
-- and every existing assessment of a joined station is sent again at once,
-- so the hub has the numbers without waiting for a snapshot.
DROP TRIGGER outbox_assessments_insert;
DROP TRIGGER outbox_assessments_update;
DROP VIEW outbox_snap_assessment;

CREATE TRIGGER outbox_assessments_insert AFTER INSERT ON assessments WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'province.station')
BEGIN
  INSERT INTO outbox(entity, id, op, data, at)
    SELECT 'assessment', CAST(NEW.id AS TEXT), 'upsert',
           json_object('id', NEW.id, 'ward_id', NEW.ward_id, 'year', NEW.year, 'criterion_id', NEW.criterion_id,
                       'side', NEW.side, 'result', NEW.result, 'assessor', NEW.assessor,
                       'assessed_on', NEW.assessed_on, 'at_us', NEW.at_us, 'notes', NEW.notes,
                       'criterion', c.num, 'criterion_title', c.title, 'set_family', s.family,
                       'set_version', s.version),
           strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM criteria c JOIN criteria_sets s ON s.id = c.set_id WHERE c.id = NEW.criterion_id;
END;
CREATE TRIGGER outbox_assessments_update AFTER UPDATE ON assessments WHEN EXISTS (SELECT 1 FROM settings WHERE key = 'province.station')
BEGIN
  INSERT INTO outbox(entity, id, op, data, at)
    SELECT 'assessment', CAST(NEW.id AS TEXT), 'upsert',
           json_object('id', NEW.id, 'ward_id', NEW.ward_id, 'year', NEW.year, 'criterion_id', NEW.criterion_id,
                       'side', NEW.side, 'result', NEW.result, 'assessor', NEW.assessor,
                       'assessed_on', NEW.assessed_on, 'at_us', NEW.at_us, 'notes', NEW.notes,
                       'criterion', c.num, 'criterion_title', c.title, 'set_family', s.family,
                       'set_version', s.version),
           strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
    FROM criteria c JOIN criteria_sets s ON s.id = c.set_id WHERE c.id = NEW.criterion_id;
END;
CREATE VIEW outbox_snap_assessment AS
  SELECT CAST(a.id AS TEXT) AS id,
         json_object('id', a.id, 'ward_id', a.ward_id, 'year', a.year, 'criterion_id', a.criterion_id,
                     'side', a.side, 'result', a.result, 'assessor', a.assessor,
                     'assessed_on', a.assessed_on, 'at_us', a.at_us, 'notes', a.notes,
                     'criterion', c.num, 'criterion_title', c.title, 'set_family', s.family,
                     'set_version', s.version) AS data
  FROM assessments a JOIN criteria c ON c.id = a.criterion_id JOIN criteria_sets s ON s.id = c.set_id;

-- a joined station's assessments, again with their numbers (no-op when not joined)
INSERT INTO outbox(entity, id, op, data, at)
  SELECT 'assessment', id, 'upsert', data, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM outbox_snap_assessment
  WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'province.station');
