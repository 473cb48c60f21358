"""Disk full with only held video left (issue 13, third acceptance item), on
a real 40 MB tmpfs as the recordings folder.

A hold covers everything the camera records (from before its first segment
to an hour ahead); a ballast file leaves a few MB.  When the disk fills,
retention has nothing it may delete: the recorder's state is
"disk-full-held" (not plain disk-full), the log says only held video is
left, the monitor raises an alert at once with that reason, the health
page shows the camera in error with it, no held segment is deleted and
`check` is clean.  The ballast removed, recording resumes by itself, the
alert clears, and the gap says "disk full — only held video left".
Skipped (exit 77) where mounting a tmpfs is refused."""
import os
import subprocess
import sys
import time

from wwapi import Client
from wwtest import Camsim, Station, check, finish, free_port, log, port_open

MB = 1 << 20
HELD_GAP = "disk full — only held video left"
mnt = cams = st = None


def rec_state(stats, cam):
    for c in (stats or {}).get("cameras", []):
        if c["id"] == cam:
            return c["streams"].get("main", {}).get("record", {}).get("state")
    return None


try:
    st = Station("evidence-held-full")
    mnt = os.path.join(st.tmp, "rec")
    st.data = os.path.join(st.tmp, "data")
    st.init()
    os.rmdir(os.path.join(st.data, "rec"))
    os.makedirs(mnt, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        log(f"SKIP: cannot mount a tmpfs here ({r.stderr.strip()}); needs root")
        mnt = None
        sys.exit(77)
    os.symlink(mnt, os.path.join(st.data, "rec"))
    cams = Camsim(cameras=1).start()
    cam = st.add_camera("Ngã tư Bến Thủy", cams.url(1))
    t0 = time.time()
    st.ww("hold", "add", "--camera", str(cam), "--from", f"{t0 - 60:.3f}", "--to", f"{t0 + 3600:.3f}",
          "--reason", "vụ việc 21/2026: giữ toàn bộ")
    ballast = os.path.join(mnt, "ballast")
    with open(ballast, "wb") as f:   # leave ~8 MB: the camera's ~0.5 MB/s fills it in seconds
        sv = os.statvfs(mnt)
        f.write(b"\0" * max(0, sv.f_bavail * sv.f_frsize - 8 * MB))

    port = free_port()
    st.serve("--segment-seconds", "2", env=dict(os.environ, WARDWATCH_MONITOR_TICK_MS="500"), http_port=port)
    admin = Client(port)
    ok = st.wait_for(lambda: admin.login("admin", st.admin_password).status == 200 if port_open(port) else False, 30)
    check(ok, "the console answers", "signed in", ok)
    full = st.wait_for(lambda: rec_state(st.stats(), cam) == "disk-full-held", 60)
    check(full, "the disk fills with only held video: state disk-full-held", "disk-full-held",
          rec_state(st.stats(), cam))
    held_segments = {s["start_us"] for s in st.recordings(cam)["segments"]}
    text = st.log()
    check("only held video is left" in text, "the log says only held video is left", "a log line",
          [l for l in text.splitlines() if "full" in l][-3:])

    alert = None
    def _alert():
        global alert
        a = [x for x in admin.get(f"/api/v1/alerts?camera={cam}&open=1").json.get("alerts", [])]
        alert = a[0] if a else None
        return alert is not None
    ok = st.wait_for(_alert, 10)
    check(ok and "only held video" in (alert or {}).get("reason", ""),
          "an alert is raised at once, its reason: only held video left", "open alert", alert)
    hc = [c for c in admin.get("/api/v1/health").json["cameras"] if c["id"] == cam]
    hc = hc[0] if hc else {}
    check(hc.get("state") == "error" and hc.get("record_state") == "disk-full-held"
          and "only held video" in hc.get("reason", ""),
          "health: the camera is in error, record_state disk-full-held, the reason says why",
          "error / disk-full-held", {k: hc.get(k) for k in ("state", "record_state", "reason")})

    time.sleep(6)   # retention runs meanwhile: it must not touch held video
    now = {s["start_us"] for s in st.recordings(cam)["segments"]}
    check(held_segments <= now, "no held segment is deleted while the disk is full", sorted(held_segments)[:3],
          sorted(held_segments - now)[:3])
    deleted = ((st.stats() or {}).get("syncer") or {}).get("retention_deleted", -1)
    check(deleted == 0, "retention deleted nothing", 0, deleted)

    os.unlink(ballast)
    t_free = time.time()
    back = st.wait_for(lambda: rec_state(st.stats(), cam) == "recording", 30)
    log(f"recording resumed {time.time() - t_free:.1f} s after space returned")
    check(back, "space returns: recording resumes by itself", "recording", rec_state(st.stats(), cam))
    cleared = st.wait_for(lambda: not admin.get(f"/api/v1/alerts?camera={cam}&open=1").json.get("alerts"), 10)
    check(cleared, "the alert clears when recording resumes", "no open alert",
          admin.get(f"/api/v1/alerts?camera={cam}&open=1").json)
    time.sleep(3)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    rec = st.recordings(cam)
    check(held_segments <= {s["start_us"] for s in rec["segments"]}, "every held segment is still there",
          len(held_segments), len(rec["segments"]))
    reasons = [g["reason"] for g in rec["gaps"]]
    check(HELD_GAP in reasons, "the gap says 'disk full — only held video left'", HELD_GAP, reasons)
    r = st.check()
    check(r.returncode == 0, "check is clean", "exit 0", r.stdout[-400:])
finally:
    if st:
        st.stop()
    if cams:
        cams.stop()
    if mnt:
        subprocess.run(["umount", "-l", mnt], capture_output=True)
finish()
