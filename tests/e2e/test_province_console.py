#!/usr/bin/env python3
"""The province console's views (issue 15): the criteria matrix with the
province review written back to the ward, events search across wards with
thumbnails from the station, every ward's cameras on one map — against a
real PostgreSQL 15, a real mosquitto, `hub serve --listen` and two stations:

  A  a real recording station (`serve`, one camsim camera with motion zones,
     joined with --url so the hub can forward to it), its ward registered in
     the criteria programme with a self-assessment;
  B  a simulated station (v1 messages published with mosquitto_pub) with a
     ward, cameras with coordinates, assessments and motion events.

Checks, route by route, the permission matrix (no session 401; province-admin
and province-staff every station and ?station= of either; the ward-officer of
A its own station only, ?station=B 404, and no review at all, 403; an unknown
station 404), then:
  - GET criteria?year=: wards × criterion numbers with the self side and the
    province's review; B's figures exactly as B sent them;
  - POST reviews?station=A: signed, audited at the hub, published; station A
    applies them (`station reviews --json` shows them applied, assessor
    province:<name>) and the matrix shows the review within 10 s; bad bodies
    are 400 naming the field, an unknown ward 404;
  - GET events: A's real motion events and B's, newest first; paging with
    `next` gives the same rows as one page; camera and station filters; a
    thumbnail of an A event through the forward route is a JPEG;
  - GET map: every camera with its coordinates (B's as sent, A's as set).

--world: builds the same world, prints one JSON line {url, password, a, b,
ward_a, year} and waits for stdin to close (tests/browser/province_console).
"""
import base64
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwprovince  # noqa: E402
import wwtest  # noqa: E402
from wwtest import Camsim, Station, check, finish, log  # noqa: E402
from wwapi import Client  # noqa: E402
from test_province_hub import StationSim, applied, http_post  # noqa: E402

PASSWORD = "mật-khẩu-tỉnh-2026"
YEAR = 2026
ZONES = [
    {"name": "road-left", "kind": "include", "points": [[0.05, 0.55], [0.2, 0.55], [0.2, 0.72], [0.05, 0.72]]},
    {"name": "road-right", "kind": "include", "points": [[0.7, 0.55], [0.85, 0.55], [0.85, 0.72], [0.7, 0.72]]},
    {"name": "clock", "kind": "mask", "points": [[0, 0], [0.32, 0], [0.32, 0.1], [0, 0.1]]},
]
T0 = 1_796_000_000_000_000  # 2026-11-30, B's events


def user_add(hub, pwfile, name, role, station=None):
    args = ["user", "add", name, "--role", role, "--password-file", pwfile, "--data", hub.data]
    hub.ww(*(args + (["--station", station] if station else [])), pg=False)


def station_b(sim):
    """B's world as its outbox would send it: a ward, two cameras with
    coordinates, assessments of criteria 1 and 2 (2 reviewed), three events."""
    sim.new(1, {"id": 1, "name": "Phường Đa Kao", "district": "TP Vinh"}, entity="ward")
    sim.new(1, {"id": 1, "name": "Bến xe", "ward_id": 1, "state": "dark", "state_since_us": T0,
                "latitude": 18.6790, "longitude": 105.6990, "direction_deg": 45})
    sim.new(2, {"id": 2, "name": "Công viên", "ward_id": 1, "state": "online", "state_since_us": T0,
                "latitude": 18.6797, "longitude": 105.7004})
    for aid, crit, side, result in ((1, 1, "self", "met"), (2, 2, "self", "in_progress"),
                                    (3, 2, "review", "not_met"), (4, 1, "self", "not_met")):
        sim.new(aid, {"id": aid, "ward_id": 1, "year": YEAR, "criterion_id": 100 + crit, "criterion": crit,
                      "criterion_title": f"Tiêu chí {crit}", "side": side, "result": result,
                      "assessor": "Phường Đa Kao" if side == "self" else "province:Cán bộ cũ",
                      "assessed_on": "2026-11-01", "at_us": T0 + aid}, entity="assessment")
    # an assessment from before schema 052: no number, counted, not placed
    sim.new(9, {"id": 9, "ward_id": 1, "year": YEAR, "criterion_id": 107, "side": "self", "result": "met",
                "assessor": "x", "assessed_on": "2026-01-01", "at_us": T0}, entity="assessment")
    for eid, cam, start in ((1, 1, T0), (2, 2, T0 + 10_000_000), (3, 1, T0 + 20_000_000)):
        sim.new(eid, {"id": eid, "camera_id": cam, "start_us": start, "end_us": start + 4_000_000,
                      "peak_us": start + 1_000_000, "peak_score": 0.5, "zone": "cổng"}, entity="event")


