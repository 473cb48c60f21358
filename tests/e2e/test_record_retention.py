"""Retention by quota: with a quota smaller than the recorded data, the
oldest segments go first and `check` stays clean; per-camera days delete
what is older than the window.
"""
import os
import sqlite3
import time

from wwtest import Camsim, Station, check, finish, log

cams = Camsim(cameras=2).start()
st = Station("rec-retention").init()
try:
    ids = [st.add_camera(f"Cam {n}", cams.url(n)) for n in (1, 2)]
    # ~0.5 MB/s per camera: 4 MB is about 4 s of both cameras.
    st.serve("--segment-seconds", "2", "--quota-mb", "4", "--retention-seconds", "1")
    time.sleep(16)
    stats = st.stats()
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    deleted = stats["syncer"]["retention_deleted"]
    check(deleted > 0, "retention deleted segments", "> 0", deleted)
    db = sqlite3.connect(os.path.join(st.data, "wardwatch.db"))
    total = db.execute("SELECT SUM(bytes) FROM segments").fetchone()[0]
    check(total <= 4 * 2**20 + 3 * 2**20, "recordings stay near the quota", "<= quota + the growing segments",
          f"{total / 2**20:.1f} MB")
    for cam in ids:
        segs = st.recordings(cam)["segments"]
        files = []
        for root, _, names in os.walk(os.path.join(st.data, "rec", str(cam))):
            files += [os.path.join(root, n) for n in names]
        check(len(files) == len(segs), f"camera {cam}: one file per row", len(segs), len(files))
        # the survivors are the newest: they end at the stop, contiguous
        if segs:
            check(segs[-1]["end_us"] / 1e6 > time.time() - 5, f"camera {cam}: the newest segment survives",
                  "ends within 5 s of the stop", segs[-1]["end"])
            starts = [s["start_us"] for s in segs]
            check(starts == sorted(starts) and all(b["start_us"] - a["end_us"] < 500000 for a, b in zip(segs, segs[1:])),
                  f"camera {cam}: only the oldest were deleted (survivors contiguous)", "no holes", starts)
    r = st.check()
    check(r.returncode == 0, "check stays clean after retention", "exit 0", r.stdout[-500:])

    # Days: age one camera's rows by 3 days and give it a 1-day window.
    db.execute("UPDATE segments SET start_us = start_us - 3*86400000000, end_us = end_us - 3*86400000000 "
               "WHERE camera_id = ?", (ids[0],))
    db.execute("UPDATE cameras SET retention_days = 1 WHERE id = ?", (ids[0],))
    db.commit()
    db.close()
    kept2 = len(st.recordings(ids[1])["segments"])
    st.serve("--segment-seconds", "2", "--retention-seconds", "1")
    time.sleep(3)
    st.stop()
    old = [s for s in st.recordings(ids[0])["segments"] if s["start_us"] < (time.time() - 86400) * 1e6]
    check(not old, "per-camera days: segments older than the window are deleted", "none older than 1 day", len(old))
    check(len(st.recordings(ids[1])["segments"]) >= kept2, "the other camera keeps its recordings",
          f">= {kept2}", len(st.recordings(ids[1])["segments"]))
    r = st.check()
    check(r.returncode == 0, "check stays clean after day retention", "exit 0", r.stdout[-500:])
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
