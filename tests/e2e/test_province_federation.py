"""The province end to end (issue 15): three real ward stations (`serve`),
a real mosquitto, a real PostgreSQL 15 and `wardwatch hub serve`.

  - each station joins with its one-time token; cameras, incidents and the
    ward made at each station appear at the hub within 5 s;
  - the hub's quarter statistics equal the stations' own, figure by figure
    (per station and category, the quarter and the same quarter a year
    before — "so với cùng kỳ");
  - the broker stopped (link down) while the stations keep creating
    incidents: they are unaffected (their API answers), and after it returns
    everything arrives — `hub check` exits 0;
  - the hub stopped (the broker holds its messages), PostgreSQL restarted,
    a station killed with -9 while publishing: `hub check` 0 each time.

The three stations above serve --no-record; a fourth station records one
simulated camera and is joined too: its recording coverage while the
broker is down must stay >= 97 % of the outage's wall time (the link to
the province never touches recording).
WW_PROVINCE_OUTAGE_S (default 60) sets the length of the outages.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import wwprovince  # noqa: E402
import wwtest  # noqa: E402
from wwapi import Server, check, finish, log, run  # noqa: E402

OUTAGE_S = int(os.environ.get("WW_PROVINCE_OUTAGE_S", "60"))
FROM, TO = "2025-01-01T00:00:00+07:00", "2025-04-01T00:00:00+07:00"
CATS = ["criminal", "traffic", "drugs", "fire"]


class Hub(wwprovince.Hub):
    def __init__(self, tmp, pg, mq):
        super().__init__(tmp, pg, mq, client_id="hub-federation")

    def stats(self):
        """{(station, category): (cases, year_ago)} summed over the station's wards."""
        out = self.ww("stats", FROM, TO).stdout
        got = {}
        for line in out.splitlines()[1:]:
            f = line.split()
            if len(f) == 5 and f[0] != "total":
                k = (f[0], f[2])
                c, p = got.get(k, (0, 0))
                got[k] = (c + int(f[3]), p + int(f[4]))
        return got


class Ward:
    """One ward station: `serve --no-record` with its admin session."""

    def __init__(self, name):
        self.name = name
        self.srv = Server()
        self.srv.start()
        self.admin = self.srv.admin()
        self.sid = None
        self.ward_id = self.srv.create_ward(self.admin, name)
        self.made = 0

    def join(self, hub, token, mq):
        r = run(["station", "join", hub.url, token, "--mqtt", mq.url], self.srv.data)
        return r

    def incident(self, cat, when, summary="Vụ việc"):
        r = self.admin.post("/api/v1/incidents", {"ward_id": self.ward_id, "category": cat,
                                                  "occurred_at": when, "summary": summary})
        if r.status != 201:
            raise RuntimeError(f"{self.name}: incident not created: {r}")
        self.made += 1
        return r.json["id"]

    def stats(self):
        r = self.admin.get("/api/v1/stats?period=2025-Q1")
        st = r.json["stats"] if r.status == 200 else {}
        return {c["code"]: (c["cur"]["cases"], c["prev"]["cases"])
                for c in st.get("categories", []) if c["cur"]["cases"] or c["prev"]["cases"]}


wait = wwprovince.wait


def hub_count(pg, sid, entity):
    rows = pg.psql(f"SELECT count(*) FROM rows WHERE station = '{sid}' AND entity = '{entity}'"
                   " AND NOT deleted")
    return int(rows[0][0])


def backlog(w):
    r = w.admin.get("/api/v1/health")
    return r.json.get("province", {}).get("outbox_backlog") if r.status == 200 else None


def check_clean(hub, what, wards, timeout=90):
    """Waits until every station's outbox is drained (its census, sent after
    each drained batch, is then current: `hub check` compares the hub with
    what each station last reported), then until `hub check` exits 0."""
    t0 = time.time()
    drained = wait(lambda: all(backlog(w) == 0 for w in wards), timeout, step=0.5)
    check(drained, f"every station's outbox drained {what}", "backlog 0", [backlog(w) for w in wards])
    r = wait(lambda: (lambda x: x if x.returncode == 0 else None)(hub.check()), timeout, step=1)
    r = r or hub.check()
    check(r.returncode == 0, f"hub check clean {what}", "exit 0",
          (r.returncode, r.stdout[-600:], r.stderr[-300:]))
    return time.time() - t0


