"""Issue 17 item 13: alerts a duty officer can act on.

A camera-dark alert (the row the monitor writes, put in the catalog here so
the test does not wait minutes for a camera to go dark — the monitor's own
path is test_community_alerts) on a camera of ward A.  Against the real
binary:
  - the sidebar's count (GET /api/v1/alerts/count) says 1 open, 1 not yet
    acknowledged — for ward A's officer; ward B's officer counts none;
  - ward A's officer acknowledges it (once: a second time is 409), notes the
    call to the owner with the time of the call and the promised repair
    date; a note without text, or a call "made" tomorrow, is 400;
  - the alert (list and detail) says who acknowledged it and when, and
    lists what was done, oldest first; the count of unacknowledged falls
    to 0;
  - ward B's officer gets exactly the answer a missing alert gets (no leak);
    a viewer may not act (403); the camera's owner reads what was promised;
  - every action is an audit row on the camera, the chain still verifies.
"""
import sqlite3
import time

from wwapi import Server, check, finish, log

srv = Server().start()
try:
    admin = srv.admin()
    wa, wb = srv.create_ward(admin), srv.create_ward(admin)
    owner = srv.create_owner(admin, wa, name="Hộ ông Nguyễn Văn Bình")
    cam = srv.create_camera(admin, wa, owner, name="Ngõ 7 Lê Lợi")
    _, pa = srv.create_user(admin, "off_a", "officer", ward_id=wa)
    _, pb = srv.create_user(admin, "off_b", "officer", ward_id=wb)
    _, pv = srv.create_user(admin, "view_a", "viewer", ward_id=wa)
    _, po = srv.create_user(admin, "owner_1", "owner", owner_id=owner)
    off_a, off_b = srv.signed_in("off_a", pa), srv.signed_in("off_b", pb)
    viewer, own = srv.signed_in("view_a", pv), srv.signed_in("owner_1", po)

    now_us = int(time.time() * 1e6)
    db = sqlite3.connect(f"{srv.data}/wardwatch.db")
    db.execute("INSERT INTO camera_alerts(camera_id, ward_id, camera_name, since_us, raised_us, reason, owner_id,"
               " owner_name, owner_phone, owner_kind) VALUES (?,?,?,?,?,?,?,?,?,?)",
               (cam, wa, "Ngõ 7 Lê Lợi", now_us - 900e6, now_us - 600e6, "camera offline: connection refused",
                owner, "Hộ ông Nguyễn Văn Bình", "0912 345 678", "household"))
    db.commit()
    alert = db.execute("SELECT id FROM camera_alerts WHERE camera_id=?", (cam,)).fetchone()[0]
    db.close()

    r = off_a.get("/api/v1/alerts/count")
    check(r.status == 200 and r.json == {"open": 1, "unacknowledged": 1}, "officer A's sidebar count",
          {"open": 1, "unacknowledged": 1}, r.json)
    r = off_b.get("/api/v1/alerts/count")
    check(r.status == 200 and r.json == {"open": 0, "unacknowledged": 0}, "officer B counts none of A's",
          {"open": 0, "unacknowledged": 0}, r.json)

    r = off_a.post(f"/api/v1/alerts/{alert}/acknowledge", {"text": "Đang xử lý"})
    check(r.status == 200 and r.json["action"]["kind"] == "acknowledge", "officer A acknowledges", 200, r)
    r = off_a.post(f"/api/v1/alerts/{alert}/acknowledge", {})
    check(r.status == 409, "a second acknowledgement is 409", 409, r)
    r = off_a.post(f"/api/v1/alerts/{alert}/actions", {"text": ""})
    check(r.status == 400, "a note without text is 400", 400, r)
    r = off_a.post(f"/api/v1/alerts/{alert}/actions", {"text": "x", "called_at": int(time.time()) + 86400})
    check(r.status == 400 and "called_at" in (r.error_message() or ""), "a call made tomorrow is 400", 400, r)
    called = int(time.time()) - 120
    repair = int(time.time()) + 2 * 86400
    r = off_a.post(f"/api/v1/alerts/{alert}/actions", {"text": "Đã gọi chủ camera, hẹn sửa nguồn điện",
                                                       "called_at": called, "repair_by": repair})
    act = (r.json or {}).get("action", {})
    check(r.status == 201 and act.get("kind") == "call" and act.get("called_at") and act.get("repair_by"),
          "the call to the owner is noted with its time and the promised repair date", "201 call", r)
    r = off_a.get(f"/api/v1/alerts/{alert}")
    j = r.json or {}
    kinds = [a["kind"] for a in j.get("actions", [])]
    check(r.status == 200 and kinds == ["acknowledge", "call"] and (j.get("acknowledged") or {}).get("by") == "off_a",
          "the alert says who acknowledged it and lists what was done", ["acknowledge", "call"],
          (j.get("acknowledged"), kinds))
    r = off_a.get("/api/v1/alerts?open=1")
    row = [a for a in r.json["alerts"] if a["id"] == alert]
    check(row and row[0]["acknowledged"] and row[0]["acknowledged"]["by"] == "off_a",
          "the list shows the acknowledgement too", "by off_a", row)
    r = off_a.get("/api/v1/alerts/count")
    check(r.json == {"open": 1, "unacknowledged": 0}, "nothing left to acknowledge", {"open": 1, "unacknowledged": 0},
          r.json)

    for path, body in ((f"/api/v1/alerts/{alert}/acknowledge", {}), (f"/api/v1/alerts/{alert}/actions", {"text": "x"})):
        mine = off_b.post(path, body)
        missing = off_b.post(path.replace(f"/{alert}/", "/987654/"), body)
        check(mine.status == missing.status == 404 and mine.json == missing.json,
              f"officer B: {path.split('/')[-1]} on A's alert answers like a missing one", (404, missing.json),
              (mine.status, mine.json))
    r = viewer.post(f"/api/v1/alerts/{alert}/acknowledge", {})
    check(r.status == 403, "a viewer may not act on alerts", 403, r.status)
    r = own.get(f"/api/v1/alerts/{alert}")
    acts = (r.json or {}).get("actions", [])
    check(r.status == 200 and any(a.get("repair_by") for a in acts), "the owner reads the promised repair date",
          "a repair_by", acts)
    r = admin.get(f"/api/v1/audit?camera={cam}")
    actions = [x["action"] for x in r.json["rows"]]
    check("alert_acknowledge" in actions and "alert_action" in actions, "both are audit rows on the camera",
          ["alert_acknowledge", "alert_action"], actions)
    r = admin.get("/api/v1/audit/verify")
    check(r.json and r.json.get("ok") is True, "the audit chain still verifies", True, r.json)
finally:
    srv.stop()
finish()