def build(tmp):
    """The world: returns a dict of everything the checks need."""
    pg = wwprovince.Postgres().start()
    mq = wwprovince.Mosquitto().start()
    hub = wwprovince.Hub(tmp, pg, mq, client_id="hub-console")
    hub.ww("init", "--data", hub.data)
    out = hub.ww("station", "add", "Trạm Trường Thi").stdout
    a, ta = re.search(r"station (\S+)", out).group(1), re.search(r"token (\S+)", out).group(1)
    out = hub.ww("station", "add", "Trạm Đa Kao").stdout
    b, tb = re.search(r"station (\S+)", out).group(1), re.search(r"token (\S+)", out).group(1)
    pwfile = os.path.join(tmp, "pw")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    user_add(hub, pwfile, "tinh.admin", "province-admin")
    user_add(hub, pwfile, "tinh.staff", "province-staff")
    user_add(hub, pwfile, "phuong.a", "ward-officer", station=a)
    hub.start()

    cams = Camsim(cameras=1).start()
    st = Station("ww-console").init()
    cam = st.add_camera("Ngõ 5 Trường Thi", cams.url(1), cams.url(1, "sub"), extra=["--lat", "18.6745",
                                                                                    "--lon", "105.6920"])
    st_port = wwtest.free_port()
    r = st.ww("station", "join", hub.url, ta, "--mqtt", mq.url, "--url", f"http://127.0.0.1:{st_port}/",
              check=False)
    check(r.returncode == 0, "station A joins with --url", 0, (r.returncode, r.stderr))
    st.serve("--segment-seconds", "3", http_port=st_port)
    deadline = time.time() + 30
    while time.time() < deadline and not wwtest.port_open(st_port):
        time.sleep(0.2)
    admin = Client(st_port)
    check(admin.login("admin", st.admin_password).status == 200, "station A's admin signs in", 200, "-")
    r = admin.post("/api/v1/wards", {"name": "Phường Trường Thi", "district": "Vinh", "province": "Nghệ An"})
    check(r.status == 201, "fixture: station A's ward", 201, r)
    ward_a = r.json["id"]
    r = admin.patch(f"/api/v1/cameras/{cam}", {"ward_id": ward_a, "direction_deg": 120})
    check(r.status == 200, "fixture: A's camera is in the ward", 200, r)
    r = admin.post("/api/v1/criteria/programme", {"ward_id": ward_a, "year": YEAR})
    check(r.status == 201, "fixture: A's ward is registered in the programme", 201, r)
    r = admin.post("/api/v1/criteria/assessments", {"ward_id": ward_a, "year": YEAR, "criterion": 3,
                                                    "side": "self", "result": "met", "notes": "Đã tự đánh giá"})
    check(r.status == 201, "fixture: A assesses criterion 3 itself", 201, r)
    r = admin.request("PUT", f"/api/v1/cameras/{cam}/motion", body={"sensitivity": 60, "zones": ZONES})
    check(r.status == 200, "fixture: A's camera has motion zones", 200, r)

    st_, body = http_post(hub.port, "/api/v1/province/enrol", {"token": tb, "public_key": "c3Q="})
    check(st_ == 200, "station B enrols", 200, (st_, body))
    sim = StationSim(b, mq, tmp)
    time.sleep(0.5)
    station_b(sim)
    ok = wwprovince.wait(lambda: applied(pg, b) == (sim.seq, 0), 20)
    check(ok, "station B's messages applied", (sim.seq, 0), applied(pg, b))
    ok = wwprovince.wait(lambda: pg.psql(f"SELECT count(*) FROM rows WHERE station = '{a}' AND entity = 'assessment'"
                                         " AND data ? 'criterion'")[0][0] != "0", 30)
    check(ok, "A's self-assessment reaches the hub with its criterion number", "a row", ok)
    log("waiting for station A's motion events at the hub (the simulated car crosses a zone every ~15 s)")
    ok = wwprovince.wait(lambda: pg.psql(f"SELECT count(*) FROM rows WHERE station = '{a}' AND entity = 'event'")
                         [0][0] not in ("0", "1"), 90, step=1)
    check(ok, "station A's motion events reach the hub", ">= 2 rows", ok)
    return {"pg": pg, "mq": mq, "hub": hub, "cams": cams, "st": st, "a": a, "b": b, "sim": sim, "ward_a": ward_a,
            "cam": cam, "admin": admin, "st_port": st_port}