def busy(wards, seconds, tag):
    """Creates incidents at every station for `seconds`; returns how many."""
    n, i, end = 0, 0, time.time() + seconds
    while time.time() < end:
        for w in wards:
            w.incident(CATS[i % len(CATS)], f"{1 + i % 28:02d}/02/2025 10:00", f"{tag} {i}")
            n += 1
        i += 1
        time.sleep(0.5)
    return n


def main():
    tmp = tempfile.mkdtemp(prefix="ww-fed-")
    pg = wwprovince.Postgres().start()
    mq = wwprovince.Mosquitto().start()
    hub = Hub(tmp, pg, mq)
    wards = []
    rec = {}
    try:
        scenario(tmp, pg, mq, hub, wards, rec)
    finally:
        if rec.get("station"):
            rec["station"].stop()
            rec["station"].remove()
        if rec.get("camsim"):
            rec["camsim"].stop()
        for w in wards:
            try:
                w.srv.stop()
            except Exception as e:  # noqa: BLE001 - the test's result is what counts
                log(f"stopping {w.name}: {e}")
        hub.stop()
        mq.close()
        pg.close()
    finish()


def recording_station(hub, mq, rec):
    """A fourth station that records one camsim camera, joined to the hub."""
    out = hub.ww("station", "add", "Phường Hưng Bình").stdout
    token = re.search(r"token (\S+)", out).group(1)
    rec["camsim"] = cams = wwtest.Camsim(cameras=1).start()
    rec["station"] = st = wwtest.Station("fed-rec").init()
    rec["cam"] = st.add_camera("Cổng chợ Hưng Bình", cams.url(1))
    st.serve("--segment-seconds", "10")
    r = st.ww("station", "join", hub.url, token, "--mqtt", mq.url, check=False)
    check(r.returncode == 0, "the recording station joins the hub", 0, (r.returncode, r.stderr.strip()))
    up = st.wait_for(lambda: st.stream_stats(rec["cam"]).get("record", {}).get("frames", 0) > 25, 30)
    check(up, "the recording station records its camera", "frames > 25", st.stream_stats(rec["cam"]))


def recorded_share(rec, t0, t1):
    """Share of [t0, t1] (wall seconds) the recording station's camera covers,
    once the segment holding t1 is written (at most one segment later)."""
    st = rec["station"]
    end_us = int(t1 * 1e6)
    def segs():
        return st.recordings(rec["cam"])["segments"]
    got = st.wait_for(lambda: (lambda s: s if s and max(x["end_us"] for x in s) >= end_us else None)(segs()),
                      40, step=1) or segs()
    return wwtest.coverage(got, int(t0 * 1e6), end_us) / (t1 - t0)


