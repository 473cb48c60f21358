"""Holds against retention (issue 13 item 1, first acceptance item; CLI).

With a quota smaller than the recorded data and a hold on an early range:
retention deletes the unheld oldest segments and keeps every held one;
`check` is clean; releasing the hold lets the next retention pass delete
it; placing and releasing are audited (with the reason) and the audit chain
verifies.  Refusals: a hold without a reason, with `to` before `from`, on a
camera that does not exist, and a second release."""
import json
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log, port_open


cams = Camsim(cameras=1).start()
st = Station("evidence-holds").init()
try:
    cam = st.add_camera("Ngõ 12 Lê Lợi", cams.url(1))
    # ~0.5 MB/s: record freely first, then hold the first few seconds
    st.serve("--segment-seconds", "2")
    ok = st.wait_for(lambda: len(st.recordings(cam)["segments"]) >= 4, 40)
    check(ok, "the camera records a few segments", ">= 4", len(st.recordings(cam)["segments"]))
    segs = st.recordings(cam)["segments"]
    h0, h1 = segs[0]["start_us"] / 1e6, segs[1]["end_us"] / 1e6 - 0.2   # the first two segments
    held_ids = {s["start_us"] for s in segs[:2]}

    for args, want, what in [
        (["--camera", str(cam), "--from", f"{h0:.3f}", "--to", f"{h1:.3f}"], "--reason", "a hold needs a reason"),
        (["--camera", str(cam), "--from", f"{h1:.3f}", "--to", f"{h0:.3f}", "--reason", "x"], "after", "to before from"),
        (["--camera", "999", "--from", f"{h0:.3f}", "--to", f"{h1:.3f}", "--reason", "x"], "no such camera", "no such camera"),
    ]:
        r = st.ww("hold", "add", *args, check=False)
        check(r.returncode != 0 and want in r.stderr, f"hold add refused: {what}", want, (r.returncode, r.stderr.strip()))

    r = st.ww("hold", "add", "--camera", str(cam), "--from", f"{h0:.3f}", "--to", f"{h1:.3f}",
              "--reason", "vụ trộm xe 12/2026", check=False)
    check(r.returncode == 0 and r.stdout.startswith("hold "), "a hold is placed on the first two segments", "exit 0",
          (r.returncode, r.stdout, r.stderr))
    hold_id = int(r.stdout.split()[1]) if r.returncode == 0 else 0
    st.stop()

    # a quota far below what is recorded: retention must delete, but not the held ones
    st.serve("--segment-seconds", "2", "--quota-mb", "2", "--retention-seconds", "1")
    time.sleep(10)
    stats = st.stats() or {}
    st.stop()
    deleted = stats.get("syncer", {}).get("retention_deleted", 0)
    check(deleted > 0, "retention deleted unheld segments", "> 0", deleted)
    now = st.recordings(cam)["segments"]
    starts = {s["start_us"] for s in now}
    check(held_ids <= starts, "every held segment survives retention", sorted(held_ids), sorted(starts)[:4])
    unheld_old = [s for s in segs[2:] if s["start_us"] not in starts]
    check(unheld_old, "unheld old segments were deleted", "some of the old unheld gone", len(unheld_old))
    r = st.check()
    check(r.returncode == 0, "check is clean with holds", "exit 0", r.stdout[-400:])
    lst = json.loads(st.ww("hold", "list", "--json").stdout)["holds"]
    check(len(lst) == 1 and lst[0]["state"] == "in_force" and lst[0]["held_bytes"] > 0,
          "hold list shows it in force with its held bytes", "in_force, bytes > 0", lst)

    # the retention plan says what will go and what is held
    plan = json.loads(st.ww("retention", "plan", "--quota-mb", "2", "--json").stdout)
    pc = [c for c in plan["cameras"] if c["camera_id"] == cam]
    check(pc and pc[0]["holds"] == 1 and pc[0]["held_bytes"] > 0 and pc[0]["bytes_per_day"] > 0
          and pc[0]["deleted_by_days_at_us"] == pc[0]["oldest_us"] + 30 * 86400 * 10**6
          and plan["disk"]["days_until_quota"] <= 0.01 and plan["disk"]["floor_bytes"] > 0,
          "retention plan --json: the hold, the write rate, the day the oldest goes, quota reached, the floor",
          "1 hold, rate > 0, oldest + 30 days", plan)
    text = st.ww("retention", "plan").stdout
    log(text.strip())
    check("reaches its floor in" in text and "MB/DAY" in text, "retention plan prints a table and the disk's outlook",
          "table + outlook", text[-300:])

    # a camera with footage under a hold in force is not deleted
    port = free_port()
    st.serve("--no-record", http_port=port)
    admin = Client(port)
    ok = st.wait_for(lambda: admin.login("admin", st.admin_password).status == 200 if port_open(port) else False, 30)
    r = admin.delete(f"/api/v1/cameras/{cam}")
    check(r.status == 409 and f"hold {hold_id}" in r.error_message(), "DELETE of a camera under a hold: 409 naming it",
          "409", r)
    # the API: who may place and release, and out of scope = absent
    wa = admin.post("/api/v1/wards", {"name": "Trường Thi", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    wb = admin.post("/api/v1/wards", {"name": "Hà Huy Tập", "district": "Vinh", "province": "Nghệ An"}).json["id"]
    check(admin.patch(f"/api/v1/cameras/{cam}", {"ward_id": wa}).status == 200, "the camera is ward A's", 200, "")
    users = {}
    for name, role, ward in (("officer_a", "officer", wa), ("officer_b", "officer", wb), ("viewer_a", "viewer", wa)):
        pw = f"{name}-pass-holds-1"
        admin.post("/api/v1/users", {"username": name, "password": pw, "role": role, "ward_id": ward})
        users[name] = Client(port)
        users[name].login(name, pw)
    body = {"from": h0, "to": h1, "reason": "vụ việc 13/2026"}
    r = users["officer_b"].post(f"/api/v1/cameras/{cam}/holds", body)
    check(r.status == 404, "an officer of another ward: 404 (as for a missing camera)", 404, r)
    r = users["viewer_a"].post(f"/api/v1/cameras/{cam}/holds", body)
    check(r.status == 403, "a viewer may not place a hold", 403, r)
    r = users["officer_a"].post(f"/api/v1/cameras/{cam}/holds", {"from": h0, "to": h1})
    check(r.status == 400 and "reason" in r.error_message(), "a hold without a reason: 400", 400, r)
    r = users["officer_a"].post(f"/api/v1/cameras/{cam}/holds", body)
    check(r.status == 201 and r.json["hold"]["state"] == "in_force" and r.json["hold"]["held_bytes"] > 0,
          "the ward's officer places a hold (201, in force, with held bytes)", 201, r)
    api_hold = r.json["hold"]["id"] if r.status == 201 else 0
    r = users["officer_b"].post(f"/api/v1/holds/{api_hold}/release", {"reason": "x"})
    check(r.status == 404, "another ward's officer cannot release it: 404", 404, r)
    lst = users["officer_b"].get("/api/v1/holds").json["holds"]
    check(lst == [], "another ward's officer lists none of them", [], lst)
    lst = users["viewer_a"].get(f"/api/v1/holds?camera={cam}").json["holds"]
    check(len(lst) == 2, "the ward's viewer sees both holds", 2, len(lst))
    r = users["officer_a"].post(f"/api/v1/holds/{api_hold}/release", {"reason": "nhầm khoảng"})
    check(r.status == 200 and r.json["hold"]["state"] == "released", "the ward's officer releases it with a reason", 200, r)
    r = users["officer_a"].post(f"/api/v1/holds/{api_hold}/release", {"reason": "again"})
    check(r.status == 409, "a second release: 409", 409, r)
    st.stop()

    r = st.ww("hold", "release", str(hold_id), check=False)
    check(r.returncode == 2 and "--reason" in r.stderr, "a release needs a reason", 2, (r.returncode, r.stderr))
    r = st.ww("hold", "release", str(hold_id), "--reason", "vụ việc đã khép lại", check=False)
    check(r.returncode == 0, "the hold is released", 0, (r.returncode, r.stderr))
    r = st.ww("hold", "release", str(hold_id), "--reason", "again", check=False)
    check(r.returncode == 1 and "already released" in r.stderr, "a second release is refused", 1, (r.returncode, r.stderr))

    st.serve("--segment-seconds", "2", "--quota-mb", "2", "--retention-seconds", "1")
    time.sleep(6)
    st.stop()
    starts = {s["start_us"] for s in st.recordings(cam)["segments"]}
    check(not (held_ids & starts), "after the release the next retention pass deletes them", "none of the held left",
          sorted(held_ids & starts))
    r = st.check()
    check(r.returncode == 0, "check is clean after the release", "exit 0", r.stdout[-400:])
    rows = json.loads(st.ww("audit", "list", "--json", "--limit", "50").stdout)
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    acts = [(a["action"], (json.loads(a["detail"]) if isinstance(a.get("detail"), str) else a.get("detail") or {}).get("reason"))
            for a in rows if a["action"].startswith("hold_")]
    check(("hold_add", "vụ trộm xe 12/2026") in acts and ("hold_release", "vụ việc đã khép lại") in acts,
          "placing and releasing are audited with their reasons", "hold_add + hold_release", acts)
    r = st.ww("audit", "verify", check=False)
    check(r.returncode == 0, "the audit chain verifies", 0, r.stdout)
finally:
    st.stop()
    cams.stop()
finish()