def close(w):
    for k in ("st",):
        try:
            w[k].stop()
        except Exception as e:  # noqa: BLE001 - the checks are what count
            log(f"stopping {k}: {e}")
    w["cams"].stop()
    w["hub"].stop()
    w["mq"].close()
    w["pg"].close()


def clients(port):
    out = {}
    for name in ("tinh.admin", "tinh.staff", "phuong.a"):
        c = Client(port)
        r = c.login(name, PASSWORD)
        check(r.status == 200, f"{name} signs in at the hub", 200, (r.status, r.text[:200]))
        out[name] = c
    return out


def stations_in(rows):
    return sorted({x["station"] for x in rows})


def check_csp(w):
    """The console imports leaflet through an inline import map, allowed by
    its hash in the CSP (src/http/static.c, scripts/csp-hash): a copy that
    drifts from web/index.html's would leave the map blank with only a
    console error, so the hash of the map the hub serves is checked."""
    r = Client(w["hub"].port).get("/province/index.html")
    m = re.search(r'<script type="importmap">(.*?)</script>', r.text, re.S)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'" if m else None
    csp = r.header("Content-Security-Policy") or ""
    check(m and digest in csp, "the console's import map is the one the CSP's script hash allows", digest, csp[:160])
    for path in ("/province/matrix.js", "/province/events.js", "/province/map.js", "/province/live.js",
                 "/pages/map.js", "/lib/mseplayer.js", "/vendor/leaflet/dist/leaflet-src.esm.js",
                 "/vendor/leaflet/dist/leaflet.css"):
        r = Client(w["hub"].port).get(path)
        check(r.status == 200, f"the hub serves {path}", 200, r.status)


def check_matrix(w, cl):
    a, b = w["a"], w["b"]
    ROUTES = [f"criteria?year={YEAR}", "events", "map"]
    anon = Client(w["hub"].port)
    for route in ROUTES:
        r = anon.get(f"/api/v1/province/{route}")
        check(r.status == 401, f"GET {route} without a session is 401", 401, (r.status, r.text[:200]))
    r = anon.post(f"/api/v1/province/reviews?station={a}", {"ward_id": w["ward_a"], "year": YEAR,
                                                            "results": [{"criterion": 3, "result": "met"}]})
    check(r.status == 401, "POST reviews without a session is 401", 401, (r.status, r.text[:200]))
    keys = {"criteria": "wards", "events": "events", "map": "cameras"}
    for route in ROUTES:
        key = keys[route.split("?")[0]]
        sep = "&" if "?" in route else "?"
        for name in ("tinh.admin", "tinh.staff"):
            r = cl[name].get(f"/api/v1/province/{route}")
            got = stations_in(r.json.get(key, [])) if r.status == 200 else r.status
            check(got == sorted([a, b]), f"{name}: {route} covers both stations", sorted([a, b]), got)
            r = cl[name].get(f"/api/v1/province/{route}{sep}station={b}")
            got = stations_in(r.json.get(key, [])) if r.status == 200 else r.status
            check(got == [b], f"{name}: {route}{sep}station=B is B's only", [b], got)
            r = cl[name].get(f"/api/v1/province/{route}{sep}station=st-nosuch00")
            check(r.status == 404, f"{name}: {route} of an unknown station is 404", 404, r.status)
        off = cl["phuong.a"]
        r = off.get(f"/api/v1/province/{route}")
        got = stations_in(r.json.get(key, [])) if r.status == 200 else r.status
        check(got == [a], f"ward-officer of A: {route} is A's only", [a], got)
        check(b not in r.text and "Đa Kao" not in r.text, f"ward-officer of A: nothing of B in {route}", "no B",
              r.text[:300])
        r = off.get(f"/api/v1/province/{route}{sep}station={b}")
        check(r.status == 404, f"ward-officer of A: {route}{sep}station=B is 404", 404, r.status)
    body = {"ward_id": w["ward_a"], "year": YEAR, "results": [{"criterion": 3, "result": "met"}]}
    r = cl["phuong.a"].post(f"/api/v1/province/reviews?station={a}", body)
    check(r.status == 403, "ward-officer of A may not review its own ward", 403, (r.status, r.text[:200]))
    r = cl["phuong.a"].post(f"/api/v1/province/reviews?station={b}", dict(body, ward_id=1))
    check(r.status == 404, "ward-officer of A: a review for B is 404", 404, (r.status, r.text[:200]))
    r = cl["tinh.staff"].get(f"/api/v1/province/criteria?year={YEAR}")
    check(r.json.get("can_review") is True, "staff: the matrix says a review may be written", True, r.json.get("can_review"))
    r = cl["phuong.a"].get(f"/api/v1/province/criteria?year={YEAR}")
    check(r.json.get("can_review") is False, "officer: the matrix says no review", False, r.json.get("can_review"))


