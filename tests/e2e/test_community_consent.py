"""The consent register end to end, against a recording server and a
simulated camera.

  - recording follows the owner's consent window: an agreement recorded for
    [now+8 s, now+20 s) pauses the recorder at once (rows exist, none in
    force), resumes it at the window's start and pauses it at its end;
    `wardwatch recordings --json` shows segments starting/stopping at the
    window's edges (within a few seconds) and the gap reason;
  - live view without live consent answers 403 no_consent with a clear
    message; export without export consent likewise; a later agreement with
    everything allowed opens both; withdrawing it closes them again;
  - the register's rules: an agreement may not overlap a later one (409);
    officers of another ward do not see it (404); viewers may not change it
    (403); every change is an audit row;
  - tampering with one of those audit rows makes `wardwatch audit verify`
    fail naming the row (the general audit tests are test_api_audit.py)."""
import http.client
import os
import shutil
import subprocess
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log


def live_status(port, cookie, cam, seconds=1.5):
    """(status, error code or None, bytes read) of a live request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", f"/api/v1/cameras/{cam}/live", headers={"Cookie": f"ww_session={cookie}"})
    r = conn.getresponse()
    if r.status != 200:
        import json
        body = r.read()
        conn.close()
        try:
            err = json.loads(body)["error"]
        except (ValueError, KeyError):
            err = {}
        return r.status, err.get("code"), err.get("message", "")
    t0, n = time.time(), 0
    while time.time() - t0 < seconds:
        chunk = r.read1(65536)
        if not chunk:
            break
        n += len(chunk)
    conn.close()
    return r.status, None, n


def sqlite(db, sql):
    if shutil.which("sqlite3"):
        r = subprocess.run(["sqlite3", db, sql], capture_output=True, text=True, timeout=30)
        return r.stdout.strip()
    import sqlite3
    con = sqlite3.connect(db)
    rows = con.execute(sql).fetchall()
    con.commit()
    con.close()
    return "\n".join("|".join(str(x) for x in r) for r in rows)


cams = Camsim(cameras=1).start()
st = Station("community-consent").init()
port = free_port()
try:
    cam = st.add_camera("Ngõ 7 Lê Hồng Phong", cams.url(1))
    st.serve("--segment-seconds", "4", http_port=port)
    ok = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 0, 30)
    check(ok, "the camera records before any consent row exists (station camera: full rights)", "frames > 0",
          st.stream_stats(cam))
    admin = Client(port)
    r = admin.login("admin", st.admin_password)
    check(r.status == 200, "admin signs in", 200, r.status)
    status, code, n = live_status(port, admin.cookie, cam)
    check(status == 200 and n > 0, "live view works with no register (station camera)", 200, (status, code, n))

    # ---- a short window in the near future: record only ---------------------------------
    t_add = time.time()
    W0, W1 = t_add + 10, t_add + 22
    r = admin.post(f"/api/v1/cameras/{cam}/consents",
                   {"live": False, "record": True, "export": False, "from": W0, "until": W1,
                    "note": "Hộ bà Lan: chỉ ghi hình, 10–22 s"})
    check(r.status == 201 and r.json["status"] == "future", "agreement for a future window recorded", "201 future", r)
    first_id = r.json["id"] if r.status == 201 else None
    r = admin.get(f"/api/v1/cameras/{cam}/consents")
    check(r.status == 200 and r.json["now"] == {"register": True, "station_own": False, "in_force": False,
                                                 "live": False, "record": False, "export": False,
                                                 "playback": False, "until": None},
          "before the window nothing is allowed (rows exist, none in force)", "all false", r.json.get("now"))
    status, code, msg = live_status(port, admin.cookie, cam)
    check(status == 403 and code == "no_consent" and ("live viewing" in msg and "đồng ý" in msg),
          "live view refused before the window: 403 no_consent with a clear message", "403 no_consent", (status, code, msg))

    time.sleep(max(0, W0 + 4 - time.time()))
    r = admin.get(f"/api/v1/cameras/{cam}/consents")
    check(r.json["now"]["record"] and not r.json["now"]["live"], "inside the window: record yes, live no",
          "record true, live false", r.json["now"])
    status, code, msg = live_status(port, admin.cookie, cam)
    check(status == 403 and code == "no_consent", "live view refused inside a record-only window", 403, (status, code))
    time.sleep(max(0, W1 + 7 - time.time()))

    rec = st.recordings(cam, "--from", f"{t_add - 120:.3f}", "--to", f"{time.time():.3f}")
    segs = [(s["start_us"] / 1e6, s["end_us"] / 1e6) for s in rec["segments"]]
    inside = [s for s in segs if s[1] > W0 - 1 and s[0] < W1 + 5]
    before = [s for s in segs if s[0] < W0 - 1]
    log("segments (s from t_add): " + ", ".join(f"{a - t_add:.1f}..{b - t_add:.1f}" for a, b in segs))
    check(before and max(b for _, b in before) <= t_add + 4,
          "recording stopped within a few seconds of the register appearing", f"<= {4} s after",
          [round(b - t_add, 1) for _, b in before])
    check(inside and abs(inside[0][0] - W0) <= 5, "recording resumed at the window's start (within 5 s)",
          f"|start - W0| <= 5 s", round(inside[0][0] - W0, 2) if inside else None)
    check(inside and abs(inside[-1][1] - W1) <= 5, "recording stopped at the window's end (within 5 s)",
          f"|end - W1| <= 5 s", round(inside[-1][1] - W1, 2) if inside else None)
    covered = sum(min(b, W1) - max(a, W0) for a, b in inside if min(b, W1) > max(a, W0))
    check(covered >= (W1 - W0) - 6, "the window itself was recorded", f">= {W1 - W0 - 6:.0f} s", round(covered, 1))
    after = [s for s in segs if s[0] > W1 + 5]
    check(not after, "nothing recorded after the window", [], after)
    reasons = {g["reason"] for g in rec["gaps"]}
    check("no recording consent from the owner" in reasons, "the gap says why: no recording consent from the owner",
          "no recording consent from the owner", reasons)

    # ---- export refused without export consent; a new agreement opens it --------------------
    r = admin.post(f"/api/v1/cameras/{cam}/exports", {"from": W0 + 1, "to": W1 - 1})
    check(r.status == 403 and r.error_code() == "no_consent", "export refused without export consent: 403 no_consent",
          "403 no_consent", r)
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "record": True, "export": True,
                                                        "note": "Đồng ý đầy đủ"})
    check(r.status == 201 and r.json["status"] == "in_force", "full agreement from now recorded", 201, r)
    full_id = r.json["id"] if r.status == 201 else None
    r = admin.post(f"/api/v1/cameras/{cam}/exports", {"from": W0 + 1, "to": W1 - 1})
    check(r.status == 201, "export of the window allowed once export consent is in force", 201, r)
    time.sleep(3)   # the recorder resumes on its next consent check (≤ 2 s)
    status, code, n = live_status(port, admin.cookie, cam)
    check(status == 200 and n > 0, "live view allowed with live consent", 200, (status, code, n))

    # ---- the register's rules ----------------------------------------------------------------
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "from": time.time() + 100,
                                                        "until": time.time() + 200})
    later = r.json["id"] if r.status == 201 else None
    check(r.status == 201, "a later window may be recorded ahead", 201, r)
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "from": time.time() + 50})
    check(r.status == 409, "an open agreement overlapping a later one is refused (409)", 409, r)
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": True, "from": time.time() + 10,
                                                        "until": time.time() - 5})
    check(r.status == 400, "until before from is 400", 400, r.status)
    r = admin.post(f"/api/v1/cameras/{cam}/consents", {"live": "yes"})
    check(r.status == 400, "a non-boolean right is 400", 400, r.status)
    r = admin.post(f"/api/v1/cameras/{cam}/consents/{later}/withdraw", {"note": "đổi ý"})
    check(r.status == 200 and r.json["status"] == "void", "withdrawing an agreement before it starts voids it",
          "200 void", r)

    wa = admin.post("/api/v1/wards", {"name": "Trường Thi"}).json["id"]
    wb = admin.post("/api/v1/wards", {"name": "Hà Huy Tập"}).json["id"]
    admin.patch(f"/api/v1/cameras/{cam}", {"ward_id": wa})
    admin.post("/api/v1/users", {"username": "officer_a", "password": "officer-a-pass-1", "role": "officer", "ward_id": wa})
    admin.post("/api/v1/users", {"username": "officer_b", "password": "officer-b-pass-1", "role": "officer", "ward_id": wb})
    admin.post("/api/v1/users", {"username": "viewer_a", "password": "viewer-a-pass-1", "role": "viewer", "ward_id": wa})
    oa, ob, va = Client(port), Client(port), Client(port)
    oa.login("officer_a", "officer-a-pass-1")
    ob.login("officer_b", "officer-b-pass-1")
    va.login("viewer_a", "viewer-a-pass-1")
    r = ob.get(f"/api/v1/cameras/{cam}/consents")
    check(r.status == 404, "officer of another ward: the register is not found", 404, r.status)
    r = ob.post(f"/api/v1/cameras/{cam}/consents/{full_id}/withdraw", {})
    check(r.status == 404, "officer of another ward cannot withdraw", 404, r.status)
    r = va.get(f"/api/v1/cameras/{cam}/consents")
    check(r.status == 200, "a viewer of the ward reads the register", 200, r.status)
    r = va.post(f"/api/v1/cameras/{cam}/consents", {"live": True})
    check(r.status == 403, "a viewer may not record consent", 403, r.status)

    r = oa.post(f"/api/v1/cameras/{cam}/consents/{full_id}/withdraw", {"note": "chủ nhà rút lại"})
    check(r.status == 200 and r.json["status"] == "withdrawn" and r.json["withdrawn_by"] == "officer_a",
          "the ward's officer withdraws the agreement", "200 withdrawn by officer_a", r)
    status, code, msg = live_status(port, admin.cookie, cam)
    check(status == 403 and code == "no_consent", "after withdrawal live view is refused again", 403, (status, code))
    r = oa.post(f"/api/v1/cameras/{cam}/consents/{full_id}/withdraw", {})
    check(r.status == 409, "withdrawing twice is 409", 409, r.status)

    # ---- audit: every change a row; tampering is found ------------------------------------------
    r = admin.get(f"/api/v1/audit?camera={cam}&action=consent_change&limit=100")
    changes = [(a["detail"]["change"], a["username"]) for a in r.json["rows"]] if r.status == 200 else r
    check(r.status == 200 and len(changes) == 5 and ("withdraw", "officer_a") in changes,
          "every consent change is an audit row (3 agreements recorded, 2 withdrawn: 5 rows)", 5, changes)
    rc = st.stop()
    check(rc == 0, "serve exits 0 (clean under the sanitizers)", 0, rc)
    db = os.path.join(st.data, "wardwatch.db")
    row = sqlite(db, f"SELECT id FROM audit WHERE action='consent_change' ORDER BY id LIMIT 1")
    orig = sqlite(db, f"SELECT detail FROM audit WHERE id={row}")
    sqlite(db, f"UPDATE audit SET detail=replace(detail, '\"export\":false', '\"export\":true') WHERE id={row}")
    r = st.ww("audit", "verify", check=False)
    check(r.returncode == 1 and f"audit row {row}" in (r.stdout + r.stderr),
          "changing a consent_change audit row makes `audit verify` fail naming it", f"exit 1, 'audit row {row}'",
          (r.returncode, (r.stdout + r.stderr).strip()[-200:]))
    with open(os.path.join(st.tmp, "restore.sql"), "w") as f:
        f.write("UPDATE audit SET detail=%s WHERE id=%s;" % ("'" + orig.replace("'", "''") + "'", row))
    sqlite(db, open(os.path.join(st.tmp, "restore.sql")).read())
    r = st.ww("audit", "verify", check=False)
    check(r.returncode == 0, "restored, the chain verifies again", 0, (r.returncode, r.stdout[-200:], r.stderr[-200:]))
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
