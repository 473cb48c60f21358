"""Time that survives days (issue 12 item 5): RTP timestamps wrap every
13.25 h at 90 kHz and sequence numbers every 65,536 packets.  camsim
--rtp-wrap starts both just below their wrap (the timestamp 10 s before it,
the sequence number 100 packets before it), so a stream crosses both within
its first seconds; one camera is recorded over TCP (the lean client), one
over UDP (libavformat's).  Across the wrap the recording goes on without a
gap or a reconnect: segments monotonic and contiguous, >= 99 % of the time
from the first frame covered, every segment decodes with no error at 25 fps,
no timestamp correction logged, `check` clean."""
import os
import subprocess
import time

from wwtest import Camsim, Station, check, coverage, ffprobe_segment, finish

RUN_S = 24                      # the timestamp wraps 10 s after the stream starts
cams = Camsim(cameras=2, extra=["--rtp-wrap"]).start()
st = Station("rtp-wrap").init()
try:
    tcp = st.add_camera("Wrap TCP", cams.url(1))
    udp = st.add_camera("Wrap UDP", cams.url(2), extra=["--transport", "udp"])
    st.serve("--segment-seconds", "4")
    started = st.wait_for(lambda: all(st.stream_stats(i).get("record", {}).get("frames", 0) > 0 for i in (tcp, udp)), 15)
    check(started, "both cameras record within 15 s", "frames > 0", st.stats())
    time.sleep(RUN_S)
    t_stop = time.time()
    stats = {i: st.stream_stats(i) for i in (tcp, udp)}
    rc = st.stop()
    check(rc == 0, "serve exits 0 on SIGTERM", 0, rc)
    log = st.log()
    for cam, how in ((tcp, "TCP"), (udp, "UDP")):
        ss = stats[cam]
        check(ss.get("state") == "online" and ss.get("reconnects", 0) == 0,
              f"{how}: online, no reconnect across the wrap", "online, 0 reconnects",
              (ss.get("state"), ss.get("reconnects")))
        corr = ss.get("record", {}).get("ts_corrections")
        check(corr == 0, f"{how}: the writer corrected no timestamp", 0, corr)
        j = st.recordings(cam)
        segs, gaps = j["segments"], j["gaps"]
        check(not [g for g in gaps if g["start_us"] < t_stop * 1e6 - 1e6], f"{how}: no gap", "[]", gaps)
        check(len(segs) >= 5, f"{how}: segments recorded", ">= 5", len(segs))
        if not segs:
            continue
        mono = all(s["end_us"] > s["start_us"] for s in segs) and \
            all(0 <= b["start_us"] - a["end_us"] < 200000 for a, b in zip(segs, segs[1:]))
        check(mono, f"{how}: segment times monotonic and contiguous across the wrap",
              "each starts where the last ended (< 0.2 s)", [(s["start_us"], s["end_us"]) for s in segs])
        first = segs[0]["start_us"]
        span = t_stop - first / 1e6
        cov = coverage(segs, first, int(t_stop * 1e6))
        check(cov / span >= 0.99, f"{how}: coverage from the first frame ({100 * cov / span:.1f} % of {span:.1f} s)",
              ">= 99 %", f"{cov:.1f} s")
        for s in segs:
            path = os.path.join(st.data, s["path"])
            dur, frames, codec = ffprobe_segment(path)
            want = (s["end_us"] - s["start_us"]) / 1e6
            r = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"],
                               capture_output=True, text=True, timeout=120)
            ok = dur is not None and abs(dur - want) < 0.2 and frames and 24 <= frames / dur <= 26 \
                and r.returncode == 0 and not r.stderr.strip()
            check(ok, f"{how}: {s['path']} decodes cleanly at 25 fps", f"{want:.2f} s, 25 fps, no error",
                  f"{dur} s, {frames} frames, {r.stderr.strip()[-200:]}")
    corrections = [l for l in log.splitlines() if "backwards" in l or "correct" in l.lower()]
    check(not corrections, "no timestamp correction logged", "none", corrections[:3])
    r = st.check()
    check(r.returncode == 0, "wardwatch check passes", "exit 0", f"{r.returncode}: {r.stdout[-400:]}")
finally:
    st.stop()
    cams.stop()
    st.remove()
finish()
