#!/usr/bin/env python3
"""The hub's read API and province users, against a real PostgreSQL 15 and
a real mosquitto.  Two stations are enrolled through POST
/api/v1/province/enrol and publish v1 messages over MQTT (played by
test_province_hub's StationSim with mosquitto_pub), so every row the API
reads went through the hub's own subscriber and apply path.

Covers: `hub user add | list` (roles, the ward-officer's station, refused
combinations), sign-in with the http session machinery, every route's
answer, the permission matrix (401 without a session; province-admin and
province-staff see both stations; the ward-officer of station A never
sees a row of station B, and ?station=B is 404; an unknown station is 404
for everyone), owners' contact fields only for the roles allowed, dark
cameras first, open alerts newest first, and the statistics equal to
`hub stats` figure by figure (the same period a year before included)."""
import json
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwtest  # noqa: E402
from wwtest import check, log  # noqa: E402
import wwprovince  # noqa: E402
from wwapi import Client  # noqa: E402
from test_province_hub import Hub, StationSim, applied, http_post, wait  # noqa: E402

ROUTES = ["stations", "cameras", "alerts", "owners", "stats?from=2026-10-01&to=2027-01-01"]


def enrol(hub, name):
    out = hub.ww("station", "add", name).stdout
    sid = re.search(r"station (\S+)", out).group(1)
    token = re.search(r"token (\S+)", out).group(1)
    return sid, token


def publish(sim, ward_name, cams, alerts, owners, incidents):
    """One station's world, as its outbox would send it."""
    sim.new(1, {"id": 1, "name": ward_name, "district": "Quận 1"}, entity="ward")
    for cid, name, state, since in cams:
        sim.new(cid, {"id": cid, "name": name, "ward_id": 1, "state": state, "state_since_us": since})
    for aid, cam, raised, cleared in alerts:
        sim.new(aid, {"id": aid, "camera_id": cam, "ward_id": 1, "camera_name": f"cam {cam}",
                      "since_us": raised - 60_000_000, "raised_us": raised, "cleared_us": cleared,
                      "reason": "dark"}, entity="alert")
    for oid, name in owners:
        sim.new(oid, {"id": oid, "kind": "shop", "name": name, "ward_id": 1}, entity="owner")
    for iid, (at, cat) in enumerate(incidents, start=1):
        sim.new(iid, {"id": iid, "ward_id": 1, "category": cat, "occurred_iso": at}, entity="incident")


def user_add(hub, pwfile, name, role, station=None, check_rc=True):
    args = ["user", "add", name, "--role", role, "--password-file", pwfile, "--data", hub.data]
    if station:
        args += ["--station", station]
    import subprocess
    r = subprocess.run([wwtest.WW, "hub"] + args, capture_output=True, text=True, timeout=60)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"hub user add {name}: {r.returncode} {r.stderr}")
    return r


def stations_of(body, key):
    return sorted({row["station"] for row in body.get(key, [])})


PASSWORD = "mật-khẩu-tỉnh-2026"
T0 = 1_796_000_000_000_000


def build(tmp, pg, mq, hub):
    """Two enrolled stations publishing their world, three users, the hub
    serving.  Returns (a, b, sim_a, sim_b, password file)."""
    hub.ww("init", "--data", hub.data)
    a, ta = enrol(hub, "Trạm Bến Nghé")
    b, tb = enrol(hub, "Trạm Đa Kao")
    pwfile = os.path.join(tmp, "pw")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    user_add(hub, pwfile, "tinh.admin", "province-admin")
    user_add(hub, pwfile, "tinh.staff", "province-staff")
    user_add(hub, pwfile, "phuong.a", "ward-officer", station=a)
    hub.start()
    for token in (ta, tb):
        st, body = http_post(hub.port, "/api/v1/province/enrol", {"token": token, "public_key": "c3Q="})
        check(st == 200, "station enrols", 200, (st, body))
    sa, sb = StationSim(a, mq, tmp), StationSim(b, mq, os.path.join(tmp, "b"))
    time.sleep(0.5)
    t0 = T0
    publish(sa, "Phường Bến Nghé",
            cams=[(1, "Cổng chợ", "online", t0), (2, "Ngã tư", "dark", t0 + 5), (3, "Trường", "online", t0)],
            alerts=[(1, 2, t0 + 10, None), (2, 1, t0 + 20, t0 + 30), (3, 3, t0 + 40, None)],
            owners=[(1, "Tiệm vàng Kim")],
            incidents=[("2026-10-05T01:00:00Z", "theft"), ("2026-11-20T14:30:00Z", "theft"),
                       ("2026-12-01T03:00:00Z", "fight"), ("2025-10-10T02:00:00Z", "theft"),
                       ("2025-11-11T02:00:00Z", "fight"), ("2026-07-01T02:00:00Z", "theft")])
    publish(sb, "Phường Đa Kao",
            cams=[(1, "Bến xe", "dark", t0), (2, "Công viên", "online", t0)],
            alerts=[(1, 1, t0 + 50, None)],
            owners=[(1, "Nhà thuốc Minh"), (2, "Trường tiểu học")],
            incidents=[("2026-10-15T01:00:00Z", "theft"), ("2025-12-24T01:00:00Z", "drugs")])
    for sim in (sa, sb):
        ok = wait(lambda: applied(pg, sim.sid) == (sim.seq, 0), 20)
        check(ok, f"station {sim.sid}'s messages applied", (sim.seq, 0), applied(pg, sim.sid))
    return a, b, sa, sb, pwfile