def check_criteria(w, cl):
    a, b = w["a"], w["b"]
    staff = cl["tinh.staff"]
    for q, why in (("", "year missing"), ("?year=19", "year out of range"), ("?year=x", "year not a number")):
        r = staff.get(f"/api/v1/province/criteria{q}")
        check(r.status == 400 and "year" in r.error_message(), f"criteria: {why} is 400 naming year", 400,
              (r.status, r.error_message()))
    r = staff.get(f"/api/v1/province/criteria?year={YEAR}&station={b}")
    m = r.json
    check([c["num"] for c in m["criteria"]] == [1, 2], "B's matrix: criteria 1 and 2", [1, 2], m["criteria"])
    check(m["unnumbered"] == 1, "an assessment without a criterion number is counted, not placed", 1, m["unnumbered"])
    cells = m["wards"][0]["cells"]
    got = (cells["1"]["self"]["result"], "review" in cells["1"], cells["2"]["self"]["result"],
           cells["2"]["review"]["result"], cells["2"]["review"]["assessor"])
    want = ("not_met", False, "in_progress", "not_met", "province:Cán bộ cũ")
    check(got == want, "B's cells: the latest self per criterion, the review beside it", want, got)
    r = staff.get(f"/api/v1/province/criteria?year={YEAR}&station={a}")
    wa = [x for x in r.json["wards"] if x["ward_id"] == str(w["ward_a"])]
    check(len(wa) == 1 and wa[0]["ward"] == "Phường Trường Thi" and wa[0]["cells"].get("3", {}).get("self", {})
          .get("result") == "met" and wa[0]["cells"]["3"]["self"].get("notes") == "Đã tự đánh giá",
          "A's ward row: its self-assessment of criterion 3 with the notes", "3: self met", r.json)
    r = staff.get(f"/api/v1/province/criteria?year=2019&station={b}")
    check(r.status == 200 and r.json["criteria"] == [] and r.json["wards"][0]["cells"] == {},
          "a year without assessments: the wards, no cells", "empty", r.json)


