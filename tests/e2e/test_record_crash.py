"""kill -9 of the recorder mid-recording, then restart.

Acceptance (issue 3): `wardwatch check` passes, each camera loses <= 2 s
around the kill, and recording continues.  Lost time = from the end of the
last frame recorded before the kill (as recovered) to the kill itself.
"""
import signal
import time

from wwtest import Camsim, Station, check, finish, log

cams = Camsim(cameras=2).start()
st = Station("rec-crash").init()
try:
    ids = [st.add_camera(f"Cam {n}", cams.url(n)) for n in (1, 2)]
    st.serve("--segment-seconds", "10")
    st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 0 for i in ids), 15)
    time.sleep(13.5)  # mid-segment: the second segment is growing
    t_kill = time.time()
    st.proc.send_signal(signal.SIGKILL)
    st.proc.wait(10)
    st.logf.close()
    st.proc = None
    log("killed the recorder with SIGKILL")
    st.serve("--segment-seconds", "10")
    st.wait_for(lambda: st.log().count("[recover]") >= 2, 10)
    recover_line = [l for l in st.log().splitlines() if "[recover]" in l]
    log("recovery said: " + (recover_line[-1] if recover_line else "nothing"))
    check(len(recover_line) == 2 and "extended 2" in recover_line[-1], "recovery indexes the tails of both growing segments",
          "a [recover] line with 'extended 2'", recover_line[-1:])
    t_restart = time.time()
    time.sleep(8)
    rc = st.stop()
    check(rc == 0, "restarted serve exits 0", 0, rc)
    r = st.check()
    check(r.returncode == 0, "wardwatch check passes after kill -9 and restart", "exit 0",
          f"{r.returncode}: {r.stdout[-800:]}")
    for cam in ids:
        segs = st.recordings(cam)["segments"]
        before = [s for s in segs if s["start_us"] < t_kill * 1e6]
        after = [s for s in segs if s["start_us"] > t_kill * 1e6]
        last_end = max((s["end_us"] for s in before), default=0) / 1e6
        lost = t_kill - last_end
        check(0 <= lost <= 2.0, f"camera {cam}: loss around the kill", "<= 2 s", f"{lost:.2f} s")
        rec_after = sum(s["end_us"] - s["start_us"] for s in after) / 1e6
        check(rec_after >= 5, f"camera {cam}: recording continues after restart", ">= 5 s recorded in 8 s",
              f"{rec_after:.1f} s")
        resume = (min((s["start_us"] for s in after), default=0) / 1e6) - t_restart
        log(f"camera {cam}: lost {lost:.2f} s before the kill; first frame {resume:.2f} s after the restart")
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
