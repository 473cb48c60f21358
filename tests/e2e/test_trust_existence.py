"""Issue 11 item 13: out of scope is indistinguishable from absent.

An officer of ward A (then a viewer of ward A and the owner of one of ward
A's cameras) asks for, links to and patches the ids of ward B's
objects (camera, owner, ward, incident, export, event, consent, bundle,
alert, user, criteria assessment and evidence file) and, side by side, ids
that exist nowhere.  For every path the two answers must be the same: the
same status and the same body once the id itself is replaced by "N".  A
difference tells the officer that B's object exists, which is what the
station must not give away.

Each pair is also checked for not succeeding (a 2xx for B's object would be
a scope breach, not just a leak), and a few linking requests are checked to
have left nothing behind (the incident still links nothing of ward B).

Fixture footage (segments, a motion event with a thumbnail, an export, a
bundle, an alert) exists for ward B's camera, so an answer cannot be the
same merely because the object is not there."""
import json
import os
import re
import sqlite3
import sys
import tempfile
import time

from wwapi import Server, check, finish, log

SRC = os.environ.get("WW_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "../..")))
sys.path.insert(0, os.path.join(SRC, "tools", "gencams"))
import gencams  # noqa: E402

MISSING = 987654      # an id no table reaches in this test
MISSING_NAME = "Phường Không Có"
LIST = "list"         # a filter on a list: the same answer suffices (an empty list is not a refusal)


ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)")


def wall_frames(body):
    """The wall's framed answer ("WW", u8 type, u8 0, camera id u32, length
    u32, payload) as [(type, payload)] with the camera id left out."""
    out, i = [], 0
    while i + 12 <= len(body) and body[i:i + 2] == b"WW":
        n = int.from_bytes(body[i + 8:i + 12], "big")
        out.append((body[i + 2], body[i + 12:i + 12 + n].decode("utf-8", "replace")))
        i += 12 + n
    return out if i == len(body) else [("unparsed", body.decode("utf-8", "replace"))]


def norm(resp, the_id):
    """The answer with the asked-for id (or name) blanked and clock times
    masked: (status, body)."""
    if (resp.header("Content-Type") or "").startswith("application/x-wardwatch-wall") or resp.body[:2] == b"WW":
        text = repr(wall_frames(resp.body))
    else:
        text = resp.text
    if isinstance(the_id, int):
        text = re.sub(r"(?<![0-9])%d(?![0-9])" % the_id, "N", text)
    else:
        for form in (the_id, json.dumps(the_id)[1:-1]):
            text = text.replace(form, "N")
    return resp.status, ISO_TIME.sub("T", text)


class CsvBody:
    def __init__(self, text):
        self.text = text


def csv_body(text):
    return CsvBody(text)