def run(tmp, pg, mq, hub):
    a, b, sa, sb, pwfile = build(tmp, pg, mq, hub)
    pw, t0 = PASSWORD, T0

    # users: refused combinations and the listing
    r = user_add(hub, pwfile, "phuong.x", "ward-officer", check_rc=False)
    check(r.returncode == 2, "a ward-officer without --station is refused", 2, (r.returncode, r.stderr))
    r = user_add(hub, pwfile, "tinh.y", "province-staff", station=a, check_rc=False)
    check(r.returncode == 2, "--station with another role is refused", 2, (r.returncode, r.stderr))
    r = user_add(hub, pwfile, "tinh.z", "viewer", check_rc=False)
    check(r.returncode == 2, "a role outside the three is refused", 2, (r.returncode, r.stderr))
    r = user_add(hub, pwfile, "tinh.admin", "province-admin", check_rc=False)
    check(r.returncode == 1 and "exists" in r.stderr, "a taken name is refused", 1, (r.returncode, r.stderr))
    weak = os.path.join(tmp, "weak")
    with open(weak, "w") as f:
        f.write("short\n")
    r = user_add(hub, weak, "tinh.w", "province-staff", check_rc=False)
    check(r.returncode == 1 and "password" in r.stderr, "a weak password is refused", 1,
          (r.returncode, r.stderr))
    import subprocess
    r = subprocess.run([wwtest.WW, "hub", "user", "list", "--data", hub.data], capture_output=True,
                       text=True, timeout=30)
    rows = [l.split() for l in r.stdout.splitlines()[1:]]
    want = [["tinh.admin", "province-admin", "-", "enabled"], ["tinh.staff", "province-staff", "-", "enabled"],
            ["phuong.a", "ward-officer", a, "enabled"]]
    check(r.returncode == 0 and rows == want, "hub user list shows roles and the officer's station",
          want, (r.returncode, r.stdout))

    # the hub's home is the province console
    for path in ("/", "/province"):
        r = Client(hub.port).get(path)
        check(r.status == 302 and r.header("Location") == "/province/index.html",
              f"GET {path} at the hub leads to the province console", "302 /province/index.html",
              (r.status, r.header("Location")))
    r = Client(hub.port).get("/province/index.html")
    check(r.status == 200 and "Cấp tỉnh" in r.text and "default-src 'self'" in (r.header("Content-Security-Policy") or ""),
          "the console page is served with the console's CSP", "200 + CSP", (r.status, r.header("Content-Security-Policy")))

    # no session: 401 on every route
    anon = Client(hub.port)
    for route in ROUTES:
        r = anon.get(f"/api/v1/province/{route}")
        check(r.status == 401, f"GET {route} without a session is 401", 401, (r.status, r.text[:200]))

    clients = {}
    for name in ("tinh.admin", "tinh.staff", "phuong.a"):
        c = Client(hub.port)
        r = c.login(name, "wrong password 123")
        check(r.status == 401, f"{name}: a wrong password is refused", 401, r.status)
        r = c.login(name, pw)
        check(r.status == 200 and c.cookie, f"{name} signs in at the hub", 200, (r.status, r.text[:200]))
        clients[name] = c
    r = clients["phuong.a"].get("/api/v1/session")
    check(r.status == 200 and r.json.get("user", r.json).get("role") == "officer",
          "the ward-officer's session is an officer's", "officer", r.text[:300])

    # stations
    for name in ("tinh.admin", "tinh.staff"):
        r = clients[name].get("/api/v1/province/stations")
        ids = sorted(s["id"] for s in r.json.get("stations", []))
        check(r.status == 200 and ids == sorted([a, b]), f"{name} sees both stations", sorted([a, b]),
              (r.status, ids))
    r = clients["tinh.admin"].get("/api/v1/province/stations")
    st = {s["id"]: s for s in r.json["stations"]}
    got = (st[a]["cameras"], st[a]["online"], st[a]["dark"], st[b]["cameras"], st[b]["online"], st[b]["dark"])
    check(got == (3, 2, 1, 2, 1, 1), "camera counts online/dark per station", (3, 2, 1, 2, 1, 1), got)
    check(st[a]["name"] == "Trạm Bến Nghé" and st[a]["last_seen"] and st[a]["applied_seq"] == sa.seq
          and st[a]["backlog"] == 0 and st[a]["open_gaps"] == 0 and isinstance(st[a]["lag_s"], int),
          "a station's name, last seen, applied seq, backlog, gaps, lag", f"seq {sa.seq}, backlog 0", st[a])
    off = clients["phuong.a"]
    r = off.get("/api/v1/province/stations")
    check(r.status == 200 and [s["id"] for s in r.json["stations"]] == [a],
          "the ward-officer of A sees only station A", [a], (r.status, r.text[:300]))

    # cameras: dark first
    r = clients["tinh.staff"].get("/api/v1/province/cameras")
    cams = r.json.get("cameras", [])
    states = [c["state"] for c in cams]
    check(r.status == 200 and len(cams) == 5 and states[:2] == ["dark", "dark"],
          "every replicated camera, dark ones first", "5 cameras, 2 dark first", states)
    c2 = next(c for c in cams if c["station"] == a and c["id"] == "2")
    check(c2["name"] == "Ngã tư" and c2["ward"] == "Phường Bến Nghé" and c2["ward_id"] == 1
          and c2["state_since_us"] == t0 + 5 and c2["last_change"] and c2["station_name"] == "Trạm Bến Nghé",
          "a camera's station, ward, state and last change", "Ngã tư / Phường Bến Nghé / dark", c2)
    r = clients["tinh.staff"].get(f"/api/v1/province/cameras?station={b}")
    check(stations_of(r.json, "cameras") == [b] and len(r.json["cameras"]) == 2,
          "?station= narrows the cameras", [b], r.text[:300])
    r = off.get("/api/v1/province/cameras")
    check(stations_of(r.json, "cameras") == [a] and len(r.json["cameras"]) == 3,
          "the ward-officer's cameras are station A's only", [a], r.text[:300])

    # alerts: open only, newest first
    r = clients["tinh.admin"].get("/api/v1/province/alerts")
    seen = [(x["station"], x["id"]) for x in r.json.get("alerts", [])]
    want = [(b, "1"), (a, "3"), (a, "1")]
    check(r.status == 200 and seen == want, "open alerts across stations, newest first", want, seen)
    r = off.get("/api/v1/province/alerts")
    seen = [(x["station"], x["id"]) for x in r.json.get("alerts", [])]
    check(seen == [(a, "3"), (a, "1")], "the ward-officer's alerts are station A's only",
          [(a, "3"), (a, "1")], seen)

    # owners and the field-level rule
    r = clients["tinh.admin"].get("/api/v1/province/owners")
    own = r.json.get("owners", [])
    check(r.status == 200 and len(own) == 3 and all("phone" in o and o["phone"] is None
                                                    and o["address"] is None for o in own),
          "province-admin gets owners with contact fields (null: they stay at the station)",
          "3 owners, phone/address null", own)
    r = clients["tinh.staff"].get("/api/v1/province/owners")
    own = r.json.get("owners", [])
    check(len(own) == 3 and not any("phone" in o or "address" in o for o in own),
          "province-staff gets owners without contact fields", "no phone/address", own)
    r = off.get("/api/v1/province/owners")
    own = r.json.get("owners", [])
    check(stations_of(r.json, "owners") == [a] and len(own) == 1 and "phone" in own[0],
          "the ward-officer gets its own station's owners with contact fields", [a], own)

    # the matrix: ?station=OTHER is 404, an unknown station is 404 for everyone
    for route in ROUTES:
        sep = "&" if "?" in route else "?"
        r = off.get(f"/api/v1/province/{route}{sep}station={b}")
        check(r.status == 404 and b not in r.text, f"ward-officer of A: {route} ?station=B is 404",
              404, (r.status, r.text[:200]))
        r = off.get(f"/api/v1/province/{route}{sep}station={a}")
        check(r.status == 200, f"ward-officer of A: {route} ?station=A is 200", 200, (r.status, r.text[:200]))
        r = clients["tinh.staff"].get(f"/api/v1/province/{route}{sep}station=st-nothere")
        check(r.status == 404, f"{route} of an unknown station is 404", 404, (r.status, r.text[:200]))
    for route in ROUTES:
        r = off.get(f"/api/v1/province/{route}")
        check(b not in r.text, f"no row of station B in the ward-officer's {route}", "no " + b, r.text[:300])

    # statistics: equal to `hub stats`, figure by figure
    for frm, to in (("2026-10-01", "2027-01-01"), ("2025-10-01", "2026-01-01"), ("2026-01-01", "2027-01-01")):
        out = hub.ww("stats", frm, to).stdout.splitlines()
        cli = [l.split() for l in out[1:-1]]
        total = out[-1].split()
        r = clients["tinh.admin"].get(f"/api/v1/province/stats?from={frm}&to={to}")
        api = [[x["station"], x["ward"], x["category"], str(x["cases"]), str(x["year_ago"])]
               for x in r.json.get("rows", [])]
        check(r.status == 200 and api == cli and cli, f"stats {frm}..{to} equal hub stats row by row",
              cli, api)
        t = r.json.get("total", {})
        check(["total", str(t.get("cases")), str(t.get("year_ago"))] == total,
              f"stats {frm}..{to}: the province total equals hub stats", total, t)
    r = clients["tinh.admin"].get("/api/v1/province/stats?from=2026-10-01&to=2027-01-01")
    wards = {(w["station"], w["ward"]): (w["cases"], w["year_ago"], w["ward_name"]) for w in r.json["wards"]}
    want = {(a, "1"): (3, 2, "Phường Bến Nghé"), (b, "1"): (1, 1, "Phường Đa Kao")}
    check(wards == want, "per-ward figures with the same period a year before", want, wards)
    check(r.json.get("total") == {"cases": 4, "year_ago": 3}, "the province total", {"cases": 4, "year_ago": 3},
          r.json.get("total"))
    r = off.get("/api/v1/province/stats?from=2026-10-01&to=2027-01-01")
    check(stations_of(r.json, "rows") == [a] and r.json.get("total") == {"cases": 3, "year_ago": 2},
          "the ward-officer's statistics are station A's only", {"cases": 3, "year_ago": 2}, r.text[:400])
    for q, what in (("from=2026-10-01", "to missing"), ("from=2026-13-01&to=2027-01-01", "a bad month"),
                    ("from=2027-01-01&to=2026-10-01", "to before from"), ("from=x&to=y", "not dates")):
        r = clients["tinh.admin"].get(f"/api/v1/province/stats?{q}")
        check(r.status == 400, f"stats with {what} is 400", 400, (r.status, r.text[:200]))

    # signing out ends access
    clients["tinh.staff"].logout()
    r = clients["tinh.staff"].get("/api/v1/province/stations")
    check(r.status == 401, "after sign-out the read API is 401", 401, r.status)
    for sim in (sa, sb):
        sim.stopping = True
    rc = hub.stop()
    check(rc == 0, "hub serve stops cleanly (no leak under ASan)", 0, rc)


def world(tmp, pg, mq, hub):
    """--world (for tests/browser/province.test.mjs): builds the world,
    prints one JSON line {url, password, a, b} and serves until stdin ends."""
    a, b, sa, sb, _ = build(tmp, pg, mq, hub)
    print(json.dumps({"url": f"http://127.0.0.1:{hub.port}", "password": PASSWORD, "a": a, "b": b}),
          flush=True)
    sys.stdin.read()
    for sim in (sa, sb):
        sim.stopping = True


def main():
    tmp = tempfile.mkdtemp(prefix="ww-hubweb-")
    os.makedirs(os.path.join(tmp, "b"))
    pg = wwprovince.Postgres().start()
    mq = wwprovince.Mosquitto().start()
    hub = Hub(tmp, pg, mq)
    try:
        if "--world" in sys.argv:
            world(tmp, pg, mq, hub)
            hub.stop()
            return
        run(tmp, pg, mq, hub)
    finally:
        hub.stop()
        mq.close()
        pg.close()
        log(f"hub log tail:\n{hub.log()[-1500:]}" if os.path.exists(hub.log_path) else "no hub log")
    wwtest.finish()


if __name__ == "__main__":
    main()
