"""The permission matrix: every camera-related API endpoint — the community
ones and the existing cameras, live, timeline, playback, exports, health,
events, motion, audit, users, wards, owners, session, and the evidence ones
(holds, storage, an incident's case file and custody report, bundle and file
checks, export
verification) — against every kind of
caller: admin, province, officer of ward A, officer of ward B, owner X (ward
A's camera), owner Y (ward B's camera), viewer of ward A, and no session.
Each cell is an expected HTTP status (401 no session / 404 outside scope /
403 in scope but not for that role / 2xx or the endpoint's own answer).

Beyond statuses, the lists are checked for leaks: what each caller gets
from the camera list, health, events, exports, audit, alerts,
availability, the map list, the place search and bundles must hold only
cameras in their scope.  Fixture footage (segments, motion events with
thumbnails, exports, a bundle, alerts, availability) exists for both
wards' cameras, so an empty answer cannot pass for a correct one.

Roles are asked in a fixed order, least privileged first, so that a
request that changes something (withdraw, delete) is answered by the
allowed roles last — each row says what that order yields."""
import json
import os
import sqlite3
import sys
import tempfile
import time

from wwapi import Server, check, finish, log

SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
sys.path.insert(0, os.path.join(SRC, "tools", "gencams"))
import gencams  # noqa: E402

ROLES = ["anon", "owner_y", "owner_x", "viewer_a", "officer_b", "province", "officer_a", "admin"]
COLS = ["admin", "province", "officer_a", "officer_b", "owner_x", "owner_y", "viewer_a", "anon"]


def E(*codes):
    return dict(zip(COLS, codes))


def VIEW(ok):
    return E(ok, ok, ok, 404, ok, 404, ok, 401)


def PLAY(ok, owner=403):
    return E(ok, ok, ok, 404, owner, 404, ok, 401)


def EXPORT(ok):
    return E(ok, ok, ok, 404, 403, 404, 403, 401)


def MANAGE(ok):           # route gate admin|officer, then the camera's scope
    return E(ok, 403, ok, 404, 403, 403, 403, 401)


def ADMIN(ok):
    return E(ok, 403, 403, 403, 403, 403, 403, 401)


def ALL(ok):
    return E(ok, ok, ok, ok, ok, ok, ok, 401)


def STAFF(ok, offb=None):
    return E(ok, ok, ok, ok if offb is None else offb, 403, 403, 403, 401)