def main():
    tpl_dir = tempfile.mkdtemp(prefix="ww-tpl-")
    tpl = gencams.record_template(tpl_dir)
    srv = Server().start()
    admin = srv.admin()
    wa = srv.create_ward(admin, "Trường Thi")
    wb = srv.create_ward(admin, "Hà Huy Tập")
    oa = srv.create_owner(admin, wa, "Hộ bà Lan")
    ob = srv.create_owner(admin, wb, "Tạp hóa Minh Châu")
    a1 = srv.create_camera(admin, wa, oa, "Ngõ 12 (A)", latitude=18.6700, longitude=105.6800)
    a2 = srv.create_camera(admin, wa, None, "Trường THCS (A)", latitude=18.6710, longitude=105.6810)
    b1 = srv.create_camera(admin, wb, ob, "Chợ (B)", latitude=18.6705, longitude=105.6805)
    ub, _ = srv.create_user(admin, "officer_b", "officer", ward_id=wb)
    callers = {}
    for name, kw in (("officer_a", {"role": "officer", "ward_id": wa}), ("viewer_a", {"role": "viewer", "ward_id": wa}),
                     ("owner_a", {"role": "owner", "owner_id": oa})):
        _, pw = srv.create_user(admin, name, **kw)
        callers[name] = srv.signed_in(name, pw)
    off = callers["officer_a"]

    # ---- ward B's objects --------------------------------------------------------------
    T0 = int(time.time()) - 3600
    db = sqlite3.connect(os.path.join(srv.data, "wardwatch.db"), timeout=30)
    for c in (a1, b1):
        gencams.add_segments(srv.data, tpl, c, T0, 2, db=db)
    db.commit()
    jpeg = open(os.path.join(tpl_dir, "template.mp4"), "rb").read()[:2000]   # any bytes; only served back
    ev_b = gencams.add_event(srv.data, b1, T0 + 1, T0 + 3, 0.6, jpeg=jpeg, db=db)
    now_us = int(time.time() * 1e6)
    db.execute("INSERT INTO camera_alerts(camera_id, ward_id, camera_name, since_us, raised_us, owner_id,"
               " owner_name, owner_phone, owner_kind) VALUES (?,?,?,?,?,?,?,?,?)",
               (b1, wb, "Chợ (B)", now_us - 600e6, now_us - 300e6, ob, "Tạp hóa Minh Châu", "0912 345 678",
                "household"))
    db.commit()
    alert_b = db.execute("SELECT id FROM camera_alerts WHERE camera_id=?", (b1,)).fetchone()[0]
    db.close()
    for c in (a1, b1):
        r = admin.post(f"/api/v1/cameras/{c}/consents", {"live": True, "record": True, "export": True})
        check(r.status == 201, f"fixture: camera {c}'s owner agreed to everything", 201, r)
    cid_b = admin.get(f"/api/v1/cameras/{b1}/consents").json["consents"][0]["id"]
    r = admin.post(f"/api/v1/cameras/{b1}/exports", {"from": T0, "to": T0 + 3})
    check(r.status == 201, "fixture: an export of ward B's camera", 201, r)
    exp_b = r.json["export"]["id"] if r.status == 201 else 0
    r = admin.post("/api/v1/search/place/bundle", {"lat": 18.6705, "lon": 105.6805, "radius_m": 20,
                                                   "from": T0, "to": T0 + 3, "camera_ids": [b1]})
    check(r.status == 201, "fixture: a bundle of ward B's camera", 201, r)
    bundle_b = r.json["bundle"]["id"] if r.status == 201 else 0
    bundle_file = r.json["bundle"]["files"][0]["name"] if r.status == 201 and r.json["bundle"]["files"] else "x.mp4"
    cat_id = admin.get("/api/v1/incident-categories").json["categories"][0]["id"]
    r = admin.post("/api/v1/incidents", {"ward_id": wb, "category_id": cat_id, "occurred_at": "2026-11-20T10:00",
                                         "summary": "B's incident", "camera_ids": [b1]})
    check(r.status == 201, "fixture: an incident of ward B", 201, r)
    inc_b = r.json["id"] if r.status == 201 else 0
    r = off.post("/api/v1/incidents", {"category_id": cat_id, "occurred_at": "2026-11-20T11:00", "summary": "A's"})
    check(r.status == 201, "fixture: officer A records an incident of ward A", 201, r)
    inc_a = r.json["id"] if r.status == 201 else 0
    year = time.gmtime().tm_year
    r = admin.post("/api/v1/criteria/programme", {"ward_id": wb, "year": year})
    check(r.status in (200, 201), "fixture: ward B in this year's programme", 201, r)
    r = admin.post("/api/v1/criteria/assessments", {"ward_id": wb, "year": year, "criterion": 1, "side": "self",
                                                    "result": "met"})
    check(r.status in (200, 201), "fixture: a self-assessment of ward B", 201, r)
    asm_b = (r.json or {}).get("id") or (r.json or {}).get("assessment", {}).get("id") or 0
    r = admin.post(f"/api/v1/criteria/assessments/{asm_b}/files?name=bien-ban.pdf", raw=b"%PDF-1.4 evidence",
                   headers={"Content-Type": "application/octet-stream", "X-Requested-With": "wardwatch-tests"})
    check(r.status == 201, "fixture: an evidence file of ward B", 201, r)
    file_b = r.json["id"] if r.status == 201 else 0

    cat_code = admin.get("/api/v1/incident-categories").json["categories"][0]["code"]
    incident = {"category_id": cat_id, "occurred_at": "2026-11-21T09:00", "summary": "link test"}
    camera_new = {"name": "new", "main_url": "rtsp://127.0.0.1:9/new", "enabled": False}
    place = {"lat": 18.6705, "lon": 105.6805, "radius_m": 200, "from": T0, "to": T0 + 3}
    # (what, make(id) -> (method, path, body), the id of ward B's object)
    cases = [
        # cameras and what hangs off them
        ("camera", lambda x: ("GET", f"/api/v1/cameras/{x}", None), b1),
        ("camera patch", lambda x: ("PATCH", f"/api/v1/cameras/{x}", {"retention_days": 7}), b1),
        ("camera delete", lambda x: ("DELETE", f"/api/v1/cameras/{x}", None), b1),
        ("camera activate", lambda x: ("POST", f"/api/v1/cameras/{x}/activate", None), b1),
        ("camera consents", lambda x: ("GET", f"/api/v1/cameras/{x}/consents", None), b1),
        ("camera consent add", lambda x: ("POST", f"/api/v1/cameras/{x}/consents", {"live": True}), b1),
        ("consent withdraw (B's camera)", lambda x: ("POST", f"/api/v1/cameras/{x}/consents/{cid_b}/withdraw", {}), b1),
        ("consent of B under A's camera", lambda x: ("POST", f"/api/v1/cameras/{a1}/consents/{x}/withdraw", {}), cid_b),
        ("camera export", lambda x: ("POST", f"/api/v1/cameras/{x}/exports", {"from": T0, "to": T0 + 2}), b1),
        ("camera live", lambda x: ("GET", f"/api/v1/cameras/{x}/live", None), b1),
        ("camera snapshot", lambda x: ("GET", f"/api/v1/cameras/{x}/snapshot", None), b1),
        ("camera timeline", lambda x: ("GET", f"/api/v1/cameras/{x}/timeline?from={T0}&to={T0 + 5}", None), b1),
        ("camera playback", lambda x: ("GET", f"/api/v1/cameras/{x}/playback?at={T0 + 1}&to={T0 + 2}", None), b1),
        ("camera motion", lambda x: ("GET", f"/api/v1/cameras/{x}/motion", None), b1),
        ("camera motion put", lambda x: ("PUT", f"/api/v1/cameras/{x}/motion", {"enabled": False}), b1),
        ("camera motion state", lambda x: ("GET", f"/api/v1/cameras/{x}/motion/state", None), b1),
        ("camera probe", lambda x: ("GET", f"/api/v1/cameras/{x}/probe", None), b1),
        ("camera probe now", lambda x: ("POST", f"/api/v1/cameras/{x}/probe", {"timeout_s": 1}), b1),
        ("camera probe still", lambda x: ("GET", f"/api/v1/cameras/{x}/probe/still", None), b1),
        ("cameras of a ward", lambda x: ("GET", f"/api/v1/cameras?ward_id={x}", None), wb, LIST),
        ("wall tile", lambda x: ("GET", f"/api/v1/live/wall?cameras={x}", None), b1, LIST),
        ("new camera in ward", lambda x: ("POST", "/api/v1/cameras", dict(camera_new, ward_id=x, owner_id=oa)), wb),
        ("new camera with owner", lambda x: ("POST", "/api/v1/cameras", dict(camera_new, ward_id=wa, owner_id=x)), ob),
        ("camera moved to ward", lambda x: ("PATCH", f"/api/v1/cameras/{a2}", {"ward_id": x}), wb),
        ("camera given owner", lambda x: ("PATCH", f"/api/v1/cameras/{a2}", {"owner_id": x}), ob),
        # exports, events, bundles, alerts
        ("export", lambda x: ("GET", f"/api/v1/exports/{x}", None), exp_b),
        ("export file", lambda x: ("GET", f"/api/v1/exports/{x}/file", None), exp_b),
        ("export manifest", lambda x: ("GET", f"/api/v1/exports/{x}/manifest", None), exp_b),
        ("exports of a camera", lambda x: ("GET", f"/api/v1/exports?camera={x}", None), b1, LIST),
        ("event", lambda x: ("GET", f"/api/v1/events/{x}", None), ev_b),
        ("event thumbnail", lambda x: ("GET", f"/api/v1/events/{x}/thumbnail", None), ev_b),
        ("events of a camera", lambda x: ("GET", f"/api/v1/events?camera={x}", None), b1, LIST),
        ("events of a ward", lambda x: ("GET", f"/api/v1/events?ward={x}", None), wb, LIST),
        ("bundle", lambda x: ("GET", f"/api/v1/bundles/{x}", None), bundle_b),
        ("bundle tar", lambda x: ("GET", f"/api/v1/bundles/{x}/bundle.tar", None), bundle_b),
        ("bundle member", lambda x: ("GET", f"/api/v1/bundles/{x}/files/{bundle_file}", None), bundle_b),
        ("bundle of a camera", lambda x: ("POST", "/api/v1/search/place/bundle", dict(place, camera_ids=[x])), b1),
        ("alert", lambda x: ("GET", f"/api/v1/alerts/{x}", None), alert_b),
        ("alerts of a camera", lambda x: ("GET", f"/api/v1/alerts?camera={x}", None), b1, LIST),
        ("alert settings of a ward", lambda x: ("PUT", "/api/v1/alerts/settings", {"ward_id": x, "dark_after_s": 600}), wb),
        ("availability of a ward", lambda x: ("GET", f"/api/v1/availability?ward_id={x}", None), wb, LIST),
        ("audit of a camera", lambda x: ("GET", f"/api/v1/audit?camera={x}", None), b1),
        ("audit of a user", lambda x: ("GET", f"/api/v1/audit?user={x}", None), ub, LIST),
        # owners, wards, users
        ("owner", lambda x: ("GET", f"/api/v1/owners/{x}", None), ob),
        ("owner patch", lambda x: ("PATCH", f"/api/v1/owners/{x}", {"phone": "0900 000 000"}), ob),
        ("owners of a ward", lambda x: ("GET", f"/api/v1/owners?ward_id={x}", None), wb, LIST),
        ("new owner in ward", lambda x: ("POST", "/api/v1/owners", {"kind": "household", "name": "X", "ward_id": x}), wb),
        ("owner moved to ward", lambda x: ("PATCH", f"/api/v1/owners/{oa}", {"ward_id": x}), wb),
        ("ward", lambda x: ("GET", f"/api/v1/wards/{x}", None), wb),
        ("user", lambda x: ("GET", f"/api/v1/users/{x}", None), ub),
        ("user patch", lambda x: ("PATCH", f"/api/v1/users/{x}", {"display_name": "x"}), ub),
        # incidents
        ("incident", lambda x: ("GET", f"/api/v1/incidents/{x}", None), inc_b),
        ("incident patch", lambda x: ("PATCH", f"/api/v1/incidents/{x}", {"summary": "x"}), inc_b),
        ("incident delete", lambda x: ("DELETE", f"/api/v1/incidents/{x}", None), inc_b),
        ("incidents of a ward", lambda x: ("GET", f"/api/v1/incidents?ward_id={x}", None), wb, LIST),
        ("new incident in ward", lambda x: ("POST", "/api/v1/incidents", dict(incident, ward_id=x)), wb),
        ("new incident linking camera", lambda x: ("POST", "/api/v1/incidents", dict(incident, camera_ids=[x])), b1),
        ("incident linked to camera", lambda x: ("PATCH", f"/api/v1/incidents/{inc_a}", {"camera_ids": [x]}), b1),
        ("new incident linking export", lambda x: ("POST", "/api/v1/incidents", dict(incident, export_ids=[x])), exp_b),
        ("incident linked to export", lambda x: ("PATCH", f"/api/v1/incidents/{inc_a}", {"export_ids": [x]}), exp_b),
        ("incident moved to ward", lambda x: ("PATCH", f"/api/v1/incidents/{inc_a}", {"ward_id": x}), wb),
        ("new incident in ward (by name)", lambda x: ("POST", "/api/v1/incidents", dict(incident, ward=x)),
         "Hà Huy Tập"),
        ("incident moved to ward (by name)", lambda x: ("PATCH", f"/api/v1/incidents/{inc_a}", {"ward": x}),
         "Hà Huy Tập"),
        ("import a row of a ward", lambda x: ("POST", "/api/v1/incidents/import",
                                              csv_body("occurred_at,ward,category,summary\n"
                                                       f"20/11/2026 08:00,{x},{cat_code},import\n")), "Hà Huy Tập"),
        ("import a row linking camera", lambda x: ("POST", "/api/v1/incidents/import",
                                                   csv_body("occurred_at,ward,category,summary,camera_ids\n"
                                                            f"20/11/2026 08:00,Trường Thi,{cat_code},import,{x}\n")),
         b1),
        # statistics and criteria
        ("stats of a ward", lambda x: ("GET", f"/api/v1/stats?ward_id={x}", None), wb),
        ("stats csv of a ward", lambda x: ("GET", f"/api/v1/stats.csv?ward_id={x}", None), wb),
        ("stats pdf of a ward", lambda x: ("GET", f"/api/v1/stats/report.pdf?ward_id={x}", None), wb),
        ("assessments of a ward", lambda x: ("GET", f"/api/v1/criteria/assessments?ward_id={x}&year={year}", None), wb),
        ("self-assessment of a ward", lambda x: ("POST", "/api/v1/criteria/assessments",
                                                 {"ward_id": x, "year": year, "criterion": 1, "side": "self",
                                                  "result": "met"}), wb),
        ("evidence added to assessment", lambda x: ("POST", f"/api/v1/criteria/assessments/{x}/files?name=a.pdf",
                                                    b"%PDF-1.4 x"), asm_b),
        ("evidence file", lambda x: ("GET", f"/api/v1/criteria/files/{x}", None), file_b),
        ("criteria matrix of a ward", lambda x: ("GET", f"/api/v1/criteria/matrix?year={year}&ward_id={x}", None), wb, LIST),
        ("criteria csv of a ward", lambda x: ("GET", f"/api/v1/criteria/matrix.csv?year={year}&ward_id={x}", None), wb, LIST),
        ("progress of a ward", lambda x: ("GET", f"/api/v1/criteria/progress?ward_id={x}", None), wb),
        ("programme of a ward", lambda x: ("POST", "/api/v1/criteria/programme", {"ward_id": x, "year": year}), wb),
        ("recognition of a ward", lambda x: ("POST", "/api/v1/criteria/recognitions",
                                             {"ward_id": x, "year": year, "decision_no": "1/QĐ",
                                              "decision_date": f"{year}-01-02"}), wb),
    ]

    def ask(who, method, path, body):
        if isinstance(body, CsvBody):
            return who.request(method, path, raw=body.text.encode(), headers={"Content-Type": "text/csv",
                                                                              "X-Requested-With": "wardwatch-tests"})
        if isinstance(body, bytes):
            return who.request(method, path, raw=body, headers={"Content-Type": "application/octet-stream",
                                                                "X-Requested-With": "wardwatch-tests"})
        return who.request(method, path, body=body)

    # the officer first: the others' answers must not depend on what it tried
    for caller, who in callers.items():
        for what, make, theirs, *flags in cases:
            if not theirs:
                check(False, f"{what}: fixture id exists", "an id", theirs)
                continue
            rb = ask(who, *make(theirs))
            missing = MISSING if isinstance(theirs, int) else MISSING_NAME
            rm = ask(who, *make(missing))
            sb, bb = norm(rb, theirs)
            sm, bm = norm(rm, missing)
            check((sb, bb) == (sm, bm), f"{caller}, {what}: ward B's id and a missing id get the same answer",
                  f"{sm} {bm[:160]}", f"{sb} {bb[:160]}")
            if LIST not in flags:
                check(not 200 <= sb < 300, f"{caller}, {what}: ward B's object is refused", "4xx", f"{sb} {bb[:120]}")

    # nothing of ward B got linked, moved or changed on the way
    r = admin.get(f"/api/v1/incidents/{inc_a}")
    check(r.status == 200 and r.json["camera_ids"] == [] and r.json["export_ids"] == [] and r.json["ward_id"] == wa,
          "A's incident still links nothing of ward B and stays in ward A",
          ([], [], wa), (r.json or {}).get("camera_ids"), )
    r = admin.get(f"/api/v1/cameras/{a2}")
    check(r.status == 200 and r.json.get("ward_id") == wa and not r.json.get("owner_id"),
          "A's camera still in ward A with no owner", (wa, None),
          (r.json or {}).get("ward_id"), )
    r = admin.get(f"/api/v1/owners/{ob}")
    check(r.status == 200 and r.json.get("phone") == "0912 345 678", "B's owner's phone unchanged", "0912 345 678",
          (r.json or {}).get("phone"))
    log(f"{len(cases)} paths compared for {len(callers)} callers")


try:
    main()
finally:
    finish()