def check_review(w, cl):
    a = w["a"]
    staff = cl["tinh.staff"]
    url = f"/api/v1/province/reviews?station={a}"
    good = {"ward_id": w["ward_a"], "year": YEAR, "notes": "Kiểm tra hồ sơ ngày 03/12",
            "results": [{"criterion": 3, "result": "met"}, {"criterion": 5, "result": "not_met"}]}
    bad = [({**good, "results": []}, "results"), ({**good, "results": [{"criterion": 0, "result": "met"}]}, "results"),
           ({**good, "results": [{"criterion": 3, "result": "ok"}]}, "results"),
           ({**good, "results": [{"criterion": 3, "result": "met"}, {"criterion": 3, "result": "met"}]}, "results"),
           ({**good, "year": 1999}, "year"), ({**good, "extra": 1}, "extra"),
           ({**good, "assessed_on": "03/12/2026"}, "assessed_on")]
    for body, field in bad:
        r = staff.post(url, body)
        check(r.status == 400 and field in (r.error_message() + json.dumps(r.json)),
              f"review: {json.dumps(body, ensure_ascii=False)[:70]} is 400 naming {field}", 400,
              (r.status, r.text[:200]))
    r = staff.post("/api/v1/province/reviews", good)
    check(r.status == 400 and "station" in r.error_message(), "review without ?station= is 400", 400, r.status)
    r = staff.post(url, {**good, "ward_id": 999})
    check(r.status == 404, "review of a ward the station does not have is 404", 404, (r.status, r.text[:200]))
    t0 = time.time()
    r = staff.post(url, good)
    check(r.status == 202 and [x["criterion"] for x in r.json.get("sent", [])] == [3, 5]
          and all(len(x["review_id"]) == 32 for x in r.json["sent"]),
          "staff's review of A's ward is sent: one signed message per criterion", "202, sent 3 and 5",
          (r.status, r.text[:300]))
    ids = {x["review_id"] for x in r.json.get("sent", [])}

    def applied_at_station():
        out = w["st"].ww("station", "reviews", "--json", check=False)
        rows = json.loads(out.stdout) if out.returncode == 0 else []
        mine = [x for x in rows if x["review_id"] in ids]
        return mine if len(mine) == 2 and all(x["state"] != "pending" for x in mine) else None
    got = wwprovince.wait(applied_at_station, 10)
    check(got and all(x["state"] == "applied" for x in got)
          and {x["review"]["reviewer"] for x in got} == {"tinh.staff"}
          and all(x["review"]["notes"] == good["notes"] for x in got),
          "`station reviews --json` at A: both applied, the reviewer is the hub user, the notes kept",
          "2 applied", got)
    log(f"the console's review applied at the station {time.time() - t0:.2f} s after the POST")
    r = w["admin"].get(f"/api/v1/criteria/assessments?ward_id={w['ward_a']}&year={YEAR}")
    hist = [h for h in r.json.get("history", []) if h.get("side") == "review"] if r.status == 200 else []
    check(sorted((h.get("criterion"), h.get("result"), h.get("assessor")) for h in hist)
          == [(3, "met", "province:tinh.staff"), (5, "not_met", "province:tinh.staff")],
          "A's criteria history has both reviews by province:tinh.staff", "3 met, 5 not_met", hist)

    def in_matrix():
        m = staff.get(f"/api/v1/province/criteria?year={YEAR}&station={a}").json
        row = [x for x in m["wards"] if x["ward_id"] == str(w["ward_a"])][0]["cells"]
        rv = {k: v["review"]["result"] for k, v in row.items() if "review" in v}
        return rv if rv == {"3": "met", "5": "not_met"} else None
    got = wwprovince.wait(in_matrix, 10)
    check(got, "the applied reviews come back to the hub's matrix", {"3": "met", "5": "not_met"}, got)
    db = sqlite3.connect(os.path.join(w["hub"].data, "hub-http.db"))
    rows = db.execute("SELECT username, detail FROM audit WHERE action = 'province_review'").fetchall()
    db.close()
    check(len(rows) == 2 and all(u == "tinh.staff" for u, _ in rows)
          and {json.loads(d)["review_id"] for _, d in rows} == ids,
          "the hub's audit has one province_review row per criterion, by the user", 2, rows)


def events(c, q):
    r = c.get(f"/api/v1/province/events{q}")
    return r, (r.json.get("events", []) if r.status == 200 else [])