def main():
    tpl_dir = tempfile.mkdtemp(prefix="ww-tpl-")
    tpl = gencams.record_template(tpl_dir)
    srv = Server().start()
    admin = srv.admin()
    wa = srv.create_ward(admin, "Trường Thi")
    wb = srv.create_ward(admin, "Hà Huy Tập")
    ox = srv.create_owner(admin, wa, "Hộ bà Lan")
    oy = srv.create_owner(admin, wb, "Tạp hóa Minh Châu")
    a1 = srv.create_camera(admin, wa, ox, "Ngõ 12 (A, X)", latitude=18.6700, longitude=105.6800, direction_deg=90)
    a2 = srv.create_camera(admin, wa, None, "Trường THCS (A)", latitude=18.6710, longitude=105.6810)
    b1 = srv.create_camera(admin, wb, oy, "Chợ (B, Y)", latitude=18.6705, longitude=105.6805)
    n1 = srv.create_camera(admin, None, None, "Trạm (no ward)")
    d1 = srv.create_camera(admin, wa, None, "To delete (A)")
    scope = {"admin": {a1, a2, b1, n1, d1}, "province": {a1, a2, b1, n1, d1}, "officer_a": {a1, a2, d1},
             "officer_b": {b1}, "owner_x": {a1}, "owner_y": {b1}, "viewer_a": {a1, a2, d1}}
    play_scope = {k: (set() if k.startswith("owner") else v) for k, v in scope.items()}
    export_scope = {k: (set() if k.startswith("owner") or k == "viewer_a" else v) for k, v in scope.items()}

    users = {}
    for name, kw in [("province", {"role": "province"}), ("officer_a", {"role": "officer", "ward_id": wa}),
                     ("officer_b", {"role": "officer", "ward_id": wb}), ("owner_x", {"role": "owner", "owner_id": ox}),
                     ("owner_y", {"role": "owner", "owner_id": oy}), ("viewer_a", {"role": "viewer", "ward_id": wa})]:
        _, pw = srv.create_user(admin, name, **kw)
        users[name] = srv.signed_in(name, pw)
    users["admin"] = admin
    users["anon"] = srv.client()

    # ---- footage and the rest, for both wards ----------------------------------------------
    T0 = int(time.time()) - 3600
    db = sqlite3.connect(os.path.join(srv.data, "wardwatch.db"), timeout=30)
    for c in (a1, a2, b1):
        gencams.add_segments(srv.data, tpl, c, T0, 3, db=db)
    db.commit()
    jpeg = open(os.path.join(tpl_dir, "template.mp4"), "rb").read()[:4000]   # any bytes; only served back
    ev = {c: gencams.add_event(srv.data, c, T0 + 1, T0 + 3, 0.6, jpeg=jpeg, db=db) for c in (a1, a2, b1)}
    now_us = int(time.time() * 1e6)
    for c, o, name in ((a1, ox, "Hộ bà Lan"), (b1, oy, "Tạp hóa Minh Châu")):
        db.execute("INSERT INTO camera_alerts(camera_id, ward_id, camera_name, since_us, raised_us, owner_id,"
                   " owner_name, owner_phone, owner_kind) VALUES (?,?,?,?,?,?,?,?,?)",
                   (c, wa if c == a1 else wb, f"cam{c}", now_us - 600e6, now_us - 300e6, o, name, "0912 345 678",
                    "household"))
        db.execute("INSERT INTO camera_uptime(camera_id, state, start_us, end_us) VALUES (?,?,?,?)",
                   (c, "online", now_us - 3600e6, now_us - 60e6))
        db.execute("INSERT INTO camera_probes(camera_id, at_us, ok, codec, width, height, jpeg) VALUES (?,?,1,'h264',640,360,?)",
                   (c, now_us - 10e6, b"\xff\xd8\xff\xe0fixture"))
    db.commit()
    alert_a = db.execute("SELECT id FROM camera_alerts WHERE camera_id=?", (a1,)).fetchone()[0]
    db.close()
    for c in (a1, b1):   # owned cameras: nothing without their owners' agreement (deny by default)
        r = admin.post(f"/api/v1/cameras/{c}/consents", {"live": True, "record": True, "export": True})
        check(r.status == 201, f"fixture: camera {c}'s owner agreed to everything", 201, r)
    exp = {}
    for c in (a1, a2, b1):
        r = admin.post(f"/api/v1/cameras/{c}/exports", {"from": T0, "to": T0 + 5})
        check(r.status == 201, f"fixture export of camera {c}", 201, r)
        exp[c] = r.json["export"]["id"] if r.status == 201 else 0
    r = admin.post("/api/v1/search/place/bundle", {"lat": 18.67, "lon": 105.68, "radius_m": 30, "from": T0, "to": T0 + 5})
    check(r.status == 201 and [f["camera_id"] for f in r.json["bundle"]["files"]] == [a1],
          "fixture bundle of a1 only", [a1], r)
    bundle_a = r.json["bundle"]["id"] if r.status == 201 else 0
    r = admin.post("/api/v1/alerts/webhooks", {"url": "http://127.0.0.1:9/hook"})
    hook = r.json["id"] if r.status == 201 else 0
    cid_a = admin.post(f"/api/v1/cameras/{a1}/consents", {"live": True, "record": True, "export": True}).json["id"]

    # evidence (issue 13): an incident of ward A with a1's export, holds on a1 (one for the incident, one to
    # release) and on b1
    cat_id = admin.get("/api/v1/incident-categories").json["categories"][0]["id"]
    r = admin.post("/api/v1/incidents", {"ward_id": wa, "category_id": cat_id, "occurred_at": "2026-11-20T10:00",
                                         "summary": "A's case", "camera_ids": [a1], "export_ids": [exp[a1]]})
    check(r.status == 201, "fixture: an incident of ward A with a1's export", 201, r)
    inc_a = r.json["id"] if r.status == 201 else 0
    holds = {}
    for c, why in ((a1, "case"), (a1, "to release"), (b1, "case")):
        r = admin.post(f"/api/v1/cameras/{c}/holds", {"from": T0, "to": T0 + 5, "reason": why,
                                                      "incident_id": inc_a if c == a1 else None})
        check(r.status == 201, f"fixture: a hold on camera {c}", 201, r)
        holds[(c, why)] = r.json["hold"]["id"] if r.status == 201 else 0
    hold_body = {"from": T0, "to": T0 + 5, "reason": "matrix"}

    place = f"lat=18.67&lon=105.68&radius_m=200&from={T0}&to={T0 + 10}"
    bundle_body = {"lat": 18.67, "lon": 105.68, "radius_m": 200, "from": T0, "to": T0 + 5, "camera_ids": [a1]}
    rows = [
        # session
        ("GET", "/api/v1/session", None, ALL(200)),
        # cameras
        ("GET", "/api/v1/cameras", None, ALL(200)),
        ("GET", f"/api/v1/cameras/{a1}", None, VIEW(200)),
        ("GET", f"/api/v1/cameras/{n1}", None, E(200, 200, 404, 404, 404, 404, 404, 401)),
        ("PATCH", f"/api/v1/cameras/{a1}", {"retention_days": 30}, MANAGE(200)),
        # without an owner a camera is the station's own: only an admin registers one
        ("POST", "/api/v1/cameras", {"name": "new", "main_url": "rtsp://127.0.0.1:9/x", "ward_id": wa, "enabled": False},
         E(201, 403, 403, 403, 403, 403, 403, 401)),
        # video
        ("GET", f"/api/v1/cameras/{a1}/live", None, PLAY(503)),
        ("GET", f"/api/v1/cameras/{a1}/snapshot", None, PLAY(503)),
        ("GET", f"/api/v1/live/wall?cameras={a1},{b1}", None, ALL(200)),
        ("GET", f"/api/v1/cameras/{a1}/timeline?from={T0 - 10}&to={T0 + 20}", None, PLAY(200)),
        ("GET", f"/api/v1/cameras/{a1}/playback?at={T0 + 1}&to={T0 + 2}", None, PLAY(200)),
        ("POST", f"/api/v1/cameras/{a1}/exports", {"from": T0, "to": T0 + 3}, EXPORT(201)),
        ("GET", "/api/v1/exports", None, ALL(200)),
        ("GET", f"/api/v1/exports/{exp[a1]}", None, EXPORT(200)),
        ("GET", f"/api/v1/exports/{exp[a1]}/file", None, EXPORT(200)),
        ("GET", f"/api/v1/exports/{exp[a1]}/manifest", None, EXPORT(200)),
        ("GET", "/api/v1/health", None, ALL(200)),
        # events and motion
        ("GET", "/api/v1/events", None, ALL(200)),
        ("GET", f"/api/v1/events?camera={a1}", None, PLAY(200)),
        ("GET", f"/api/v1/events?ward={wa}", None, E(200, 200, 200, 404, 404, 404, 200, 401)),
        ("GET", f"/api/v1/cameras?ward_id={wa}", None, ALL(200)),
        ("GET", f"/api/v1/events/{ev[a1]}", None, PLAY(200)),
        ("GET", f"/api/v1/events/{ev[a1]}/thumbnail", None, PLAY(200)),
        ("GET", f"/api/v1/cameras/{a1}/motion", None, PLAY(200)),
        ("GET", f"/api/v1/cameras/{a1}/motion/state", None, PLAY(200)),
        # audit, users, wards, owners
        ("GET", "/api/v1/audit", None, E(200, 403, 403, 403, 200, 200, 403, 401)),
        ("GET", f"/api/v1/audit?camera={a1}", None, E(200, 403, 403, 403, 200, 404, 403, 401)),
        ("GET", "/api/v1/audit/verify", None, ADMIN(200)),
        ("GET", "/api/v1/users", None, ADMIN(200)),
        ("GET", "/api/v1/wards", None, ALL(200)),
        ("GET", f"/api/v1/wards/{wa}", None, E(200, 200, 200, 404, 200, 404, 200, 401)),
        ("GET", "/api/v1/owners", None, E(200, 200, 200, 200, 200, 200, 403, 401)),
        ("GET", f"/api/v1/owners/{ox}", None, E(200, 200, 200, 404, 200, 404, 403, 401)),
        # community: consent, probe, activation
        ("GET", f"/api/v1/cameras/{a1}/consents", None, VIEW(200)),
        ("POST", f"/api/v1/cameras/{a1}/consents/{cid_a}/withdraw", {},     # officer_a withdraws, then admin: already
         E(409, 403, 200, 404, 403, 403, 403, 401)),
        ("POST", f"/api/v1/cameras/{a1}/consents", {"live": True, "record": True, "export": True}, MANAGE(201)),
        ("GET", f"/api/v1/cameras/{a1}/probe", None, VIEW(200)),
        ("GET", f"/api/v1/cameras/{a1}/probe/still", None, PLAY(200)),
        ("POST", f"/api/v1/cameras/{a1}/activate", None, MANAGE(200)),
        ("POST", f"/api/v1/cameras/{a1}/probe", {"timeout_s": 2}, MANAGE(502)),
        # community: map, alerts, availability
        ("GET", "/api/v1/community/cameras", None, ALL(200)),
        ("GET", "/api/v1/map/settings", None, ALL(200)),
        ("PUT", "/api/v1/map/settings", {"tile_url": None}, ADMIN(200)),
        ("GET", "/api/v1/alerts", None, ALL(200)),
        ("GET", f"/api/v1/alerts/{alert_a}", None, VIEW(200)),
        ("GET", "/api/v1/alerts/settings", None, STAFF(200)),
        ("PUT", "/api/v1/alerts/settings", {"ward_id": wa, "dark_after_s": 900}, E(200, 403, 200, 404, 403, 403, 403, 401)),
        ("GET", "/api/v1/alerts/webhooks", None, ADMIN(200)),
        ("POST", "/api/v1/alerts/webhooks", {"url": "http://127.0.0.1:9/x"}, ADMIN(201)),
        ("POST", f"/api/v1/alerts/webhooks/{hook}/test", None, ADMIN(200)),
        ("DELETE", f"/api/v1/alerts/webhooks/{hook}", None, ADMIN(204)),
        ("GET", "/api/v1/availability", None, ALL(200)),
        # community: search and bundles
        ("GET", f"/api/v1/search/place?{place}", None, E(200, 200, 200, 200, 403, 403, 200, 401)),
        ("POST", "/api/v1/search/place/bundle", bundle_body, E(201, 201, 201, 404, 403, 403, 403, 401)),
        ("GET", "/api/v1/bundles", None, STAFF(200)),
        ("GET", f"/api/v1/bundles/{bundle_a}", None, STAFF(200, offb=404)),
        ("GET", f"/api/v1/bundles/{bundle_a}/bundle.tar", None, STAFF(200, offb=404)),
        ("GET", f"/api/v1/bundles/{bundle_a}/files/bundle.json", None, STAFF(200, offb=404)),
        ("GET", f"/api/v1/bundles/{bundle_a}/verify", None, STAFF(200, offb=404)),
        # evidence: holds, storage, the case file and its custody report, export verification
        ("GET", "/api/v1/holds", None, ALL(200)),
        ("GET", f"/api/v1/holds?camera={a1}", None, PLAY(200)),
        ("POST", f"/api/v1/cameras/{a1}/holds", hold_body, E(201, 403, 201, 404, 403, 404, 403, 401)),
        ("POST", f"/api/v1/holds/{holds[(a1, 'to release')]}/release", {"reason": "matrix"},   # officer_a, then admin
         E(409, 403, 200, 404, 403, 404, 403, 401)),
        ("GET", "/api/v1/storage", None, STAFF(200)),
        ("GET", f"/api/v1/incidents/{inc_a}/evidence", None, STAFF(200, offb=404)),
        ("GET", f"/api/v1/incidents/{inc_a}/custody.pdf", None, STAFF(200, offb=404)),
        ("GET", f"/api/v1/exports/{exp[a1]}/verify", None, EXPORT(200)),
        ("GET", "/api/v1/verify/sha256/" + "0" * 64, None, STAFF(200)),
        ("GET", "/api/v1/verify/sha256/xyz", None, STAFF(400)),
        # last: deleting a camera (admin only; admin asks last)
        ("DELETE", f"/api/v1/cameras/{d1}", None, ADMIN(204)),
    ]
    answers = {}
    cells = bad = 0
    for method, path, body, want in rows:
        for role in ROLES:
            c = users[role]
            b = body
            if isinstance(b, dict) and "main_url" in b:  # one device = one row: a path per caller
                b = dict(b, main_url=f"{b['main_url']}-{role}")
            r = c.request(method, path, body=b, timeout=60)
            answers[(method, path, role)] = r
            cells += 1
            if r.status != want[role]:
                bad += 1
                check(False, f"{method} {path} as {role}", want[role], f"{r.status} {r.text[:160]}")
    check(bad == 0, f"permission matrix: {cells} cells ({len(rows)} endpoints x {len(ROLES)} callers) as expected",
          0, f"{bad} cells differ")

    # ---- leaks: what the lists hold, per caller -------------------------------------------------
    def ids_of(method, path, key, field="id"):
        out = {}
        for role in COLS[:-1]:
            r = answers.get((method, path, role))
            if r is None or r.status != 200:
                continue
            out[role] = {x[field] for x in r.json[key] if x.get(field) is not None}
        return out

    real = {a1, a2, b1, n1, d1}

    def leak_check(what, got, allowed):
        leaks = {role: sorted((s & real) - allowed[role]) for role, s in got.items() if (s & real) - allowed[role]}
        check(not leaks, f"{what}: no caller sees a camera outside their scope", {}, leaks)

    leak_check("camera list", ids_of("GET", "/api/v1/cameras", "cameras"), scope)
    got = ids_of("GET", "/api/v1/cameras", "cameras")
    check(got.get("owner_x", set()) & real == {a1} and got.get("officer_b", set()) & real == {b1},
          "owner X lists exactly their camera, officer B exactly ward B's", ({a1}, {b1}),
          (got.get("owner_x"), got.get("officer_b")))
    leak_check("health", ids_of("GET", "/api/v1/health", "cameras"), scope)
    leak_check("map list", ids_of("GET", "/api/v1/community/cameras", "cameras"), scope)
    leak_check("events", ids_of("GET", "/api/v1/events", "events", "camera_id"), play_scope)
    ev_seen = ids_of("GET", "/api/v1/events", "events", "camera_id")
    check(ev_seen.get("officer_a", set()) >= {a1, a2} and ev_seen.get("officer_b", set()) == {b1},
          "events: each officer sees their own ward's events", ({a1, a2}, {b1}),
          (ev_seen.get("officer_a"), ev_seen.get("officer_b")))
    leak_check("exports", ids_of("GET", "/api/v1/exports", "exports", "camera_id"), export_scope)
    leak_check("alerts", ids_of("GET", "/api/v1/alerts", "alerts", "camera_id"), scope)
    leak_check("holds", ids_of("GET", "/api/v1/holds", "holds", "camera_id"), play_scope)
    leak_check("storage", ids_of("GET", "/api/v1/storage", "cameras", "camera_id"), scope)
    got = ids_of("GET", "/api/v1/holds", "holds", "camera_id")
    check(got.get("officer_a") == {a1} and got.get("officer_b") == {b1}, "holds: each officer lists their ward's",
          ({a1}, {b1}), (got.get("officer_a"), got.get("officer_b")))
    r = answers[("GET", f"/api/v1/incidents/{inc_a}/evidence", "officer_a")]
    check(r.status == 200 and {(i["kind"], i["id"]) for i in r.json["items"]} >= {("export", exp[a1]),
          ("hold", holds[(a1, "case")])}, "case file: ward A's officer sees the incident's export and hold",
          "export + hold", r.json if r.status == 200 else r.status)
    leak_check("availability", ids_of("GET", "/api/v1/availability", "cameras"), scope)
    leak_check("place search", ids_of("GET", f"/api/v1/search/place?{place}", "cameras"), play_scope)
    got = ids_of("GET", f"/api/v1/search/place?{place}", "cameras")
    check(got.get("officer_b") == {b1} and got.get("officer_a") == {a1, a2} and got.get("admin") == {a1, a2, b1},
          "place search: each caller finds the cameras they may play back", {"officer_a": [a1, a2], "officer_b": [b1]},
          got)
    aud = ids_of("GET", "/api/v1/audit", "rows", "camera_id")
    check(aud.get("owner_x", set()) <= {a1} and aud.get("owner_y", set()) <= {b1} and a1 in aud.get("owner_x", set()),
          "audit: each owner reads only rows about their own camera", ({a1}, {b1}), (aud.get("owner_x"), aud.get("owner_y")))
    r = answers[("GET", "/api/v1/alerts", "viewer_a")]
    check(r.status == 200 and all(a["owner"] is None for a in r.json["alerts"]),
          "alerts: a viewer never gets the owner's phone", "owner null", r.json)
    r = answers[("GET", "/api/v1/community/cameras", "viewer_a")]
    check(r.status == 200 and all("owner" not in c for c in r.json["cameras"]), "map list: no owner contact for viewers",
          "no owner field", [c.get("owner") for c in r.json["cameras"]])
    r = answers[("GET", "/api/v1/owners", "officer_b")]
    check(r.status == 200 and {o["id"] for o in r.json["owners"]} == {oy}, "owners: officer B sees ward B's owner only",
          {oy}, r.json)
    r = answers[("GET", "/api/v1/wards", "owner_x")]
    check(r.status == 200 and {w["id"] for w in r.json["wards"]} == {wa}, "wards: owner X sees their ward only", {wa}, r.json)
    r = answers[("GET", "/api/v1/bundles", "officer_b")]
    check(r.status == 200 and r.json["bundles"] == [], "bundles: officer B lists none of ward A's", [], r.json)
    r = answers[("POST", "/api/v1/search/place/bundle", "officer_b")]
    check(r.status == 404, "bundle: officer B asking for ward A's camera gets nothing made", 404, r.status)
    for role in ("officer_b", "owner_y"):
        r = answers[("GET", f"/api/v1/cameras/{a1}/live", role)]
        check(r.status == 404 and b"ftyp" not in r.body, f"live stream: {role} gets no bytes of ward A's camera", 404, r.status)
    def wall_codes(r):
        """camera id -> error code (or 'ok') from the wall's framed body."""
        out, b = {}, r.body
        while len(b) >= 12 and b[:2] == b"WW":
            typ, cam, n = b[2], int.from_bytes(b[4:8], "big"), int.from_bytes(b[8:12], "big")
            payload, b = b[12:12 + n], b[12 + n:]
            if typ == 1:
                j = json.loads(payload)
                out[cam] = j.get("error", {}).get("code", "ok")
        return out
    want_wall = {"admin": {a1: "offline", b1: "offline"}, "province": {a1: "offline", b1: "offline"},
                 "officer_a": {a1: "offline", b1: "not_found"}, "officer_b": {a1: "not_found", b1: "offline"},
                 "owner_x": {a1: "forbidden", b1: "not_found"}, "owner_y": {a1: "not_found", b1: "forbidden"},
                 "viewer_a": {a1: "offline", b1: "not_found"}}
    got_wall = {role: wall_codes(answers[("GET", f"/api/v1/live/wall?cameras={a1},{b1}", role)]) for role in want_wall}
    check(got_wall == want_wall, "live wall: another ward's or owner's camera answers not_found, like a missing one",
          want_wall, got_wall)
    r = answers[("GET", f"/api/v1/cameras/{a1}", "owner_x")]
    check(r.status == 200 and "main_url" not in r.json, "camera: an owner never sees the stream URL", "no main_url", r.json)
    r = srv.cli("audit", "verify")
    check(r.returncode == 0, "the audit chain verifies after the whole matrix", 0, (r.returncode, r.stderr[-200:]))
    srv.stop()


try:
    main()
except Exception as e:
    import traceback
    traceback.print_exc()
    check(False, "test ran to the end", "no exception", repr(e))
finish()
