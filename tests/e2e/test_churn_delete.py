"""A camera removed while it writes a segment stops only itself (issue 18).

Five simulated cameras record with 4 s segments.  Camera 5 is removed
behind the recorder's back (`wardwatch camera remove` on the catalog while
`serve` runs: its open segment's row can no longer be written, the FOREIGN
KEY case the syncer must set aside), then camera 4 through the API (the
ordered delete: stop, flush, then rows and files).  The other three keep
committing: the bytes their rows claim grow in every sync round, and their
segment counts grow.  The FOREIGN KEY failure is logged at most once, the
recorder's file descriptors go back to (at most) their level before the
deletes, `serve` exits 0 on SIGTERM and `wardwatch check` is clean.
"""
import collections
import os
import re
import sqlite3
import time

import wwapi
from wwtest import Camsim, Station, check, finish, free_port, log


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def committed(db):
    """camera id → (segment rows, bytes claimed), read from the catalog."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        rows = con.execute("SELECT camera_id, COUNT(*), SUM(bytes) FROM segments GROUP BY camera_id").fetchall()
    finally:
        con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


cams = Camsim(cameras=5).start()
st = Station("churn-delete").init()
port = free_port()
try:
    ids = [st.add_camera(f"Cam {n}", cams.url(n)) for n in range(1, 6)]
    keep, via_api, behind = ids[:3], ids[3], ids[4]
    st.serve("--segment-seconds", "4", http_port=port)
    db = os.path.join(st.data, "wardwatch.db")
    up = st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 50 for i in ids), 30)
    check(up, "all 5 cameras recording", "frames > 50 each", st.stats())
    admin = wwapi.Client(port)
    r = admin.login("admin", st.admin_password)
    check(r.status == 200, "admin signs in", 200, r.status)
    time.sleep(5)  # every camera has a closed segment and an open one
    fd_before = fd_count(st.proc.pid)
    log(f"fds before the deletes: {fd_before}")

    # Mid-segment, behind the recorder's back: rows go, the writer does not know yet.
    r = st.ww("camera", "remove", str(behind), check=False)
    check(r.returncode == 0, "camera remove (CLI) while serve runs", 0, f"{r.returncode}: {r.stderr}")
    t_del = time.time()
    r = admin.delete(f"/api/v1/cameras/{via_api}", timeout=30)
    took = time.time() - t_del
    check(r.status in (200, 204), "DELETE /api/v1/cameras/ID answers once done", "204", r)
    log(f"DELETE took {took:.2f} s")
    r = admin.get(f"/api/v1/cameras/{via_api}")
    check(r.status == 404, "the deleted camera is gone", 404, r.status)
    left = [p for p in os.popen(f"find {st.data}/rec/{via_api} -name '*.mp4' 2>/dev/null").read().split()]
    check(not left, "DELETE removed the camera's files before answering", "no files", left)

    # Every sync round (1 s) the kept cameras' rows must claim more bytes.
    samples = []
    for _ in range(12):
        time.sleep(1.5)
        samples.append(committed(db))
    for cam in keep:
        seq = [s.get(cam, (0, 0)) for s in samples]
        grew = all(b[1] > a[1] for a, b in zip(seq, seq[1:]))
        check(grew, f"camera {cam}: committed bytes grow every round after the deletes",
              "strictly increasing every 1.5 s", [x[1] for x in seq])
        check(seq[-1][0] > seq[0][0], f"camera {cam}: segment count grows", f"> {seq[0][0]}", seq[-1][0])
    gone = [s.get(behind) for s in samples] + [s.get(via_api) for s in samples]
    check(all(g is None for g in gone), "no rows of the removed cameras", "none", gone[-1])

    fd_after = fd_count(st.proc.pid)
    log(f"fds after: {fd_after}")
    check(0 < fd_after <= fd_before, "file descriptors back to their level before the deletes",
          f"<= {fd_before}", fd_after)
    text = st.log()
    # Once per refused segment, never again for the same one (the removed
    # camera may have cut a new segment before the engine saw it go).
    fk_lines = [l for l in text.splitlines() if "FOREIGN KEY" in l]
    per_seg = collections.Counter(re.sub(r".*segment (\S+) cannot.*", r"\1", l) for l in fk_lines)
    check(all(n == 1 for n in per_seg.values()) and len(fk_lines) <= 4,
          "a FOREIGN KEY failure is logged once per refused segment, never repeated",
          "each segment once, at most 4 lines", dict(per_seg))
    stats = st.stats() or {}
    check(stats.get("syncer", {}).get("last_error") == 0, "syncer reports no error", 0, stats.get("syncer"))
    rc = st.stop()
    check(rc == 0, "serve exits 0 on SIGTERM", 0, rc)
    r = st.check()
    check(r.returncode == 0, "wardwatch check is clean", "exit 0", f"{r.returncode}: {r.stdout[-800:]}")
    orphans = os.popen(f"find {st.data}/rec/{behind} {st.data}/rec/{via_api} -name '*.mp4' 2>/dev/null").read().split()
    check(not orphans, "no files of the removed cameras remain", "none", orphans)
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