def check_events(w, cl):
    a, b = w["a"], w["b"]
    staff = cl["tinh.staff"]
    got = len(events(staff, f"?station={a}")[1])
    check(got >= 2, "station A's events through the route", ">= 2", got)
    r, evs = events(staff, "?limit=500")
    starts = [e["start_us"] for e in evs]
    check(r.status == 200 and starts == sorted(starts, reverse=True) and stations_in(evs) == sorted([a, b]),
          "events of both stations, newest first", "sorted desc, both", starts[:6])
    bev = [e for e in evs if e["station"] == b]
    check([(e["id"], e["camera_name"], e["ward"]) for e in bev]
          == [("3", "Bến xe", "Phường Đa Kao"), ("2", "Công viên", "Phường Đa Kao"), ("1", "Bến xe", "Phường Đa Kao")],
          "B's events with camera and ward names", "3, 2, 1", bev)
    pages, q, n = [], "?limit=2", 0
    while n < 50:
        r, page = events(staff, q)
        pages += page
        n += 1
        if not r.json.get("next"):
            break
        q = f"?limit=2&before={r.json['next']}"
    check([(e["station"], e["id"]) for e in pages] == [(e["station"], e["id"]) for e in evs],
          "paging by `next` gives the same rows as one page", len(evs), len(pages))
    r, one = events(staff, f"?station={b}&camera=1")
    check([e["id"] for e in one] == ["3", "1"], "camera filter", ["3", "1"], [e["id"] for e in one])
    r, rng = events(staff, f"?station={b}&from={(T0 + 5_000_000) // 1_000_000}&to={(T0 + 15_000_000) // 1_000_000}")
    check([e["id"] for e in rng] == ["2"], "time range filter (epoch seconds)", ["2"], [e["id"] for e in rng])
    for q, field in (("?kind=alarm", "kind"), ("?camera=x", "camera"), ("?before=12", "before"),
                     ("?limit=0", "limit"), ("?from=2026-12-02&to=2026-12-01", "to")):
        r = staff.get(f"/api/v1/province/events{q}")
        check(r.status == 400 and field in r.error_message(), f"events{q} is 400 naming {field}", 400,
              (r.status, r.error_message()))
    r, ok = events(staff, "?kind=motion&limit=1")
    check(r.status == 200 and len(ok) == 1, "kind=motion is accepted", 1, len(ok))
    aev = [e for e in evs if e["station"] == a][0]
    check(aev["camera_name"] == "Ngõ 5 Trường Thi" and aev["ward"] == "Phường Trường Thi",
          "A's event with its camera and ward", "Ngõ 5 Trường Thi", aev)
    r = staff.get(f"/api/v1/province/stations/{a}/forward/events/{aev['id']}/thumbnail")
    check(r.status == 200 and r.body[:3] == b"\xff\xd8\xff", "A's event thumbnail through the forward route is a JPEG",
          "200 JPEG", (r.status, r.body[:40]))


def check_map(w, cl):
    a, b = w["a"], w["b"]
    r = cl["tinh.admin"].get("/api/v1/province/map")
    cams = {(c["station"], c["id"]): c for c in r.json["cameras"]}
    bc = cams.get((b, "1"), {})
    check((bc.get("latitude"), bc.get("longitude"), bc.get("direction_deg"), bc.get("state"), bc.get("ward"))
          == (18.679, 105.699, 45, "dark", "Phường Đa Kao"),
          "map: B's camera with its coordinates, direction, state and ward", "18.679, 105.699", bc)
    ac = cams.get((a, str(w["cam"])), {})
    check(ac.get("latitude") == 18.6745 and ac.get("longitude") == 105.692 and ac.get("direction_deg") == 120,
          "map: A's camera as the station set it", (18.6745, 105.692, 120), ac)


def check_broker_down(w, cl):
    """Last: the broker stopped, a review cannot go out — a 503 that says so
    and names what went out (nothing), never a 202."""
    w["mq"].stop()
    t0 = time.time()
    r = cl["tinh.admin"].post(f"/api/v1/province/reviews?station={w['a']}",
                              {"ward_id": w["ward_a"], "year": YEAR, "results": [{"criterion": 4, "result": "met"}]},
                              timeout=60)
    check(r.status == 503 and r.json.get("sent") == [] and "broker" in r.error_message(),
          "with the broker down a review is 503, `sent` empty", "503, sent []", (r.status, r.text[:300]))
    log(f"the refused review answered in {time.time() - t0:.1f} s (the publish waits up to 10 s)")


def main():
    world = "--world" in sys.argv
    tmp = tempfile.mkdtemp(prefix="ww-console-")
    w = None
    try:
        w = build(tmp)
        if world:
            print(json.dumps({"url": w["hub"].url, "password": PASSWORD, "a": w["a"], "b": w["b"],
                              "ward_a": w["ward_a"], "year": YEAR}), flush=True)
            sys.stdin.read()
            return
        check_csp(w)
        cl = clients(w["hub"].port)
        check_matrix(w, cl)
        check_criteria(w, cl)
        check_review(w, cl)
        check_map(w, cl)
        check_events(w, cl)
        check_broker_down(w, cl)
    finally:
        if w:
            close(w)
    if not world:
        finish()


main()