def scenario(tmp, pg, mq, hub, wards, rec):
    hub.ww("init", "--data", hub.data)
    names = ["Phường Trường Thi", "Phường Vinh Tân", "Phường Bến Thủy"]
    tokens = []
    for n in names:
        out = hub.ww("station", "add", n).stdout
        tokens.append((re.search(r"station (\S+)", out).group(1), re.search(r"token (\S+)", out).group(1)))
    hub.start()
    recording_station(hub, mq, rec)

    for n, (sid, token) in zip(names, tokens):
        w = Ward(n)
        wards.append(w)
        r = w.join(hub, token, mq)
        check(r.returncode == 0, f"{n} joins the hub", 0, (r.returncode, r.stderr.strip()))
        w.sid = sid
        r = w.join(hub, token, mq)
        check(r.returncode != 0 and "403" in (r.stderr + r.stdout), f"{n}: the token works once only",
              "exit 1 naming 403", (r.returncode, r.stderr.strip()))

    # -- changes made at each station reach the hub within 5 s --------------------
    lat = []
    for k, w in enumerate(wards):
        owner = w.srv.create_owner(w.admin, w.ward_id)
        cam = w.srv.create_camera(w.admin, w.ward_id, owner_id=owner)
        t0 = time.time()
        seen = wait(lambda: pg.psql(f"SELECT 1 FROM rows WHERE station = '{w.sid}' AND entity = 'camera'"
                                    f" AND id = '{cam}'"), 5, step=0.05)
        lat.append(time.time() - t0)
        check(bool(seen), f"{w.name}: a new camera is at the hub within 5 s", "≤ 5 s",
              f"{time.time() - t0:.1f} s")
        for i in range(6 + 3 * k):
            w.incident(CATS[i % len(CATS)], f"{1 + i:02d}/03/2025 14:30")
        for i in range(2 + k):
            w.incident(CATS[(i + 1) % len(CATS)], f"{10 + i:02d}/03/2024 09:00")
        t0 = time.time()
        ok = wait(lambda: hub_count(pg, w.sid, "incident") == w.made, 5, step=0.05)
        check(ok, f"{w.name}: its {w.made} incidents are at the hub within 5 s", w.made,
              hub_count(pg, w.sid, "incident"))
        lat.append(time.time() - t0)
    log(f"station → hub latency: max {max(lat):.2f} s over {len(lat)} waits")
    leak = pg.psql("SELECT count(*) FROM rows WHERE data::text ~ '0912 345 678|rtsp://'")
    check(leak == [["0"]], "no owner phone and no stream URL reached the hub", 0, leak)

    # -- province statistics = the stations' own, figure by figure -----------------
    hs = hub.stats()
    for w in wards:
        mine = w.stats()
        theirs = {cat: v for (sid, cat), v in hs.items() if sid == w.sid}
        check(mine == theirs and mine, f"{w.name}: hub Q1 2025 figures equal the station's "
              "(cases, same quarter 2024)", mine, theirs)
    check_clean(hub, "after the first changes", wards)

    # -- link down: the broker stopped while the stations keep working ------------
    mq.stop()
    t_down = time.time()
    log(f"broker stopped for {OUTAGE_S} s")
    n = busy(wards, OUTAGE_S, "link down")
    t_up = time.time()
    health = [w.admin.get("/api/v1/health").status for w in wards]
    check(health == [200] * 3, "stations answer while the link is down", [200] * 3, health)
    waiting = [backlog(w) for w in wards]
    check(all(b and b > 0 for b in waiting), "the changes wait in each station's outbox", "> 0", waiting)
    mq.start()
    took = check_clean(hub, f"after the broker came back ({n} incidents made while it was away)", wards)
    log(f"caught up {took:.1f} s after the broker returned")
    share = recorded_share(rec, t_down, t_up)
    log(f"recording station: {share * 100:.1f} % of the {t_up - t_down:.0f} s outage recorded")
    check(share >= 0.97, "the recording station recorded through the link outage", ">= 97 % of the wall time",
          f"{share * 100:.1f} %")
    r = rec["station"].ww("station", "status")
    check("backlog:       0" in r.stdout or wait(lambda: "backlog:       0" in rec["station"].ww("station", "status").stdout, 30),
          "the recording station's outbox drains after the outage", "backlog 0", r.stdout)
    for w in wards:
        check(hub_count(pg, w.sid, "incident") == w.made, f"{w.name}: every incident is at the hub",
              w.made, hub_count(pg, w.sid, "incident"))

    # -- hub down: the broker holds its messages -----------------------------------
    hub.stop()
    n = busy(wards, OUTAGE_S, "hub down")
    hub.start()
    check_clean(hub, f"after the hub came back ({n} incidents made while it was away)", wards)

    # -- PostgreSQL restarted while changes flow -----------------------------------
    pg.stop()
    n = busy(wards, 5, "pg down")
    pg.start()
    n += busy(wards, 3, "pg back")
    check_clean(hub, f"after PostgreSQL restarted ({n} incidents around it)", wards)

    # -- a station killed with -9 while publishing ---------------------------------
    w = wards[0]
    for i in range(40):
        w.incident("criminal", f"{1 + i % 28:02d}/01/2025 08:00", f"burst {i}")
    w.srv.proc.kill()
    w.srv.proc.wait(10)
    w.srv.proc = None
    w.srv.start()
    w.admin = w.srv.admin()
    check_clean(hub, "after a station was killed with -9 while publishing", wards)
    for w in wards:
        check(hub_count(pg, w.sid, "incident") == w.made, f"{w.name}: hub holds every incident once",
              w.made, hub_count(pg, w.sid, "incident"))
    dup = pg.psql("SELECT count(*) FROM (SELECT station, id FROM incidents GROUP BY 1, 2"
                  " HAVING count(*) > 1) d")
    check(dup == [["0"]], "no incident twice at the hub", 0, dup)
    hs = hub.stats()
    for w in wards:
        theirs = {cat: v for (sid, cat), v in hs.items() if sid == w.sid}
        check(w.stats() == theirs, f"{w.name}: figures still equal at the end", w.stats(), theirs)


if __name__ == "__main__":
    main()
