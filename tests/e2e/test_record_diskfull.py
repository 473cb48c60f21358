"""The recordings folder fills up.

A fault hook (WARDWATCH_FAULT=enospc-file=MARKER) makes every write of the
recorder fail with ENOSPC while MARKER exists — the same error a full disk
gives.  Acceptance (issue 3): the recorder says so in the log and the stats,
asks retention to free space, resumes by itself when space returns, records
the outage as a gap, and `check` stays clean.
"""
import os
import time

from wwtest import Camsim, Station, check, finish, log

cams = Camsim(cameras=1).start()
st = Station("rec-diskfull").init()
marker = os.path.join(st.tmp, "disk-is-full")
try:
    cam = st.add_camera("Cam", cams.url(1))
    env = dict(os.environ, WARDWATCH_FAULT=f"enospc-file={marker}")
    st.serve("--segment-seconds", "4", env=env)
    st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("frames", 0) > 50, 15)
    open(marker, "w").close()
    t_full = time.time()
    full = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("state") == "disk-full", 10)
    check(full, "stats say disk-full", "record.state == disk-full", st.stream_stats(cam).get("record"))
    check("recordings folder is full (ENOSPC)" in st.log(), "log says the disk is full", "an ENOSPC line",
          st.log()[-500:])
    time.sleep(4)
    check(st.stream_stats(cam).get("state") == "online", "the camera stays connected while the disk is full",
          "online", st.stream_stats(cam).get("state"))
    os.unlink(marker)
    t_free = time.time()
    back = st.wait_for(lambda: st.stream_stats(cam).get("record", {}).get("state") == "recording", 10)
    check(back, "recording resumes by itself when space returns", "record.state == recording within 10 s",
          st.stream_stats(cam).get("record"))
    log(f"resumed {time.time() - t_free:.2f} s after space returned")
    check("recording resumed" in st.log(), "log says recording resumed", "a 'recording resumed' line", st.log()[-400:])
    time.sleep(4)
    rc = st.stop()
    check(rc == 0, "serve exits 0", 0, rc)
    rec = st.recordings(cam)
    full_gaps = [g for g in rec["gaps"] if g["reason"] == "disk full"]
    check(len(full_gaps) == 1 and full_gaps[0]["seconds"] >= 3, "the outage is a gap with reason 'disk full'",
          "one gap >= 3 s", rec["gaps"])
    r = st.check()
    check(r.returncode == 0, "check stays clean", "exit 0", r.stdout[-500:])
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
