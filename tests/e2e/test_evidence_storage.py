"""Held bytes shown apart (issue 13 item 1): GET /api/v1/storage, stats.json
and the health page count what holds keep, and /api/v1/storage carries the
same plan as `wardwatch retention plan --json` under serve's quota and
floor (one computation, record/plan.c).  Scope: a ward's officer sees only
the ward's cameras; a viewer is refused."""
import json

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, port_open


cams = Camsim(cameras=2).start()
st = Station("evidence-storage").init()
try:
    cam = st.add_camera("Ngõ 5 Quang Trung", cams.url(1))
    other = st.add_camera("Chợ Vinh", cams.url(2))
    st.serve("--segment-seconds", "2")
    ok = st.wait_for(lambda: len(st.recordings(cam)["segments"]) >= 3, 40)
    check(ok, "the camera records a few segments", ">= 3", len(st.recordings(cam)["segments"]))
    st.stop()
    segs = st.recordings(cam)["segments"]
    h0, h1 = segs[0]["start_us"] / 1e6, segs[1]["end_us"] / 1e6 - 0.2
    st.ww("hold", "add", "--camera", str(cam), "--from", f"{h0:.3f}", "--to", f"{h1:.3f}", "--reason", "vụ việc 7/2026")
    want_held = segs[0]["bytes"] + segs[1]["bytes"]

    port = free_port()
    st.serve("--segment-seconds", "2", "--quota-mb", "500", "--min-free-mb", "7", http_port=port)
    admin = Client(port)
    ok = st.wait_for(lambda: admin.login("admin", st.admin_password).status == 200 if port_open(port) else False, 30)
    check(ok, "the console answers", "signed in", ok)
    r = admin.get("/api/v1/storage")
    check(r.status == 200, "GET /api/v1/storage answers the admin", 200, r)
    body = r.json if r.status == 200 else {}
    by = {c["camera_id"]: c for c in body.get("cameras", [])}
    c = by.get(cam, {})
    check(c.get("held_bytes") == want_held and c.get("held_segments") == 2 and c.get("holds") == 1,
          "storage: the held camera's held bytes are its two held segments", want_held, c)
    check(by.get(other, {}).get("held_bytes") == 0 and by.get(other, {}).get("bytes", 0) > 0,
          "storage: the other camera records and holds nothing", "bytes > 0, held 0", by.get(other))
    d = body.get("disk", {})
    check(d.get("quota_bytes") == 500 << 20 and d.get("floor_bytes") == 7 << 20 and d.get("held_bytes") == want_held
          and d.get("free_bytes", 0) > 0 and d.get("total_bytes", 0) >= d.get("free_bytes", 0),
          "storage disk: serve's quota and floor, free, total and the held bytes", (500 << 20, 7 << 20, want_held), d)
    check(body.get("total", {}).get("held_bytes") == want_held
          and body["total"]["bytes"] == sum(x["bytes"] for x in body["cameras"]),
          "storage total: bytes and held bytes of the cameras shown", want_held, body.get("total"))

    plan = json.loads(st.ww("retention", "plan", "--quota-mb", "500", "--min-free-mb", "7", "--json").stdout)
    pc = {x["camera_id"]: x for x in plan["cameras"]}.get(cam, {})
    same = ("held_bytes", "held_segments", "holds", "oldest_us", "deleted_by_days_at_us", "retention_days")
    check(all(pc.get(k) == c.get(k) for k in same) and plan["disk"]["floor_bytes"] == d.get("floor_bytes")
          and plan["disk"]["quota_bytes"] == d.get("quota_bytes"),
          "retention plan --json and /api/v1/storage agree (one computation)", {k: c.get(k) for k in same},
          {k: pc.get(k) for k in same})

    ok = st.wait_for(lambda: (st.stats() or {}).get("disk", {}).get("held_bytes") == want_held, 10)
    sd = (st.stats() or {}).get("disk", {})
    check(ok and sd.get("floor_bytes") == 7 << 20, "stats.json: disk held bytes and the floor", (want_held, 7 << 20), sd)

    hl = admin.get("/api/v1/health").json
    hc = {x["id"]: x for x in hl["cameras"]}
    check(hc[cam].get("held_bytes") == want_held and hc[other].get("held_bytes") == 0
          and hl.get("disk", {}).get("held_bytes") == want_held,
          "health: held bytes per camera and on the disk", want_held, (hc[cam].get("held_bytes"), hl.get("disk")))

    wa = admin.post("/api/v1/wards", {"name": "Quang Trung", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    admin.patch(f"/api/v1/cameras/{cam}", {"ward_id": wa})
    users = {}
    for name, role in (("officer_q", "officer"), ("viewer_q", "viewer")):
        pw = f"{name}-pass-storage-1"
        admin.post("/api/v1/users", {"username": name, "password": pw, "role": role, "ward_id": wa})
        users[name] = Client(port)
        users[name].login(name, pw)
    r = users["officer_q"].get("/api/v1/storage")
    ids = [x["camera_id"] for x in r.json["cameras"]] if r.status == 200 else None
    check(r.status == 200 and ids == [cam] and r.json["total"]["held_bytes"] == want_held,
          "a ward's officer sees only the ward's camera", [cam], (r.status, ids))
    r = users["viewer_q"].get("/api/v1/storage")
    check(r.status == 403, "a viewer may not read the storage view", 403, r)
finally:
    st.stop()
    cams.stop()
finish()
